package portal_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// From the overview a debtor promises to pay one bill within the
// creditor's 14 days, once; the overview then shows the promise and no
// longer says "late" or "pay as soon as you can". The day after an unpaid
// promise, the overview offers to pay that amount or move the date once.
// Another debtor's promise is not found.
func TestPromiseFromTheOverview(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d, inv, c := selfServiceDebtor(t, e, cr, "K-1", "12")
	late := "(" + nl.T("status.overdue") + ")"
	r := c.Get("/overview")
	apptest.WantContains(t, "overview", r.Body, `href="/promise"`, nl.T("action.promise"), late, nl.T("next.overdue"))

	r = c.Get("/promise")
	apptest.WantStatus(t, "promise page", r, http.StatusOK)
	apptest.WantContains(t, "promise page", r.Body, `name="on"`, `max="2026-12-07"`, `value="`+inv.ID+`"`, nl.T("promise.intro", 14))
	r = c.Post("/promise", url.Values{"invoice": {inv.ID}, "on": {"2026-12-08"}})
	apptest.WantStatus(t, "past the limit", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "past the limit", r.Body, nl.T("promise.error.date"))
	r = c.Post("/promise", url.Values{"invoice": {inv.ID}, "on": {"2026-11-30"}})
	apptest.WantStatus(t, "promise", r, http.StatusOK)
	apptest.WantContains(t, "promise", r.Body, nl.T("promise.saved"), nl.T("promise.open.head"))
	apptest.WantStatus(t, "a second promise", c.Post("/promise", url.Values{"on": {"2026-11-30"}}), http.StatusConflict)

	ps, err := e.DB.Promises(e.Ctx, cr.ID, d.ID)
	if err != nil || len(ps) != 1 {
		t.Fatalf("promises %+v, %v; want one", ps, err)
	}
	r = c.Get("/overview")
	apptest.WantContains(t, "overview under a promise", r.Body, nl.T("promise.open", nl.Money(ps[0].Amount), nl.Date(ps[0].PromisedOn)), nl.T("status.calm"),
		nl.T("next.promise", nl.Date(ps[0].PromisedOn), nl.Money(ps[0].Amount)))
	apptest.WantNotContains(t, "overview under a promise", r.Body, late, nl.T("next.overdue"), nl.T("action.promise"))

	// Tuesday 1 December: the promise of Monday was not kept.
	e.Clock.Set(apptest.Start.AddDate(0, 0, 8))
	if r, err := casework.FollowUpDayAfter(e.Ctx, e.DB, e.Clock.Now()); err != nil || r.Broken != 1 {
		t.Fatalf("day after = %+v, %v; want one broken", r, err)
	}
	c = e.signIn(cr, d) // the session of a week ago has ended
	r = c.Get("/overview")
	apptest.WantContains(t, "overview after a miss", r.Body, nl.T("promise.missed", nl.Money(ps[0].Amount), nl.Date(ps[0].PromisedOn)),
		`action="/promises/`+ps[0].ID+`/move"`, late)
	r = c.Post("/promises/"+ps[0].ID+"/move", url.Values{"on": {"2026-12-04"}})
	apptest.WantStatus(t, "move", r, http.StatusOK)
	apptest.WantContains(t, "move", r.Body, nl.T("promise.saved"))
	apptest.WantStatus(t, "a second move", c.Post("/promises/"+ps[0].ID+"/move", url.Values{"on": {"2026-12-05"}}), http.StatusConflict)

	other := e.debtor(cr, "K-2", debtorName, "7311 KL", "14")
	e.invoice(cr, other, "F-K-2", "Stroom", collect.Day(2026, 9, 1), collect.Day(2026, 9, 15), 5000)
	theirs, err := casework.MakePromise(e.Ctx, e.DB, e.Clock.Now(), casework.PromiseRequest{CreditorID: cr.ID, DebtorID: other.ID, On: collect.Day(2026, 12, 3)})
	if err != nil {
		t.Fatal(err)
	}
	apptest.WantStatus(t, "another debtor's promise", c.Post("/promises/"+theirs.ID+"/move", url.Values{"on": {"2026-12-04"}}), http.StatusNotFound)
}
