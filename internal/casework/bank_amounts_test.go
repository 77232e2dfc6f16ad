package casework_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// genkgoAccount is the account the genkgo/camt samples name by
// Acct/Id/Othr/Id (camt053/testdata/README.md).
const genkgoAccount = "NL26VAYB8060476890"

// The genkgo/camt samples: the entry says EUR 8.85, its one transaction
// 105.750 EUR (.03) or 0 SEK (.04, .08). What arrived is 8.85, so 8.85 is
// booked on the invoice the reference names (before: 105.75, and for .04
// and .08 a "not handled" SEK 0.00 line). Their balances (EUR opening, SEK
// closing) cannot agree with the entries, so the statement is flagged.
func TestLoneTransactionBooksTheEntrysAmount(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"genkgo_camt053.v3.xml", "genkgo_camt053.v4.xml", "genkgo_camt053.v8.xml"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newBankFixture(t)
			ctx := context.Background()
			raw, err := os.ReadFile("../reconcile/camt053/testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			// The fixture's invoice for the sample's reference, and its
			// booking day in the fixture's time (a payment from 2014 would
			// precede the invoice and be the debtor's credit).
			xml := strings.NewReplacer("4654654654654654", f.invoices["F-3001"].PaymentReference, "2014-12-31", "2024-04-01").Replace(string(raw))

			// Unregistered, the account is no one's.
			_, err = f.importString(t, xml)
			if collect.ErrorCode(err) != collect.EINVALID || !strings.Contains(err.Error(), genkgoAccount) || !strings.Contains(err.Error(), "Stmt/Acct/Id/Othr/Id") {
				t.Fatalf("unregistered account: %v, want EINVALID on Stmt/Acct/Id/Othr/Id naming the account", err)
			}
			if err := f.db.AddCreditorAccount(ctx, f.creditor.ID, "nl26 vayb 8060 4768 90"); err != nil {
				t.Fatal(err)
			}
			res, err := f.importString(t, xml)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res.Summary())
			if res.Booked != 1 || res.Lines != 1 || len(res.Statements) != 1 || res.Statements[0].AccountIBAN != genkgoAccount {
				t.Fatalf("result %+v, want one line booked for account %s", res, genkgoAccount)
			}
			l := lineWith(t, f.lines(t), func(collect.BankLine) bool { return true })
			if l.Amount != 885 || l.Currency != "EUR" || l.State != collect.BankBooked || l.InvoiceID != f.invoices["F-3001"].ID {
				t.Errorf("line %s %d %s on %s, want EUR 885 booked on F-3001", l.Currency, l.Amount, l.State, l.InvoiceID)
			}
			p, err := f.db.PaymentByID(ctx, l.PaymentID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Amount != 885 {
				t.Errorf("payment of %d cents, want 885", p.Amount)
			}
			if n := f.invoiceOpen(t, "F-3001"); n != 8000-885 {
				t.Errorf("F-3001 open %d after the payment, want %d", n, 8000-885)
			}
			problem := res.Statements[0].BalanceProblem
			if !strings.Contains(problem, "opening balance is in EUR and the closing balance in SEK") {
				t.Errorf("balance problem %q, want the currencies named", problem)
			}
			st, err := f.db.BankStatementOf(ctx, f.creditor.ID, res.Statements[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.BalanceProblem != problem {
				t.Errorf("stored balance problem %q, want %q", st.BalanceProblem, problem)
			}
		})
	}
}

// statementXML is a .08 statement of the fixture's account with the given
// balances (opening, closing; "" leaves one out) and entries.
func statementXML(opening, closing string, entries ...string) string {
	bal := func(tp, v string) string {
		if v == "" {
			return ""
		}
		cdi := "CRDT"
		if strings.HasPrefix(v, "-") {
			cdi, v = "DBIT", v[1:]
		}
		return `<Bal><Tp><CdOrPrtry><Cd>` + tp + `</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">` + v + `</Amt><CdtDbtInd>` + cdi + `</CdtDbtInd><Dt><Dt>2024-04-01</Dt></Dt></Bal>`
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-04-02T06:00:00Z</CreDtTm></GrpHdr>
<Stmt><Id>ABNA-2024-04-01</Id><LglSeqNb>40</LglSeqNb><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>
` + bal("OPBD", opening) + bal("CLBD", closing) + strings.Join(entries, "\n") + `
</Stmt></BkToCstmrStmt></Document>`
}

// entryXML is a booked credit entry of amount with one TxDtls per
// (amount, reference) pair.
func entryXML(ref, amount string, txs ...[2]string) string {
	var b strings.Builder
	b.WriteString(`<Ntry><Amt Ccy="EUR">` + amount + `</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-04-01</Dt></BookgDt><AcctSvcrRef>` + ref + `</AcctSvcrRef><NtryDtls>`)
	for _, tx := range txs {
		b.WriteString(`<TxDtls><Amt Ccy="EUR">` + tx[0] + `</Amt><CdtDbtInd>CRDT</CdtDbtInd><RmtInf><Strd><CdtrRefInf><Ref>` + tx[1] + `</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>`)
	}
	b.WriteString(`</NtryDtls></Ntry>`)
	return b.String()
}

// A batch entry whose transactions do not add up to it is held whole: no
// line of it is booked, each says why. One that adds up is booked per
// transaction.
func TestBatchNotAddingUpIsHeld(t *testing.T) {
	t.Parallel()
	f := newBankFixture(t)
	ref := func(n string) string { return f.invoices[n].PaymentReference }
	xml := statementXML("1000.00", "1190.00",
		entryXML("BATCH-BAD", "100.00", [2]string{"60.00", ref("F-3001")}, [2]string{"30.00", ref("F-4001")}),
		entryXML("BATCH-OK", "90.00", [2]string{"70.00", ref("F-2001")}, [2]string{"20.00", ref("F-2002")}))
	payments := f.count(t, "payments")
	res, err := f.importString(t, xml)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Summary())
	if res.Held != 2 || res.Booked != 2 || res.Statements[0].BalanceProblem != "" {
		t.Fatalf("result %+v, want 2 held, 2 booked, balances in order", res)
	}
	for _, l := range f.lines(t) {
		held := strings.HasPrefix(l.EntryKey, "r:NL91ABNA0417164300:BATCH-BAD:")
		switch {
		case held && (l.State != collect.BankHeld || !strings.Contains(l.Reason, "the 2 transactions add up to EUR 90.00, the entry is EUR 100.00") || l.PaymentID != ""):
			t.Errorf("line %s of the bad batch: %s (%q), want held with the sums", l.EntryKey, l.State, l.Reason)
		case !held && l.State != collect.BankBooked:
			t.Errorf("line %s of the good batch: %s (%q), want booked", l.EntryKey, l.State, l.Reason)
		}
	}
	if n := f.count(t, "payments"); n != payments+2 {
		t.Errorf("%d payments, want %d (the good batch only)", n, payments+2)
	}
	if f.invoiceOpen(t, "F-3001") != 8000 || f.invoiceOpen(t, "F-4001") != 2000 {
		t.Error("a line of the held entry was booked")
	}
}

// A statement whose entries do not add up to its balances is flagged, and
// its lines are still matched and booked one by one.
func TestUnbalancedStatementIsFlagged(t *testing.T) {
	t.Parallel()
	f := newBankFixture(t)
	entry := entryXML("E-1", "80.00", [2]string{"80.00", f.invoices["F-3001"].PaymentReference})
	res, err := f.importString(t, statementXML("1000.00", "1100.00", entry))
	if err != nil {
		t.Fatal(err)
	}
	want := "the opening balance EUR 1000.00 plus the entries (EUR 80.00) is EUR 1080.00, but the closing balance is EUR 1100.00"
	if res.Statements[0].BalanceProblem != want || res.Booked != 1 {
		t.Fatalf("result %+v, want flagged %q and the line booked", res, want)
	}
	if !strings.Contains(res.Summary(), "1 not adding up") {
		t.Errorf("summary %q does not mention the flag", res.Summary())
	}
	// Balanced (a debit opening balance too), and without balances: no flag.
	for _, c := range []struct{ open, closing string }{{"-10.00", "70.00"}, {"", ""}, {"1000.00", ""}} {
		g := newBankFixture(t)
		entry := entryXML("E-1", "80.00", [2]string{"80.00", g.invoices["F-3001"].PaymentReference})
		res, err := g.importString(t, statementXML(c.open, c.closing, entry))
		if err != nil {
			t.Fatal(err)
		}
		if p := res.Statements[0].BalanceProblem; p != "" {
			t.Errorf("balances %q/%q: flagged %q, want no flag", c.open, c.closing, p)
		}
	}
}

// An account number registered by another creditor is not the caller's.
func TestRegisteredAccountIsOnlyItsCreditors(t *testing.T) {
	t.Parallel()
	f := newBankFixture(t)
	ctx := context.Background()
	other, _, err := f.db.CreateCreditor(ctx, collect.Creditor{Name: "Other B.V."})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.AddCreditorAccount(ctx, other.ID, genkgoAccount); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../reconcile/camt053/testdata/genkgo_camt053.v8.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = casework.ImportCAMT(ctx, f.db, strings.NewReader(string(raw)), casework.ImportOptions{ImportedBy: "test", CreditorID: f.creditor.ID})
	if collect.ErrorCode(err) != collect.EINVALID || !strings.Contains(err.Error(), "not your account") {
		t.Errorf("another creditor's account number: %v", err)
	}
	if err := f.db.AddCreditorAccount(ctx, f.creditor.ID, " "); collect.ErrorCode(err) != collect.EINVALID {
		t.Errorf("empty account number: %v, want EINVALID", err)
	}
	if err := f.db.AddCreditorAccount(ctx, "00000000-0000-0000-0000-000000000000", genkgoAccount); collect.ErrorCode(err) != collect.ENOTFOUND {
		t.Errorf("unknown creditor: %v, want ENOTFOUND", err)
	}
	// Both creditors registered it: without a caller it is ambiguous.
	if err := f.db.AddCreditorAccount(ctx, f.creditor.ID, genkgoAccount); err != nil {
		t.Fatal(err)
	}
	if _, err := f.importString(t, string(raw)); collect.ErrorCode(err) != collect.EINVALID || !strings.Contains(err.Error(), "more than one creditor") {
		t.Errorf("account of two creditors: %v", err)
	}
}
