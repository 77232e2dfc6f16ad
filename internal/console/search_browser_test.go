package console_test

import (
	"strings"
	"testing"

	"github.com/settle/settle/internal/browsertest"
)

// TestBrowserFindAndCall is the agent's journey of issue G.5, G.6 and G.8
// at desktop width: / jumps to the search box, a search finds the demo's
// disputing debtor, whose file opens with the payment history, the call
// script for a dispute and a timeline in words; back in the queue, j
// chooses the first request and Enter opens it, while a j typed in the
// search box stays text. Axe checks the queue, the results and the file.
func TestBrowserFindAndCall(t *testing.T) {
	site, ctx := consoleJourney(t, "agent")
	d := site.Debtor(t, "one invoice disputed")
	browsertest.SetWidth(t, ctx, 1280)
	browsertest.Visit(t, ctx, site.URL+"/console", "the queue at 1280 px")
	browsertest.Axe(t, ctx, "work queue with filters")
	if !strings.Contains(browsertest.Text(t, ctx, "#queue-keys"), "j next") {
		t.Errorf("the queue lacks its help line for the keys")
	}

	browsertest.Keys(t, ctx, "/")
	if id := browsertest.Eval[string](t, ctx, "document.activeElement.id"); id != "find-q" {
		t.Fatalf("after /: focus on %q, want the search box", id)
	}
	browsertest.Fill(t, ctx, "#find-q", "visser")
	if status := browsertest.KeysAndWait(t, ctx, "\r"); status != 200 {
		t.Fatalf("search: status %d", status)
	}
	if got := browsertest.Text(t, ctx, "#search-caption"); !strings.Contains(got, "found for “visser”") {
		t.Errorf("results caption %q", got)
	}
	browsertest.Axe(t, ctx, "search results")
	browsertest.Click(t, ctx, `a.hit[href="/console/debtors/`+d.ID+`"]`, "open the file from the results")

	if got := browsertest.Text(t, ctx, "#script"); got != "Call script: A dispute is open: collection waits" {
		t.Errorf("call script heading %q", got)
	}
	if got := browsertest.Text(t, ctx, ".script .opening"); !strings.Contains(got, "am I speaking with Lotte?") || !strings.Contains(got, "is not right") {
		t.Errorf("call script opening %q", got)
	}
	if got := browsertest.Text(t, ctx, "ol.strip"); !strings.Contains(got, "disputed") {
		t.Errorf("payment history strip %q", got)
	}
	if got := browsertest.Text(t, ctx, "#glance-language"); got != "Dutch" {
		t.Errorf("language at the top %q", got)
	}
	tl := browsertest.Text(t, ctx, "table.timeline tbody")
	if !strings.Contains(tl, "Lotte disputed invoice") || strings.Contains(tl, "dispute.opened") || strings.Contains(tl, d.ID) {
		t.Errorf("timeline not in words: %q", tl)
	}
	browsertest.Axe(t, ctx, "debtor's file with the call script")
	browsertest.Screenshot(t, ctx, "file-1280")

	browsertest.Visit(t, ctx, site.URL+"/console", "back to the queue")
	browsertest.Screenshot(t, ctx, "queue-1280")
	browsertest.Fill(t, ctx, "#find-q", "j")
	if browsertest.Exists(t, ctx, "tr.current") {
		t.Errorf("a j typed into the search box moved the queue")
	}
	browsertest.Eval[bool](t, ctx, "(document.activeElement.blur(), true)")
	browsertest.Keys(t, ctx, "j")
	first := browsertest.Eval[string](t, ctx, `document.querySelector("table[data-keys=queue] tbody tr").id`)
	if cur := browsertest.Eval[string](t, ctx, `(document.querySelector("tr.current") || {}).id || ""`); cur == "" || cur != first {
		t.Fatalf("after j: current row %q, want the first %q", cur, first)
	}
	want := browsertest.Eval[string](t, ctx, `document.querySelector("tr.current th a").pathname`)
	if status := browsertest.KeysAndWait(t, ctx, "\r"); status != 200 {
		t.Fatalf("Enter on the chosen request: status %d", status)
	}
	if p := browsertest.Path(t, ctx); p != want {
		t.Errorf("Enter opened %s, want %s", p, want)
	}
}
