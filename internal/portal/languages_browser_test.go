package portal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/settle/settle/internal/browsertest"
	"github.com/settle/settle/internal/i18n"
)

// TestBrowserLanguages: a debtor picks Arabic, and another Turkish, with the
// language switch, and pays in parts, in headless Chromium: every page in
// that language, axe-clean, at 320 px without sideways scrolling, with a
// screenshot; Arabic right to left with the layout mirrored. Then every
// other language's overview and plan form pass axe too.
func TestBrowserLanguages(t *testing.T) {
	site, ctx := browsertest.Journey(t)
	for _, tt := range []struct{ lang, situation string }{
		{"ar", "past the 14-day term: costs added"},
		{"tr", "partly paid"},
	} {
		p := i18n.For(tt.lang)
		d := site.Debtor(t, tt.situation)
		browsertest.SignInDebtor(t, ctx, d)
		browsertest.Click(t, ctx, "nav.langs button[lang='"+tt.lang+"']", "switch to "+tt.lang)
		langChecks(t, ctx, p, tt.lang+" overview")
		isoText(t, ctx, "h1", p.T("overview.title", browsertest.Text(t, ctx, "header .brand")))
		if tt.lang == "ar" {
			mirrored(t, ctx)
		}
		browsertest.Click(t, ctx, "nav.actions a[href='/plan']", tt.lang+" plan form")
		isoText(t, ctx, "h1", p.T("plan.title"))
		langChecks(t, ctx, p, tt.lang+" plan form")
		browsertest.Click(t, ctx, "form[action='/plan/preview'] button[type=submit]", tt.lang+" plan preview")
		isoText(t, ctx, "h1", p.T("plan.preview.title"))
		langChecks(t, ctx, p, tt.lang+" plan preview")
		browsertest.Click(t, ctx, "form[action='/plan'] button[type=submit]", tt.lang+" plan confirm")
		langChecks(t, ctx, p, tt.lang+" plan result")
		browsertest.Click(t, ctx, "form[action='/signout'] button[type=submit]", tt.lang+" sign out")
		isoText(t, ctx, "h1", p.T("signedout.title"))
		langChecks(t, ctx, p, tt.lang+" signed out")
	}

	// The other languages: overview and plan form, checked and shown.
	d := site.Debtor(t, "not yet due")
	browsertest.SignInDebtor(t, ctx, d)
	for _, l := range i18n.Languages {
		if l.Code == "ar" || l.Code == "tr" {
			continue
		}
		p := i18n.For(l.Code)
		browsertest.Visit(t, ctx, site.URL+"/overview", l.Code+" overview")
		if browsertest.Exists(t, ctx, "nav.langs button[lang='"+l.Code+"']") {
			browsertest.Click(t, ctx, "nav.langs button[lang='"+l.Code+"']", "switch to "+l.Code)
		}
		langChecks(t, ctx, p, l.Code+" overview")
		browsertest.Click(t, ctx, "nav.actions a[href='/plan']", l.Code+" plan form")
		isoText(t, ctx, "h1", p.T("plan.title"))
		langChecks(t, ctx, p, l.Code+" plan form")
	}
}

// langChecks: the page speaks p's language in the right direction, passes
// axe, reflows at 320 px, and is kept as a screenshot.
func langChecks(t *testing.T, ctx context.Context, p i18n.Printer, name string) {
	t.Helper()
	browserLang(t, ctx, p.Lang.Code)
	if got := browsertest.Eval[string](t, ctx, "document.documentElement.dir"); got != p.Lang.Dir {
		t.Errorf("%s: <html dir> = %q, want %q", name, got, p.Lang.Dir)
	}
	if got := browsertest.Eval[string](t, ctx, `getComputedStyle(document.body).direction`); got != p.Lang.Dir {
		t.Errorf("%s: body direction = %q, want %q", name, got, p.Lang.Dir)
	}
	browserReflow(t, ctx, name)
	browsertest.Screenshot(t, ctx, name)
	browsertest.Axe(t, ctx, name)
}

// mirrored checks where things are drawn, not only the dir attribute: the
// creditor's name starts at the right edge of the header and the language
// switch follows to its left (or, wrapped, starts at the right again); a warning's coloured bar is on its right side;
// the first word of the title is at its right end.
func mirrored(t *testing.T, ctx context.Context) {
	t.Helper()
	got := browsertest.Eval[map[string]bool](t, ctx, `(() => {
  const r = s => document.querySelector(s).getBoundingClientRect();
  const top = r("header.top"), brand = r(".brand"), langs = r("nav.langs"), h1 = r("main h1");
  const notice = document.querySelector(".notice, .hold, .ok, .instalments li.next");
  const bar = notice ? getComputedStyle(notice) : null;
  return {
    brandRight: Math.abs(top.right - brand.right) < 2,
    langsRightToLeft: langs.right <= brand.left + 1 || Math.abs(top.right - langs.right) < 2,
    titleRight: Math.abs(h1.right - r("main").right) < 2,
    barOnRight: !bar || (parseFloat(bar.borderRightWidth) >= 4 && parseFloat(bar.borderLeftWidth) === 0),
  };
})()`)
	for what, ok := range got {
		if !ok {
			t.Errorf("Arabic layout is not mirrored: %s is false", what)
		}
	}
	if len(got) != 4 {
		t.Errorf("mirror checks: %v", got)
	}
}

// isoText is browserText without the invisible Unicode isolates that wrap
// names and amounts in right-to-left text.
func isoText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	strip := strings.NewReplacer("\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "")
	if got, w := strip.Replace(browsertest.Text(t, ctx, sel)), strings.Join(strings.Fields(strip.Replace(want)), " "); got != w {
		t.Errorf("%s: text %q, want %q", sel, got, w)
	}
}
