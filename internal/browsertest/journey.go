package browsertest

import (
	"context"
	"testing"

	"github.com/settle/settle/internal/demo"
)

// Journey is the start every browser journey shares: the demo app
// (Start) and a Chromium tab (Browser) for it.
func Journey(t *testing.T) (*Env, context.Context) {
	t.Helper()
	site := Start(t)
	return site, Browser(t)
}

// DebtorJourney is Journey with the demo debtor in situation (as
// Env.Debtor names it) signed in on the portal's overview.
func DebtorJourney(t *testing.T, situation string) (*Env, context.Context, demo.Debtor) {
	t.Helper()
	site, ctx := Journey(t)
	d := site.Debtor(t, situation)
	SignInDebtor(t, ctx, d)
	return site, ctx, d
}

// Click is ClickAndWait for a step that must land on a page that answers
// 200 OK; otherwise it stops the test, naming the step what.
func Click(t testing.TB, ctx context.Context, sel, what string) {
	t.Helper()
	if code := ClickAndWait(t, ctx, sel); code != 200 {
		t.Fatalf("%s: status %d, want 200", what, code)
	}
}

// Visit is Open for a page that must answer 200 OK; otherwise it stops the
// test, naming the step what.
func Visit(t testing.TB, ctx context.Context, url, what string) {
	t.Helper()
	if code := Open(t, ctx, url); code != 200 {
		t.Fatalf("%s: status %d, want 200", what, code)
	}
}

// SignInDebtor opens a demo debtor's link and answers the second factor as
// the debtor types it, and stops the test unless the overview follows.
func SignInDebtor(t testing.TB, ctx context.Context, d demo.Debtor) {
	t.Helper()
	Visit(t, ctx, d.Link, "open link of "+d.Name)
	for field, value := range d.SecondFactor {
		Fill(t, ctx, "#"+field, value)
	}
	Click(t, ctx, "form[action='/verify'] button[type=submit]", "second factor of "+d.Name)
	if p := Path(t, ctx); p != "/overview" {
		t.Fatalf("%s signed in at %s (%s), want /overview", d.Name, p, Text(t, ctx, "main"))
	}
}
