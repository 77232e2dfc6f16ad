package portal_test

import (
	"net/http"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
)

// TestDirectDebitOnOverview: a debtor with a running plan is offered
// automatic collection on the overview, in plain words; choosing it goes
// to iDEAL for the next part as Mollie's first payment; once paid the
// overview says it is on, and the debtor can stop it, which revokes the
// mandate at Mollie.
func TestDirectDebitOnOverview(t *testing.T) {
	t.Parallel()
	fake, mollieURL := mollieFake(t)
	f := newPayFixture(t, mollieURL, unusedURL(t))
	e := f.e
	pl, err := e.DB.ProposePlan(e.Ctx, collect.ProposePlan(collect.Plan{CreditorID: f.cr.ID, DebtorID: f.d.ID, Total: 35000, Months: 5,
		FirstDue: e.DB.Today()}, collect.PlanCheck{Inside: true}, true, e.DB.Now()))
	if err != nil {
		t.Fatal(err)
	}

	r := f.c.Get("/overview")
	apptest.WantContains(t, "offer", r.Body, nl.T("incasso.head"), nl.T("incasso.consent"), `action="/plan/incasso"`, nl.T("incasso.start"))
	apptest.WantNotContains(t, "offer", r.Body, nl.T("incasso.on"))

	r = f.c.Post("/plan/incasso", nil)
	apptest.WantStatus(t, "start", r, http.StatusSeeOther)
	ps := fake.Payments()
	if len(ps) != 1 || ps[0].SequenceType != "first" || ps[0].AmountCents != pl.Instalments[0].Amount || r.Header.Get("Location") != mollieURL+"/checkout/"+ps[0].ID {
		t.Fatalf("first payment %+v, redirect %q", ps, r.Header.Get("Location"))
	}
	r = f.c.Get("/overview")
	apptest.WantContains(t, "pending", r.Body, nl.T("incasso.pending"))

	if err := fake.SetStatus(ps[0].ID, "paid"); err != nil {
		t.Fatal(err)
	}
	ours, err := e.DB.PaymentByProviderID(e.Ctx, "mollie", ps[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WantStatus(t, "return", f.c.Get("/pay/return/"+ours.ID), http.StatusOK)
	r = f.c.Get("/overview")
	apptest.WantContains(t, "on", r.Body, nl.T("incasso.on"), `action="/plan/incasso/stop"`)
	apptest.WantNotContains(t, "on", r.Body, nl.T("incasso.consent"))

	apptest.WantStatus(t, "stop", f.c.Post("/plan/incasso/stop", nil), http.StatusSeeOther)
	if ms := fake.Mandates(ps[0].CustomerID); len(ms) != 1 || ms[0].Status != "invalid" {
		t.Fatalf("mandates after stopping: %+v", ms)
	}
	r = f.c.Get("/overview")
	apptest.WantNotContains(t, "stopped", r.Body, nl.T("incasso.on"))
}
