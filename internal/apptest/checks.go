package apptest

import (
	"strings"
	"testing"
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

// CheckPage fails the test when an HTML page holds a script, may be cached
// or shows a broken format verb.
func CheckPage(t *testing.T, what string, r Response) {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		return
	}
	// The console's keyboard shortcuts are the one script allowed: from its
	// own address, deferred, and nothing depends on it.
	body := strings.ReplaceAll(r.Body, ConsoleScript, "")
	if strings.Contains(strings.ToLower(body), "<script") {
		t.Errorf("%s: page contains a script", what)
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
