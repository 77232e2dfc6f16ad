package stripe_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
)

// fakeStripe answers with chosen objects, for what stripe-mock cannot show:
// its fixtures never change, and it does not echo what we sent.
type fakeStripe struct {
	mu       sync.Mutex
	session  map[string]any
	disputes []map[string]any
	form     url.Values
	header   http.Header
	query    url.Values
}

func (f *fakeStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_ = r.ParseForm()
	f.header, f.query = r.Header.Clone(), r.URL.Query()
	var body any
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/checkout/sessions":
		f.form = r.PostForm
		body = map[string]any{"id": "cs_test_new", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_test_new", "status": "open"}
	case r.Method == http.MethodGet && r.URL.Path == "/v1/checkout/sessions/cs_test_1":
		body = f.session
	case r.Method == http.MethodGet && r.URL.Path == "/v1/disputes":
		body = map[string]any{"object": "list", "data": f.disputes, "has_more": false, "url": "/v1/disputes"}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func TestCheckoutParams(t *testing.T) {
	f := &fakeStripe{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	co, err := stripe.New(srv.URL, testKey).Checkout(context.Background(), pay.CheckoutRequest{
		PaymentID: "pay_9", Amount: 2550, Description: "Factuur 7", Method: pay.IDEAL,
		ReturnURL: "https://settle.example/terug", IdempotencyKey: "pay_9-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if co != (pay.Checkout{ProviderID: "cs_test_new", RedirectURL: "https://checkout.stripe.com/c/pay/cs_test_new", Status: pay.StatusOpen}) {
		t.Fatalf("got %+v", co)
	}
	want := map[string]string{
		"mode":                                             "payment",
		"payment_method_types[0]":                          "ideal",
		"line_items[0][quantity]":                          "1",
		"line_items[0][price_data][currency]":              "eur",
		"line_items[0][price_data][unit_amount]":           "2550",
		"line_items[0][price_data][product_data][name]":    "Factuur 7",
		"success_url":                                      "https://settle.example/terug",
		"cancel_url":                                       "https://settle.example/terug",
		"client_reference_id":                              "pay_9",
		"metadata[settle_payment_id]":                      "pay_9",
		"payment_intent_data[metadata][settle_payment_id]": "pay_9",
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range want {
		if got := f.form.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := f.header.Get("Idempotency-Key"); got != "pay_9-1" {
		t.Errorf("Idempotency-Key = %q", got)
	}
	if got := f.header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
}

func TestFetchMapping(t *testing.T) {
	sess := func(status, paymentStatus string, pi any) map[string]any {
		return map[string]any{
			"id": "cs_test_1", "object": "checkout.session", "status": status,
			"payment_status": paymentStatus, "amount_total": 5000, "currency": "eur", "payment_intent": pi,
		}
	}
	intent := func(status string, ch any) map[string]any {
		return map[string]any{"id": "pi_1", "object": "payment_intent", "status": status, "latest_charge": ch}
	}
	chg := func(refunded int64, disputed bool) map[string]any {
		return map[string]any{"id": "ch_1", "object": "charge", "amount": 5000, "amount_refunded": refunded, "disputed": disputed}
	}
	disp := func(status string, amount int64) map[string]any {
		return map[string]any{"id": "dp_" + status, "object": "dispute", "amount": amount, "status": status}
	}
	tests := []struct {
		name     string
		session  map[string]any
		disputes []map[string]any
		want     pay.State
	}{
		{"open", sess("open", "unpaid", nil), nil, pay.State{Status: pay.StatusOpen}},
		{"expired", sess("expired", "unpaid", nil), nil, pay.State{Status: pay.StatusExpired}},
		{"paid", sess("complete", "paid", intent("succeeded", chg(0, false))), nil, pay.State{Status: pay.StatusPaid}},
		{"paid, intent not expanded", sess("complete", "paid", "pi_1"), nil, pay.State{Status: pay.StatusPaid}},
		{"async processing", sess("complete", "unpaid", intent("processing", nil)), nil, pay.State{Status: pay.StatusPending}},
		{"async failed", sess("complete", "unpaid", intent("requires_payment_method", nil)), nil, pay.State{Status: pay.StatusFailed}},
		{"partly refunded", sess("complete", "paid", intent("succeeded", chg(1000, false))), nil, pay.State{Status: pay.StatusPaid, Refunded: 1000}},
		{"fully refunded", sess("complete", "paid", intent("succeeded", chg(5000, false))), nil, pay.State{Status: pay.StatusRefunded, Refunded: 5000}},
		{"disputed", sess("complete", "paid", intent("succeeded", chg(0, true))),
			[]map[string]any{disp("needs_response", 5000), disp("warning_closed", 5000)}, pay.State{Status: pay.StatusChargedBack, ChargedBack: 5000}},
		{"dispute won", sess("complete", "paid", intent("succeeded", chg(0, true))),
			[]map[string]any{disp("won", 5000)}, pay.State{Status: pay.StatusPaid}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeStripe{session: tc.session, disputes: tc.disputes}
			srv := httptest.NewServer(f)
			defer srv.Close()
			got, err := stripe.New(srv.URL, testKey).Fetch(context.Background(), "cs_test_1")
			if err != nil {
				t.Fatal(err)
			}
			tc.want.ProviderID, tc.want.Amount, tc.want.Currency = "cs_test_1", 5000, "EUR"
			if tc.session["payment_intent"] != nil {
				tc.want.IntentID = "pi_1" // charge and dispute events name this one
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			// The last request: the dispute list, or the session itself.
			if tc.disputes != nil && f.query.Get("payment_intent") != "pi_1" {
				t.Errorf("dispute list query %v", f.query)
			}
			if tc.disputes == nil && f.query.Get("expand[0]") != "payment_intent.latest_charge" {
				t.Errorf("session query %v", f.query)
			}
		})
	}
}
