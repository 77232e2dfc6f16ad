package console_test

import (
	"net/http"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// The debtor's file shows a promise to pay: amount, bill, date and status.
func TestFileShowsPromises(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	d := e.debtor(cr, "P-1", "Pim Prins")
	inv := e.invoice(cr, d, "Z-77", collect.Day(2026, 11, 1), 12345)
	p, err := casework.MakePromise(e.Ctx, e.DB, e.Clock.Now(), casework.PromiseRequest{CreditorID: cr.ID, DebtorID: d.ID, InvoiceID: inv.ID, On: e.DB.Today().AddDate(0, 0, 3)})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "file", r, http.StatusOK)
	apptest.WantContains(t, "file", r.Body, `id="promise-`+p.ID+`"`, "for invoice Z-77", `<span class="status">open</span>`, "by the debtor")
}
