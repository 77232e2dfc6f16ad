package jobs_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/jobs"
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
			return dead.a.Jobs.EnqueueStripeEventsTx(w.Ctx, tx, []int64{rowID})
		})
	if err != nil {
		t.Fatal(err)
	}
	if n := w.Count(`SELECT count(*) FROM river_job WHERE kind = 'stripe_events' AND state = 'available'`); n != 1 {
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
	if n := w.Count(`SELECT count(*) FROM river_job WHERE kind IN ('sync_payment', 'stripe_events') AND state = 'available'`); n != 2 {
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

// TestSweepLostWebhook: Mollie's webhook never comes; the sweeper asks
// Mollie once the payment is older than casework.SweepAfter, and books it.
func TestSweepLostWebhook(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.instance(false)
	w.fake.WebhookDisabled.Store(true)
	paid := w.mollie(a, 10000, w.invs[0].ID)
	expired := w.mollie(a, 4000, w.invs[2].ID)
	open := w.mollie(a, 5000, "")
	if err := w.fake.SetStatus(paid.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	if err := w.fake.SetStatus(expired.ProviderID, "expired"); err != nil {
		t.Fatal(err)
	}
	for _, d := range w.fake.Deliveries() {
		if !d.Disabled || d.Attempts != 0 {
			t.Fatalf("a webhook went out: %+v", d)
		}
	}
	if n := w.Count(`SELECT count(*) FROM webhook_events`); n != 0 {
		t.Fatalf("%d webhook events stored", n)
	}

	sweep := func(want int) {
		t.Helper()
		n, err := jobs.Sweep(w.Ctx, a.a.JobDeps)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("sweep asked about %d payments, want %d", n, want)
		}
	}
	sweep(0) // too young: the webhook may still come
	w.Clock.Advance(casework.SweepAfter - time.Second)
	sweep(0)
	if got := w.payment(paid.ID).Status; got != pay.StatusOpen {
		t.Fatalf("status %s before the sweep", got)
	}
	w.Clock.Advance(2 * time.Second)
	sweep(3)
	w.wantBookedOnce(paid, 10000)
	if got := w.payment(expired.ID); got.Status != pay.StatusExpired || w.booked(expired.ID).paid != 0 {
		t.Errorf("expired payment: status %s, booked %d", got.Status, w.booked(expired.ID).paid)
	}
	if got := w.payment(open.ID).Status; got != pay.StatusOpen {
		t.Errorf("unpaid payment: status %s, want open", got)
	}
	if n := w.Count(`SELECT count(*) FROM payment_status_history WHERE payment_id = $1 AND to_status = 'paid' AND source = 'sweep'`, paid.ID); n != 1 {
		t.Errorf("paid not recorded as found by the sweep")
	}
	sweep(1) // only the one still open; the paid one is not asked again
	w.wantBookedOnce(paid, 10000)
	w.wantOpen(openTotal - 10000)

	// The periodic job does the same without anyone calling Sweep: the
	// debtor pays at last, the webhook is lost again, a worker starts.
	if err := w.fake.SetStatus(open.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	w.instance(true)
	deadline := time.Now().Add(30 * time.Second)
	for w.payment(open.ID).Status != pay.StatusPaid {
		if time.Now().After(deadline) {
			t.Fatal("the periodic sweep did not book the payment")
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.wantBookedOnce(open, 5000)
	w.wantOpen(openTotal - 15000)
}
