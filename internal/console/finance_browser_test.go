package console_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/settle/settle/internal/browsertest"
	"github.com/settle/settle/internal/demo"
	"github.com/settle/settle/internal/reconcile"
)

// TestBrowserFinance is the finance journey: a finance user signs in,
// uploads the demo bank statement, sees the transfers booked, the Mollie
// payout arrived and the suggestion, confirms the suggestion, and
// downloads the journal, which balances. An agent cannot reach the finance
// pages. Axe checks every finance page on the way.
func TestBrowserFinance(t *testing.T) {
	site, ctx := consoleJourney(t, "finance")
	xml, err := demo.BankStatement(t.Context(), site.DB)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), demo.BankStatementFile)
	if err := os.WriteFile(file, xml, 0o600); err != nil {
		t.Fatal(err)
	}
	browsertest.Click(t, ctx, "nav.console-nav a[href='/console/finance']", "open finance")
	if h := browsertest.Text(t, ctx, "h1"); !strings.HasPrefix(h, "Finance: ") {
		t.Errorf("finance h1 = %q", h)
	}
	// The demo's statement is for Zonnestroom Energie.
	browsertest.Open(t, ctx, site.URL+"/console/finance?creditor="+site.Demo.Creditors[0].ID)
	if got := browsertest.Text(t, ctx, "#payouts tbody"); !strings.Contains(got, demo.MolliePayoutReference(site.DB.Today())) || !strings.Contains(got, "expected") {
		t.Errorf("payouts before the import: %q, want the Mollie settlement expected", got)
	}
	browsertest.Screenshot(t, ctx, "finance")
	browsertest.Axe(t, ctx, "finance page")

	sctx, cancel := context.WithTimeout(ctx, browsertest.StepTimeout)
	if err := chromedp.Do(sctx, chromedp.SetUploadFiles(chromedp.CSS("#statement"), []string{file})); err != nil {
		t.Fatalf("choose the file: %v", err)
	}
	cancel()
	if code := browsertest.ClickAndWait(t, ctx, "#import-submit"); code != 200 {
		t.Fatalf("import: status %d: %s", code, browsertest.Text(t, ctx, "main"))
	}
	for sel, want := range map[string]string{"#count-booked": "2", "#count-payouts": "1", "#count-suggested": "1", "#count-unmatched": "1"} {
		if got := browsertest.Text(t, ctx, sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := browsertest.Text(t, ctx, "table.import-lines"); !strings.Contains(got, "booked on an invoice") || !strings.Contains(got, "payout arrived") || !strings.Contains(got, "suggested") {
		t.Errorf("import lines: %q", got)
	}
	if got := browsertest.Text(t, ctx, "#payouts tbody"); !strings.Contains(got, "arrived") {
		t.Errorf("payouts after the import: %q, want arrived", got)
	}
	if got := browsertest.Text(t, ctx, "#bank-lines"); !strings.Contains(got, "John Smith") || !strings.Contains(got, "invoice 2026-0802") {
		t.Errorf("the suggestion for John Smith is not listed: %q", got)
	}
	browsertest.Screenshot(t, ctx, "finance-imported")
	browsertest.Axe(t, ctx, "finance page after an import")

	browsertest.Click(t, ctx, "#bank-lines form[action$='/confirm'] button", "confirm")
	if got := browsertest.Text(t, ctx, "main .ok"); !strings.Contains(got, "is booked as a payment") {
		t.Errorf("after confirming: %q", got)
	}
	if browsertest.Exists(t, ctx, "#bank-lines form[action$='/confirm']") {
		t.Error("a suggestion is still offered after confirming the only one")
	}
	browsertest.Screenshot(t, ctx, "finance-confirmed")
	browsertest.Axe(t, ctx, "finance page after confirming")

	// The journal, fetched from the link's address with the session cookie.
	href := browsertest.Eval[string](t, ctx, `document.querySelector('#export-journal').href`)
	sctx, cancel = context.WithTimeout(ctx, browsertest.StepTimeout)
	got, err := chromedp.Call(sctx, network.GetCookies, network.GetCookiesParams{URLs: []string{href}})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, href, nil)
	for _, c := range got.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("journal download: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	rows := readCSV(t, string(body))
	sums := map[string]int64{}
	closing := map[string]int64{}
	for _, row := range rows[1:] {
		v := amountOf(t, row[4]) - amountOf(t, row[5])
		sums[row[1]+" "+row[0]] += v
		if row[1] == "closing" {
			closing[row[2]] = v
		}
	}
	for k, v := range sums {
		if v != 0 {
			t.Errorf("journal: %s adds up to %d, want 0", k, v)
		}
	}
	if closing[reconcile.AcctClearingMollie] != 0 || closing[reconcile.AcctFees] != 35 || closing[reconcile.AcctBank] <= 0 {
		t.Errorf("journal closing: %v; want Mollie clearing 0 after the payout, fees 0,35", closing)
	}

	// The creditor's figures after the import, charts included, pass axe.
	browsertest.Open(t, ctx, site.URL+"/console/analytics?creditor="+site.Demo.Creditors[0].ID)
	if h := browsertest.Text(t, ctx, "h1"); !strings.HasPrefix(h, "Analytics: ") {
		t.Errorf("analytics h1 = %q", h)
	}
	if !browsertest.Exists(t, ctx, "svg#chart-method rect") {
		t.Error("the analytics page draws no bar of money by method after the import")
	}
	browsertest.Screenshot(t, ctx, "analytics")
	browsertest.Axe(t, ctx, "analytics page")
	browsertest.ClickAndWait(t, ctx, "form.signout button")

	// An agent: no link, and the address is a 404.
	consoleSignIn(t, ctx, site, "agent", false)
	if browsertest.Exists(t, ctx, "a[href='/console/finance']") {
		t.Error("the agent's console links to the finance pages")
	}
	if code := browsertest.Open(t, ctx, site.URL+"/console/finance"); code != 404 {
		t.Errorf("agent opens /console/finance: status %d, want 404", code)
	}
	if code := browsertest.Open(t, ctx, href); code != 404 {
		t.Errorf("agent opens the journal: status %d, want 404", code)
	}
}
