package jobs_test

import (
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/pay"
)

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
