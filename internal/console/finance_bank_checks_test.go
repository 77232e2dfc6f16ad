package console_test

import (
	"net/http"
	"testing"

	"github.com/settle/settle/internal/apptest"
)

// TestImportShowsBalanceProblemAndHeldEntry: a statement whose entries do
// not add up to its balances, with a batch entry whose transactions do not
// add up to the entry, shows finance both: the flag and the held lines
// with their reason, and books nothing of the held entry.
func TestImportShowsBalanceProblemAndHeldEntry(t *testing.T) {
	e := newEnv(t)
	a := e.creditor("Zonnestroom Energie")
	d := e.debtor(a, "D-1", "Jan de Vries")
	inv := e.invoice(a, d, "F-1001", apptest.Start.AddDate(0, 0, -30), 10000)
	e.Agent("fin@example.nl", "finance", a.ID)
	fin := e.Client()
	fin.SignInAgent("fin@example.nl")
	apptest.WantStatus(t, "finance page", fin.Get("/console/finance"), http.StatusOK) // the form's CSRF token

	tx := func(amount string) string {
		return `<TxDtls><Amt Ccy="EUR">` + amount + `</Amt><RmtInf><Strd><CdtrRefInf><Ref>` + inv.PaymentReference + `</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>`
	}
	file := `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<Stmt><Id>S-CHECK</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-20</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-20</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt><AcctSvcrRef>B-1</AcctSvcrRef>
<NtryDtls>` + tx("20.00") + tx("20.00") + `</NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`
	r := upload(fin, "/console/finance/import", map[string]string{"creditor": a.ID}, "check.xml", []byte(file))
	apptest.WantStatus(t, "import", r, http.StatusOK)
	apptest.WantContains(t, "import result", r.Body, `id="balance-problem"`, "Check statement S-CHECK with the bank",
		"the opening balance EUR 10.00 plus the entries (EUR 50.00) is EUR 60.00, but the closing balance is EUR 50.00",
		`<dd id="count-held">2</dd>`, `<dd id="count-booked">0</dd>`, "held for finance", "the 2 transactions add up to EUR 40.00, the entry is EUR 50.00")
}
