package jobs_test

import (
	"net/http"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
)

// wantUntouched checks that a payment is still open, with nothing booked.
func (w *world) wantUntouched(p collect.Payment, what string) {
	w.T.Helper()
	got, bk := w.payment(p.ID), w.booked(p.ID)
	if got.Status != pay.StatusOpen || got.Amount != p.Amount || bk.paid != 0 || bk.reversed != 0 {
		w.T.Errorf("%s: status %s, amount %d, booked %d, reversed %d; want open, %d, nothing booked",
			what, got.Status, got.Amount, bk.paid, bk.reversed, p.Amount)
	}
}

// wantRefused checks that finance has the refusal of an event for p.
func (w *world) wantRefused(p collect.Payment, eventType string) {
	w.T.Helper()
	evs, err := w.DB.RefusedEvents(w.Ctx, w.cr.ID, 50)
	if err != nil {
		w.T.Fatal(err)
	}
	for _, ev := range evs {
		if ev.PaymentID == p.ID && ev.EventType == eventType && ev.Reason != "" {
			return
		}
	}
	w.T.Errorf("no refused %s event recorded for payment %s (have %+v)", eventType, p.ID, evs)
}

// TestStripeEventForMolliePayment is the probe: a correctly signed
// checkout.session.completed that names one of our Mollie payments, with an
// amount_total of € 1.000,00, must not mark the € 5,00 payment paid.
func TestStripeEventForMolliePayment(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // nothing set: stripe-mock's fixture says every session is open
	a := w.instance(true)
	m := w.mollie(a, 500, w.invs[0].ID)
	forged := sessionObject(m, "paid")
	forged["id"] = "cs_test_forged"
	forged["amount_total"] = 100000
	ev := signed(stripe.EventSessionCompleted, forged)
	status, err := stripeHook(ev)(a)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusBadRequest {
		t.Errorf("answered %d, want 400", status)
	}
	w.settle()
	w.wantUntouched(m, "mollie payment after a stripe event")
	w.wantOpen(openTotal)
	if st := w.statement(); st.Credit != 0 {
		t.Errorf("debtor credit %d, want 0", st.Credit)
	}
	w.wantRefused(m, stripe.EventSessionCompleted)
	if n := w.Count(`SELECT count(*) FROM river_job WHERE kind IN ('stripe_event', 'stripe_events')`); n != 0 {
		t.Errorf("%d stripe jobs for a refused event, want 0", n)
	}
}

// TestStripeEventAmountIgnored: an event for a Stripe payment's own session
// books only what Stripe's API reports on re-fetch. stripe-mock reports the
// session open and unpaid (the test sets nothing over its fixture), so an
// event saying "paid, € 1.000,00" books nothing.
func TestStripeEventAmountIgnored(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // nothing set: stripe-mock's fixture says every session is open
	a := w.instance(true)
	p := w.stripePayment(500, w.invs[0].ID, pay.Card)
	obj := sessionObject(p, "paid")
	obj["amount_total"] = 100000
	deliver(t, []*instance{a}, 1, []delivery{stripeHook(signed(stripe.EventSessionCompleted, obj))})
	w.settle()
	w.wantUntouched(p, "event says paid, stripe-mock says open")
	w.wantOpen(openTotal)
}

// TestStripeEventRefused: signed events that name our Stripe payment but
// another session, a PaymentIntent that is not the session's, or a session
// Stripe reports in another currency are refused and shown to finance.
func TestStripeEventRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.instance(true)
	ins := []*instance{a}

	other := w.cardPaidAtStripe(500, w.invs[0].ID)
	obj := sessionObject(other, "paid")
	obj["id"] = "cs_test_someone_else"
	if status, err := stripeHook(signed(stripe.EventSessionCompleted, obj))(a); err != nil || status != http.StatusBadRequest {
		t.Errorf("other session: answered %d (%v), want 400", status, err)
	}
	w.settle()
	w.wantUntouched(other, "event for another session")
	w.wantRefused(other, stripe.EventSessionCompleted)

	// A charge event whose PaymentIntent is not the one behind our session.
	intent := w.cardPaidAtStripe(4000, w.invs[2].ID)
	ch := chargeObject(intent, 0)
	ch["payment_intent"] = "pi_not_ours"
	deliver(t, ins, 1, []delivery{stripeHook(signed(stripe.EventChargeRefunded, ch))})
	w.settle()
	w.wantUntouched(intent, "charge of another PaymentIntent")
	w.wantRefused(intent, stripe.EventChargeRefunded)

	// Stripe itself reports the session paid, but in US dollars.
	usd := w.stripePayment(2500, w.invs[1].ID, pay.Card)
	w.stripeSays(usd, stripeSession{status: "complete", paymentStatus: "paid", currency: "usd"})
	deliver(t, ins, 1, []delivery{stripeHook(signed(stripe.EventSessionCompleted, sessionObject(usd, "paid")))})
	w.settle()
	w.wantUntouched(usd, "session paid in dollars")
	w.wantRefused(usd, stripe.EventSessionCompleted)
	w.wantOpen(openTotal)
}

// TestMollieStorm: many posts for one Mollie payment while its sync waits
// make one job and one fetch from Mollie.
func TestMollieStorm(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.instance(false) // workers not running: every post finds the job waiting
	w.fake.WebhookDisabled.Store(true)
	p := w.mollie(a, 10000, w.invs[0].ID)
	if err := w.fake.SetStatus(p.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	const posts = 200
	deliver(t, []*instance{a}, 16, times(posts, mollieHook(p.ProviderID)))
	if n := w.Count(`SELECT count(*) FROM river_job WHERE kind = 'sync_payment'`); n != 1 {
		t.Errorf("%d sync jobs after %d posts, want 1", n, posts)
	}
	if n := w.Count(`SELECT deliveries FROM webhook_events WHERE provider = 'mollie' AND event_id = $1`, p.ProviderID); n != posts {
		t.Errorf("%d deliveries counted, want %d", n, posts)
	}
	before := w.fake.Fetches(p.ProviderID)
	worker := w.instance(true) // a process with workers takes the job
	w.settle()
	w.wantBookedOnce(p, 10000)
	if n := w.fake.Fetches(p.ProviderID) - before; n != 1 {
		t.Errorf("%d fetches from Mollie for %d posts, want 1", n, posts)
	}
	// Once that job is done, the next post syncs again.
	deliver(t, []*instance{worker}, 1, []delivery{mollieHook(p.ProviderID)})
	w.settle()
	if n := w.Count(`SELECT count(*) FROM river_job WHERE kind = 'sync_payment'`); n != 2 {
		t.Errorf("%d sync jobs after a later post, want 2", n)
	}
}
