package molliefake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testKey = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"

func start(t *testing.T) (*Fake, *httptest.Server) {
	t.Helper()
	f := New("")
	srv := httptest.NewServer(f.Handler())
	t.Cleanup(srv.Close)
	f.SetBaseURL(srv.URL)
	f.SetRetryDelays(time.Millisecond, time.Millisecond)
	return f, srv
}

// call sends a raw request and decodes the JSON answer.
func call(t *testing.T, method, u, key, idem, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/hal+json" {
		t.Fatalf("content type %q", ct)
	}
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, m
}

const validBody = `{"amount":{"currency":"EUR","value":"12.34"},"description":"Invoice 7","redirectUrl":"https://shop.example/r","method":"ideal"}`

func TestValidation(t *testing.T) {
	_, srv := start(t)
	u := srv.URL + "/v2/payments"
	cases := []struct{ body, field string }{
		{`{"description":"x","redirectUrl":"https://a.b/"}`, "amount"},
		{`{"amount":{"currency":"USD","value":"1.00"},"description":"x","redirectUrl":"https://a.b/"}`, "amount.currency"},
		{`{"amount":{"currency":"EUR","value":"1.0"},"description":"x","redirectUrl":"https://a.b/"}`, "amount.value"},
		{`{"amount":{"currency":"EUR","value":"1.000"},"description":"x","redirectUrl":"https://a.b/"}`, "amount.value"},
		{`{"amount":{"currency":"EUR","value":"0.00"},"description":"x","redirectUrl":"https://a.b/"}`, "amount.value"},
		{`{"amount":{"currency":"EUR","value":"1.00"},"redirectUrl":"https://a.b/"}`, "description"},
		{`{"amount":{"currency":"EUR","value":"1.00"},"description":"x"}`, "redirectUrl"},
		{`{"amount":{"currency":"EUR","value":"1.00"},"description":"x","redirectUrl":"/relative"}`, "redirectUrl"},
		{`{"amount":{"currency":"EUR","value":"1.00"},"description":"x","redirectUrl":"https://a.b/","method":"cash"}`, "method"},
	}
	for _, c := range cases {
		status, m := call(t, "POST", u, testKey, "", c.body)
		if status != 422 || m["field"] != c.field || m["title"] != "Unprocessable Entity" || m["status"] != 422.0 {
			t.Errorf("%s: %d %v", c.body, status, m)
		}
		if _, ok := m["_links"].(map[string]any)["documentation"]; !ok {
			t.Errorf("no documentation link: %v", m)
		}
	}
	for _, key := range []string{"", "wrong_key", "test_", "Basic abc"} {
		status, m := call(t, "POST", u, key, "", validBody)
		if status != 401 || m["status"] != 401.0 || m["detail"] == "" {
			t.Errorf("key %q: %d %v", key, status, m)
		}
	}
}

func TestIdempotencyAndModes(t *testing.T) {
	f, srv := start(t)
	u := srv.URL + "/v2/payments"
	s1, p1 := call(t, "POST", u, testKey, "k1", validBody)
	s2, p2 := call(t, "POST", u, testKey, "k1", validBody)
	if s1 != 201 || s2 != 201 || p1["id"] != p2["id"] {
		t.Fatalf("%d %d %v %v", s1, s2, p1["id"], p2["id"])
	}
	s3, e := call(t, "POST", u, testKey, "k1", strings.Replace(validBody, "12.34", "12.35", 1))
	if s3 != 422 || e["title"] != "Unprocessable Entity" {
		t.Fatalf("reused key, other body: %d %v", s3, e)
	}
	if n := len(f.Payments()); n != 1 {
		t.Fatalf("%d payments", n)
	}
	// A live key does not see test payments.
	status, _ := call(t, "GET", u+"/"+p1["id"].(string), "live_abc", "", "")
	if status != 404 {
		t.Fatalf("live key saw a test payment: %d", status)
	}
	status, m := call(t, "GET", srv.URL+"/v2/settlements", testKey, "", "")
	if status != 403 || m["status"] != 403.0 {
		t.Fatalf("settlements with API key: %d %v", status, m)
	}
}

func TestCheckoutPageAndWebhookRetry(t *testing.T) {
	f, srv := start(t)
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.PostForm.Get("id") == "" {
			t.Errorf("bad webhook: %v %v", r.Header, r.PostForm)
		}
		// Fail twice, like a busy server, then accept.
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer hook.Close()
	body := strings.Replace(validBody, `"method":"ideal"`, `"webhookUrl":"`+hook.URL+`"`, 1)
	_, p := call(t, "POST", srv.URL+"/v2/payments", testKey, "", body)
	id := p["id"].(string)
	checkout := p["_links"].(map[string]any)["checkout"].(map[string]any)["href"].(string)
	if checkout != srv.URL+"/checkout/"+id {
		t.Fatalf("checkout %s", checkout)
	}

	resp, err := http.Get(checkout)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`action="` + id + `"`, `value="paid"`, `value="failed"`, `value="canceled"`, `value="expired"`, "EUR 12.34"} {
		if !strings.Contains(string(page), want) {
			t.Fatalf("page lacks %s:\n%s", want, page)
		}
	}
	if strings.Contains(string(page), "<script") {
		t.Fatal("checkout page must work without JavaScript")
	}

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.PostForm(checkout, url.Values{"status": {"paid"}, "method": {"creditcard"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://shop.example/r" {
		t.Fatalf("redirect %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	f.WaitWebhooks()
	d := f.Deliveries()
	if len(d) != 1 || !d[0].Delivered || d[0].Attempts != 3 || d[0].PaymentID != id {
		t.Fatalf("deliveries %+v", d)
	}
	got, _ := f.Payment(id)
	if got.Status != "paid" || got.Method != "creditcard" || got.PaidAt == nil {
		t.Fatalf("payment %+v", got)
	}
	_, m := call(t, "GET", srv.URL+"/v2/payments/"+id, testKey, "", "")
	if _, ok := m["_links"].(map[string]any)["checkout"]; ok {
		t.Fatal("paid payment still has a checkout link")
	}
}

func TestWebhookDisabled(t *testing.T) {
	f, srv := start(t)
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
	defer hook.Close()
	body := strings.Replace(validBody, `"method":"ideal"`, `"webhookUrl":"`+hook.URL+`"`, 1)
	_, p := call(t, "POST", srv.URL+"/v2/payments", testKey, "", body)
	f.WebhookDisabled.Store(true)
	if err := f.SetStatus(p["id"].(string), "paid"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 0 {
		t.Fatal("webhook sent while disabled")
	}
	if d := f.Deliveries(); len(d) != 1 || !d[0].Disabled || d[0].Delivered {
		t.Fatalf("%+v", d)
	}
	if got, _ := f.Payment(p["id"].(string)); got.Status != "paid" {
		t.Fatal("status must change even without webhook")
	}
}

func TestListPagination(t *testing.T) {
	f, srv := start(t)
	var ids []string
	for range 5 {
		_, p := call(t, "POST", srv.URL+"/v2/payments", testKey, "", validBody)
		ids = append(ids, p["id"].(string))
		_ = f.SetStatus(p["id"].(string), "paid")
	}
	stl, err := f.AddSettlement(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	next := srv.URL + "/v2/settlements/" + stl + "/payments?limit=2"
	var seen []string
	for next != "" {
		status, m := call(t, "GET", next, "access_token1", "", "")
		if status != 200 {
			t.Fatalf("%d %v", status, m)
		}
		for _, p := range m["_embedded"].(map[string]any)["payments"].([]any) {
			seen = append(seen, p.(map[string]any)["id"].(string))
		}
		links := m["_links"].(map[string]any)
		if _, ok := links["previous"]; !ok {
			t.Fatal("previous must be present (null) per list-links")
		}
		next = ""
		if n, ok := links["next"].(map[string]any); ok {
			next = n["href"].(string)
		}
	}
	if len(seen) != 5 || seen[0] != ids[4] || seen[4] != ids[0] {
		t.Fatalf("want newest first, all 5: %v (created %v)", seen, ids)
	}
	status, m := call(t, "GET", srv.URL+"/v2/settlements?limit=500", "access_token1", "", "")
	if status != 400 || m["field"] != "limit" {
		t.Fatalf("%d %v", status, m)
	}
	if _, err := f.AddSettlement(time.Time{}); err != ErrNothingToSettle {
		t.Fatalf("second settlement: %v", err)
	}
}
