package jobs_test

import (
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
)

// paidMollie pays a Mollie payment at the fake, whose webhook reaches in,
// and waits until it is booked.
func (w *world) paidMollie(in *instance, amount int64, invoiceID string) collect.Payment {
	w.T.Helper()
	p := w.mollie(in, amount, invoiceID)
	if err := w.fake.SetStatus(p.ProviderID, "paid"); err != nil {
		w.T.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	w.settle()
	w.wantBookedOnce(p, amount)
	return p
}

// wantDelivered checks that the fake's last webhook for a payment got 200.
func (w *world) wantDelivered(providerID string) {
	w.T.Helper()
	w.fake.WaitWebhooks()
	ds := w.fake.Deliveries()
	for i := len(ds) - 1; i >= 0; i-- {
		if ds[i].PaymentID == providerID {
			if !ds[i].Delivered || ds[i].Status != 200 {
				w.T.Fatalf("webhook for %s: %+v", providerID, ds[i])
			}
			return
		}
	}
	w.T.Fatalf("no webhook for %s", providerID)
}

// TestRefundMollie: a partial refund at Mollie books its reversal once and
// reopens the balance by that amount; a full refund makes the payment refunded.
func TestRefundMollie(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := w.instance(true), w.instance(true)
	p := w.paidMollie(a, 10000, w.invs[0].ID)
	w.wantOpen(openTotal - 10000)

	if _, err := w.fake.Refund(p.ProviderID, 2500); err != nil {
		t.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	w.settle()
	check := func(what string, status pay.Status, refunded int64) {
		t.Helper()
		got := w.payment(p.ID)
		if got.Status != status || got.Refunded != refunded || got.ChargedBack != 0 {
			t.Errorf("%s: status %s, refunded %d, charged back %d; want %s, %d, 0", what, got.Status, got.Refunded, got.ChargedBack, status, refunded)
		}
		bk := w.booked(p.ID)
		if bk.reversed != refunded || bk.paid != 10000 {
			t.Errorf("%s: reversed %d, paid %d; want %d, 10000", what, bk.reversed, bk.paid, refunded)
		}
		w.wantOpen(openTotal - 10000 + refunded)
		// The debtor sees it on the invoice the refunded money had paid.
		if l, ok := w.statement().Line(w.invs[0].ID); !ok || l.Total() != refunded {
			t.Errorf("%s: invoice 1 shows %d open, want %d", what, l.Total(), refunded)
		}
	}
	check("partial refund", pay.StatusPaid, 2500)
	reversals := w.booked(p.ID).reversals

	// Mollie calls again (and again): nothing more is booked.
	deliver(t, []*instance{a, b}, 8, times(5, mollieHook(p.ProviderID)))
	w.settle()
	check("partial refund replayed", pay.StatusPaid, 2500)
	if n := w.booked(p.ID).reversals; n != reversals {
		t.Errorf("replays added reversal entries: %d, was %d", n, reversals)
	}

	if _, err := w.fake.Refund(p.ProviderID, 7500); err != nil {
		t.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	deliver(t, []*instance{a, b}, 8, times(5, mollieHook(p.ProviderID)))
	w.settle()
	check("full refund", pay.StatusRefunded, 10000)
	w.wantTransitions(p.ID, pay.StatusRefunded, 1)
	w.wantTransitions(p.ID, pay.StatusPaid, 1)
	if n := w.Count(`SELECT count(*) FROM audit_log WHERE subject = $1 AND action = 'payment.refunded'`, "payment:"+p.ID); n != 1 {
		t.Errorf("%d audit records for the refund, want 1", n)
	}
}

// TestChargebackMollie: a chargeback makes the payment charged_back and books
// the reversal once, however often Mollie calls.
func TestChargebackMollie(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := w.instance(true), w.instance(true)
	p := w.paidMollie(a, 25000, w.invs[1].ID)
	other := w.paidMollie(b, 4000, w.invs[2].ID)
	w.wantOpen(openTotal - 29000)

	if _, err := w.fake.Chargeback(p.ProviderID, 25000); err != nil {
		t.Fatal(err)
	}
	w.wantDelivered(p.ProviderID)
	deliver(t, []*instance{a, b}, 8, times(5, mollieHook(p.ProviderID)))
	w.settle()
	got := w.payment(p.ID)
	if got.Status != pay.StatusChargedBack || got.ChargedBack != 25000 || got.Refunded != 0 {
		t.Errorf("status %s, charged back %d, refunded %d; want charged_back, 25000, 0", got.Status, got.ChargedBack, got.Refunded)
	}
	if bk := w.booked(p.ID); bk.reversed != 25000 || bk.paid != 25000 {
		t.Errorf("reversed %d, paid %d; want 25000 both", bk.reversed, bk.paid)
	}
	w.wantTransitions(p.ID, pay.StatusChargedBack, 1)
	w.wantOpen(openTotal - 4000)
	if l, ok := w.statement().Line(w.invs[1].ID); !ok || l.Total() != 25000 {
		t.Errorf("invoice 2 shows %d open after the chargeback, want 25000", l.Total())
	}
	// The other payment is untouched.
	if bk := w.booked(other.ID); bk.reversed != 0 || bk.paid != 4000 {
		t.Errorf("other payment: reversed %d, paid %d", bk.reversed, bk.paid)
	}
}

// TestRefundStripeReplayed: a charge.refunded event delivered five times,
// and another event with the same totals, book one reversal; a full refund
// makes the payment refunded, and a late "paid" event does not undo that.
func TestRefundStripeReplayed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ins, p := w.paidByCard(4000, w.invs[2].ID)
	w.wantBookedOnce(p, 4000)

	w.stripeSays(p, stripeSession{status: "complete", paymentStatus: "paid", refunded: 1000})
	partial := signed(stripe.EventChargeRefunded, chargeObject(p, 1000))
	deliver(t, ins, 8, times(5, stripeHook(partial)))
	w.settle()
	bk := w.booked(p.ID)
	if got := w.payment(p.ID); got.Status != pay.StatusPaid || got.Refunded != 1000 || bk.reversed != 1000 {
		t.Errorf("partial: status %s, refunded %d, reversed %d; want paid, 1000, 1000", got.Status, got.Refunded, bk.reversed)
	}
	w.wantEnqueuedOnce(2)
	// The same totals in another event (Stripe sends charge.refunded and
	// charge.refund.updated alike) book nothing more.
	deliver(t, ins, 8, times(3, stripeHook(signed(stripe.EventChargeRefunded, chargeObject(p, 1000)))))
	w.settle()
	if again := w.booked(p.ID); again.paid != bk.paid || again.reversed != bk.reversed || again.reversals != bk.reversals {
		t.Errorf("same totals again booked more: %+v, was %+v", again, bk)
	}
	w.wantOpen(openTotal - 4000 + 1000)

	w.stripeSays(p, stripeSession{status: "complete", paymentStatus: "paid", refunded: 4000})
	deliver(t, ins, 8, times(5, stripeHook(signed(stripe.EventChargeRefunded, chargeObject(p, 4000)))))
	w.settle()
	if got, bk := w.payment(p.ID), w.booked(p.ID); got.Status != pay.StatusRefunded || got.Refunded != 4000 || bk.reversed != 4000 {
		t.Errorf("full: status %s, refunded %d, reversed %d; want refunded, 4000, 4000", got.Status, got.Refunded, bk.reversed)
	}
	w.wantOpen(openTotal)

	// An older report arriving late (a retried async_payment_succeeded)
	// knows nothing of the refund: it must not make the payment paid again.
	deliver(t, ins, 1, []delivery{stripeHook(signed(stripe.EventSessionAsyncSucceeded, sessionObject(p, "paid")))})
	w.settle()
	if got, bk := w.payment(p.ID), w.booked(p.ID); got.Status != pay.StatusRefunded || bk.paid != 4000 || bk.reversed != 4000 {
		t.Errorf("late paid event: status %s, paid %d, reversed %d; want refunded, 4000, 4000", got.Status, bk.paid, bk.reversed)
	}
	w.wantOpen(openTotal)
}

// TestChargebackStripeDispute: a dispute that takes the money books the
// reversal once and marks the payment charged_back.
func TestChargebackStripeDispute(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ins, p := w.paidByCard(10000, w.invs[0].ID)
	dispute := func(status string) map[string]any { return disputeObject(p, 10000, status) }
	// An inquiry moves no money.
	deliver(t, ins, 4, times(3, stripeHook(signed(stripe.EventDisputeCreated, dispute("warning_needs_response")))))
	w.settle()
	if got := w.payment(p.ID); got.Status != pay.StatusPaid || got.ChargedBack != 0 {
		t.Fatalf("inquiry: status %s, charged back %d", got.Status, got.ChargedBack)
	}
	w.stripeSays(p, stripeSession{status: "complete", paymentStatus: "paid", disputes: []map[string]any{stripeDispute(p, "needs_response", 10000)}})
	deliver(t, ins, 8, times(5, stripeHook(signed(stripe.EventDisputeCreated, dispute("needs_response")))))
	w.settle()
	got, bk := w.payment(p.ID), w.booked(p.ID)
	if got.Status != pay.StatusChargedBack || got.ChargedBack != 10000 || bk.reversed != 10000 {
		t.Errorf("dispute: status %s, charged back %d, reversed %d; want charged_back, 10000, 10000", got.Status, got.ChargedBack, bk.reversed)
	}
	w.wantOpen(openTotal)
	w.wantTransitions(p.ID, pay.StatusChargedBack, 1)
}
