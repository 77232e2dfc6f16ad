package portal_test

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/molliefake"
	"github.com/settle/settle/internal/pay/stripemock"
)

// payFixture is a signed-in debtor with two open invoices (100,00 and
// 250,00, due in December, so nothing accrues) and the app's pay pages.
type payFixture struct {
	e    *env
	cr   creditorFixture
	d    collect.Debtor
	invs []collect.Invoice
	c    *client
}

// newPayFixture builds the app against mollieURL and stripeURL.
func newPayFixture(t *testing.T, mollieURL, stripeURL string) *payFixture {
	t.Helper()
	e := newEnvWith(t, start, config.Config{BaseURL: testBaseURL, MollieAPIURL: mollieURL, MollieAPIKey: "test_x",
		StripeAPIURL: stripeURL, StripeKey: "sk_test_x", StripeWebhook: "whsec_test", IdealProvider: "mollie", CardProvider: "stripe"})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("app logs:\n%s", e.Logs.String())
		}
	})
	f := &payFixture{e: e, cr: e.creditor(creditorName, creditorPhone)}
	f.d = e.debtor(f.cr, "K-1", debtorName, "1234 AB", "12a")
	f.invs = []collect.Invoice{
		e.invoice(f.cr, f.d, "F-2026-001", "Stroom oktober", collect.Day(2026, 11, 2), collect.Day(2026, 12, 2), 10000),
		e.invoice(f.cr, f.d, "F-2026-002", "Stroom november", collect.Day(2026, 11, 9), collect.Day(2026, 12, 9), 25000),
	}
	tok, _ := e.link(f.cr, f.d, "email")
	f.c = e.Client()
	f.c.SignInDebtor(tok, f.d)
	return f
}

// unusedURL is a base URL no test may reach (a closed server).
func unusedURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

// mollieFake serves a fresh Mollie fake that sends no webhooks (settle.test
// does not resolve; the return page asks Mollie itself).
func mollieFake(t *testing.T) (*molliefake.Fake, string) {
	fake := molliefake.New("")
	fake.WebhookDisabled.Store(true)
	srv := httptest.NewServer(fake.Handler())
	t.Cleanup(srv.Close)
	fake.SetBaseURL(srv.URL)
	return fake, srv.URL
}

// payments lists the debtor's payment records, oldest first.
func (f *payFixture) payments(debtorID string) []collect.Payment {
	f.e.T.Helper()
	rows, err := f.e.DB.PoolForTests().Query(f.e.Ctx, `SELECT id FROM payments WHERE debtor_id = $1 ORDER BY created_at, id`, debtorID)
	if err != nil {
		f.e.T.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			f.e.T.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		f.e.T.Fatal(err)
	}
	var out []collect.Payment
	for _, id := range ids {
		p, err := f.e.DB.PaymentByID(f.e.Ctx, id)
		if err != nil {
			f.e.T.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func text(r response) string { return html.UnescapeString(r.Body) }

func TestPayChoose(t *testing.T) {
	t.Parallel()
	f := newPayFixture(t, unusedURL(t), unusedURL(t))
	c := f.c

	r := c.Get("/pay")
	apptest.WantStatus(t, "pay page", r, http.StatusOK)
	apptest.WantContains(t, "pay page", text(r), nl.T("pay.all", "€ 350,00"), "Stroom oktober", "Stroom november", `name="amount"`)
	checkNoLeak(t, "pay page", r.Body)

	for _, tc := range []struct {
		what, query string
		amount      string
	}{
		{"everything", "what=all", "€ 350,00"},
		{"one invoice", "what=invoice&invoice=" + f.invs[1].ID, "€ 250,00"},
		{"amount 50", "what=amount&amount=50", "€ 50,00"},
		{"amount 50,00", "what=amount&amount=" + url.QueryEscape("50,00"), "€ 50,00"},
		{"amount € 50,5", "what=amount&amount=" + url.QueryEscape("€ 50,5"), "€ 50,50"},
		{"amount 350,00", "what=amount&amount=" + url.QueryEscape("350,00"), "€ 350,00"},
		{"amount 5", "what=amount&amount=5", "€ 5,00"},
	} {
		r := c.Get("/pay/method?" + tc.query)
		apptest.WantStatus(t, tc.what, r, http.StatusOK)
		body := text(r)
		apptest.WantContains(t, tc.what, body, nl.T("pay.method.intro", tc.amount), nl.T("pay.ideal.button", tc.amount),
			nl.T("pay.card.button", tc.amount), nl.T("pay.ideal.words"), nl.T("pay.card.words"))
		checkNoLeak(t, tc.what, r.Body)
	}
	if r := c.Get("/pay/method?what=invoice&invoice=" + f.invs[0].ID); !strings.Contains(r.Body, `name="invoice" value="`+f.invs[0].ID+`"`) {
		t.Errorf("one invoice: the method forms do not carry the invoice:\n%s", r.Body)
	}

	for _, tc := range []struct {
		what, query, problem string
	}{
		{"below the minimum", "what=amount&amount=" + url.QueryEscape("4,99"), nl.T("pay.error.min", "€ 5,00")},
		{"zero", "what=amount&amount=0", nl.T("pay.error.min", "€ 5,00")},
		{"above the open total", "what=amount&amount=" + url.QueryEscape("350,01"), nl.T("pay.error.max", "€ 350,00")},
		{"far above", "what=amount&amount=1000000", nl.T("pay.error.max", "€ 350,00")},
		{"not an amount", "what=amount&amount=vijftig", nl.T("pay.error.amount")},
		{"negative", "what=amount&amount=-50", nl.T("pay.error.amount")},
		{"empty", "what=amount&amount=", nl.T("pay.error.amount")},
		{"unknown invoice", "what=invoice&invoice=7d1f6a58-0c4e-4a55-9b7a-1f2d3c4b5a69", nl.T("pay.error.invoice")},
		{"malformed invoice", "what=invoice&invoice=x", nl.T("pay.error.invoice")},
	} {
		r := c.Get("/pay/method?" + tc.query)
		apptest.WantStatus(t, tc.what, r, http.StatusUnprocessableEntity)
		apptest.WantContains(t, tc.what, text(r), tc.problem, `role="alert"`)
		checkNoLeak(t, tc.what, r.Body)
	}
	// What the debtor typed stays in the field.
	if r := c.Get("/pay/method?what=amount&amount=" + url.QueryEscape("4,99")); !strings.Contains(r.Body, `value="4,99"`) {
		t.Errorf("the typed amount is not kept in the field:\n%s", r.Body)
	}

	// Posting what the page would refuse is refused too, and nothing is recorded.
	r = c.Post("/pay", url.Values{"what": {"amount"}, "amount": {"€ 4,99"}, "method": {"ideal"}})
	apptest.WantStatus(t, "post below the minimum", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "post below the minimum", text(r), nl.T("pay.error.min", "€ 5,00"))
	r = c.Post("/pay", url.Values{"what": {"all"}, "method": {"cash"}})
	apptest.WantStatus(t, "post an unknown method", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "post an unknown method", text(r), nl.T("pay.error.method"))
	if ps := f.payments(f.d.ID); len(ps) != 0 {
		t.Errorf("refused choices recorded %d payments", len(ps))
	}
}

// TestPayMollieUnavailable: Mollie fails at checkout (a 5xx, or a 4xx with
// its JSON error body). The debtor gets a calm 503 page offering the card,
// and our record is marked failed.
func TestPayMollieUnavailable(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusUnprocessableEntity, http.StatusUnauthorized} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			testPayMollieUnavailable(t, status)
		})
	}
}

func testPayMollieUnavailable(t *testing.T, status int) {
	var calls atomic.Int64
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/hal+json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"status":%d,"title":"Something went wrong","detail":"Mollie detail text","field":"amount","_links":{"documentation":{"href":"https://docs.mollie.com/overview/handling-errors","type":"text/html"}}}`, status)
	}))
	t.Cleanup(down.Close)
	f := newPayFixture(t, down.URL, unusedURL(t))

	r := f.c.Get("/pay/method?what=amount&amount=" + url.QueryEscape("€ 50,5"))
	apptest.WantStatus(t, "method page", r, http.StatusOK)
	r = f.c.Post("/pay", url.Values{"what": {"amount"}, "amount": {"€ 50,50"}, "method": {"ideal"}})
	apptest.WantStatus(t, "ideal while Mollie fails", r, http.StatusServiceUnavailable)
	body := text(r)
	apptest.WantContains(t, "ideal while Mollie fails", body, nl.T("pay.unavailable.title"), nl.T("pay.unavailable.ideal"),
		nl.T("pay.card.button", "€ 50,50"), `value="card"`)
	checkNoLeak(t, "ideal while Mollie fails", r.Body)
	apptest.WantNotContains(t, "ideal while Mollie fails", body, "Something went wrong", "Mollie detail text", strconv.Itoa(status))
	if calls.Load() == 0 {
		t.Error("Mollie was never asked")
	}

	ps := f.payments(f.d.ID)
	if len(ps) != 1 {
		t.Fatalf("%d payment records, want 1", len(ps))
	}
	p := ps[0]
	if p.Status != pay.StatusFailed || p.Provider != "mollie" || p.Method != "ideal" || p.Amount != 5050 || p.ProviderID != "" {
		t.Errorf("payment record: %+v, want failed mollie ideal 5050 without provider id", p)
	}
	hist, err := f.e.DB.PaymentHistory(f.e.Ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0] != pay.StatusOpen || hist[1] != pay.StatusFailed {
		t.Errorf("history %v, want [open failed]", hist)
	}
	if logs := f.e.Logs.String(); !strings.Contains(logs, "checkout failed") || !strings.Contains(logs, p.ID) {
		t.Errorf("no structured log line for the failed checkout:\n%s", logs)
	}
	if logs := f.e.Logs.String(); strings.Contains(logs, "goroutine") || strings.Contains(logs, "test_x") {
		t.Errorf("the log holds a stack trace or the API key:\n%s", logs)
	}
	if st := f.e.statement(f.cr, f.d); st.Total() != 35000 {
		t.Errorf("open total %d after a failed checkout, want 35000", st.Total())
	}
}

// TestPayMollieReturn: the iDEAL checkout through the Mollie fake, the
// return page before and after paying, a failed attempt, and another
// debtor's payment.
func TestPayMollieReturn(t *testing.T) {
	t.Parallel()
	fake, fakeURL := mollieFake(t)
	f := newPayFixture(t, fakeURL, unusedURL(t))
	c := f.c

	c.Get("/pay/method?what=invoice&invoice=" + f.invs[0].ID)
	r := c.Post("/pay", url.Values{"what": {"invoice"}, "invoice": {f.invs[0].ID}, "method": {"ideal"}})
	apptest.WantStatus(t, "start iDEAL", r, http.StatusSeeOther)
	ps := f.payments(f.d.ID)
	if len(ps) != 1 {
		t.Fatalf("%d payment records, want 1", len(ps))
	}
	p := ps[0]
	if loc := r.Header.Get("Location"); loc != fakeURL+"/checkout/"+p.ProviderID || p.CheckoutURL != loc {
		t.Errorf("redirect to %q, record has %q, want the fake's checkout for %s", loc, p.CheckoutURL, p.ProviderID)
	}
	if p.Provider != "mollie" || p.Method != "ideal" || !strings.HasPrefix(p.ProviderID, "tr_") || p.Amount != 10000 || p.InvoiceID != f.invs[0].ID || p.Status != pay.StatusOpen {
		t.Errorf("payment record: %+v", p)
	}
	fp, ok := fake.Payment(p.ProviderID)
	if !ok {
		t.Fatalf("Mollie has no payment %s", p.ProviderID)
	}
	if fp.AmountCents != 10000 || fp.Method != "ideal" || fp.WebhookURL != testBaseURL+"/webhooks/mollie" ||
		fp.RedirectURL != testBaseURL+"/pay/return/"+p.ID || fp.IdempotencyKey != p.ID || !strings.Contains(string(fp.Metadata), p.ID) {
		t.Errorf("Mollie payment: %+v", fp)
	}

	// Back before paying: never "paid" before we know.
	r = c.Get("/pay/return/" + p.ID)
	apptest.WantStatus(t, "return while open", r, http.StatusOK)
	apptest.WantContains(t, "return while open", text(r), nl.T("pay.result.pending"), nl.T("pay.pending.text"))
	apptest.WantNotContains(t, "return while open", text(r), nl.T("pay.result.paid"))

	if err := fake.SetStatus(p.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	r = c.Get("/pay/return/" + p.ID)
	apptest.WantStatus(t, "return when paid", r, http.StatusOK)
	apptest.WantContains(t, "return when paid", text(r), nl.T("pay.result.paid"), nl.T("pay.paid.text", "€ 100,00"), nl.T("pay.paid.left", "€ 250,00"))
	checkNoLeak(t, "return when paid", r.Body)
	if got, _ := f.e.DB.PaymentByID(f.e.Ctx, p.ID); got.Status != pay.StatusPaid {
		t.Errorf("after the return page: status %s, want paid", got.Status)
	}
	if st := f.e.statement(f.cr, f.d); st.Total() != 25000 {
		t.Errorf("open total %d, want 25000", st.Total())
	}

	// A failed attempt: nothing charged, try again.
	r = c.Post("/pay", url.Values{"what": {"amount"}, "amount": {"€ 60,00"}, "method": {"ideal"}})
	apptest.WantStatus(t, "second attempt", r, http.StatusSeeOther)
	var q collect.Payment
	for _, x := range f.payments(f.d.ID) {
		if x.ID != p.ID {
			q = x
		}
	}
	if err := fake.SetStatus(q.ProviderID, "failed"); err != nil {
		t.Fatal(err)
	}
	r = c.Get("/pay/return/" + q.ID)
	apptest.WantStatus(t, "return when failed", r, http.StatusOK)
	apptest.WantContains(t, "return when failed", text(r), nl.T("pay.result.failed"), nl.T("pay.failed.text"), nl.T("pay.failed.retry"))
	apptest.WantNotContains(t, "return when failed", text(r), nl.T("pay.result.paid"))
	if st := f.e.statement(f.cr, f.d); st.Total() != 25000 {
		t.Errorf("open total %d after a failed payment, want 25000", st.Total())
	}

	// Another debtor's payment does not exist for this one.
	d2 := f.e.debtor(f.cr, "K-2", "Piet Pietersen", "9999 ZZ", "1")
	other, err := f.e.DB.CreatePayment(f.e.Ctx, collect.Payment{CreditorID: f.cr.ID, DebtorID: d2.ID, Amount: 1000, Provider: "mollie", Method: "ideal"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{other.ID, "not-a-uuid", "7d1f6a58-0c4e-4a55-9b7a-1f2d3c4b5a69"} {
		r := c.Get("/pay/return/" + id)
		apptest.WantStatus(t, "return page of "+id, r, http.StatusNotFound)
		checkNoLeak(t, "return page of "+id, r.Body, "Piet Pietersen")
	}
}

// TestPayStripeCard: the card checkout against stripe-mock redirects to the
// session's hosted page and records the session id.
func TestPayStripeCard(t *testing.T) {
	t.Parallel()
	f := newPayFixture(t, unusedURL(t), stripemock.Start(t))
	f.c.Get("/pay/method?what=all")
	r := f.c.Post("/pay", url.Values{"what": {"amount"}, "amount": {"€ 350,00"}, "method": {"card"}})
	apptest.WantStatus(t, "start card", r, http.StatusSeeOther)
	ps := f.payments(f.d.ID)
	if len(ps) != 1 {
		t.Fatalf("%d payment records, want 1", len(ps))
	}
	p := ps[0]
	loc := r.Header.Get("Location")
	if loc == "" || !strings.HasPrefix(loc, "https://") || p.CheckoutURL != loc {
		t.Errorf("redirect to %q, record has %q", loc, p.CheckoutURL)
	}
	if p.Provider != "stripe" || p.Method != "card" || !strings.HasPrefix(p.ProviderID, "cs_") || p.Amount != 35000 || p.Status != pay.StatusOpen {
		t.Errorf("payment record: %+v, want an open stripe card payment of 35000 with a cs_ id", p)
	}
}
