package jobs_test

import (
	"testing"

	"github.com/settle/settle/internal/collect"
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
	w.wantBookedBack(p, 10000)
	w.wantTransitions(p.ID, pay.StatusChargedBack, 1)
	w.wantTransitions(p.ID, pay.StatusPaid, 2)
}

// wantBookedBack checks that money taken back from p (amount in all) was
// booked back once: p is paid again, nothing charged back, the ledger holds
// the payment and no net reversal, and the balance is closed by amount.
func (w *world) wantBookedBack(p collect.Payment, amount int64) {
	w.T.Helper()
	got, bk := w.payment(p.ID), w.booked(p.ID)
	if got.Status != pay.StatusPaid || got.ChargedBack != 0 {
		w.T.Errorf("booked back: status %s, charged back %d; want paid, 0", got.Status, got.ChargedBack)
	}
	if bk.paid != amount || bk.reversed != 0 {
		w.T.Errorf("booked back: paid %d, net reversed %d; want %d, 0", bk.paid, bk.reversed, amount)
	}
	if n := w.Count(`SELECT count(DISTINCT source_key) FROM ledger_entries WHERE payment_id = $1 AND source_key LIKE 'reinstate:%'`, p.ID); n != 1 {
		w.T.Errorf("%d bookings back, want 1", n)
	}
	w.wantOpen(openTotal - amount)
}

// mollieTakenBack pays amount on invoiceID through Mollie, has take take
// the money back (a chargeback or a refund, answering its id) and checks
// that the payment is then status with taken(payment) at amount and the
// balance open again. Then undo undoes what take made; its webhook comes
// five times to two instances and the bookings settle.
func (w *world) mollieTakenBack(amount int64, invoiceID string, take func(providerID string, amount int64) (string, error),
	status pay.Status, taken func(collect.Payment) int64, undo func(id string) error) collect.Payment {
	w.T.Helper()
	a, b := w.instance(true), w.instance(true)
	p := w.paidMollie(a, amount, invoiceID)
	id, err := take(p.ProviderID, amount)
	if err != nil {
		w.T.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	w.settle()
	if got := w.payment(p.ID); got.Status != status || taken(got) != amount {
		w.T.Fatalf("taken back: status %s, %d taken; want %s, %d", got.Status, taken(got), status, amount)
	}
	w.wantOpen(openTotal)

	if err := undo(id); err != nil {
		w.T.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	deliver(w.T, []*instance{a, b}, 8, times(5, mollieHook(p.ProviderID)))
	w.settle()
	return p
}

// TestMollieChargebackReversed: a chargeback Mollie later reports reversed
// (reversedAt) is booked back once; the payment is paid again.
func TestMollieChargebackReversed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := w.mollieTakenBack(25000, w.invs[1].ID, w.fake.Chargeback, pay.StatusChargedBack,
		func(p collect.Payment) int64 { return p.ChargedBack }, w.fake.ReverseChargeback)
	w.wantBookedBack(p, 25000)
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
	p := w.mollieTakenBack(10000, w.invs[0].ID, w.fake.Refund, pay.StatusRefunded,
		func(p collect.Payment) int64 { return p.Refunded }, func(id string) error { return w.fake.SetRefundStatus(id, "failed") })
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
