package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/settle/settle/internal/collect"
)

// TestListPayouts: a creditor sees only the payouts that carry its lines,
// and of those only its own lines; a payout of another creditor or of
// nobody stays invisible.
func TestListPayouts(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	payment := func(c creditor, ref string, cents int64, providerID string) collect.Payment {
		t.Helper()
		d := b.debtor(t, c.Key, consumer(ref, "Jan Jansen"))
		p, err := b.db.CreatePayment(ctx, collect.Payment{CreditorID: c.ID, DebtorID: d, Amount: cents, Provider: "mollie", Method: "ideal"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	pa := payment(b.A, "A-1", 5000, "tr_a")
	pb := payment(b.B, "B-1", 3000, "tr_b")
	pb2 := payment(b.B, "B-2", 2000, "tr_b2")
	settled := now.Add(-48 * time.Hour)
	lines := func(ls ...collect.PayoutLine) []collect.PayoutLine { return ls }
	// Shared: A and B, plus a payment nobody knows. A's payment was settled
	// at 49,00 though A recorded 50,00.
	shared := collect.Payout{Provider: "mollie", ProviderID: "stl_shared", Reference: "1234567.2611.01", Amount: 4900 + 3000 + 1234 - 70 - 35 - 35,
		Difference: -100 - (1234 - 35), SettledAt: &settled, Lines: lines(
			collect.PayoutLine{Kind: "payment", ProviderRef: "tr_a", Method: "ideal", Amount: 4900, PaymentID: pa.ID, CreditorID: b.A.ID, Matched: true},
			collect.PayoutLine{Kind: "payment", ProviderRef: "tr_b", Method: "ideal", Amount: 3000, PaymentID: pb.ID, CreditorID: b.B.ID, Matched: true},
			collect.PayoutLine{Kind: "payment", ProviderRef: "tr_x", Method: "ideal", Amount: 1234},
			collect.PayoutLine{Kind: "fee", ProviderRef: "2026-11/ideal/" + b.A.ID, Method: "ideal", Amount: -70, FeeBips: -7018, CreditorID: b.A.ID, Matched: true},
			collect.PayoutLine{Kind: "fee", ProviderRef: "2026-11/ideal/" + b.B.ID, Method: "ideal", Amount: -35, FeeBips: -3509, CreditorID: b.B.ID, Matched: true},
			collect.PayoutLine{Kind: "fee", ProviderRef: "2026-11/ideal/unattributed", Method: "ideal", Amount: -35, FeeBips: -3509},
		)}
	onlyB := collect.Payout{Provider: "stripe", ProviderID: "po_b", Reference: "po_b", Amount: 1946, Reconciled: true, Lines: lines(
		collect.PayoutLine{Kind: "payment", ProviderRef: "txn_1", Method: "card", Amount: 2000, PaymentID: pb2.ID, CreditorID: b.B.ID, Matched: true},
		collect.PayoutLine{Kind: "fee", ProviderRef: "txn_1", Method: "card", Amount: -54, FeeBips: -5400, PaymentID: pb2.ID, CreditorID: b.B.ID, Matched: true},
	)}
	nobody := collect.Payout{Provider: "stripe", ProviderID: "po_x", Reference: "po_x", Amount: 500, Difference: -500, Lines: lines(
		collect.PayoutLine{Kind: "adjustment", ProviderRef: "txn_9", Amount: 500},
	)}
	for _, p := range []collect.Payout{shared, onlyB, nobody} {
		if _, err := b.db.SavePayout(ctx, p); err != nil {
			t.Fatal(err)
		}
	}

	m := b.call(t, "GET", "/api/v1/payouts", b.A.Key, nil).want(t, http.StatusOK)
	conforms(t, "PayoutList", m)
	ps := m["payouts"].([]any)
	if len(ps) != 1 {
		t.Fatalf("A sees %d payouts, want 1: %v", len(ps), m)
	}
	p := ps[0].(map[string]any)
	if p["provider_id"] != "stl_shared" || p["reference"] != "1234567.2611.01" || p["status"] != "expected" ||
		num(t, p["amount_cents"]) != shared.Amount || p["reconciled"] != false || num(t, p["difference_cents"]) != shared.Difference ||
		num(t, p["creditor_net_cents"]) != 4900-70 || p["settled_at"] != settled.UTC().Format(time.RFC3339) || p["arrived_at"] != nil {
		t.Errorf("A's payout %v", p)
	}
	ls := p["lines"].([]any)
	if len(ls) != 2 {
		t.Fatalf("A sees %d lines, want its 2: %v", len(ls), ls)
	}
	pl, fl := ls[0].(map[string]any), ls[1].(map[string]any)
	if pl["kind"] != "payment" || pl["provider_ref"] != "tr_a" || num(t, pl["amount_cents"]) != 4900 || pl["payment_id"] != pa.ID || pl["cause"] != "amount_differs" {
		t.Errorf("A's payment line %v", pl)
	}
	if fl["kind"] != "fee" || num(t, fl["fee_bips"]) != -7018 || num(t, fl["amount_cents"]) != -70 || fl["payment_id"] != nil || fl["cause"] != "" {
		t.Errorf("A's fee line %v", fl)
	}

	m = b.call(t, "GET", "/api/v1/payouts", b.B.Key, nil).want(t, http.StatusOK)
	conforms(t, "PayoutList", m)
	ps = m["payouts"].([]any)
	if len(ps) != 2 {
		t.Fatalf("B sees %d payouts, want 2: %v", len(ps), m)
	}
	for _, x := range ps {
		p := x.(map[string]any)
		for _, l := range p["lines"].([]any) {
			if ref := l.(map[string]any)["provider_ref"]; ref == "tr_a" || ref == "tr_x" || ref == "2026-11/ideal/unattributed" {
				t.Errorf("B sees a line that is not its own: %v", l)
			}
		}
	}

	b.call(t, "GET", "/api/v1/payouts", "", nil).wantError(t, http.StatusUnauthorized, "unauthorized", "-")
}
