package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// TestListSignals: GET /api/v1/signals gives an energy company its own
// consumers past the threshold after its efforts, with only the fields the
// law lets it pass on; another creditor's signal never shows.
func TestListSignals(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	signalled := func(c creditor, ref, postcode string) string {
		t.Helper()
		if err := casework.SetCreditorKind(ctx, b.db, "cli", c.ID, "energy"); err != nil {
			t.Fatal(err)
		}
		body := consumer(ref, "Jan Jansen")
		body["birth_date"] = "1970-03-04"
		body["address"].(obj)["postcode"] = postcode
		d := b.debtor(t, c.Key, body)
		inv := b.invoice(t, c.Key, d, "E-"+ref, "2026-09-01", "2026-09-15", 15075)
		cr, err := b.db.Creditor(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		agent, err := b.db.CreateAgent(ctx, ref+"@agents.example", "agent", "", []string{c.ID})
		if err != nil {
			t.Fatal(err)
		}
		apptest.Remind(t, b.db, cr, d, []string{inv}, collect.Day(2026, 9, 20))
		apptest.OfferPlan(t, b.db, agent.ID, c.ID, d, 15075)
		apptest.TryContact(t, b.db, agent.ID, c.ID, d)
		return d
	}
	signalled(b.A, "A-1", "6711 AB")
	signalled(b.B, "B-1", "9999 ZZ")
	if n, err := casework.RunMunicipalSignals(ctx, b.db); err != nil || n != 2 {
		t.Fatalf("RunMunicipalSignals = %d, %v; want 2", n, err)
	}

	m := b.call(t, "GET", "/api/v1/signals", b.A.Key, nil).want(t, http.StatusOK)
	conforms(t, "SignalList", m)
	list := m["signals"].([]any)
	if len(list) != 1 {
		t.Fatalf("A sees %d signals, want its 1: %v", len(list), m)
	}
	s := list[0].(map[string]any)
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	allowed := []string{"address", "arrears_cents", "creditor_kind", "customer_number", "email", "id", "municipality", "name", "outcome", "phone", "raised_on"}
	if !slices.Equal(keys, allowed) {
		t.Errorf("a signal has the fields %v, want only %v", keys, allowed)
	}
	if s["customer_number"] != "A-1" || num(t, s["arrears_cents"]) != 15075 || s["outcome"] != nil || s["raised_on"] != "2026-11-23" {
		t.Errorf("A's signal = %v", s)
	}
	if mu := s["municipality"].(map[string]any); mu["code"] != "GM0228" || mu["name"] != "Ede" {
		t.Errorf("municipality = %v, want Ede (GM0228)", mu)
	}
	mb := b.call(t, "GET", "/api/v1/signals", b.B.Key, nil).want(t, http.StatusOK)
	conforms(t, "SignalList", mb)
	lb := mb["signals"].([]any)
	if len(lb) != 1 || lb[0].(map[string]any)["customer_number"] != "B-1" || lb[0].(map[string]any)["municipality"] != nil {
		t.Errorf("B sees %v, want only its own signal, without a municipality (9999 is in no range)", lb)
	}
	b.call(t, "GET", "/api/v1/signals", "", nil).want(t, http.StatusUnauthorized)
}
