package jobs_test

import (
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
)

// TestExactlyOnceMollie delivers every webhook of three paid Mollie flows
// (pending, then paid) ten times, shuffled, from 8 goroutines to two server
// instances on one database, each running its own River workers.
func TestExactlyOnceMollie(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := w.instance(true), w.instance(true)
	ins := []*instance{a, b}
	w.fake.WebhookDisabled.Store(true) // the test delivers every webhook itself
	ps := []collect.Payment{
		w.mollie(a, 10000, w.invs[0].ID),
		w.mollie(b, 5000, w.invs[1].ID),
		w.mollie(a, 2000, ""),
	}
	var hooks []delivery
	for _, p := range ps {
		hooks = append(hooks, mollieHook(p.ProviderID))
	}
	for _, p := range ps {
		if err := w.fake.SetStatus(p.ProviderID, "pending"); err != nil {
			t.Fatal(err)
		}
	}
	deliver(t, ins, 8, times(10, hooks...))
	// No waiting: the jobs of the pending webhooks still run while the paid ones arrive.
	for _, p := range ps {
		if err := w.fake.SetStatus(p.ProviderID, "paid"); err != nil {
			t.Fatal(err)
		}
	}
	deliver(t, ins, 8, times(10, hooks...))
	w.settle()

	for _, p := range ps {
		w.wantBookedOnce(p, p.Amount)
		if n := w.Count(`SELECT count(*) FROM payment_status_history WHERE payment_id = $1 AND to_status = 'pending'`, p.ID); n > 1 {
			t.Errorf("payment %s: became pending %d times", p.ID, n)
		}
		if n := w.Count(`SELECT deliveries FROM webhook_events WHERE provider = 'mollie' AND event_id = $1`, p.ProviderID); n != 20 {
			t.Errorf("payment %s: %d deliveries counted, want 20", p.ID, n)
		}
	}
	w.wantOpen(openTotal - 17000)
	if st := w.statement(); st.Credit != 0 {
		t.Errorf("credit = %d, want 0", st.Credit)
	}
	t.Logf("sync jobs run by %d River clients; %d failed attempts retried",
		w.Count(`SELECT count(DISTINCT attempted_by[1]) FROM river_job WHERE kind = 'sync_payment'`), w.jobErrors())
}

// TestExactlyOnceStripe does the same with signed Stripe events: a card
// payment (completed, paid) and an iDEAL payment through Stripe (completed
// unpaid, then async_payment_succeeded).
func TestExactlyOnceStripe(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := w.instance(true), w.instance(true)
	card := w.stripePayment(4000, w.invs[2].ID, pay.Card)
	ideal := w.stripePayment(3000, "", pay.IDEAL)
	w.stripeSays(card, stripePaid)
	w.stripeSays(ideal, stripePaid)
	evs := []event{
		signed(stripe.EventSessionCompleted, sessionObject(card, "paid")),
		signed(stripe.EventSessionCompleted, sessionObject(ideal, "unpaid")),
		signed(stripe.EventSessionAsyncSucceeded, sessionObject(ideal, "paid")),
	}
	var hooks []delivery
	for _, ev := range evs {
		hooks = append(hooks, stripeHook(ev))
	}
	deliver(t, []*instance{a, b}, 8, times(10, hooks...))
	w.settle()

	w.wantBookedOnce(card, 4000)
	w.wantBookedOnce(ideal, 3000)
	w.wantOpen(openTotal - 7000)
	if n := w.Count(`SELECT count(*) FROM webhook_events WHERE provider = 'stripe' AND deliveries = 10`); n != 3 {
		t.Errorf("%d stripe events stored with 10 deliveries, want 3", n)
	}
	w.wantEnqueuedOnce(3)
	if p := w.payment(card.ID); p.Provider != "stripe" || p.Method != "card" {
		t.Errorf("card payment: provider %s, method %s", p.Provider, p.Method)
	}
}

// TestOnceStripeOutOfOrder: a session that expired or failed after it was
// paid stays paid; one reported expired first and paid later becomes paid.
func TestOnceStripeOutOfOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.instance(true)
	ins := []*instance{a}

	p := w.cardPaidAtStripe(10000, w.invs[0].ID)
	deliver(t, ins, 1, []delivery{stripeHook(signed(stripe.EventSessionCompleted, sessionObject(p, "paid")))})
	w.settle()
	deliver(t, ins, 1, []delivery{
		stripeHook(signed(stripe.EventSessionExpired, sessionObject(p, "unpaid"))),
		stripeHook(signed(stripe.EventSessionAsyncFailed, sessionObject(p, "unpaid"))),
		stripeHook(signed(stripe.EventSessionCompleted, sessionObject(p, "unpaid"))),
	})
	w.settle()
	w.wantBookedOnce(p, 10000)
	w.wantTransitions(p.ID, pay.StatusExpired, 0)
	w.wantTransitions(p.ID, pay.StatusFailed, 0)

	q := w.stripePayment(4000, w.invs[2].ID, pay.IDEAL)
	w.stripeSays(q, stripeSession{status: "expired", paymentStatus: "unpaid"})
	deliver(t, ins, 1, []delivery{stripeHook(signed(stripe.EventSessionExpired, sessionObject(q, "unpaid")))})
	w.settle()
	if got := w.payment(q.ID).Status; got != pay.StatusExpired {
		t.Fatalf("q: status %s, want expired", got)
	}
	if b := w.booked(q.ID); b.paid != 0 {
		t.Fatalf("expired payment booked %d", b.paid)
	}
	w.stripeSays(q, stripePaid)
	deliver(t, ins, 1, []delivery{stripeHook(signed(stripe.EventSessionAsyncSucceeded, sessionObject(q, "paid")))})
	w.settle()
	w.wantBookedOnce(q, 4000)
	w.wantOpen(openTotal - 14000)
}
