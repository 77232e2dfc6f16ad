package api_test

import (
	"context"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
)

// TestAnalytics: the figures of the calling creditor only, in the shape of
// the API document; the period is checked at the edge, naming the field.
// (The figures themselves are worked out by hand in casework's
// TestAnalyticsFigures.)
func TestAnalytics(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	d := b.debtor(t, b.A.Key, consumer("AN-1", "Anna Analyse"))
	inv := b.invoice(t, b.A.Key, d, "AN-INV-1", "2026-10-01", "2026-10-15", 10000)
	p, err := b.db.CreatePayment(ctx, collect.Payment{CreditorID: b.A.ID, DebtorID: d, InvoiceID: inv, Amount: 4000, Provider: "mollie", Method: "ideal"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.ApplyProviderState(ctx, p.ID, pay.State{Status: pay.StatusPaid, Amount: 4000}, "test"); err != nil {
		t.Fatal(err)
	}

	got := b.call(t, "GET", "/api/v1/analytics?from=2026-11-01&to=2026-11-30", b.A.Key, nil).want(t, 200)
	conforms(t, "Analytics", got)
	if got["from"] != "2026-11-01" || got["to"] != "2026-11-30" || num(t, got["collected_cents"]) != 4000 {
		t.Fatalf("A's analytics: %v", got)
	}
	methods := got["collected_by_method"].([]any)
	if ideal := methods[0].(map[string]any); ideal["method"] != "ideal" || num(t, ideal["amount_cents"]) != 4000 || num(t, ideal["payments"]) != 1 {
		t.Errorf("by method: %v", methods)
	}
	channels := got["collected_by_channel"].([]any)
	if last := channels[len(channels)-1].(map[string]any); last["channel"] != "none" || num(t, last["amount_cents"]) != 4000 {
		t.Errorf("by channel: %v, want the payment under none (no message before it)", channels)
	}
	// Anna still owes 60: nothing resolved, so no self-service rate.
	if s := got["self_service"].(map[string]any); num(t, s["whole"]) != 0 || num(t, s["percent"]) != 0 {
		t.Errorf("self-service: %v", s)
	}
	for _, k := range []string{"promises_kept", "plans_kept", "days_to_first_payment", "disputes", "hardship_reports", "messages"} {
		if got[k] == nil {
			t.Errorf("no %s in %v", k, got)
		}
	}

	other := b.call(t, "GET", "/api/v1/analytics?from=2026-11-01&to=2026-11-30", b.B.Key, nil).want(t, 200)
	if num(t, other["collected_cents"]) != 0 {
		t.Errorf("B's analytics count A's money: %v", other)
	}
	b.call(t, "GET", "/api/v1/analytics?to=2026-11-30", b.A.Key, nil).wantError(t, 422, "-", "from")
	b.call(t, "GET", "/api/v1/analytics?from=2026-11-01&to=30-11-2026", b.A.Key, nil).wantError(t, 422, "-", "to")
	b.call(t, "GET", "/api/v1/analytics?from=2026-11-30&to=2026-11-01", b.A.Key, nil).wantError(t, 422, "-", "to")
	b.call(t, "GET", "/api/v1/analytics?from=2025-11-01&to=2026-11-30", b.A.Key, nil).wantError(t, 422, "-", "to")
	b.call(t, "GET", "/api/v1/analytics?from=2026-11-01&to=2026-11-30", "", nil).want(t, 401)
}
