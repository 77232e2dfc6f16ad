package portal_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/settle/settle/internal/browsertest"
)

// TestBrowserSelfService walks the debtor's self-service journeys in headless
// Chromium, checking every new page with axe-core and at 320 px: (a) a plan
// inside the policy, approved at once; (c) a dispute with a PDF, the invoice
// on hold; (d) "I can't pay now" in three steps, breathing space and the help
// page; (e) contact wishes saved.
func TestBrowserSelfService(t *testing.T) {
	// (a) Pay in parts, inside the policy: approved at once.
	site, ctx, kees := browsertest.DebtorJourney(t, "partly paid")
	browsertest.Click(t, ctx, "nav.actions a[href='/plan']", "plan form")
	browserText(t, ctx, "h1", nl.T("plan.title"))
	if got := browsertest.Eval[string](t, ctx, `document.querySelector("#months").value`); got != "6" {
		t.Errorf("months default = %q, want 6", got)
	}
	wantFirst := site.DB.Today().AddDate(0, 0, 7).Format(time.DateOnly)
	if got := browsertest.Eval[string](t, ctx, `document.querySelector("#first").value`); got != wantFirst {
		t.Errorf("first date default = %q, want %q", got, wantFirst)
	}
	pageChecks(t, ctx, "plan form")
	if code := browsertest.ClickAndWait(t, ctx, "form[action='/plan/preview'] button[type=submit]"); code != 200 {
		t.Fatalf("plan preview: status %d (%s)", code, browsertest.Text(t, ctx, "main"))
	}
	browserText(t, ctx, "h1", nl.T("plan.preview.title"))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("table.sums tbody tr").length`); n != 7 {
		t.Errorf("preview shows %d rows, want 6 instalments and the total", n)
	}
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, nl.T("plan.preview.inside")) {
		t.Errorf("preview does not say the plan fits: %q", main)
	}
	pageChecks(t, ctx, "plan preview")
	browsertest.Click(t, ctx, "form[action='/plan'] button[type=submit]", "plan confirm")
	browserText(t, ctx, "h1", nl.T("plan.approved.title"))
	plans, err := site.DB.Plans(t.Context(), kees.CreditorID, kees.ID)
	if err != nil || len(plans) != 1 || plans[0].Status != "approved" || len(plans[0].Instalments) != 6 {
		t.Fatalf("plans after confirming: %v %+v", err, plans)
	}
	browserText(t, ctx, "p.ok", nl.T("plan.approved.first", nl.Money(plans[0].Instalments[0].Amount), nl.Date(plans[0].Instalments[0].Due)))
	pageChecks(t, ctx, "plan approved")
	browsertest.ClickAndWait(t, ctx, "main a[href='/overview']")
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll(".instalment.next a.button[href*='instalment=']").length`); n != 1 {
		t.Errorf("overview shows %d pay buttons on the next instalment, want 1", n)
	}
	pageChecks(t, ctx, "overview with a plan")
	// The first pay button leads to the pay page for that instalment.
	browsertest.Click(t, ctx, ".instalment a.button", "pay instalment")
	if got := browsertest.Eval[string](t, ctx, `document.querySelector("input[name=instalment]").value`); got != plans[0].Instalments[0].ID {
		t.Errorf("pay page instalment = %q, want %q", got, plans[0].Instalments[0].ID)
	}

	// (c) I don't agree, with a PDF: the invoice goes on hold.
	sanne := site.Debtor(t, "past the 14-day term: costs added")
	browsertest.SignInDebtor(t, ctx, sanne)
	browsertest.ClickAndWait(t, ctx, ".card a[href^='/invoices/']")
	browsertest.Click(t, ctx, "main a[href$='/dispute']", "dispute form")
	browserText(t, ctx, "h1", nl.T("dispute.title"))
	pageChecks(t, ctx, "dispute form")
	pdf := filepath.Join(t.TempDir(), "betaalbewijs.pdf")
	if err := os.WriteFile(pdf, pdfFile, 0o600); err != nil {
		t.Fatal(err)
	}
	browserClick(t, ctx, "#reason_paid")
	browsertest.Fill(t, ctx, "#body", "Ik heb op 3 augustus betaald. Het bewijs zit erbij.")
	browserRun(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#evidence"), []string{pdf}))
	if code := browsertest.ClickAndWait(t, ctx, "form[enctype='multipart/form-data'] button[type=submit]"); code != 200 {
		t.Fatalf("send dispute: status %d (%s)", code, browsertest.Text(t, ctx, "main"))
	}
	browserText(t, ctx, "h1", nl.T("dispute.done.title"))
	pageChecks(t, ctx, "dispute sent")
	ds, err := site.DB.Disputes(t.Context(), sanne.CreditorID, sanne.ID)
	if err != nil || len(ds) != 1 || len(ds[0].Files) != 1 || ds[0].Files[0].ContentType != "application/pdf" || ds[0].Files[0].Filename != "betaalbewijs.pdf" {
		t.Fatalf("disputes after sending: %v %+v", err, ds)
	}
	browsertest.ClickAndWait(t, ctx, "main a[href='/overview']")
	browserText(t, ctx, ".card .hold", nl.T("overview.onhold"))
	browserText(t, ctx, "#disputes", nl.T("overview.disputes"))
	pageChecks(t, ctx, "overview on hold")

	// (d) I can't pay now, in three steps; breathing space; the help page.
	mohamed := site.Debtor(t, "overdue, inside the 14-day term")
	browsertest.SignInDebtor(t, ctx, mohamed)
	browsertest.Click(t, ctx, "nav.actions a[href='/hardship']", "hardship step 1")
	browserText(t, ctx, "p.step", nl.T("hardship.step", 1))
	pageChecks(t, ctx, "hardship step 1")
	browserClick(t, ctx, "#reason_income")
	browsertest.ClickAndWait(t, ctx, "form[action='/hardship'] button[type=submit]")
	browserText(t, ctx, "p.step", nl.T("hardship.step", 2))
	pageChecks(t, ctx, "hardship step 2")
	browsertest.Fill(t, ctx, "#income", "1400")
	browsertest.Fill(t, ctx, "#costs", "950,00")
	browsertest.ClickAndWait(t, ctx, "form[action='/hardship'] button[type=submit]")
	browserText(t, ctx, "p.step", nl.T("hardship.step", 3))
	pageChecks(t, ctx, "hardship step 3")
	if browsertest.Eval[bool](t, ctx, `document.querySelector("#consent").checked`) {
		t.Error("consent to be contacted is ticked before the debtor ticks it")
	}
	browserClick(t, ctx, "#consent")
	browsertest.Click(t, ctx, "form[action='/hardship'] button[type=submit]", "hardship report")
	browserText(t, ctx, "h1", nl.T("hardship.done.title"))
	until := site.DB.Today().AddDate(0, 0, 30)
	browserText(t, ctx, "p.ok", nl.T("hardship.done.until", nl.Date(until)))
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, "0800 8115") || !strings.Contains(main, "https://www.geldfit.nl") {
		t.Errorf("breathing space page lacks the help number or site: %q", main)
	}
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, nl.T("hardship.done.contact", "Zonnestroom Energie")) {
		t.Errorf("breathing space page does not say an employee will call: %q", main)
	}
	pageChecks(t, ctx, "breathing space")
	hs, err := site.DB.Hardships(t.Context(), mohamed.CreditorID, mohamed.ID)
	if err != nil || len(hs) != 1 || !hs[0].Consent || hs[0].Reason != "income" || hs[0].Income == nil || *hs[0].Income != 140000 {
		t.Errorf("stored hardship: %v %+v", err, hs)
	}
	browsertest.ClickAndWait(t, ctx, "main a[href='/overview']")
	browserText(t, ctx, "#breathing p", nl.T("overview.breathing", nl.Date(until))+" "+nl.T("overview.breathing.contact"))
	pageChecks(t, ctx, "overview in breathing space")
	browsertest.Click(t, ctx, "#breathing a[href='/help']", "help page")
	browserText(t, ctx, "h1", nl.T("help.title"))
	pageChecks(t, ctx, "help")

	// (e) Contact wishes.
	anna := site.Debtor(t, "not yet due")
	browsertest.SignInDebtor(t, ctx, anna)
	browsertest.Click(t, ctx, "nav.actions a[href='/contact']", "contact form")
	browserText(t, ctx, "h1", nl.T("wishes.title"))
	pageChecks(t, ctx, "contact form")
	browserSelect(t, ctx, "#ch1", "sms")
	browsertest.Fill(t, ctx, "#phone", "06 1234 5678")
	browserClick(t, ctx, "#avoid_work")
	browsertest.Click(t, ctx, "form[action='/contact'] button[type=submit]", "save contact wishes")
	browserText(t, ctx, "p.ok", nl.T("wishes.saved"))
	pageChecks(t, ctx, "contact saved")
	w, ok, err := site.DB.ContactWishesOf(t.Context(), anna.ID)
	if err != nil || !ok || w.Channel != "sms" || w.Phone != "+31612345678" || len(w.Avoid) != 1 || w.Avoid[0].From != 8*60 || w.Language != "nl" {
		t.Errorf("stored wishes = %+v %v %v", w, ok, err)
	}
}

// pageChecks runs axe, the 320 px reflow check and a screenshot on the current page.
func pageChecks(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	browserLang(t, ctx, "nl")
	browserReflow(t, ctx, name)
	browsertest.Screenshot(t, ctx, name)
	browsertest.Axe(t, ctx, name)
}

func browserClick(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	browserRun(t, ctx, chromedp.Click(chromedp.CSS(sel)))
}

// browserSelect chooses an option of a select element, as a person does.
func browserSelect(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	browserRun(t, ctx, chromedp.SetValue(chromedp.CSS(sel), value))
}

func browserRun(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browsertest.StepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}
