package portal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/browsertest"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/money"
)

// TestBrowserJourney walks a debtor through the portal in headless Chromium
// at phone width: the link from a letter, the second factor, the overview,
// one invoice, the switch to English and signing out. It checks every page
// with axe-core (WCAG 2.2 A and AA), saves a screenshot of each, and checks
// keyboard use and a 320 px wide screen.
func TestBrowserJourney(t *testing.T) {
	began := time.Now()
	site, ctx := browsertest.Journey(t)
	t.Logf("app and browser ready in %v", time.Since(began).Round(time.Millisecond))
	journey := time.Now()

	d := site.Debtor(t, "past the 14-day term: costs added")
	_, st, err := site.DB.Statement(context.Background(), d.CreditorID, d.ID, site.DB.Today())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Open()) != 1 || st.Costs <= 0 {
		t.Fatalf("demo debtor %q: want one open invoice with costs added, got %d open, costs %d", d.Situation, len(st.Open()), st.Costs)
	}
	line := st.Open()[0]
	nl, en := i18n.For("nl"), i18n.For("en")
	var creditor string
	for _, c := range site.Demo.Creditors {
		if c.ID == d.CreditorID {
			creditor = c.Name
		}
	}

	// The link from the letter: the token leaves the address bar at once,
	// and the page asks the second factor, showing only the creditor's name.
	browsertest.Visit(t, ctx, d.Link, "open link")
	if p := browsertest.Path(t, ctx); p != "/verify" {
		t.Fatalf("after the link: at %s, want /verify", p)
	}
	browserLang(t, ctx, "nl")
	browserText(t, ctx, "h1", nl.T("verify.title"))
	if got := browsertest.Text(t, ctx, ".brand"); got != creditor {
		t.Errorf("brand = %q, want the creditor %q", got, creditor)
	}
	if body := browsertest.Text(t, ctx, "main"); strings.Contains(body, d.Name) {
		t.Errorf("second-factor page shows the debtor's name before the check: %q", body)
	}

	browserReflow(t, ctx, "second factor")
	browsertest.Screenshot(t, ctx, "verify")
	browsertest.Axe(t, ctx, "second factor")

	// Keyboard: the first Tab lands on the skip link, which shows itself;
	// Enter on it skips the header, so the next Tab reaches the form.
	browsertest.Keys(t, ctx, "\t")
	if !browsertest.Eval[bool](t, ctx, `document.activeElement.matches("a.skip[href='#main']")`) {
		t.Errorf("first Tab focuses %s, want the skip link", browsertest.Eval[string](t, ctx, `document.activeElement.outerHTML`))
	}
	if !browsertest.Eval[bool](t, ctx, `(() => { const r = document.activeElement.getBoundingClientRect(); return r.left >= 0 && r.top >= 0 && r.width > 0 })()`) {
		t.Error("the focused skip link is off screen")
	}
	if got, want := browsertest.Text(t, ctx, "a.skip"), nl.T("skip"); got != want {
		t.Errorf("skip link text = %q, want %q", got, want)
	}
	browsertest.Keys(t, ctx, "\r")
	if h := browsertest.Eval[string](t, ctx, "location.hash"); h != "#main" {
		t.Errorf("Enter on the skip link: location.hash = %q, want #main", h)
	}
	browsertest.Keys(t, ctx, "\t")
	if id := browsertest.Eval[string](t, ctx, "document.activeElement.id"); id != "postcode" {
		t.Errorf("Tab after the skip link focuses %s, want the postcode field", browsertest.Eval[string](t, ctx, `document.activeElement.outerHTML`))
	}

	// The second factor, by keyboard alone, then the overview with the
	// right total.
	browsertest.Keys(t, ctx, d.SecondFactor["postcode"]+"\t"+d.SecondFactor["house_number"])
	if got := browsertest.Eval[string](t, ctx, `document.querySelector("input[name=house_number]").value`); got != d.SecondFactor["house_number"] {
		t.Errorf("Tab from the postcode: the house number field holds %q", got)
	}
	if code := browsertest.KeysAndWait(t, ctx, "\r"); code != 200 {
		t.Fatalf("second factor: status %d, want 200", code)
	}
	if p := browsertest.Path(t, ctx); p != "/overview" {
		t.Fatalf("after the second factor: at %s (%s), want /overview", p, browsertest.Text(t, ctx, "main"))
	}
	browserLang(t, ctx, "nl")
	browserText(t, ctx, "h1", nl.T("overview.title", creditor))
	wantTotal := money.FormatCents(st.Total(), "nl")
	browserText(t, ctx, ".total strong", wantTotal)
	browserText(t, ctx, ".card .amount", money.FormatCents(line.Total(), "nl"))
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, d.Name) || !strings.Contains(main, line.Invoice.Description) {
		t.Errorf("overview misses the debtor's name %q or the invoice %q: %q", d.Name, line.Invoice.Description, main)
	}
	// Past the term the page says which costs were added.
	if main := browsertest.Text(t, ctx, "#next ~ p"); main == "" {
		t.Error("overview says nothing under the next step")
	}
	if footer := browsertest.Text(t, ctx, "footer"); !strings.Contains(footer, "020 123 45 67") {
		t.Errorf("footer lacks the creditor's phone: %q", footer)
	}
	browserReflow(t, ctx, "overview")
	browsertest.Screenshot(t, ctx, "overview")
	browsertest.Axe(t, ctx, "overview")

	// One invoice, explained.
	browsertest.Click(t, ctx, ".card a[href^='/invoices/']", "open invoice")
	if p, want := browsertest.Path(t, ctx), "/invoices/"+line.Invoice.ID; p != want {
		t.Fatalf("invoice link: at %s, want %s", p, want)
	}
	browserText(t, ctx, "h1", nl.T("invoice.title", line.Invoice.Number))
	browserText(t, ctx, ".sums .total td", money.FormatCents(line.Total(), "nl"))
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, line.Invoice.PaymentReference) || !strings.Contains(main, "NL91 ABNA 0417 1643 00") {
		t.Errorf("invoice page lacks the payment reference %q or the IBAN: %q", line.Invoice.PaymentReference, main)
	}
	browserReflow(t, ctx, "invoice")
	browsertest.Screenshot(t, ctx, "invoice")
	browsertest.Axe(t, ctx, "invoice")

	// Back to the overview, then English, from the form in the header.
	browsertest.ClickAndWait(t, ctx, "main a[href='/overview']")
	browsertest.Click(t, ctx, "header form[action='/language'] button[lang=en]", "switch to English")
	if p := browsertest.Path(t, ctx); p != "/overview" {
		t.Fatalf("after the language switch: at %s, want /overview", p)
	}
	browserLang(t, ctx, "en")
	browserText(t, ctx, "h1", en.T("overview.title", creditor))
	browserText(t, ctx, ".total", en.T("overview.total")+": "+money.FormatCents(st.Total(), "en"))
	browserText(t, ctx, "a.skip", en.T("skip"))
	browserText(t, ctx, "header .lang.current", "English")
	browserText(t, ctx, "form.signout button", en.T("signout"))
	browsertest.Screenshot(t, ctx, "overview-en")

	// The choice holds for the session: the invoice page is English too.
	browsertest.ClickAndWait(t, ctx, ".card a[href^='/invoices/']")
	browserLang(t, ctx, "en")
	browserText(t, ctx, "h1", en.T("invoice.title", line.Invoice.Number))
	browsertest.ClickAndWait(t, ctx, "main a[href='/overview']")

	// Sign out: the session ends.
	browsertest.Click(t, ctx, "form.signout button[type=submit]", "sign out")
	browserText(t, ctx, "h1", en.T("signedout.title"))
	if browsertest.Exists(t, ctx, "form.signout") {
		t.Error("the signed-out page still offers to sign out")
	}
	browsertest.Screenshot(t, ctx, "signed-out")
	if code := browsertest.Open(t, ctx, site.URL+"/overview"); code != 401 {
		t.Errorf("overview after signing out: status %d, want 401", code)
	}

	// A link that is no link: an error page a person can act on.
	if code := browsertest.Open(t, ctx, site.URL+"/l/garbage"); code != 404 {
		t.Errorf("/l/garbage: status %d, want 404", code)
	}
	browserText(t, ctx, "h1", en.T("error.title"))
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, en.T("error.link.invalid")) {
		t.Errorf("error page: %q, want %q", main, en.T("error.link.invalid"))
	}
	browserReflow(t, ctx, "error")
	browsertest.Screenshot(t, ctx, "error")
	browsertest.Axe(t, ctx, "error")

	t.Logf("journey took %v (%v with app and browser start)", time.Since(journey).Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// assertText checks the visible text of the first element matching sel,
// ignoring differences in white space (such as the no-break space in "€ 1,00").
func browserText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	if got := browsertest.Text(t, ctx, sel); got != strings.Join(strings.Fields(want), " ") {
		t.Errorf("%s: text %q, want %q", sel, got, want)
	}
}

func browserLang(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	if got := browsertest.Eval[string](t, ctx, "document.documentElement.lang"); got != want {
		t.Errorf("<html lang> = %q, want %q", got, want)
	}
}

// assertNoHorizontalScroll lays the current page out 320 px wide (the
// narrowest phone WCAG reflow asks for) and checks nothing sticks out
// sideways; then it goes back to the normal width.
func browserReflow(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	browsertest.SetWidth(t, ctx, 320)
	defer browsertest.SetWidth(t, ctx, browsertest.Width)
	if w := browsertest.Eval[int](t, ctx, "document.documentElement.scrollWidth"); w > 320 {
		// What sticks out: boxes past the edge, or text wider than its box
		// (a long word such as an email address).
		wide := browsertest.Eval[string](t, ctx, `[...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > 320 || (e.clientWidth > 0 && e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === "visible"))
  .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + " " + JSON.stringify(e.textContent.trim().slice(0, 40)))
  .join("; ")`)
		t.Errorf("%s at 320 px: scrollWidth %d, wider than the screen (%s)", page, w, wide)
	}
}
