package jobs_test

import (
	"testing"

	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
)

// TestStripeDisputeWon: a dispute that took the money and was then won
// (charge.dispute.closed, status won: Stripe reinstates the funds) books the
// money back once, however often the event comes, and the payment is paid.
func TestStripeDisputeWon(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ins, p := w.paidByCard(10000, w.invs[0].ID)
	dispute := func(status string) map[string]any { return disputeObject(p, 10000, status) }
	w.stripeSays(p, stripeSession{status: "complete", paymentStatus: "paid", disputes: []map[string]any{stripeDispute(p, "needs_response", 10000)}})
	deliver(t, ins, 4, times(3, stripeHook(signed(stripe.EventDisputeCreated, dispute("needs_response")))))
	w.settle()
	if got := w.payment(p.ID); got.Status != pay.StatusChargedBack || got.ChargedBack != 10000 {
		t.Fatalf("dispute: status %s, charged back %d", got.Status, got.ChargedBack)
	}
	w.wantOpen(openTotal)

	w.stripeSays(p, stripeSession{status: "complete", paymentStatus: "paid", disputes: []map[string]any{stripeDispute(p, "won", 10000)}})
	won := signed(stripe.EventDisputeClosed, dispute("won"))
	deliver(t, ins, 8, times(5, stripeHook(won)))
	w.settle()
	// A late copy of the dispute's creation changes nothing: Stripe says won.
	deliver(t, ins, 4, times(3, stripeHook(signed(stripe.EventDisputeCreated, dispute("needs_response")))))
	w.settle()
	got, bk := w.payment(p.ID), w.booked(p.ID)
	if got.Status != pay.StatusPaid || got.ChargedBack != 0 {
		t.Errorf("won: status %s, charged back %d; want paid, 0", got.Status, got.ChargedBack)
	}
	if bk.paid != 10000 || bk.reversed != 0 {
		t.Errorf("won: paid %d, net reversed %d; want 10000, 0", bk.paid, bk.reversed)
	}
	if n := w.Count(`SELECT count(DISTINCT source_key) FROM ledger_entries WHERE payment_id = $1 AND source_key LIKE 'reinstate:%'`, p.ID); n != 1 {
		t.Errorf("%d bookings back, want 1", n)
	}
	w.wantOpen(openTotal - 10000)
	w.wantTransitions(p.ID, pay.StatusChargedBack, 1)
	w.wantTransitions(p.ID, pay.StatusPaid, 2)
}

// TestMollieChargebackReversed: a chargeback Mollie later reports reversed
// (reversedAt) is booked back once; the payment is paid again.
func TestMollieChargebackReversed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := w.instance(true), w.instance(true)
	p := w.paidMollie(a, 25000, w.invs[1].ID)
	cb, err := w.fake.Chargeback(p.ProviderID, 25000)
	if err != nil {
		t.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	w.settle()
	if got := w.payment(p.ID); got.Status != pay.StatusChargedBack || got.ChargedBack != 25000 {
		t.Fatalf("chargeback: status %s, charged back %d", got.Status, got.ChargedBack)
	}
	w.wantOpen(openTotal)

	if err := w.fake.ReverseChargeback(cb); err != nil {
		t.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	deliver(t, []*instance{a, b}, 8, times(5, mollieHook(p.ProviderID)))
	w.settle()
	got, bk := w.payment(p.ID), w.booked(p.ID)
	if got.Status != pay.StatusPaid || got.ChargedBack != 0 {
		t.Errorf("reversed: status %s, charged back %d; want paid, 0", got.Status, got.ChargedBack)
	}
	if bk.paid != 25000 || bk.reversed != 0 {
		t.Errorf("reversed: paid %d, net reversed %d; want 25000, 0", bk.paid, bk.reversed)
	}
	if n := w.Count(`SELECT count(DISTINCT source_key) FROM ledger_entries WHERE payment_id = $1 AND source_key LIKE 'reinstate:%'`, p.ID); n != 1 {
		t.Errorf("%d bookings back, want 1", n)
	}
	w.wantOpen(openTotal - 25000)
	if l, ok := w.statement().Line(w.invs[1].ID); !ok || l.Total() != 0 {
		t.Errorf("invoice 2 shows %d open, want 0", l.Total())
	}
}

// TestMollieRefundFailed: a refund that Mollie later reports failed is
// undone once: the money stays with the creditor and the balance closes
// again; a second refund afterwards is booked as usual.
func TestMollieRefundFailed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := w.instance(true), w.instance(true)
	p := w.paidMollie(a, 10000, w.invs[0].ID)
	re, err := w.fake.Refund(p.ProviderID, 10000)
	if err != nil {
		t.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	w.settle()
	if got := w.payment(p.ID); got.Status != pay.StatusRefunded || got.Refunded != 10000 {
		t.Fatalf("refund: status %s, refunded %d", got.Status, got.Refunded)
	}
	w.wantOpen(openTotal)

	if err := w.fake.SetRefundStatus(re, "failed"); err != nil {
		t.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	deliver(t, []*instance{a, b}, 8, times(5, mollieHook(p.ProviderID)))
	w.settle()
	got, bk := w.payment(p.ID), w.booked(p.ID)
	if got.Status != pay.StatusPaid || got.Refunded != 0 || bk.reversed != 0 || bk.paid != 10000 {
		t.Errorf("failed refund: status %s, refunded %d, net reversed %d, paid %d; want paid, 0, 0, 10000", got.Status, got.Refunded, bk.reversed, bk.paid)
	}
	w.wantOpen(openTotal - 10000)

	// The creditor refunds again, in part: booked like any refund.
	if _, err := w.fake.Refund(p.ProviderID, 4000); err != nil {
		t.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	w.settle()
	if got, bk := w.payment(p.ID), w.booked(p.ID); got.Refunded != 4000 || bk.reversed != 4000 {
		t.Errorf("second refund: refunded %d, net reversed %d; want 4000 both", got.Refunded, bk.reversed)
	}
	w.wantOpen(openTotal - 6000)
}
