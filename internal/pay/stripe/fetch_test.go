package stripe_test

import (
	"context"
	"strings"
	"testing"

	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/pay/stripemock"
)

// TestCheckoutParams checks what Checkout sends: stripe-mock validates the
// request, and the proxy in front of it records it.
func TestCheckoutParams(t *testing.T) {
	url, st := stripemock.StartWithState(t)
	co, err := stripe.New(url, testKey).Checkout(context.Background(), pay.CheckoutRequest{
		PaymentID: "pay_9", Amount: 2550, Description: "Factuur 7", Method: pay.IDEAL,
		ReturnURL: "https://settle.example/terug", IdempotencyKey: "pay_9-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(co.ProviderID, "cs_") || !strings.HasPrefix(co.RedirectURL, "https://") || co.Status != pay.StatusOpen {
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
	reqs := st.Requests()
	if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/v1/checkout/sessions" {
		t.Fatalf("requests %+v, want one POST /v1/checkout/sessions", reqs)
	}
	r := reqs[0]
	for k, v := range want {
		if got := r.Form.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := r.Header.Get("Idempotency-Key"); got != "pay_9-1" {
		t.Errorf("Idempotency-Key = %q", got)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
}

// TestFetchMapping sets what Stripe reports about session cs_test_1, its
// PaymentIntent pi_1, charge ch_1 and their disputes, and checks the state
// Fetch maps it to and the calls it makes.
func TestFetchMapping(t *testing.T) {
	type stripeSays struct {
		session  stripemock.Object
		intent   stripemock.Object // pi_1, when the session names it
		charge   stripemock.Object // ch_1, when the intent names it
		disputes []stripemock.Object
	}
	sess := func(status, paymentStatus string, withIntent bool) stripemock.Object {
		s := stripemock.Object{"status": status, "payment_status": paymentStatus, "amount_total": 5000, "currency": "eur", "payment_intent": nil}
		if withIntent {
			s["payment_intent"] = "pi_1"
		}
		return s
	}
	intent := func(status string, withCharge bool) stripemock.Object {
		pi := stripemock.Object{"status": status, "latest_charge": nil}
		if withCharge {
			pi["latest_charge"] = "ch_1"
		}
		return pi
	}
	chg := func(refunded int64, disputed bool) stripemock.Object {
		return stripemock.Object{"amount": 5000, "amount_refunded": refunded, "refunded": refunded == 5000, "disputed": disputed, "payment_intent": "pi_1"}
	}
	disp := func(status string, amount int64) stripemock.Object {
		return stripemock.Object{"id": "dp_" + status, "amount": amount, "status": status, "payment_intent": "pi_1", "charge": "ch_1"}
	}
	paid := func(ch stripemock.Object, disputes ...stripemock.Object) stripeSays {
		return stripeSays{sess("complete", "paid", true), intent("succeeded", true), ch, disputes}
	}
	tests := []struct {
		name string
		says stripeSays
		want pay.State
	}{
		{"open", stripeSays{session: sess("open", "unpaid", false)}, pay.State{Status: pay.StatusOpen}},
		{"expired", stripeSays{session: sess("expired", "unpaid", false)}, pay.State{Status: pay.StatusExpired}},
		{"paid", paid(chg(0, false)), pay.State{Status: pay.StatusPaid}},
		{"async processing", stripeSays{session: sess("complete", "unpaid", true), intent: intent("processing", false)}, pay.State{Status: pay.StatusPending}},
		{"async failed", stripeSays{session: sess("complete", "unpaid", true), intent: intent("requires_payment_method", false)}, pay.State{Status: pay.StatusFailed}},
		{"partly refunded", paid(chg(1000, false)), pay.State{Status: pay.StatusPaid, Refunded: 1000}},
		{"fully refunded", paid(chg(5000, false)), pay.State{Status: pay.StatusRefunded, Refunded: 5000}},
		{"disputed", paid(chg(0, true), disp("needs_response", 5000), disp("warning_closed", 5000)), pay.State{Status: pay.StatusChargedBack, ChargedBack: 5000}},
		{"dispute won", paid(chg(0, true), disp("won", 5000)), pay.State{Status: pay.StatusPaid}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url, st := stripemock.StartWithState(t)
			st.Set("cs_test_1", tc.says.session)
			if tc.says.intent != nil {
				st.Set("pi_1", tc.says.intent)
			}
			if tc.says.charge != nil {
				st.Set("ch_1", tc.says.charge)
			}
			if tc.says.disputes != nil {
				st.SetList("/v1/disputes", "payment_intent", "pi_1", tc.says.disputes...)
			}
			got, err := stripe.New(url, testKey).Fetch(context.Background(), "cs_test_1")
			if err != nil {
				t.Fatal(err)
			}
			tc.want.ProviderID, tc.want.Amount, tc.want.Currency = "cs_test_1", 5000, "EUR"
			if tc.says.session["payment_intent"] != nil {
				tc.want.IntentID = "pi_1" // charge and dispute events name this one
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			// One read of the session with its intent and charge, and the
			// dispute list only for a disputed charge.
			reqs := st.Requests()
			var calls []string
			for _, r := range reqs {
				calls = append(calls, r.Method+" "+r.Path)
			}
			wantCalls := []string{"GET /v1/checkout/sessions/cs_test_1"}
			if tc.says.disputes != nil {
				wantCalls = append(wantCalls, "GET /v1/disputes")
			}
			if strings.Join(calls, ", ") != strings.Join(wantCalls, ", ") {
				t.Fatalf("calls %v, want %v", calls, wantCalls)
			}
			if q := reqs[0].Query.Get("expand[0]"); q != "payment_intent.latest_charge" {
				t.Errorf("session read expands %q", q)
			}
			if tc.says.disputes != nil && reqs[1].Query.Get("payment_intent") != "pi_1" {
				t.Errorf("dispute list query %v", reqs[1].Query)
			}
		})
	}
}
