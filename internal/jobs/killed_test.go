package jobs_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/postgres"
)

// TestKilledBeforeBooking: the event is stored and its job inserted in one
// transaction by a process whose workers never run (it died right after).
// Another process with workers starts and books it.
func TestKilledBeforeBooking(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	dead := w.instance(false)
	p := w.cardPaidAtStripe(10000, w.invs[0].ID)
	ev := signed(stripe.EventSessionCompleted, sessionObject(p, "paid"))
	parsed, err := stripe.ParseWebhook(ev.payload, ev.header, webhookSecret)
	if err != nil {
		t.Fatal(err)
	}
	err = dead.db.StoreWebhookEvent(w.Ctx, postgres.WebhookEvent{Provider: "stripe", EventID: parsed.ID, EventType: parsed.Type, PaymentID: p.ID, Payload: ev.payload},
		func(tx pgx.Tx, rowID int64, fresh bool) error {
			if !fresh {
				t.Error("first store of the event is not fresh")
			}
			return dead.a.Jobs.EnqueueStripeEventTx(w.Ctx, tx, rowID)
		})
	if err != nil {
		t.Fatal(err)
	}
	if n := w.Count(`SELECT count(*) FROM river_job WHERE kind = 'stripe_event' AND state = 'available'`); n != 1 {
		t.Fatalf("%d stripe jobs waiting, want 1", n)
	}
	if got := w.payment(p.ID); got.Status != pay.StatusOpen || w.booked(p.ID).paid != 0 {
		t.Fatalf("before any worker ran: status %s, booked %d", got.Status, w.booked(p.ID).paid)
	}

	// The process comes back (or another one runs): the job is still there.
	w.instance(true)
	w.settle()
	w.wantBookedOnce(p, 10000)
	w.wantOpen(openTotal - 10000)
}

// TestKilledWebhookAnsweredWorkersStopped: webhooks answered 200 by a
// process whose workers are stopped lose nothing: once workers run, both
// the Mollie and the Stripe payment are booked.
func TestKilledWebhookAnsweredWorkersStopped(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.instance(false)
	m := w.mollie(a, 10000, w.invs[0].ID)
	if err := w.fake.SetStatus(m.ProviderID, "paid"); err != nil { // Mollie calls a's webhook
		t.Fatal(err)
	}
	w.wantDelivered(m.ProviderID)
	s := w.cardPaidAtStripe(4000, w.invs[2].ID)
	deliver(t, []*instance{a}, 2, times(2, stripeHook(signed(stripe.EventSessionCompleted, sessionObject(s, "paid")))))
	if n := w.Count(`SELECT count(*) FROM river_job WHERE kind IN ('sync_payment', 'stripe_event') AND state = 'available'`); n != 2 {
		t.Fatalf("%d booking jobs waiting, want 2", n)
	}
	for _, p := range []collect.Payment{m, s} {
		if got := w.payment(p.ID); got.Status != pay.StatusOpen || w.booked(p.ID).paid != 0 {
			t.Fatalf("payment %s booked with no workers: %s", p.ID, got.Status)
		}
	}

	w.instance(true) // the process restarts with its workers
	w.settle()
	w.wantBookedOnce(m, 10000)
	w.wantBookedOnce(s, 4000)
	w.wantOpen(openTotal - 14000)
}
