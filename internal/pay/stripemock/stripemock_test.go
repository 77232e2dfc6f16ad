package stripemock

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestStart checks that stripe-mock comes up and answers Stripe's API.
func TestStart(t *testing.T) {
	if list := get(t, Start(t), "/v1/customers"); list["object"] != "list" {
		t.Errorf("GET /v1/customers: %v, want a list", list)
	}
}

// get calls the API at base and decodes the JSON answer.
func get(t *testing.T, base, pathAndQuery string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+pathAndQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer sk_test_123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", pathAndQuery, resp.Status)
	}
	var out map[string]any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStateOverlay checks that the proxy answers what the test set, in
// stripe-mock's shape, expands ids as asked, and passes the rest through.
func TestStateOverlay(t *testing.T) {
	base, st := StartWithState(t)
	st.Set("cs_test_paid", Object{"status": "complete", "payment_status": "paid", "amount_total": int64(9223372036854775807), "currency": "eur", "payment_intent": "pi_paid"})
	st.Set("pi_paid", Object{"status": "succeeded", "latest_charge": "ch_paid"})
	st.Set("ch_paid", Object{"amount_refunded": 1000, "disputed": true})
	st.SetList("/v1/disputes", "payment_intent", "pi_paid", Object{"id": "dp_lost", "status": "lost", "amount": 500})

	s := get(t, base, "/v1/checkout/sessions/cs_test_paid?expand[0]=payment_intent.latest_charge")
	if s["id"] != "cs_test_paid" || s["object"] != "checkout.session" || s["livemode"] != false || s["status"] != "complete" ||
		s["payment_status"] != "paid" || s["currency"] != "eur" || s["cancel_url"] == nil {
		t.Errorf("session: %v", s)
	}
	// Cents are int64: the proxy must not round them through float64.
	if got := s["amount_total"]; got != json.Number("9223372036854775807") {
		t.Errorf("amount_total %v", got)
	}
	pi, _ := s["payment_intent"].(map[string]any)
	ch, _ := pi["latest_charge"].(map[string]any)
	if pi["id"] != "pi_paid" || pi["object"] != "payment_intent" || pi["status"] != "succeeded" ||
		ch["id"] != "ch_paid" || ch["object"] != "charge" || ch["amount_refunded"] != json.Number("1000") || ch["disputed"] != true {
		t.Errorf("expanded intent %v, charge %v", pi["id"], ch)
	}
	if s := get(t, base, "/v1/checkout/sessions/cs_test_paid"); s["payment_intent"] != "pi_paid" {
		t.Errorf("unexpanded payment_intent = %v, want its id", s["payment_intent"])
	}
	if pi := get(t, base, "/v1/payment_intents/pi_paid"); pi["status"] != "succeeded" || pi["latest_charge"] != "ch_paid" {
		t.Errorf("intent: status %v, latest_charge %v", pi["status"], pi["latest_charge"])
	}
	l := get(t, base, "/v1/disputes?payment_intent=pi_paid")
	data, _ := l["data"].([]any)
	if l["object"] != "list" || len(data) != 1 || data[0].(map[string]any)["id"] != "dp_lost" ||
		data[0].(map[string]any)["status"] != "lost" || data[0].(map[string]any)["object"] != "dispute" {
		t.Errorf("dispute list: %v", l)
	}
	// Not set: stripe-mock's fixture, as stripe-mock answers it.
	if s := get(t, base, "/v1/checkout/sessions/cs_test_other"); s["id"] != "cs_test_other" || s["status"] != "open" {
		t.Errorf("unset session: id %v status %v", s["id"], s["status"])
	}
	if l := get(t, base, "/v1/disputes?payment_intent=pi_other"); len(l["data"].([]any)) != 1 ||
		l["data"].([]any)[0].(map[string]any)["id"] == "dp_lost" {
		t.Errorf("unset dispute list: %v", l["data"])
	}

	// stripe-mock still validates: a session without its required fields
	// is refused, and the proxy recorded what was sent.
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/checkout/sessions", strings.NewReader("mode=payment&bogus=1"))
	req.Header.Set("Authorization", "Bearer sk_test_123")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("invalid POST: %s, want 400 from stripe-mock", resp.Status)
	}
	reqs := st.Requests()
	last := reqs[len(reqs)-1]
	if len(reqs) != 7 || reqs[0].Query.Get("expand[0]") != "payment_intent.latest_charge" ||
		last.Method != http.MethodPost || last.Path != "/v1/checkout/sessions" || last.Form.Get("bogus") != "1" {
		t.Errorf("recorded %d requests, last %+v", len(reqs), last)
	}
}
