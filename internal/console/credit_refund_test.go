package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/postgres"
)

// The file shows a debtor's credit with nothing open and a refund action;
// money that came by bank goes back by bank transfer, recorded on the file,
// and the credit is gone.
func TestFileRefundsCredit(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	d := e.debtor(cr, "C-1", "Cor Credit")
	e.invoice(cr, d, "F-1", e.DB.Today().AddDate(0, 0, -5), 10000)
	e.Pay(postgres.Receipt{CreditorID: cr.ID, DebtorID: d.ID, Amount: 12345, On: e.DB.Today(), SourceKey: "bank:over"})
	c := e.signedIn("agent@example.nl")
	page := c.Get("/console/debtors/" + d.ID)
	// 123,45 paid on 100,00 and five days' interest: about 23,40 over.
	if st := e.Statement(cr.ID, d.ID); st.Credit < 2300 || st.Total() != 0 {
		t.Fatalf("credit %d, open %d; want the overpayment as credit and nothing open", st.Credit, st.Total())
	}
	apptest.WantContains(t, "file with credit", page.Body, "Nothing is open, so it can go back", `id="refund-credit"`)
	r := c.Post("/console/debtors/"+d.ID+"/credit/refund", nil)
	apptest.WantStatus(t, "refund", r, http.StatusSeeOther)
	after := c.Get(r.Header.Get("Location"))
	apptest.WantContains(t, "file after the refund", after.Body, "The credit is paid back", "Bank transfer by the creditor", "to transfer", "The debtor has no credit.")
	if st := e.Statement(cr.ID, d.ID); st.Credit != 0 || st.Total() != 0 {
		t.Fatalf("credit %d, open %d after the refund; want 0 and 0", st.Credit, st.Total())
	}
	again := c.Post("/console/debtors/"+d.ID+"/credit/refund", nil)
	apptest.WantStatus(t, "second refund", again, http.StatusConflict)
}

// TestFinanceTransferFile: the overpayment an agent paid back waits on the
// finance page with the IBAN the debtor paid from; finance downloads its
// SEPA transfer file once (then nothing waits), and can download it again.
func TestFinanceTransferFile(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	e.Agent("fin@example.nl", "finance", cr.ID)
	d := e.debtor(cr, "C-1", "Cor Credit")
	e.invoice(cr, d, "F-1", e.DB.Today().AddDate(0, 0, -5), 10000)
	e.Pay(postgres.Receipt{CreditorID: cr.ID, DebtorID: d.ID, Amount: 12345, On: e.DB.Today(), SourceKey: "bank:over"})
	ctx := context.Background()
	if _, err := e.DB.PoolForTests().Exec(ctx, `UPDATE creditors SET iban = 'NL91ABNA0417164300' WHERE id = $1`, cr.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.PoolForTests().Exec(ctx, `INSERT INTO payments (creditor_id, debtor_id, amount_cents, provider, method, provider_id, status, payer_iban, paid_at)
		VALUES ($1, $2, 12345, 'bank', 'transfer', 'E2E-OVER', 'paid', 'NL02RABO0123456789', $3)`, cr.ID, d.ID, e.DB.Now()); err != nil {
		t.Fatal(err)
	}
	ag := e.signedIn("agent@example.nl")
	ag.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "refund", ag.Post("/console/debtors/"+d.ID+"/credit/refund", nil), http.StatusSeeOther)
	apptest.WantStatus(t, "agent makes a file", ag.Post("/console/finance/transfers", url.Values{"creditor": {cr.ID}}), http.StatusNotFound)

	fin := e.signedIn("fin@example.nl")
	page := fin.Get("/console/finance?creditor=" + cr.ID)
	apptest.WantContains(t, "finance page", page.Body, "Credit to pay back by bank transfer", "Cor Credit", "NL02RABO0123456789", `id="make-transfer-file"`)
	r := fin.Post("/console/finance/transfers", url.Values{"creditor": {cr.ID}})
	apptest.WantStatus(t, "transfer file", r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("transfer file: %s, %s", ct, r.Header.Get("Content-Disposition"))
	}
	apptest.WantContains(t, "transfer file", r.Body, "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03", "<IBAN>NL02RABO0123456789</IBAN>", "<Nm>Cor Credit</Nm>")
	apptest.WantContains(t, "after the file", fin.Get("/console/finance?creditor="+cr.ID).Body, `id="no-transfers"`)
	apptest.WantStatus(t, "a second file", fin.Post("/console/finance/transfers", url.Values{"creditor": {cr.ID}}), http.StatusConflict)
	id := r.Header.Get("X-Transfer-File")
	again := fin.Get("/console/finance/transfers/" + id + "?creditor=" + cr.ID)
	apptest.WantStatus(t, "download again", again, http.StatusOK)
	if again.Body != r.Body {
		t.Error("the file downloaded again differs")
	}
}
