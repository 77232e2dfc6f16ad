package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/settle/settle/internal/browsertest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/demo"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/pay/stripemock"
)

// TestBrowserPayIDEAL walks a debtor with several open invoices from the
// overview to one invoice, its pay button, the choice of what to pay, iDEAL
// through the Mollie fake's checkout page ("paid") and back to the return
// page, which asks Mollie at once and shows the receipt and the new balance.
// Every page of ours gets axe-core (WCAG 2.2 A/AA), a 320 px reflow check and
// a screenshot at 360 px.
func TestBrowserPayIDEAL(t *testing.T) {
	site, ctx, d := browsertest.DebtorJourney(t, "several invoices, English")
	before := severalOpen(t, site, d)
	// The second invoice: paying it leaves the others open, so the return
	// page shows what is still to pay.
	line := before.Open()[1]
	amount := line.Total()

	// John reads English; he switches to Dutch in the header, and the pay
	// pages follow (the plain-language gate is about the Dutch texts).
	browsertest.Click(t, ctx, "header form[action='/language'] button[lang=nl]", "switch to Dutch")
	browserLang(t, ctx, "nl")
	browsertest.Screenshot(t, ctx, "1 overview")

	// The overview leads to the invoice, and the invoice to its pay button.
	browsertest.Click(t, ctx, ".card a[href='/invoices/"+line.Invoice.ID+"']", "open invoice")
	browserText(t, ctx, "h1", nl.T("invoice.title", line.Invoice.Number))
	browserText(t, ctx, "main a.button[href^='/pay/method']", nl.T("invoice.pay", nl.Money(amount)))
	browsertest.Screenshot(t, ctx, "2 invoice")
	if code := browsertest.ClickAndWait(t, ctx, "main a.button[href^='/pay/method']"); code != 200 {
		t.Fatalf("pay button: status %d (%s)", code, browsertest.Text(t, ctx, "main"))
	}
	payMethodPage(t, ctx, nl, line.Invoice.ID, amount)
	pageChecks(t, ctx, "3 pay method")

	// "Choose another amount" leads to the choice of what to pay; the
	// invoice is one of the choices there.
	browsertest.Click(t, ctx, "main a[href='/pay']", "choose another amount")
	if p := browsertest.Path(t, ctx); p != "/pay" {
		t.Fatalf("choose another amount: at %s, want /pay", p)
	}
	browserText(t, ctx, "h1", nl.T("pay.title"))
	browserText(t, ctx, "main a.button[href='/pay/method?what=all']", nl.T("pay.all", nl.Money(before.Total())))
	one := "main a.button[href$='invoice=" + line.Invoice.ID + "']"
	browserText(t, ctx, one, nl.T("pay.one", line.Invoice.Description, nl.Money(amount)))
	pageChecks(t, ctx, "4 pay choose")
	browsertest.Click(t, ctx, one, "choose the invoice")
	payMethodPage(t, ctx, nl, line.Invoice.ID, amount)

	// iDEAL: our record first, then Mollie's checkout page.
	ideal := "form.method:has(input[name=method][value=ideal]) button[type=submit]"
	browserText(t, ctx, ideal, nl.T("pay.ideal.button", nl.Money(amount)))
	browsertest.Click(t, ctx, ideal, "pay with iDEAL")
	p := onlyPayment(t, site, d)
	if p.Provider != "mollie" || p.Method != "ideal" || !strings.HasPrefix(p.ProviderID, "tr_") || p.Amount != amount ||
		p.InvoiceID != line.Invoice.ID || p.Status != pay.StatusOpen {
		t.Errorf("payment record before paying: %+v, want an open mollie iDEAL payment of %d for invoice %s", p, amount, line.Invoice.ID)
	}
	if path, want := browsertest.Path(t, ctx), "/fake-mollie/checkout/"+p.ProviderID; path != want {
		t.Fatalf("after the iDEAL button: at %s, want the fake's checkout page %s", path, want)
	}
	if got := browsertest.Text(t, ctx, "#amount"); got != "EUR "+mollieValue(amount) {
		t.Errorf("Mollie's checkout page asks %q, want EUR %s", got, mollieValue(amount))
	}
	browsertest.Screenshot(t, ctx, "5 mollie checkout")

	// Paid at the bank: back on our return page, which asks Mollie at
	// once rather than waiting for the webhook.
	browsertest.Click(t, ctx, "button[name=status][value=paid]", "choose paid")
	if path, want := browsertest.Path(t, ctx), "/pay/return/"+p.ID; path != want {
		t.Fatalf("after paying: at %s, want %s", path, want)
	}
	after := payStatement(t, site, d)
	browserText(t, ctx, "h1", nl.T("pay.result.paid"))
	browserText(t, ctx, "main p.ok", nl.T("pay.paid.text", nl.Money(amount)))
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, norm(nl.T("pay.paid.left", nl.Money(after.Total())))) {
		t.Errorf("return page does not show the new balance %s: %q", nl.Money(after.Total()), main)
	}
	if after.Total() != before.Total()-amount {
		t.Errorf("open total %d after paying %d, want %d", after.Total(), amount, before.Total()-amount)
	}
	if l, ok := after.Line(line.Invoice.ID); !ok || l.Total() != line.Total()-amount {
		t.Errorf("invoice %s open %d after paying %d, want %d", line.Invoice.Number, l.Total(), amount, line.Total()-amount)
	}
	for _, other := range before.Open() {
		if other.Invoice.ID == line.Invoice.ID {
			continue
		}
		if l, _ := after.Line(other.Invoice.ID); l.Total() != other.Total() {
			t.Errorf("invoice %s open %d after paying another, want %d unchanged", other.Invoice.Number, l.Total(), other.Total())
		}
	}
	if got, _ := site.DB.PaymentByID(t.Context(), p.ID); got.Status != pay.StatusPaid {
		t.Errorf("payment status %s after the return page, want paid", got.Status)
	}
	pageChecks(t, ctx, "6 return paid")

	// Mollie's webhook comes too; its job books nothing more.
	site.App.MollieFake.WaitWebhooks()
	waitJobs(t, site)
	if again := payStatement(t, site, d); again.Total() != after.Total() {
		t.Errorf("open total %d after the webhook's job, want %d (booked once)", again.Total(), after.Total())
	}
	if hist, err := site.DB.PaymentHistory(t.Context(), p.ID); err != nil || len(hist) != 2 || hist[1] != pay.StatusPaid {
		t.Errorf("payment history %v (%v), want [open paid]", hist, err)
	}

	// The overview shows the new total.
	browsertest.ClickAndWait(t, ctx, "main a[href='/overview']")
	browserText(t, ctx, ".total strong", nl.Money(after.Total()))
	browsertest.Screenshot(t, ctx, "7 overview after paying")
}

// TestBrowserPayFailedThenCard: iDEAL through the Mollie fake fails, the
// debtor sees that nothing was charged, tries again with one click and pays
// by card through Stripe, with the app pointed at stripe-mock.
//
// stripe-mock keeps no state: it answers the Checkout Session request with a
// fixture whose URL is Stripe's hosted page (unreachable here), and it cannot
// know that anyone paid. So the browser is stopped at that redirect; the
// stripemock proxy then reports the session paid, and the flow after it is
// driven, as domain.md prescribes, by a checkout.session.completed event that
// the test builds and signs with the app's webhook secret, as Stripe would
// send it.
func TestBrowserPayFailedThenCard(t *testing.T) {
	const webhookSecret = "whsec_browser_journey"
	opts := browsertest.DemoOptions()
	opts.Config.CardProvider = "stripe"
	stripeURL, stripeState := stripemock.StartWithState(t)
	opts.Config.StripeAPIURL = stripeURL
	opts.Config.StripeKey = "sk_test_stripemock"
	opts.Config.StripeWebhook = webhookSecret
	site := browsertest.StartWith(t, opts)
	ctx := browsertest.Browser(t)
	d := site.Debtor(t, "business, several invoices")
	before := severalOpen(t, site, d)
	total := before.Total()
	browsertest.SignInDebtor(t, ctx, d)

	// Everything, by iDEAL.
	browsertest.Click(t, ctx, "nav.actions a[href='/pay']", "pay action")
	browsertest.Click(t, ctx, "main a.button[href='/pay/method?what=all']", "pay everything")
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, norm(nl.T("pay.method.intro", nl.Money(total)))) {
		t.Errorf("method page does not say what is paid (%s): %q", nl.Money(total), main)
	}
	browsertest.Click(t, ctx, "form.method:has(input[name=method][value=ideal]) button[type=submit]", "pay with iDEAL")
	first := onlyPayment(t, site, d)
	if first.Provider != "mollie" || first.Method != "ideal" || first.Amount != total || first.InvoiceID != "" {
		t.Errorf("first payment record: %+v, want mollie iDEAL of %d for everything", first, total)
	}
	browsertest.Screenshot(t, ctx, "1 mollie checkout")

	// The bank says no.
	browsertest.Click(t, ctx, "button[name=status][value=failed]", "choose failed")
	if path, want := browsertest.Path(t, ctx), "/pay/return/"+first.ID; path != want {
		t.Fatalf("after failing: at %s, want %s", path, want)
	}
	browserText(t, ctx, "h1", nl.T("pay.result.failed"))
	browserText(t, ctx, "main p[role=status]", nl.T("pay.failed.text"))
	browserText(t, ctx, "main a.button[href^='/pay/method']", nl.T("pay.failed.retry"))
	if got, _ := site.DB.PaymentByID(t.Context(), first.ID); got.Status != pay.StatusFailed {
		t.Errorf("first payment status %s, want failed", got.Status)
	}
	if st := payStatement(t, site, d); st.Total() != total {
		t.Errorf("open total %d after a failed payment, want %d", st.Total(), total)
	}
	pageChecks(t, ctx, "2 return failed")

	// One click to try again: the same amount, now by card.
	browsertest.Click(t, ctx, "main a.button[href^='/pay/method']", "try again")
	browserText(t, ctx, "h1", nl.T("pay.method.title"))
	card := "form.method:has(input[name=method][value=card]) button[type=submit]"
	browserText(t, ctx, card, nl.T("pay.card.button", nl.Money(total)))
	pageChecks(t, ctx, "3 pay method again")

	// The redirect to Stripe's hosted page is caught in the browser.
	hosted := stopAtHostedCheckout(t, ctx)
	browsertest.Click(t, ctx, card, "pay by card")
	var second collect.Payment
	for _, p := range payments(t, site, d) {
		if p.ID != first.ID {
			second = p
		}
	}
	if second.Provider != "stripe" || second.Method != "card" || !strings.HasPrefix(second.ProviderID, "cs_") ||
		second.Status != pay.StatusOpen || second.Amount != total {
		t.Fatalf("card payment record: %+v, want an open stripe card payment of %d with a cs_ id", second, total)
	}
	if got := hosted(); len(got) != 1 || got[0] != second.CheckoutURL || !strings.HasPrefix(got[0], "https://") {
		t.Errorf("browser sent to %q, want only the session URL %q", got, second.CheckoutURL)
	} else {
		t.Logf("browser stopped at Stripe's hosted page %s", got[0])
	}
	browsertest.Screenshot(t, ctx, "4 stripe checkout stand-in")

	// The debtor pays on Stripe's page: from now on Stripe's API reports
	// the session complete and paid, the whole amount in euros.
	meta := map[string]any{stripe.MetadataKey: second.ID}
	stripeState.Set(second.ProviderID, stripemock.Object{"status": "complete", "payment_status": "paid",
		"amount_total": second.Amount, "currency": "eur", "client_reference_id": second.ID, "metadata": meta,
		"payment_intent": "pi_browser_journey"})
	stripeState.Set("pi_browser_journey", stripemock.Object{"status": "succeeded", "amount": second.Amount, "currency": "eur",
		"metadata": meta, "latest_charge": "ch_browser_journey"})
	stripeState.Set("ch_browser_journey", stripemock.Object{"amount": second.Amount, "currency": "eur", "amount_refunded": 0,
		"refunded": false, "disputed": false, "payment_intent": "pi_browser_journey", "metadata": meta})

	// Stripe's word that the session is paid: a signed event, as Stripe
	// posts it to our webhook. The app books what Stripe's API reports on
	// re-fetch, not the event body.
	session := map[string]any{
		"id": second.ProviderID, "object": "checkout.session", "status": "complete", "payment_status": "paid",
		"client_reference_id": second.ID, "metadata": map[string]any{stripe.MetadataKey: second.ID},
		"amount_total": second.Amount, "currency": "eur", "mode": "payment",
	}
	payload, sig := stripe.SignedEvent(webhookSecret, stripe.EventSessionCompleted, session)
	req, err := http.NewRequest(http.MethodPost, site.URL+"/webhooks/stripe", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stripe webhook: status %d, want 200", resp.StatusCode)
	}
	waitStatus(t, site, second.ID, pay.StatusPaid)

	// Back on the return page (Stripe's success_url): paid.
	browsertest.Visit(t, ctx, site.URL+"/pay/return/"+second.ID, "return page")
	after := payStatement(t, site, d)
	if after.Total() != 0 {
		t.Errorf("open total %d after paying everything, want 0", after.Total())
	}
	browserText(t, ctx, "h1", nl.T("pay.result.paid"))
	browserText(t, ctx, "main p.ok", nl.T("pay.paid.text", nl.Money(total)))
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, norm(nl.T("pay.paid.done"))) {
		t.Errorf("return page does not say everything is paid: %q", main)
	}
	pageChecks(t, ctx, "5 return paid by card")
}

// payMethodPage checks the method page for one invoice.
func payMethodPage(t *testing.T, ctx context.Context, nl i18n.Printer, invoiceID string, amount int64) {
	t.Helper()
	if p := browsertest.Path(t, ctx); p != "/pay/method" {
		t.Fatalf("at %s, want /pay/method", p)
	}
	browserText(t, ctx, "h1", nl.T("pay.method.title"))
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, norm(nl.T("pay.method.intro", nl.Money(amount)))) {
		t.Errorf("method page does not say what is paid (%s): %q", nl.Money(amount), main)
	}
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("form.method input[name=invoice][value='`+invoiceID+`']").length`); n != 2 {
		t.Errorf("%d method forms carry the invoice, want 2", n)
	}
}

// stopAtHostedCheckout stops every page load that leaves for an https
// address (the app runs on http://127.0.0.1, Stripe's hosted page is
// https://checkout.stripe.com) and answers it with a blank stand-in page, so
// the browser does not wait on a host it cannot reach. It returns a function
// that lists the addresses it stopped.
func stopAtHostedCheckout(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	lctx, cancel := context.WithCancel(ctx)
	var (
		mu      sync.Mutex
		stopped []string
		done    = make(chan struct{})
	)
	events := chromedp.Events(lctx, fetch.RequestPaused)
	go func() {
		defer close(done)
		for ev, err := range events {
			if err != nil {
				return
			}
			body, code := []byte("not found"), int64(http.StatusNotFound)
			if ev.ResourceType == network.ResourceTypeDocument {
				mu.Lock()
				stopped = append(stopped, ev.Request.URL)
				mu.Unlock()
				body, code = []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stripe Checkout (stand-in)</title></head>`+
					`<body><main><h1>Stripe Checkout</h1><p>Stopped by the test: stripe-mock has no hosted page.</p></main></body></html>`), http.StatusOK
			}
			_, _ = chromedp.Call(lctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
				RequestID: ev.RequestID, ResponseCode: code, Body: body,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
			})
		}
	}()
	sctx, scancel := context.WithTimeout(ctx, browsertest.StepTimeout)
	defer scancel()
	if _, err := chromedp.Call(sctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "https://*"}}}); err != nil {
		cancel()
		t.Fatalf("intercept https: %v", err)
	}
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		_, _ = chromedp.Call(cctx, fetch.Disable, cdp.Empty{})
		ccancel()
		cancel()
		<-done
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), stopped...)
	}
}

// severalOpen is the demo debtor's statement of today, which must hold
// several open invoices.
func severalOpen(t *testing.T, site *browsertest.Env, d demo.Debtor) collect.Statement {
	t.Helper()
	st := payStatement(t, site, d)
	if len(st.Open()) < 2 {
		t.Fatalf("demo debtor %q: %d open invoices, want several", d.Situation, len(st.Open()))
	}
	return st
}

func payStatement(t *testing.T, site *browsertest.Env, d demo.Debtor) collect.Statement {
	t.Helper()
	_, st, err := site.DB.Statement(context.Background(), d.CreditorID, d.ID, site.DB.Today())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func payments(t *testing.T, site *browsertest.Env, d demo.Debtor) []collect.Payment {
	t.Helper()
	ps, err := site.DB.Payments(context.Background(), d.CreditorID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func onlyPayment(t *testing.T, site *browsertest.Env, d demo.Debtor) collect.Payment {
	t.Helper()
	ps := payments(t, site, d)
	if len(ps) != 1 {
		t.Fatalf("%d payment records, want 1: %+v", len(ps), ps)
	}
	return ps[0]
}

// waitStatus waits for the River job to bring a payment to status.
func waitStatus(t *testing.T, site *browsertest.Env, id string, status pay.Status) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p, err := site.DB.PaymentByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("payment %s is %s after 20 s, want %s", id, p.Status, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitJobs waits until no payment job is waiting or running.
func waitJobs(t *testing.T, site *browsertest.Env) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		err := site.DB.PoolForTests().QueryRow(context.Background(), `SELECT count(*) FROM river_job
			WHERE kind IN ('sync_payment', 'stripe_event', 'stripe_events') AND state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d payment jobs still pending after 20 s", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mollieValue is an amount as Mollie writes it: "123.45".
func mollieValue(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// norm makes runs of white space (such as the no-break space in "€ 1,00")
// single spaces, as browsertest.Text does.
func norm(s string) string { return strings.Join(strings.Fields(s), " ") }
