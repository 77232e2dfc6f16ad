package webhooks_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/molliefake"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }

const secret = "whsec_test"

type env struct {
	t    *testing.T
	ctx  context.Context
	db   *postgres.DB
	c    *apptest.Client
	fake *molliefake.Fake
	cr   collect.Creditor
	d    collect.Debtor
}

// newEnv builds the app without workers: these tests are about what the
// webhooks accept, store and enqueue.
func newEnv(t *testing.T) *env {
	t.Helper()
	fake, mollieURL := apptest.StartMollieFake(t)
	x := apptest.New(t, apptest.Options{At: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), Config: config.Config{
		BaseURL: "http://settle.test", MollieAPIURL: mollieURL, MollieAPIKey: "test_x",
		StripeAPIURL: "http://127.0.0.1:1", StripeKey: "sk_test_x", StripeWebhook: secret, IdealProvider: "mollie", CardProvider: "stripe"}})
	cr := x.Creditor(collect.Creditor{Name: "Energie Noord B.V."})
	d := x.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-1", Name: "Jan Jansen", Address: collect.Address{HouseNumber: "12a"}})
	x.Invoice(collect.Invoice{CreditorID: cr.ID, DebtorID: d.ID, Number: "F-1", Description: "Stroom",
		IssueDate: collect.Day(2026, 11, 2), DueDate: collect.Day(2026, 12, 2), Amount: 10000})
	return &env{t: t, ctx: x.Ctx, db: x.DB, c: x.Client(), fake: fake, cr: cr.Creditor, d: d}
}

func (e *env) post(path, contentType string, body []byte, header map[string]string) (int, string) {
	e.t.Helper()
	h := http.Header{"Content-Type": {contentType}}
	for k, v := range header {
		h.Set(k, v)
	}
	r := e.c.Send(http.MethodPost, path, bytes.NewReader(body), h)
	return r.Status, r.Body
}

func (e *env) mollie(id string) (int, string) {
	return e.post("/webhooks/mollie", "application/x-www-form-urlencoded", []byte(url.Values{"id": {id}}.Encode()), nil)
}

func (e *env) stripe(payload []byte, sig string) (int, string) {
	return e.post("/webhooks/stripe", "application/json", payload, map[string]string{"Stripe-Signature": sig})
}

func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.PoolForTests().QueryRow(e.ctx, sql, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// deliverThrice sends one webhook three times, as a provider retrying it
// does: each answer is 200, the query of its stored event counts three
// deliveries, and only one job of kind is enqueued.
func (e *env) deliverThrice(what string, send func() (int, string), kind, deliveries string, args ...any) {
	e.t.Helper()
	for range 3 {
		if status, body := send(); status != http.StatusOK {
			e.t.Fatalf("%s: status %d (%s)", what, status, body)
		}
	}
	if n := e.count(deliveries, args...); n != 3 {
		e.t.Errorf("%s: deliveries = %d, want 3", what, n)
	}
	if n := e.count(`SELECT count(*) FROM river_job WHERE kind = $1`, kind); n != 1 {
		e.t.Errorf("%s: %d %s jobs, want 1", what, n, kind)
	}
}

// nothingStored checks that no event, job or booking was made.
func (e *env) nothingStored(what string) {
	e.t.Helper()
	for _, q := range []string{
		`SELECT count(*) FROM webhook_events`,
		`SELECT count(*) FROM river_job WHERE kind IN ('sync_payment', 'stripe_event', 'stripe_events')`,
		`SELECT count(*) FROM ledger_entries WHERE kind IN ('payment', 'reversal')`,
		`SELECT count(*) FROM payment_status_history WHERE source <> 'created'`,
	} {
		if n := e.count(q); n != 0 {
			e.t.Errorf("%s: %s = %d, want 0", what, q, n)
		}
	}
}

func (e *env) payment(provider, providerID string) collect.Payment {
	e.t.Helper()
	p, err := e.db.CreatePayment(e.ctx, collect.Payment{CreditorID: e.cr.ID, DebtorID: e.d.ID, Amount: 10000, Provider: provider, Method: "ideal"})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.StartCheckout(e.ctx, p.ID, pay.Checkout{ProviderID: providerID}); err != nil {
		e.t.Fatal(err)
	}
	p.ProviderID = providerID
	return p
}

func session(paymentID string) map[string]any {
	return map[string]any{"id": "cs_test_1", "object": "checkout.session", "client_reference_id": paymentID,
		"metadata": map[string]any{stripe.MetadataKey: paymentID}, "payment_status": "paid", "amount_total": 10000}
}

func TestWebhookMollieRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	known := e.payment("mollie", "tr_Known12345")
	for _, tc := range []struct{ what, body string }{
		{"unknown id", url.Values{"id": {"tr_Unknown1234"}}.Encode()},
		{"another provider's id", url.Values{"id": {"cs_test_1"}}.Encode()},
		{"no id", ""},
		{"empty id", "id="},
		{"malformed id", url.Values{"id": {"tr_' OR 1=1 --"}}.Encode()},
		{"too long", url.Values{"id": {"tr_" + strings.Repeat("a", 65)}}.Encode()},
		{"other object", url.Values{"id": {"re_Known12345"}}.Encode()},
		{"padded known id", url.Values{"id": {" " + known.ProviderID}}.Encode()},
	} {
		status, body := e.post("/webhooks/mollie", "application/x-www-form-urlencoded", []byte(tc.body), nil)
		if status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400 (%s)", tc.what, status, body)
		}
		if strings.Contains(body, "tr_") || strings.Contains(body, ".go") {
			t.Errorf("%s: body says too much: %q", tc.what, body)
		}
	}
	e.nothingStored("refused mollie webhooks")

	// The known one is stored once and counted per delivery; while its sync
	// waits, further deliveries add no job.
	e.deliverThrice("known id", func() (int, string) { return e.mollie(known.ProviderID) }, "sync_payment",
		`SELECT deliveries FROM webhook_events WHERE provider = 'mollie' AND event_id = $1 AND payment_id = $2`, known.ProviderID, known.ID)
}

func TestWebhookStripeRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.payment("stripe", "cs_test_1")
	good, goodSig := stripe.SignedEvent(secret, stripe.EventSessionCompleted, session(p.ID))

	tampered := bytes.Replace(good, []byte(`"amount_total":10000`), []byte(`"amount_total":1`), 1)
	if bytes.Equal(tampered, good) {
		t.Fatal("tampering did not change the payload")
	}
	other, otherSig := stripe.SignedEvent("whsec_other", stripe.EventSessionCompleted, session(p.ID))
	old := stripe.Sign(secret, good, time.Now().Add(-time.Hour))
	for _, tc := range []struct {
		what    string
		payload []byte
		sig     string
	}{
		{"no signature", good, ""},
		{"garbage signature", good, "t=1,v1=deadbeef"},
		{"tampered body", tampered, goodSig},
		{"another secret", other, otherSig},
		{"signature of another body", good, otherSig},
		{"replayed after the tolerance", good, old},
		{"not JSON", []byte("hello"), stripe.Sign(secret, []byte("hello"), time.Now())},
	} {
		if status, body := e.stripe(tc.payload, tc.sig); status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400 (%s)", tc.what, status, body)
		}
	}
	e.nothingStored("forged stripe events")

	// Verified, but nothing Settle acts on: 200, nothing booked.
	unhandled, sig := stripe.SignedEvent(secret, "customer.created", map[string]any{"id": "cus_1", "object": "customer"})
	if status, body := e.stripe(unhandled, sig); status != http.StatusOK {
		t.Errorf("unhandled type: status %d, want 200 (%s)", status, body)
	}
	e.nothingStored("unhandled stripe event")

	// Handled events naming a payment that is not ours: 400, nothing stored.
	for what, obj := range map[string]map[string]any{
		"unknown payment id": session("7d1f6a58-0c4e-4a55-9b7a-1f2d3c4b5a69"),
		"not a uuid":         session("12345"),
		"no payment id": {"id": "cs_test_2", "object": "checkout.session", "payment_status": "paid", "amount_total": 10000,
			"metadata": map[string]any{}},
		"refund of a charge not ours": {"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "amount": 100, "amount_refunded": 100,
			"metadata": map[string]any{}},
	} {
		payload, sig := stripe.SignedEvent(secret, stripe.EventSessionCompleted, obj)
		if obj["object"] == "charge" {
			payload, sig = stripe.SignedEvent(secret, stripe.EventChargeRefunded, obj)
		}
		if status, body := e.stripe(payload, sig); status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400 (%s)", what, status, body)
		}
	}
	e.nothingStored("events for payments not ours")

	// Signed, handled, but lacking a field we read: 400, nothing stored.
	noAmount := session(p.ID)
	delete(noAmount, "amount_total")
	payload, sig := stripe.SignedEvent(secret, stripe.EventSessionCompleted, noAmount)
	if status, _ := e.stripe(payload, sig); status != http.StatusBadRequest {
		t.Errorf("event without amount_total: status %d, want 400", status)
	}
	e.nothingStored("malformed event")

	// The good one is stored once and enqueued once, however often it comes.
	e.deliverThrice("good event", func() (int, string) { return e.stripe(good, goodSig) }, "stripe_events",
		`SELECT deliveries FROM webhook_events WHERE provider = 'stripe' AND payment_id = $1`, p.ID)
}

// TestWebhookFast: accepting a webhook is a store and an insert, nothing
// more; it must not wait for the provider or the booking.
func TestWebhookFast(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.payment("stripe", "cs_test_1")
	payload, sig := stripe.SignedEvent(secret, stripe.EventSessionCompleted, session(p.ID))
	began := time.Now()
	if status, _ := e.stripe(payload, sig); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("accepting took %s", d)
	}
	if got, _ := e.db.PaymentByID(e.ctx, p.ID); got.Status != pay.StatusOpen {
		t.Errorf("the webhook booked inline: status %s", got.Status)
	}
}

// TestWebhookStripeStormGrouped: concurrent posts are stored together
// (casework.StripeInbox), and a storm of identical posts still makes one
// event with every delivery counted and one job per event, also when
// copies of one event land in the same transaction.
func TestWebhookStripeStormGrouped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const events, copies = 4, 15
	type signed struct {
		payload []byte
		sig     string
	}
	var sent []signed
	for k := range events {
		cs := fmt.Sprintf("cs_test_storm_%d", k)
		p := e.payment("stripe", cs)
		obj := session(p.ID)
		obj["id"] = cs
		payload, sig := stripe.SignedEvent(secret, stripe.EventSessionCompleted, obj)
		sent = append(sent, signed{payload, sig})
	}
	var wg sync.WaitGroup
	errs := make(chan string, events*copies)
	for i := range events * copies {
		ev := sent[i%events]
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.c.Try(http.MethodPost, "/webhooks/stripe", bytes.NewReader(ev.payload),
				http.Header{"Content-Type": {"application/json"}, "Stripe-Signature": {ev.sig}})
			switch {
			case err != nil:
				errs <- err.Error()
			case r.Status != http.StatusOK:
				errs <- fmt.Sprintf("status %d: %s", r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	if n := e.count(`SELECT count(*) FROM webhook_events WHERE provider = 'stripe'`); n != events {
		t.Errorf("%d stored events, want %d", n, events)
	}
	if n := e.count(`SELECT count(*) FROM webhook_events WHERE provider = 'stripe' AND deliveries = $1`, copies); n != events {
		t.Errorf("%d events with %d deliveries each, want %d", n, copies, events)
	}
	if n := e.count(`SELECT count(*) FROM river_job j, jsonb_array_elements_text(j.args->'event_row_ids') AS x (id)
		WHERE j.kind = 'stripe_events'`); n != events {
		t.Errorf("stripe_events jobs name %d events, want %d (each once)", n, events)
	}
	if n := e.count(`SELECT count(DISTINCT w.id) FROM river_job j, jsonb_array_elements_text(j.args->'event_row_ids') AS x (id)
		JOIN webhook_events w ON w.id = x.id::bigint WHERE j.kind = 'stripe_events'`); n != events {
		t.Errorf("jobs point at %d distinct stored events, want %d", n, events)
	}
}

// TestWebhookStripeBatchMixed: posts that arrive together are checked
// against their payments as one batch, yet each gets its own answer: the
// good ones 200 and stored with one job each, an unknown payment 400
// "unknown payment", an event for a Mollie payment 400 "event refused" and
// recorded for finance, and none of the refused ones stored.
func TestWebhookStripeBatchMixed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	type post struct {
		what, payload, sig string
		status             int
		body               string
	}
	var posts []post
	const good = 6
	for k := range good {
		cs := fmt.Sprintf("cs_test_mixed_%d", k)
		obj := session(e.payment("stripe", cs).ID)
		obj["id"] = cs
		payload, sig := stripe.SignedEvent(secret, stripe.EventSessionCompleted, obj)
		posts = append(posts, post{"good " + cs, string(payload), sig, http.StatusOK, ""})
	}
	for k := range 3 {
		payload, sig := stripe.SignedEvent(secret, stripe.EventSessionCompleted, session(fmt.Sprintf("7d1f6a58-0c4e-4a55-9b7a-1f2d3c4b5a6%d", k)))
		posts = append(posts, post{"unknown payment", string(payload), sig, http.StatusBadRequest, "unknown payment"})
	}
	m := e.payment("mollie", "tr_mixed1")
	payload, sig := stripe.SignedEvent(secret, stripe.EventSessionCompleted, session(m.ID))
	posts = append(posts, post{"mollie payment", string(payload), sig, http.StatusBadRequest, "event refused"})

	var wg sync.WaitGroup
	errs := make(chan string, len(posts))
	for _, p := range posts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.c.Try(http.MethodPost, "/webhooks/stripe", strings.NewReader(p.payload),
				http.Header{"Content-Type": {"application/json"}, "Stripe-Signature": {p.sig}})
			switch {
			case err != nil:
				errs <- p.what + ": " + err.Error()
			case r.Status != p.status || !strings.Contains(r.Body, p.body):
				errs <- fmt.Sprintf("%s: status %d %q, want %d %q", p.what, r.Status, r.Body, p.status, p.body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	if n := e.count(`SELECT count(*) FROM webhook_events WHERE provider = 'stripe'`); n != good {
		t.Errorf("%d stored events, want %d (the good ones only)", n, good)
	}
	if n := e.count(`SELECT count(*) FROM river_job j, jsonb_array_elements_text(j.args->'event_row_ids') AS x (id)
		WHERE j.kind = 'stripe_events'`); n != good {
		t.Errorf("stripe_events jobs name %d events, want %d", n, good)
	}
	if n := e.count(`SELECT count(*) FROM refused_provider_events WHERE payment_id = $1 AND provider = 'stripe'`, m.ID); n != 1 {
		t.Errorf("%d refusals recorded for the Mollie payment, want 1", n)
	}
}
