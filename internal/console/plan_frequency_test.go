package console_test

import (
	"net/http"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
)

// TestFileShowsPlanFrequency: the debtor's file and the work queue say how
// often a plan is paid, so that 26 weekly parts are not read as 26 months.
func TestFileShowsPlanFrequency(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	d := e.debtor(cr, "D-1", "Sanne de Wit")
	first := e.DB.Today().AddDate(0, 0, 7)
	check := collect.CheckPlan(cr.Policy.Plan, 90000, 26, collect.Weekly, first, e.DB.Today(), false)
	if _, err := e.DB.ProposePlan(e.Ctx, collect.ProposePlan(collect.Plan{CreditorID: cr.ID, DebtorID: d.ID, Total: 90000, Months: 26,
		Frequency: collect.Weekly, FirstDue: first}, check, false, e.DB.Now())); err != nil {
		t.Fatal(err)
	}
	r := c.Get("/console/debtors/" + d.ID)
	apptest.WantStatus(t, "file", r, http.StatusOK)
	apptest.WantContains(t, "file", r.Body, "in 26 weekly instalments")
	apptest.WantNotContains(t, "file", r.Body, "26 months", "26 monthly")
	r = c.Get("/console")
	apptest.WantStatus(t, "queue", r, http.StatusOK)
	apptest.WantContains(t, "queue", r.Body, "€900.00 in 26 weeks")
	apptest.WantNotContains(t, "queue", r.Body, "in 26 months")
}
