package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// The Municipality signals page lists an energy company's signal with the
// municipality from the postcode, exports it as CSV with only the allowed
// fields, and records the municipality's outcome (CSRF, a known outcome,
// the signal's creditor), which then shows in the person's file.
func TestMunicipalitySignalsPage(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	if err := casework.SetCreditorKind(e.Ctx, e.DB, "cli", cr.ID, string(collect.KindEnergy)); err != nil {
		t.Fatal(err)
	}
	other := e.creditor("Groothandel")
	e.Agent("other@example.nl", "agent", other.ID)
	caller := e.Agent("caller@example.nl", "agent", cr.ID)
	birth := collect.Day(1975, 8, 9)
	d := e.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-77", Name: "Sanne Jansen", Email: "sanne@example.nl", BirthDate: &birth,
		Address: collect.Address{Street: "Dorpsstraat", HouseNumber: "101", Postcode: "6711 AA", City: "Ede"}})
	today := e.DB.Today()
	inv := e.invoice(cr, d, "E-1", today.AddDate(0, 0, -40), 15000)
	apptest.Remind(t, e.DB, cr.Creditor, d.ID, []string{inv.ID}, today.AddDate(0, 0, -35))
	apptest.OfferPlan(t, e.DB, caller.ID, cr.ID, d.ID, 15000)
	apptest.TryContact(t, e.DB, caller.ID, cr.ID, d.ID)
	if n, err := casework.RunMunicipalSignals(e.Ctx, e.DB); err != nil || n != 1 {
		t.Fatalf("RunMunicipalSignals = %d, %v; want 1", n, err)
	}
	c := e.signedIn("agent@example.nl")
	page := c.Get("/console/municipality-signals")
	apptest.WantStatus(t, "list", page, http.StatusOK)
	list, err := casework.MunicipalSignals(e.Ctx, e.DB, cr.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("signals %+v, %v", list, err)
	}
	outcome := "/console/municipality-signals/" + list[0].ID + "/outcome"
	apptest.WantContains(t, "list", page.Body, `href="/console/municipality-signals">Municipality signals</a>`, "Sanne Jansen", "Ede (GM0228)", "K-77", `action="`+outcome+`"`)
	csv := c.Get("/console/municipality-signals.csv")
	apptest.WantStatus(t, "csv", csv, http.StatusOK)
	apptest.WantContains(t, "csv", csv.Body, "signaal;datum_signaal;soort_schuldeiser;gemeentecode;gemeente;klantnummer;naam;straat;huisnummer;postcode;woonplaats;email;telefoon;achterstand_eur",
		";energy;GM0228;Ede;K-77;Sanne Jansen;Dorpsstraat;101;6711 AA;Ede;sanne@example.nl;;150,00")
	// No birth date in any form (a bare "1975" could be part of the signal's random id) and no internal id.
	apptest.WantNotContains(t, "csv", csv.Body, "1975-08-09", "09-08-1975", "9-8-1975", "09/08/1975", "9 augustus 1975", d.ID)

	o := e.signedIn("other@example.nl")
	apptest.WantNotContains(t, "another creditor's list", o.Get("/console/municipality-signals").Body, "Sanne Jansen")
	apptest.WantStatus(t, "another creditor's agent", o.Post(outcome, url.Values{"outcome": {"help_accepted"}}), http.StatusNotFound)
	apptest.WantStatus(t, "without the CSRF token", c.PostAsIs(outcome, url.Values{"outcome": {"help_accepted"}}), http.StatusForbidden)
	apptest.WantStatus(t, "an unknown outcome", c.Post(outcome, url.Values{"outcome": {"solved"}}), http.StatusUnprocessableEntity)

	r := c.Post(outcome, url.Values{"outcome": {"help_accepted"}, "note": {"Budgetadvies gegeven."}})
	apptest.WantStatus(t, "record", r, http.StatusSeeOther)
	apptest.WantContains(t, "list after", c.Get(r.Header.Get("Location")).Body, "help_accepted on "+today.Format("2006-01-02")+": Budgetadvies gegeven.")
	apptest.WantContains(t, "file", c.Get("/console/debtors/"+d.ID).Body, "recorded what the municipality did: help accepted", "Budgetadvies gegeven.")
}
