package mollie_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/settle/settle/internal/pay/mollie"
	"github.com/settle/settle/internal/pay/molliefake"
)

const (
	testKey = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"
	orgKey  = "access_Wwvu7egPcJLLJ9Kb7J632x8wJ2zMeJ"
)

// webhookSink records the payment ids POSTed to it, like Settle's handler.
type webhookSink struct {
	mu  sync.Mutex
	ids []string
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	s.ids = append(s.ids, r.PostForm.Get("id"))
	s.mu.Unlock()
}

func (s *webhookSink) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

func startFake(t *testing.T) (*molliefake.Fake, *httptest.Server) {
	t.Helper()
	f := molliefake.New("")
	srv := httptest.NewServer(f.Handler())
	t.Cleanup(srv.Close)
	f.SetBaseURL(srv.URL)
	return f, srv
}

func newPayment(hook string) mollie.CreatePayment {
	return mollie.CreatePayment{
		Amount:         mollie.Amount{Currency: "EUR", Value: "10.00"},
		Description:    "Invoice 2024-001",
		RedirectURL:    "https://settle.example/return",
		WebhookURL:     hook,
		Method:         "ideal",
		Metadata:       map[string]string{"settle_payment_id": "pay_1"},
		IdempotencyKey: "key-1",
	}
}

func TestPaymentFlowAgainstFake(t *testing.T) {
	f, srv := startFake(t)
	sink := &webhookSink{}
	hook := httptest.NewServer(sink)
	defer hook.Close()
	c := mollie.New(srv.URL, testKey)
	ctx := context.Background()

	p, err := c.CreatePayment(ctx, newPayment(hook.URL))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.ID, "tr_") || p.Status != mollie.StatusOpen || p.Mode != "test" {
		t.Fatalf("created payment: %+v", p)
	}
	if p.CheckoutURL != srv.URL+"/checkout/"+p.ID {
		t.Fatalf("checkout url %q", p.CheckoutURL)
	}
	if p.MetadataValue("settle_payment_id") != "pay_1" {
		t.Fatalf("metadata %s", p.Metadata)
	}
	if p.Amount != (mollie.Amount{Currency: "EUR", Value: "10.00"}) || p.ExpiresAt == nil {
		t.Fatalf("amount/expiry: %+v", p)
	}

	// A retry with the same key returns the same payment, not a second one.
	again, err := c.CreatePayment(ctx, newPayment(hook.URL))
	if err != nil || again.ID != p.ID {
		t.Fatalf("idempotent retry: %v %v", again, err)
	}
	if n := len(f.Payments()); n != 1 {
		t.Fatalf("%d payments after retry", n)
	}

	if err := f.SetStatus(p.ID, "paid"); err != nil {
		t.Fatal(err)
	}
	if got := sink.got(); len(got) != 1 || got[0] != p.ID {
		t.Fatalf("webhooks %v", got)
	}
	got, err := c.GetPayment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != mollie.StatusPaid || got.PaidAt == nil || got.CheckoutURL != "" {
		t.Fatalf("after paid: %+v", got)
	}
	if got.AmountRemaining == nil || got.AmountRemaining.Value != "10.00" {
		t.Fatalf("amountRemaining %+v", got.AmountRemaining)
	}

	rid, err := f.Refund(p.ID, 250)
	if err != nil {
		t.Fatal(err)
	}
	cid, err := f.Chargeback(p.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	refunds, err := c.ListRefunds(ctx, p.ID)
	if err != nil || len(refunds) != 1 || refunds[0].ID != rid || refunds[0].Amount.Value != "2.50" || refunds[0].PaymentID != p.ID {
		t.Fatalf("refunds %+v %v", refunds, err)
	}
	cbs, err := c.ListChargebacks(ctx, p.ID)
	if err != nil || len(cbs) != 1 || cbs[0].ID != cid || cbs[0].Amount.Value != "10.00" || cbs[0].Reason == nil {
		t.Fatalf("chargebacks %+v %v", cbs, err)
	}
	got, _ = c.GetPayment(ctx, p.ID)
	if got.AmountRefunded.Value != "2.50" || got.AmountChargedBack == nil || got.AmountChargedBack.Value != "10.00" {
		t.Fatalf("after refund/chargeback: %+v", got)
	}
	if n := len(sink.got()); n != 3 {
		t.Fatalf("want 3 webhooks (paid, refund, chargeback), got %d", n)
	}
}

func TestSettlementsPaginate(t *testing.T) {
	f, srv := startFake(t)
	ctx := context.Background()
	c := mollie.New(srv.URL, testKey)
	var ids []string
	// More than the client's page size, so pagination is really followed.
	for i := range 260 {
		req := newPayment("")
		req.IdempotencyKey = fmt.Sprint("k", i)
		p, err := c.CreatePayment(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetStatus(p.ID, "paid"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if _, err := f.Refund(ids[0], 500); err != nil {
		t.Fatal(err)
	}
	stl, err := f.AddSettlement(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}

	// Settlements refuse API keys: they need an organization token.
	if _, err := c.ListSettlements(ctx); err == nil {
		t.Fatal("settlements with an API key should fail")
	}
	org := mollie.New(srv.URL, orgKey)
	list, err := org.ListSettlements(ctx)
	if err != nil || len(list) != 1 || list[0].ID != stl {
		t.Fatalf("settlements %+v %v", list, err)
	}
	s := list[0]
	if s.Reference != "1234567.2611.01" || s.Status != "paidout" || s.SettledAt == nil {
		t.Fatalf("settlement %+v", s)
	}
	// 260 × € 10,00 − € 5,00 refund − fees: iDEAL 260 × 0.29 + refund 0.25
	// = 75.65 net, +21 % VAT = 91.5365 gross → 2595.0000 − 91.5365 = 2503.4635.
	if s.Amount.Value != "2503.46" {
		t.Fatalf("settlement amount %s", s.Amount.Value)
	}
	nov := s.Periods["2026"]
	if nov == nil {
		t.Fatalf("periods %+v", s.Periods)
	}
	var month mollie.Period
	for _, m := range nov {
		month = m
	}
	if len(month.Revenue) != 2 || len(month.Costs) != 2 {
		t.Fatalf("period %+v", month)
	}
	for _, r := range month.Revenue {
		if r.Method == "ideal" && (r.Count != 260 || r.AmountGross.Value != "2600.0000") {
			t.Fatalf("ideal revenue %+v", r)
		}
	}

	pays, err := org.SettlementPayments(ctx, stl)
	if err != nil || len(pays) != 260 {
		t.Fatalf("settlement payments: %d %v", len(pays), err)
	}
	seen := map[string]bool{}
	for _, p := range pays {
		if seen[p.ID] || p.SettlementID != stl || p.SettlementAmount == nil {
			t.Fatalf("bad or duplicate payment %+v", p)
		}
		seen[p.ID] = true
	}
	refs, err := org.SettlementRefunds(ctx, stl)
	if err != nil || len(refs) != 1 || refs[0].SettlementID != stl {
		t.Fatalf("settlement refunds %+v %v", refs, err)
	}
	cbs, err := org.SettlementChargebacks(ctx, stl)
	if err != nil || len(cbs) != 0 {
		t.Fatalf("settlement chargebacks %+v %v", cbs, err)
	}
}

// canned answers a fixed status and body for every request.
func canned(t *testing.T, status int, contentType, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, contentType, body string
		status                  int
		title, detail, field    string
		temporary               bool
	}{
		{"422 with field", "application/hal+json",
			`{"status":422,"title":"Unprocessable Entity","detail":"The 'description' field is missing","field":"description","_links":{"documentation":{"href":"https://docs.mollie.com/overview/handling-errors","type":"text/html"}}}`,
			422, "Unprocessable Entity", "The 'description' field is missing", "description", false},
		{"401", "application/hal+json",
			`{"status":401,"title":"Unauthorized Request","detail":"Missing authentication, or failed to authenticate","_links":{"documentation":{"href":"https://docs.mollie.com/overview/authentication","type":"text/html"}}}`,
			401, "Unauthorized Request", "Missing authentication, or failed to authenticate", "", false},
		{"500 html", "text/html", `<html><body><h1>500 Internal Server Error</h1></body></html>`,
			500, "Internal Server Error", "", "", true},
		{"429", "application/hal+json", `{"status":429,"title":"Too Many Requests","detail":"slow down","_links":{}}`,
			429, "Too Many Requests", "slow down", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := canned(t, tt.status, tt.contentType, tt.body)
			c := mollie.New(srv.URL, testKey)
			_, err := c.GetPayment(ctx, "tr_x")
			var me *mollie.Error
			if !errors.As(err, &me) {
				t.Fatalf("want *mollie.Error, got %T %v", err, err)
			}
			if me.Status != tt.status || me.Title != tt.title || me.Detail != tt.detail || me.Field != tt.field {
				t.Fatalf("got %+v", me)
			}
			if mollie.IsTemporary(err) != tt.temporary {
				t.Fatalf("IsTemporary = %v", !tt.temporary)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatal("error message leaks the API key")
			}
		})
	}
}

func TestFakeValidationReachesClient(t *testing.T) {
	_, srv := startFake(t)
	ctx := context.Background()
	c := mollie.New(srv.URL, testKey)
	req := newPayment("")
	req.Amount.Value = "10.5"
	_, err := c.CreatePayment(ctx, req)
	var me *mollie.Error
	if !errors.As(err, &me) || me.Status != 422 || me.Field != "amount.value" {
		t.Fatalf("got %v", err)
	}
	_, err = mollie.New(srv.URL, "nonsense").GetPayment(ctx, "tr_x")
	if !errors.As(err, &me) || me.Status != 401 || mollie.IsTemporary(err) {
		t.Fatalf("got %v", err)
	}
	_, err = c.GetPayment(ctx, "tr_doesnotexist")
	if !mollie.IsNotFound(err) {
		t.Fatalf("got %v", err)
	}
	if _, err := c.GetPayment(ctx, ""); err == nil {
		t.Fatal("empty id accepted")
	}
}

func TestTimeoutIsTemporaryNotAPIError(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := mollie.New(srv.URL, testKey)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.GetPayment(ctx, "tr_slow")
	if err == nil {
		t.Fatal("want timeout")
	}
	var me *mollie.Error
	if errors.As(err, &me) {
		t.Fatalf("timeout must not be an API error: %v", err)
	}
	if !mollie.IsTemporary(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want temporary deadline error, got %v", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Fatal("error message leaks the API key")
	}
}

func TestConnectionRefusedIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	_, err := mollie.New(u, testKey).GetPayment(context.Background(), "tr_x")
	if err == nil || !mollie.IsTemporary(err) {
		t.Fatalf("got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = mollie.New(u, testKey).GetPayment(ctx, "tr_x")
	if err == nil || mollie.IsTemporary(err) {
		t.Fatalf("cancelled by caller should not be temporary: %v", err)
	}
}

func TestRequestHeadersAndBody(t *testing.T) {
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, body = r, string(b)
		w.Header().Set("Content-Type", "application/hal+json")
		w.WriteHeader(201)
		_, _ = io.WriteString(w, `{"resource":"payment","id":"tr_1","status":"open","amount":{"currency":"EUR","value":"10.00"},"metadata":null,"createdAt":"2024-03-20T09:13:37+00:00","_links":{"checkout":{"href":"https://www.mollie.com/checkout/x","type":"text/html"}}}`)
	}))
	defer srv.Close()
	req := newPayment("https://settle.example/hook")
	req.IdempotencyKey = ""
	p, err := mollie.New(srv.URL, testKey).CreatePayment(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.URL.Path != "/v2/payments" {
		t.Fatalf("%s %s", got.Method, got.URL.Path)
	}
	if got.Header.Get("Authorization") != "Bearer "+testKey || got.Header.Get("Accept") != "application/hal+json" ||
		got.Header.Get("Content-Type") != "application/json" || got.Header.Get("Idempotency-Key") == "" {
		t.Fatalf("headers %v", got.Header)
	}
	for _, want := range []string{`"amount":{"currency":"EUR","value":"10.00"}`, `"redirectUrl":"https://settle.example/return"`, `"webhookUrl":"https://settle.example/hook"`, `"method":"ideal"`, `"metadata":{"settle_payment_id":"pay_1"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("body %s lacks %s", body, want)
		}
	}
	if p.CheckoutURL != "https://www.mollie.com/checkout/x" || p.CreatedAt.IsZero() {
		t.Fatalf("%+v", p)
	}
}

func TestNextLinkToOtherHostRefused(t *testing.T) {
	srv := canned(t, 200, "application/hal+json",
		`{"count":0,"_embedded":{"settlements":[]},"_links":{"next":{"href":"https://evil.example/v2/settlements?from=x","type":"application/hal+json"}}}`)
	_, err := mollie.New(srv.URL, orgKey).ListSettlements(context.Background())
	if err == nil || !strings.Contains(err.Error(), "another origin") {
		t.Fatalf("got %v", err)
	}
}

func TestEmptyPeriodsAsArray(t *testing.T) {
	srv := canned(t, 200, "application/hal+json",
		`{"count":1,"_embedded":{"settlements":[{"resource":"settlement","id":"stl_1","status":"open","amount":{"currency":"EUR","value":"0.00"},"balanceId":"bal_1","periods":[],"settledAt":null,"_links":{"self":{"href":"x","type":"y"}}}]},"_links":{"next":null}}`)
	list, err := mollie.New(srv.URL, orgKey).ListSettlements(context.Background())
	if err != nil || len(list) != 1 || list[0].Periods != nil || list[0].SettledAt != nil {
		t.Fatalf("%+v %v", list, err)
	}
}
