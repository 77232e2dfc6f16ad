package portal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/settle/settle/internal/browsertest"
)

// TestBrowserCopyIBAN: on the overview, copy.js puts a copy button beside
// each number of the transfer block; the one beside the IBAN puts the IBAN
// on the clipboard without its spaces and the status line says so. The page
// passes axe and fits 320 px with the buttons. Without JavaScript the block
// is as before: no buttons, the numbers selectable and the hint how to copy.
func TestBrowserCopyIBAN(t *testing.T) {
	site, ctx, _ := browsertest.DebtorJourney(t, "partly paid")
	const iban = "NL91ABNA0417164300"
	browserText(t, ctx, "#transfer-iban", "NL91 ABNA 0417 1643 00")

	// The clipboard is the browser's to grant; a person clicking grants
	// writing, reading it back in the test needs the read permission too.
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: site.URL,
		}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	// Note what the page hands the clipboard, and still hand it on.
	browsertest.Eval[bool](t, ctx, `(() => {
  const write = navigator.clipboard.writeText.bind(navigator.clipboard);
  window.written = [];
  navigator.clipboard.writeText = text => { window.written.push(text); return write(text); };
  return true;
})()`)

	label := nl.T("transfer.copy.button")
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("section.transfer output.copy + button[type=button].copy-button").length`); n != 4 {
		t.Errorf("%d copy buttons, want one beside each of the 4 numbers", n)
	}
	browserText(t, ctx, "#transfer-iban + button", label)
	if name := browsertest.Eval[string](t, ctx, `document.querySelector("#transfer-iban + button").getAttribute("aria-label")`); name != label+": "+nl.T("transfer.iban") {
		t.Errorf("IBAN button's name %q, want it to start with %q and say which number", name, label)
	}
	browserText(t, ctx, "#transfer-copied", "")

	browserClick(t, ctx, "#transfer-iban + button")
	// Wait for the status line to speak (it is emptied first, then filled).
	said := await[string](t, ctx, `new Promise(done => {
  const s = document.querySelector("#transfer-copied");
  const look = () => s.textContent ? done(s.textContent) : setTimeout(look, 20);
  look();
})`)
	if said != nl.T("transfer.copy.done") {
		t.Errorf("status line says %q, want %q", said, nl.T("transfer.copy.done"))
	}
	if got := browsertest.Eval[[]string](t, ctx, `window.written`); len(got) != 1 || got[0] != iban {
		t.Errorf("the page wrote %q to the clipboard, want [%q]", got, iban)
	}
	if got := await[string](t, ctx, `navigator.clipboard.readText()`); got != iban {
		t.Errorf("clipboard holds %q, want %q", got, iban)
	}
	if role := browsertest.Eval[string](t, ctx, `document.querySelector("#transfer-copied").getAttribute("role")`); role != "status" {
		t.Errorf("status line role %q, want status (a polite live region)", role)
	}
	pageChecks(t, ctx, "overview with copy buttons")

	// Without JavaScript: no buttons, the hint and the selectable numbers.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("turn JavaScript off: %v", err)
	}
	browsertest.Visit(t, ctx, site.URL+"/overview", "overview without JavaScript")
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatalf("turn JavaScript on: %v", err)
	}
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("section.transfer button").length`); n != 0 {
		t.Errorf("without JavaScript the block has %d buttons, want none", n)
	}
	browserText(t, ctx, "section.transfer p.hint", nl.T("transfer.copy"))
	if sel := browsertest.Eval[string](t, ctx, `getComputedStyle(document.querySelector("#transfer-iban")).userSelect`); sel != "all" {
		t.Errorf("without JavaScript the IBAN's user-select is %q, want all", sel)
	}
}

// await evaluates js, a promise, in the page and returns what it resolves to.
func await[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browsertest.StepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", strings.TrimSpace(js), err)
	}
	return v
}
