package console_test

import (
	"net/http"
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
