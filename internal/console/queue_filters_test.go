package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
)

// The queue filters by creditor, kind, due date and agent; an agent takes a
// request or gives it to a colleague of the same creditor, recorded on the
// file; another creditor's agent can do neither.
func TestQueueFiltersAndAssignment(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	colleague := e.Agent("colleague@example.nl", "agent", cr.ID)
	other := e.creditor("Groothandel")
	outsider := e.Agent("other@example.nl", "agent", other.ID)
	d1 := e.debtor(cr, "D-9", "Eerste Persoon")
	d2, _, dispute := e.disputed(cr, "Tweede Persoon", "klopt niet")
	plan := e.proposal(cr, d1, 90000, 18)

	apptest.WantContains(t, "queue", c.Get("/console").Body, "Eerste Persoon", "Tweede Persoon", "Nobody yet", `id="mine-`+plan.ID+`"`)
	r := c.Get("/console?kind=dispute")
	apptest.WantContains(t, "disputes only", r.Body, "Tweede Persoon", "(filtered)")
	apptest.WantNotContains(t, "disputes only", r.Body, "Eerste Persoon")

	// Take the plan; the queue shows it as mine, and "mine" keeps only it.
	r = c.Post("/console/queue/assign", url.Values{"kind": {"plan"}, "id": {plan.ID}, "agent": {"me"}, "back": {"/console?kind=plan"}})
	apptest.WantStatus(t, "assign to me", r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/console?kind=plan" {
		t.Errorf("back to %q, want the filtered queue", loc)
	}
	if a := e.lastAction(d1.ID); a != "queue.assigned" {
		t.Errorf("last audit action %q", a)
	}
	r = c.Get("/console?agent=mine")
	apptest.WantContains(t, "mine", r.Body, "Eerste Persoon", ">You<")
	apptest.WantNotContains(t, "mine", r.Body, "Tweede Persoon")
	apptest.WantContains(t, "nobody's", c.Get("/console?agent=none").Body, "Tweede Persoon")
	apptest.WantNotContains(t, "nobody's", c.Get("/console?agent=none").Body, "Eerste Persoon")
	apptest.WantContains(t, "the file says it", c.Get("/console/debtors/"+d1.ID).Body, "agent@example.nl took the request.")

	// Give the dispute to the colleague.
	apptest.WantStatus(t, "give", c.Post("/console/queue/assign", url.Values{"kind": {"dispute"}, "id": {dispute.ID}, "agent": {colleague.ID}}), http.StatusSeeOther)
	r = c.Get("/console?agent=" + colleague.ID)
	apptest.WantContains(t, "colleague's", r.Body, "Tweede Persoon", "colleague@example.nl")
	apptest.WantNotContains(t, "colleague's", r.Body, "Eerste Persoon")
	apptest.WantContains(t, "the file says it", c.Get("/console/debtors/"+d2.ID).Body, "agent@example.nl gave the request to colleague@example.nl.")

	// Not to someone who does not work for the creditor; not a bad kind or id.
	r = c.Post("/console/queue/assign", url.Values{"kind": {"dispute"}, "id": {dispute.ID}, "agent": {outsider.ID}})
	apptest.WantStatus(t, "to an outsider", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "to an outsider", r.Body, "does not work for the request")
	apptest.WantStatus(t, "bad kind", c.Post("/console/queue/assign", url.Values{"kind": {"invoice"}, "id": {dispute.ID}, "agent": {"me"}}), http.StatusNotFound)
	apptest.WantStatus(t, "bad id", c.Post("/console/queue/assign", url.Values{"kind": {"plan"}, "id": {"x"}, "agent": {"me"}}), http.StatusNotFound)
	apptest.WantStatus(t, "without CSRF", c.PostAsIs("/console/queue/assign", url.Values{"kind": {"plan"}, "id": {plan.ID}, "agent": {"me"}}), http.StatusForbidden)
	// The back address never leaves the queue.
	r = c.Post("/console/queue/assign", url.Values{"kind": {"plan"}, "id": {plan.ID}, "agent": {""}, "back": {"https://evil.example/console"}})
	apptest.WantStatus(t, "unassign", r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/console" {
		t.Errorf("back to %q, want /console", loc)
	}
	apptest.WantContains(t, "unassigned", c.Get("/console?agent=none").Body, "Eerste Persoon")

	// Another creditor's agent cannot take our request.
	o := e.signedIn("other@example.nl")
	o.Get("/console")
	apptest.WantStatus(t, "outsider takes", o.Post("/console/queue/assign", url.Values{"kind": {"plan"}, "id": {plan.ID}, "agent": {"me"}}), http.StatusNotFound)
	apptest.WantStatus(t, "outsider filters on our creditor", o.Get("/console?creditor="+cr.ID), http.StatusUnprocessableEntity)

	// Filters: creditor, due date.
	apptest.WantContains(t, "our creditor", c.Get("/console?creditor="+cr.ID).Body, "Eerste Persoon")
	r = c.Get("/console?due=2000-01-01")
	apptest.WantStatus(t, "due long ago", r, http.StatusOK)
	apptest.WantContains(t, "due long ago", r.Body, "Nothing matches these filters")
	r = c.Get("/console?due=tomorrow")
	apptest.WantStatus(t, "bad date", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "bad date", r.Body, "like 2026-12-31")
	apptest.WantStatus(t, "bad kind filter", c.Get("/console?kind=invoice"), http.StatusUnprocessableEntity)
}
