package apptest

import (
	"strings"
	"testing"

	"github.com/settle/settle/internal/portal"
)

// CheckSecurityHeaders fails the test when a response lacks the headers
// every answer of the app carries, or a page holds a script, may be cached
// or shows a broken format verb. Set it as Options.Check to run it on every
// response.
func CheckSecurityHeaders(t *testing.T, what string, r Response) {
	t.Helper()
	csp := r.Header.Get("Content-Security-Policy")
	switch {
	case csp == "":
		t.Errorf("%s: no Content-Security-Policy", what)
	case strings.Contains(csp, "unsafe-inline"), strings.Contains(csp, "unsafe-eval"):
		t.Errorf("%s: CSP allows inline code: %s", what, csp)
	case !strings.Contains(csp, "frame-ancestors 'none'"):
		t.Errorf("%s: CSP lacks frame-ancestors 'none': %s", what, csp)
	case !strings.Contains(csp, "default-src 'none'") && !strings.Contains(csp, "script-src"):
		t.Errorf("%s: CSP does not restrict scripts: %s", what, csp)
	}
	if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q", what, got)
	}
	if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy = %q", what, got)
	}
	CheckPage(t, what, r)
}

// ConsoleScript is the tag of the console's keyboard shortcuts.
const ConsoleScript = `<script src="/console/static/console.js" defer></script>`

// PortalScript is the tag of the transfer block's copy buttons (its
// address carries the file's hash, so browsers may keep it for a year).
var PortalScript = `<script src="` + portal.AssetURL("copy.js") + `" defer></script>`

// CheckPage fails the test when an HTML page holds a script, may be cached
// or shows a broken format verb.
func CheckPage(t *testing.T, what string, r Response) {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		return
	}
	// The console's keyboard shortcuts and the portal's copy buttons are the
	// two scripts allowed: from our own address, deferred, and nothing
	// depends on them. A page that has one must allow scripts from 'self'
	// and nowhere else.
	body := strings.ReplaceAll(strings.ReplaceAll(r.Body, ConsoleScript, ""), PortalScript, "")
	if strings.Contains(strings.ToLower(body), "<script") {
		t.Errorf("%s: page contains a script", what)
	}
	if body != r.Body {
		if src := CSPDirective(r.Header.Get("Content-Security-Policy"), "script-src"); src != "'self'" {
			t.Errorf("%s: page has a script but its CSP script-src is %q, want 'self'", what, src)
		}
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s: Cache-Control = %q, want no-store", what, got)
	}
	if strings.Contains(r.Body, "%!") {
		t.Errorf("%s: page has a broken format verb:\n%s", what, r.Body)
	}
}

// WantStatus stops the test when r's status is not status.
func WantStatus(t *testing.T, what string, r Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, r.Body)
	}
}

// WantContains fails the test for each of subs that body lacks.
func WantContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s: page lacks %q\n%s", what, s, body)
		}
	}
}

// WantNotContains fails the test for each non-empty one of subs that body shows.
func WantNotContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if s != "" && strings.Contains(body, s) {
			t.Errorf("%s: page shows %q", what, s)
		}
	}
}

// CSPDirective is the value of one directive of a CSP ("" when absent).
func CSPDirective(csp, name string) string {
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 && f[0] == name {
			return strings.Join(f[1:], " ")
		}
	}
	return ""
}
