package portal_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
)

// TestTransferCSP: the pages with a transfer block load copy.js and their
// CSP allows scripts from our own address and nowhere else, with no inline
// code; a page without the block keeps the app's policy, which runs no
// script at all. The client's CheckPage fails a page with any other script.
func TestTransferCSP(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)
	a := e.invoice(cr, d, "F-1", "Stroom oktober", collect.Day(2026, 10, 1), collect.Day(2026, 12, 1), 12345)
	c := e.signIn(cr, d)
	for _, path := range []string{"/overview", "/invoices/" + a.ID} {
		r := c.Get(path)
		apptest.WantStatus(t, path, r, http.StatusOK)
		apptest.WantContains(t, path, r.Body, apptest.PortalScript, `data-copy-button="`+nl.T("transfer.copy.button")+`"`, `id="transfer-copied" role="status"`)
		csp := r.Header.Get("Content-Security-Policy")
		if got := apptest.CSPDirective(csp, "script-src"); got != "'self'" {
			t.Errorf("%s: script-src %q, want 'self' (CSP %s)", path, got, csp)
		}
		for _, dir := range []string{"default-src", "style-src", "img-src", "frame-ancestors", "base-uri"} {
			if got, want := apptest.CSPDirective(csp, dir), map[string]string{"default-src": "'none'", "style-src": "'self'", "img-src": "'self' data:", "frame-ancestors": "'none'", "base-uri": "'none'"}[dir]; got != want {
				t.Errorf("%s: %s %q, want %q", path, dir, got, want)
			}
		}
	}
	// The help page has no transfer block: no script, and no script-src.
	r := c.Get("/help")
	apptest.WantStatus(t, "help", r, http.StatusOK)
	apptest.WantNotContains(t, "help", r.Body, "copy.js")
	if csp := r.Header.Get("Content-Security-Policy"); strings.Contains(csp, "script-src") || apptest.CSPDirective(csp, "default-src") != "'none'" {
		t.Errorf("help: CSP %s, want the app's policy without script-src", csp)
	}
	// The script itself is served from our address as JavaScript.
	r = c.Get("/static/copy.js")
	apptest.WantStatus(t, "copy.js", r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("copy.js: Content-Type %q", ct)
	}
	apptest.WantContains(t, "copy.js", r.Body, "navigator.clipboard.writeText")
}
