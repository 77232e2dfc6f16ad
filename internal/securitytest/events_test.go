package securitytest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
)

// stripePayment records a Stripe card payment of p with a session id, as if
// its checkout had started (stripe-mock keeps no sessions).
func (e *env) stripePayment(p party, cents int64) collect.Payment {
	e.T.Helper()
	rec := e.paymentRecord(p, cents, "stripe", pay.Card)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	rec.ProviderID = "cs_test_" + hex.EncodeToString(b)
	if err := e.DB.StartCheckout(e.Ctx, rec.ID, pay.Checkout{ProviderID: rec.ProviderID, RedirectURL: "https://checkout.stripe.com/c/pay/" + rec.ProviderID}); err != nil {
		e.T.Fatal(err)
	}
	return rec
}

// session is a Checkout Session as a Stripe event carries it, naming p.
func session(p collect.Payment) map[string]any {
	return map[string]any{"id": p.ProviderID, "object": "checkout.session", "client_reference_id": p.ID,
		"metadata": map[string]any{stripe.MetadataKey: p.ID}, "payment_status": "paid", "status": "complete",
		"amount_total": p.Amount, "currency": "eur", "payment_intent": "pi_" + p.ID[:8]}
}

// postWebhook posts to a webhook on the socket, as a provider would.
func (e *env) postWebhook(path, contentType string, body []byte, header http.Header) (int, string) {
	e.T.Helper()
	req, err := http.NewRequestWithContext(e.Ctx, http.MethodPost, e.Base+path, bytes.NewReader(body))
	if err != nil {
		e.T.Fatal(err)
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", contentType)
	res, err := apptest.HTTPClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

// settle waits until River has worked every booking job.
func (e *env) settle() {
	e.T.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		pending := e.Count(`SELECT count(*) FROM river_job WHERE kind IN ('sync_payment', 'stripe_event', 'stripe_events')
			AND state NOT IN ('completed', 'cancelled', 'discarded')`)
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("%d booking jobs still not done", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestForgedProviderEvents: correctly signed Stripe events that name a
// payment they have no say over, or claim an amount, currency or session
// Stripe's own API does not report, book nothing, and finance sees each
// refusal; a Mollie post naming a Stripe session is refused outright. The
// probe this started from: a Stripe event naming a € 5,00 Mollie payment
// with amount_total 100000 booked € 1.000,00 and gave € 802,59 credit.
func TestForgedProviderEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{stripeMock: true, work: true})
	openBefore := e.statementTotal()

	type forged struct {
		name    string
		payment collect.Payment
		// typ and object make the signed Stripe event; an empty typ posts
		// mollieID to the Mollie webhook instead.
		typ      string
		object   map[string]any
		mollieID string
		status   int  // the webhook's answer
		refused  bool // finance sees the refusal
	}
	mollie := e.A.Payment // € 5,00 at the Mollie fake, open
	cross := session(mollie)
	cross["id"], cross["amount_total"] = "cs_test_forged", 100000
	wrongSession := e.stripePayment(e.A, 700)
	otherSession := session(wrongSession)
	otherSession["id"] = "cs_test_someone_else"
	wrongAmount := e.stripePayment(e.A, 800)
	bigAmount := session(wrongAmount)
	bigAmount["amount_total"] = 100000
	wrongCurrency := e.stripePayment(e.A, 900)
	dollars := session(wrongCurrency)
	dollars["currency"] = "usd"
	wrongIntent := e.stripePayment(e.A, 1000)
	charge := map[string]any{"id": "ch_forged", "object": "charge", "metadata": map[string]any{stripe.MetadataKey: wrongIntent.ID},
		"payment_intent": "pi_not_ours", "amount": 1000, "amount_refunded": 1000, "refunded": true, "currency": "eur"}
	mollieForStripe := e.stripePayment(e.A, 1100)

	cases := []forged{
		{name: "Stripe checkout.session.completed naming a Mollie payment, amount_total 100000", payment: mollie,
			typ: stripe.EventSessionCompleted, object: cross, status: http.StatusBadRequest, refused: true},
		{name: "Stripe event for our Stripe payment but another session", payment: wrongSession,
			typ: stripe.EventSessionCompleted, object: otherSession, status: http.StatusBadRequest, refused: true},
		// An amount or currency in the body of an event for the payment's
		// own session is not looked at: the job books only what Stripe's API
		// reports (stripe-mock: open, unpaid), so nothing is booked, and
		// there is no refusal to show.
		{name: "Stripe event claiming € 1.000,00 for a € 8,00 payment", payment: wrongAmount,
			typ: stripe.EventSessionCompleted, object: bigAmount, status: http.StatusOK},
		{name: "Stripe event in US dollars", payment: wrongCurrency,
			typ: stripe.EventSessionCompleted, object: dollars, status: http.StatusOK},
		{name: "Stripe refund of another PaymentIntent", payment: wrongIntent,
			typ: stripe.EventChargeRefunded, object: charge, status: http.StatusOK, refused: true},
		{name: "Mollie post naming a Stripe session", payment: mollieForStripe,
			mollieID: mollieForStripe.ProviderID, status: http.StatusBadRequest},
	}
	eventIDs := map[string]string{}
	for _, tc := range cases {
		var status int
		var body string
		if tc.typ == "" {
			status, body = e.postWebhook("/webhooks/mollie", "application/x-www-form-urlencoded",
				[]byte(url.Values{"id": {tc.mollieID}}.Encode()), http.Header{})
		} else {
			payload, sig := stripe.SignedEvent(webhookSecret, tc.typ, tc.object)
			eventIDs[tc.name] = eventID(t, payload)
			status, body = e.postWebhook("/webhooks/stripe", "application/json", payload, http.Header{"Stripe-Signature": {sig}})
		}
		if status != tc.status {
			t.Errorf("%s: webhook answered %d, want %d (%s)", tc.name, status, tc.status, body)
		}
	}
	e.settle()
	// The Mollie fake still says open, and a sync from Mollie keeps it so.
	if status, body := e.postWebhook("/webhooks/mollie", "application/x-www-form-urlencoded",
		[]byte(url.Values{"id": {mollie.ProviderID}}.Encode()), http.Header{}); status != http.StatusOK {
		t.Errorf("Mollie's own post for its payment: %d (%s)", status, body)
	}
	e.settle()

	fin := e.Client()
	e.signInConsole(fin, e.finance)
	page := fin.Get("/console/finance")
	wantStatus(t, "finance page", page, http.StatusOK)
	refused, err := e.DB.RefusedEvents(e.Ctx, e.A.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		got, err := e.DB.PaymentByID(e.Ctx, tc.payment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != pay.StatusOpen || got.Amount != tc.payment.Amount {
			t.Errorf("%s: payment %s, %d cents; want open, %d", tc.name, got.Status, got.Amount, tc.payment.Amount)
		}
		if n := e.Count(`SELECT count(*) FROM ledger_entries WHERE payment_id = $1`, tc.payment.ID); n != 0 {
			t.Errorf("%s: %d ledger entries for the payment, want none", tc.name, n)
		}
		if !tc.refused {
			continue
		}
		found := false
		for _, ev := range refused {
			if ev.PaymentID == tc.payment.ID && ev.EventType == tc.typ && ev.EventID == eventIDs[tc.name] && ev.Reason != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: not among the refused events %+v", tc.name, refused)
		}
		if !strings.Contains(page.Body, eventIDs[tc.name]) {
			t.Errorf("%s: the finance page does not show refused event %s", tc.name, eventIDs[tc.name])
		}
	}
	if !strings.Contains(page.Body, "Refused provider events") {
		t.Errorf("the finance page has no refused events section")
	}
	if n := e.Count(`SELECT count(*) FROM ledger_entries WHERE kind IN ('payment', 'reversal')`); n != 0 {
		t.Errorf("%d payment or reversal entries booked, want none", n)
	}
	if got := e.statementTotal(); got != openBefore {
		t.Errorf("debtor's open total %d after the forged events, want %d", got, openBefore)
	}
	if _, st, err := e.DB.Statement(e.Ctx, e.A.ID, e.A.Debtor.ID, e.DB.Today()); err != nil || st.Credit != 0 {
		t.Errorf("debtor's credit %d (%v), want 0", st.Credit, err)
	}
}

func (e *env) statementTotal() int64 {
	e.T.Helper()
	_, st, err := e.DB.Statement(e.Ctx, e.A.ID, e.A.Debtor.ID, e.DB.Today())
	if err != nil {
		e.T.Fatal(err)
	}
	return st.Total()
}

// eventID reads the id stripe.SignedEvent gave an event.
func eventID(t *testing.T, payload []byte) string {
	t.Helper()
	var ev struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil || ev.ID == "" {
		t.Fatalf("no event id in %s (%v)", payload, err)
	}
	return ev.ID
}
