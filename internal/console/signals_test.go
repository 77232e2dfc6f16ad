package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// The Early signals page lists a raised signal with the debtor, the reason
// in words and the day; the debtor's file shows it too. The agent
// dismisses it with a note (a note is required; CSRF; audit), after which
// neither page shows it. Another creditor's agent sees nothing and finds
// nothing to dismiss.
func TestEarlySignalsPage(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	other := e.creditor("Groothandel")
	e.Agent("other@example.nl", "agent", other.ID)
	d := e.debtor(cr, "S-1", "Sem Smit")
	p, err := e.DB.CreatePayment(e.Ctx, collect.Payment{CreditorID: cr.ID, DebtorID: d.ID, Amount: 5000, Provider: "mollie", Method: "ideal"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.FailCheckout(e.Ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := casework.RaiseSignals(e.Ctx, e.DB, e.Clock.Now()); err != nil || n != 1 {
		t.Fatalf("RaiseSignals = %d, %v; want 1", n, err)
	}
	ss, err := casework.OpenSignals(e.Ctx, e.DB, []string{cr.ID})
	if err != nil || len(ss) != 1 {
		t.Fatalf("open signals %+v, %v", ss, err)
	}
	dismiss := "/console/signals/" + ss[0].ID + "/dismiss"

	c := e.signedIn("agent@example.nl")
	r := c.Get("/console/signals")
	apptest.WantStatus(t, "list", r, http.StatusOK)
	apptest.WantContains(t, "list", r.Body, `href="/console/signals">Early signals</a>`, "Sem Smit", "A payment failed",
		e.Clock.Now().Format("Mon 2 Jan 2006"), `action="`+dismiss+`"`)
	apptest.WantContains(t, "file", c.Get("/console/debtors/"+d.ID).Body, `id="signals"`, "A payment failed", `name="back" value="file"`)

	o := e.signedIn("other@example.nl")
	apptest.WantNotContains(t, "another creditor's list", o.Get("/console/signals").Body, "Sem Smit")
	apptest.WantStatus(t, "another creditor's agent", o.Post(dismiss, url.Values{"note": {"Weg ermee."}}), http.StatusNotFound)

	apptest.WantStatus(t, "without the CSRF token", c.PostAsIs(dismiss, url.Values{"note": {"Klant belde."}}), http.StatusForbidden)
	r = c.Post(dismiss, url.Values{"note": {" "}})
	apptest.WantStatus(t, "without a note", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "without a note", r.Body, "Say in a few words why this signal needs no action.", "Sem Smit")

	r = c.Post(dismiss, url.Values{"note": {"Klant belde: de bank weigerde, nu opgelost."}, "back": {"file"}})
	apptest.WantStatus(t, "dismiss", r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/console/debtors/"+d.ID+"?done=signal" {
		t.Errorf("dismiss goes to %q, want the file", loc)
	}
	if a := e.lastAction(d.ID); a != "signal.dismissed" {
		t.Errorf("last audit action %q, want signal.dismissed", a)
	}
	apptest.WantNotContains(t, "list after", c.Get("/console/signals").Body, "Sem Smit")
	apptest.WantNotContains(t, "file after", c.Get("/console/debtors/"+d.ID).Body, `id="signals"`)
	apptest.WantStatus(t, "dismiss twice", c.Post(dismiss, url.Values{"note": {"Nog eens."}}), http.StatusConflict)
}
