package stripe_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v79"

	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/pay/stripemock"
)

const (
	testKey    = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
	testSecret = "whsec_settle_test"
)

// TestAgainstStripeMock shares one stripe-mock (about a second to start)
// between subtests. stripe-mock validates each request against Stripe's
// OpenAPI spec, so a 200 means the request is well formed.
func TestAgainstStripeMock(t *testing.T) {
	url := stripemock.Start(t)
	p := stripe.New(url, testKey)
	ctx := context.Background()
	req := pay.CheckoutRequest{
		PaymentID:      "pay_01J8Z",
		Amount:         12345,
		Description:    "Factuur 2024-001",
		Method:         pay.IDEAL,
		ReturnURL:      "https://settle.example/betalen/pay_01J8Z/terug",
		IdempotencyKey: "pay_01J8Z-1",
	}

	t.Run("name", func(t *testing.T) {
		if got := p.Name(); got != "stripe" {
			t.Fatalf("Name() = %q", got)
		}
	})

	t.Run("checkout", func(t *testing.T) {
		for _, m := range []pay.Method{pay.IDEAL, pay.Card} {
			r := req
			r.Method = m
			co, err := p.Checkout(ctx, r)
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			if !strings.HasPrefix(co.ProviderID, "cs_") || !strings.HasPrefix(co.RedirectURL, "https://") || co.Status != pay.StatusOpen {
				t.Fatalf("%s: got %+v", m, co)
			}
		}
	})

	t.Run("checkout refused", func(t *testing.T) {
		r := req
		r.Method = "bitcoin" // not in Stripe's payment_method_types enum
		_, err := p.Checkout(ctx, r)
		if !errors.Is(err, pay.ErrUnavailable) {
			t.Fatalf("err = %v, want pay.ErrUnavailable", err)
		}
		var ae *stripe.APIError
		if !errors.As(err, &ae) || ae.HTTPStatus != 400 {
			t.Fatalf("err = %v, want a 400 APIError", err)
		}
		if strings.Contains(err.Error(), testKey) {
			t.Fatalf("error leaks the key: %v", err)
		}
	})

	t.Run("bad key not leaked", func(t *testing.T) {
		// stripe-mock echoes the Authorization header in its 401 message.
		const bad = "sk_nonsense_Zq81xY"
		_, err := stripe.New(url, bad).Checkout(ctx, req)
		var ae *stripe.APIError
		if !errors.Is(err, pay.ErrUnavailable) || !errors.As(err, &ae) || ae.HTTPStatus != 401 {
			t.Fatalf("err = %v, want a 401 APIError", err)
		}
		if strings.Contains(err.Error(), bad) {
			t.Fatalf("error leaks the key: %v", err)
		}
	})

	t.Run("fetch", func(t *testing.T) {
		// stripe-mock answers with its fixture: an open, unpaid session.
		st, err := p.Fetch(ctx, "cs_test_123")
		if err != nil {
			t.Fatal(err)
		}
		if st.ProviderID == "" || st.Status != pay.StatusOpen || st.Refunded != 0 || st.ChargedBack != 0 {
			t.Fatalf("got %+v", st)
		}
	})

	t.Run("refund", func(t *testing.T) {
		// A credit paid back on the session's PaymentIntent; stripe-mock
		// checks the request against Stripe's spec.
		id, err := p.Refund(ctx, "cs_test_123", 500, "credit-refund-1")
		if err != nil || !strings.HasPrefix(id, "re_") {
			t.Fatalf("Refund = %q, %v; want a refund id", id, err)
		}
		var _ pay.Refunder = p
	})

	t.Run("payment id for intent", func(t *testing.T) {
		// The fixture PaymentIntent has no metadata: not ours.
		_, err := p.PaymentIDForIntent(ctx, "pi_123")
		if !errors.Is(err, stripe.ErrUnknownPayment) {
			t.Fatalf("err = %v, want ErrUnknownPayment", err)
		}
	})
}

func TestUnreachable(t *testing.T) {
	// Nothing listens on port 1; stripe-go's two retries cost about a second.
	p := stripe.New("http://127.0.0.1:1", testKey)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := p.Checkout(ctx, pay.CheckoutRequest{PaymentID: "p", Amount: 500, Method: pay.Card, ReturnURL: "https://x.example/"})
	if !errors.Is(err, pay.ErrUnavailable) {
		t.Fatalf("err = %v, want pay.ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Fatalf("error leaks the key: %v", err)
	}
}

func session(status, paymentStatus string) map[string]any {
	return map[string]any{
		"id":                  "cs_test_1",
		"object":              "checkout.session",
		"client_reference_id": "pay_1",
		"metadata":            map[string]any{"settle_payment_id": "pay_1"},
		"payment_intent":      "pi_1",
		"status":              status,
		"payment_status":      paymentStatus,
		"amount_total":        5000,
		"currency":            "eur",
	}
}

func charge(amount, refunded int64) map[string]any {
	return map[string]any{
		"id":              "ch_1",
		"object":          "charge",
		"amount":          amount,
		"amount_refunded": refunded,
		"refunded":        refunded == amount,
		"payment_intent":  "pi_1",
		"metadata":        map[string]any{"settle_payment_id": "pay_1"},
	}
}

func dispute(status string, withID bool) map[string]any {
	d := map[string]any{
		"id":             "dp_1",
		"object":         "dispute",
		"amount":         5000,
		"charge":         "ch_1",
		"payment_intent": "pi_1",
		"status":         status,
		"metadata":       map[string]any{},
	}
	if withID {
		d["metadata"] = map[string]any{"settle_payment_id": "pay_1"}
	}
	return d
}

func TestParseWebhookMapping(t *testing.T) {
	sess := func(s pay.Status) *pay.State {
		return &pay.State{ProviderID: "cs_test_1", Status: s, Amount: 5000}
	}
	tests := []struct {
		name    string
		typ     string
		object  map[string]any
		payment string
		prov    string
		want    *pay.State
	}{
		{"completed paid", "checkout.session.completed", session("complete", "paid"), "pay_1", "cs_test_1", sess(pay.StatusPaid)},
		{"completed unpaid (async)", "checkout.session.completed", session("complete", "unpaid"), "pay_1", "cs_test_1", sess(pay.StatusPending)},
		{"completed nothing to pay", "checkout.session.completed", session("complete", "no_payment_required"), "pay_1", "cs_test_1", sess(pay.StatusPaid)},
		{"async succeeded", "checkout.session.async_payment_succeeded", session("complete", "paid"), "pay_1", "cs_test_1", sess(pay.StatusPaid)},
		{"async failed", "checkout.session.async_payment_failed", session("complete", "unpaid"), "pay_1", "cs_test_1", sess(pay.StatusFailed)},
		{"expired", "checkout.session.expired", session("expired", "unpaid"), "pay_1", "cs_test_1", sess(pay.StatusExpired)},
		{"partly refunded", "charge.refunded", charge(5000, 2000), "pay_1", "pi_1",
			&pay.State{ProviderID: "pi_1", Status: pay.StatusPaid, Amount: 5000, Refunded: 2000}},
		{"fully refunded", "charge.refunded", charge(5000, 5000), "pay_1", "pi_1",
			&pay.State{ProviderID: "pi_1", Status: pay.StatusRefunded, Amount: 5000, Refunded: 5000}},
		{"dispute created", "charge.dispute.created", dispute("needs_response", true), "pay_1", "pi_1",
			&pay.State{ProviderID: "pi_1", Status: pay.StatusChargedBack, ChargedBack: 5000}},
		{"dispute created, id via intent", "charge.dispute.created", dispute("needs_response", false), "", "pi_1",
			&pay.State{ProviderID: "pi_1", Status: pay.StatusChargedBack, ChargedBack: 5000}},
		{"inquiry created", "charge.dispute.created", dispute("warning_needs_response", true), "pay_1", "pi_1", nil},
		{"dispute won", "charge.dispute.closed", dispute("won", true), "pay_1", "pi_1",
			&pay.State{ProviderID: "pi_1", Status: pay.StatusPaid}},
		{"dispute lost", "charge.dispute.closed", dispute("lost", true), "pay_1", "pi_1",
			&pay.State{ProviderID: "pi_1", Status: pay.StatusChargedBack, ChargedBack: 5000}},
		{"inquiry closed", "charge.dispute.closed", dispute("warning_closed", true), "pay_1", "pi_1", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload, header := stripe.SignedEvent(testSecret, tc.typ, tc.object)
			ev, err := stripe.ParseWebhook(payload, header, testSecret)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ev.ID, "evt_") || ev.Type != tc.typ || !ev.Handled {
				t.Fatalf("got %+v", ev)
			}
			if ev.PaymentID != tc.payment || ev.ProviderID != tc.prov {
				t.Fatalf("PaymentID, ProviderID = %q, %q; want %q, %q", ev.PaymentID, ev.ProviderID, tc.payment, tc.prov)
			}
			switch {
			case tc.want == nil && ev.State != nil:
				t.Fatalf("State = %+v, want nil", *ev.State)
			case tc.want != nil && (ev.State == nil || *ev.State != *tc.want):
				t.Fatalf("State = %+v, want %+v", ev.State, *tc.want)
			}
		})
	}
}

func TestParseWebhookClientReferenceOnly(t *testing.T) {
	s := session("complete", "paid")
	delete(s, "metadata")
	payload, header := stripe.SignedEvent(testSecret, "checkout.session.completed", s)
	ev, err := stripe.ParseWebhook(payload, header, testSecret)
	if err != nil || ev.PaymentID != "pay_1" {
		t.Fatalf("got %+v, %v", ev, err)
	}
}

func TestParseWebhookUnhandled(t *testing.T) {
	payload, header := stripe.SignedEvent(testSecret, "customer.created", map[string]any{"id": "cus_1", "object": "customer"})
	ev, err := stripe.ParseWebhook(payload, header, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Handled || ev.State != nil || ev.Type != "customer.created" || ev.ID == "" {
		t.Fatalf("got %+v", ev)
	}
}

// TestParseWebhookObjectShapes: the envelope and its object are decoded in
// one pass into one type for all handled objects; what does not fit that
// type is looked at again, and the answer is the one the object's own
// type gives: an unhandled event stays unhandled whatever its object
// holds, an expanded payment_intent reads as its id, and a data.object
// that is missing or not an object is refused.
func TestParseWebhookObjectShapes(t *testing.T) {
	for name, obj := range map[string]map[string]any{
		"fields of our names with other types": {"id": "sub_1", "object": "subscription", "amount": "12.50", "status": map[string]any{"x": 1},
			"refunded": "no", "payment_intent": 7, "metadata": map[string]any{"n": 1}},
		"no object at all": nil,
	} {
		payload, header := stripe.SignedEvent(testSecret, "customer.subscription.updated", obj)
		ev, err := stripe.ParseWebhook(payload, header, testSecret)
		if err != nil || ev.Handled || ev.State != nil || ev.ID == "" {
			t.Errorf("unhandled, %s: got %+v, %v; want unhandled", name, ev, err)
		}
	}

	expanded := charge(5000, 5000)
	expanded["payment_intent"] = map[string]any{"id": "pi_9", "object": "payment_intent", "amount": 5000}
	sessionWithIntent := session("complete", "paid")
	sessionWithIntent["payment_intent"] = map[string]any{"id": "pi_9", "object": "payment_intent"}
	for name, c := range map[string]struct {
		typ       string
		obj       map[string]any
		provider  string
		refunded  int64
		wantState pay.Status
	}{
		"charge with an expanded intent":  {"charge.refunded", expanded, "pi_9", 5000, pay.StatusRefunded},
		"session with an expanded intent": {"checkout.session.completed", sessionWithIntent, "cs_test_1", 0, pay.StatusPaid},
	} {
		payload, header := stripe.SignedEvent(testSecret, c.typ, c.obj)
		ev, err := stripe.ParseWebhook(payload, header, testSecret)
		if err != nil || ev.ProviderID != c.provider || ev.State == nil || ev.State.Status != c.wantState || ev.State.Refunded != c.refunded {
			t.Errorf("%s: got %+v (state %+v), %v", name, ev, ev.State, err)
		}
	}

	for name, body := range map[string]string{
		"object missing":       `{"id":"evt_1","type":"customer.created","data":{}}`,
		"object a string":      `{"id":"evt_1","type":"customer.created","data":{"object":"cus_1"}}`,
		"object an array":      `{"id":"evt_1","type":"charge.refunded","data":{"object":[1]}}`,
		"handled object null":  `{"id":"evt_1","type":"charge.refunded","data":{"object":null}}`,
		"amount of a string":   `{"id":"evt_1","type":"charge.refunded","data":{"object":{"id":"ch_1","object":"charge","amount":"5000","amount_refunded":0,"metadata":{"settle_payment_id":"pay_1"}}}}`,
		"trailing garbage":     `{"id":"evt_1","type":"customer.created","data":{"object":{}}}x`,
		"no data":              `{"id":"evt_1","type":"customer.created"}`,
		"metadata not strings": `{"id":"evt_1","type":"charge.refunded","data":{"object":{"id":"ch_1","object":"charge","amount":1,"amount_refunded":0,"metadata":{"settle_payment_id":1}}}}`,
	} {
		_, err := stripe.ParseWebhook([]byte(body), stripe.Sign(testSecret, []byte(body), time.Now()), testSecret)
		if !errors.Is(err, stripe.ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
	// null is an object's absence for an unhandled type, as in stripe-go.
	body := []byte(`{"id":"evt_1","type":"customer.created","data":{"object":null}}`)
	if ev, err := stripe.ParseWebhook(body, stripe.Sign(testSecret, body, time.Now()), testSecret); err != nil || ev.Handled {
		t.Errorf("unhandled with a null object: got %+v, %v", ev, err)
	}
}

func TestParseWebhookUnknownPayment(t *testing.T) {
	noID := session("complete", "paid")
	delete(noID, "metadata")
	delete(noID, "client_reference_id")
	foreignCharge := charge(5000, 5000)
	foreignCharge["metadata"] = map[string]any{"order": "42"}
	foreignDispute := dispute("lost", false)
	delete(foreignDispute, "payment_intent")
	for typ, obj := range map[string]map[string]any{
		"checkout.session.completed": noID,
		"checkout.session.expired":   noID,
		"charge.refunded":            foreignCharge,
		"charge.dispute.closed":      foreignDispute,
	} {
		payload, header := stripe.SignedEvent(testSecret, typ, obj)
		if _, err := stripe.ParseWebhook(payload, header, testSecret); !errors.Is(err, stripe.ErrUnknownPayment) {
			t.Errorf("%s: err = %v, want ErrUnknownPayment", typ, err)
		}
	}
}

func TestParseWebhookMalformed(t *testing.T) {
	noAmount := session("complete", "paid")
	delete(noAmount, "amount_total")
	noPaymentStatus := session("complete", "paid")
	delete(noPaymentStatus, "payment_status")
	noRefunded := charge(5000, 0)
	delete(noRefunded, "amount_refunded")
	noStatus := dispute("lost", true)
	delete(noStatus, "status")
	wrongObject := charge(5000, 0)
	for name, c := range map[string]struct {
		typ string
		obj map[string]any
	}{
		"session without amount_total":    {"checkout.session.completed", noAmount},
		"session without payment_status":  {"checkout.session.completed", noPaymentStatus},
		"charge without amount_refunded":  {"charge.refunded", noRefunded},
		"dispute without status":          {"charge.dispute.created", noStatus},
		"session event carrying a charge": {"checkout.session.completed", wrongObject},
	} {
		payload, header := stripe.SignedEvent(testSecret, c.typ, c.obj)
		if _, err := stripe.ParseWebhook(payload, header, testSecret); !errors.Is(err, stripe.ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
	// Correctly signed, but not JSON.
	body := []byte("not json")
	if _, err := stripe.ParseWebhook(body, stripe.Sign(testSecret, body, time.Now()), testSecret); !errors.Is(err, stripe.ErrMalformed) {
		t.Errorf("not json: err = %v, want ErrMalformed", err)
	}
}

func TestParseWebhookSignature(t *testing.T) {
	payload, header := stripe.SignedEvent(testSecret, "checkout.session.completed", session("complete", "paid"))
	if _, err := stripe.ParseWebhook(payload, header, testSecret); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}

	tampered := []byte(strings.Replace(string(payload), `"amount_total":5000`, `"amount_total":1`, 1))
	if string(tampered) == string(payload) {
		t.Fatal("tampering changed nothing")
	}
	stale := time.Now().Add(-6 * time.Minute)
	cases := map[string]struct {
		payload []byte
		header  string
		secret  string
	}{
		"tampered body":     {tampered, header, testSecret},
		"wrong secret":      {payload, header, "whsec_other"},
		"stale timestamp":   {payload, stripe.Sign(testSecret, payload, stale), testSecret},
		"no header":         {payload, "", testSecret},
		"garbled header":    {payload, "nonsense", testSecret},
		"v0 scheme only":    {payload, strings.Replace(header, "v1=", "v0=", 1), testSecret},
		"no secret":         {payload, stripe.Sign("", payload, time.Now()), ""},
		"whitespace secret": {payload, header, " " + testSecret},
	}
	for name, c := range cases {
		if _, err := stripe.ParseWebhook(c.payload, c.header, c.secret); !errors.Is(err, stripe.ErrForged) {
			t.Errorf("%s: err = %v, want ErrForged", name, err)
		}
	}

	// Inside the tolerance is fine.
	recent := time.Now().Add(-4 * time.Minute)
	if _, err := stripe.ParseWebhook(payload, stripe.Sign(testSecret, payload, recent), testSecret); err != nil {
		t.Errorf("4-minute-old signature refused: %v", err)
	}
	// Stripe sends several v1 signatures while a secret is being rolled.
	rolled := stripe.Sign("whsec_old", payload, time.Now()) + "," + strings.SplitN(header, ",", 2)[1]
	if _, err := stripe.ParseWebhook(payload, rolled, testSecret); err != nil {
		t.Errorf("rolled secret refused: %v", err)
	}
}

// TestParseWebhookOtherAPIVersion pins the policy: an event rendered in
// another API version than stripe-go's is accepted and mapped, as long as
// the fields we read are there.
func TestParseWebhookOtherAPIVersion(t *testing.T) {
	for _, version := range []string{"2020-08-27", "2025-03-31.basil", "2099-01-01.future"} {
		if version == stripego.APIVersion {
			t.Fatalf("test version %s is the pinned one", version)
		}
		payload := withAPIVersion(t, "checkout.session.completed", session("complete", "paid"), version)
		ev, err := stripe.ParseWebhook(payload, stripe.Sign(testSecret, payload, time.Now()), testSecret)
		if err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		if ev.State == nil || ev.State.Status != pay.StatusPaid || ev.PaymentID != "pay_1" {
			t.Fatalf("%s: got %+v", version, ev)
		}
	}

	// A newer version with an unknown field and a changed, unused one
	// (customer_details as a string) still maps.
	s := session("complete", "paid")
	s["brand_new_field"] = map[string]any{"x": 1}
	s["customer_details"] = "changed shape"
	payload := withAPIVersion(t, "checkout.session.completed", s, "2099-01-01.future")
	if _, err := stripe.ParseWebhook(payload, stripe.Sign(testSecret, payload, time.Now()), testSecret); err != nil {
		t.Fatalf("unknown fields refused: %v", err)
	}

	// But one that drops a field we read is refused, not misread.
	s = session("complete", "paid")
	delete(s, "payment_status")
	payload = withAPIVersion(t, "checkout.session.completed", s, "2099-01-01.future")
	if _, err := stripe.ParseWebhook(payload, stripe.Sign(testSecret, payload, time.Now()), testSecret); !errors.Is(err, stripe.ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}

// withAPIVersion re-renders a SignedEvent payload with another api_version.
func withAPIVersion(t *testing.T, typ string, object map[string]any, version string) []byte {
	t.Helper()
	payload, _ := stripe.SignedEvent(testSecret, typ, object)
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	ev["api_version"] = version
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSignedEvent(t *testing.T) {
	payload, header := stripe.SignedEvent(testSecret, "charge.refunded", charge(100, 0))
	var ev struct {
		ID         string `json:"id"`
		APIVersion string `json:"api_version"`
		Created    int64  `json:"created"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.APIVersion != stripego.APIVersion || !strings.HasPrefix(ev.ID, "evt_") || time.Since(time.Unix(ev.Created, 0)) > time.Minute {
		t.Fatalf("payload %s", payload)
	}
	if !strings.HasPrefix(header, "t=") || !strings.Contains(header, ",v1=") {
		t.Fatalf("header %q", header)
	}
	p2, _ := stripe.SignedEvent(testSecret, "charge.refunded", charge(100, 0))
	if string(p2) == string(payload) {
		t.Fatal("two events share an id")
	}
}

// TestParseStored: the booking job maps the stored body again, long after
// the signature's tolerance, to the same state ParseWebhook gave.
func TestParseStored(t *testing.T) {
	payload, header := stripe.SignedEvent(testSecret, "charge.refunded", charge(5000, 2000))
	ev, err := stripe.ParseWebhook(payload, header, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	id, st, err := stripe.ParseStored(payload)
	if err != nil || id != ev.PaymentID || st == nil || *st != *ev.State {
		t.Fatalf("got %q, %+v, %v; want %q, %+v", id, st, err, ev.PaymentID, *ev.State)
	}
	payload, _ = stripe.SignedEvent(testSecret, "customer.created", map[string]any{"id": "cus_1", "object": "customer"})
	if id, st, err := stripe.ParseStored(payload); id != "" || st != nil || err != nil {
		t.Fatalf("unhandled: got %q, %+v, %v", id, st, err)
	}
	if _, _, err := stripe.ParseStored([]byte("{")); !errors.Is(err, stripe.ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}
