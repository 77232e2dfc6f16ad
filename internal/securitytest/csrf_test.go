package securitytest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/csrf"
)

// formRoute says whether a route is a browser form: every POST the app
// answers, except the machine routes the CSRF check leaves to their own
// authentication (API key, webhook signature or re-fetch).
func formRoute(method, path string) bool {
	if method != http.MethodPost {
		return false
	}
	for _, p := range []string{"/api/", "/webhooks/", "/fake-mollie"} {
		if strings.HasPrefix(path, p) {
			return false
		}
	}
	return true
}

// signsOut says whether a form ends the session it is posted in; the walk
// posts those last.
func signsOut(path string) bool { return path == "/signout" || path == "/console/logout" }

// TestCSRFSwapOnEveryForm walks every POST route of the app, taken from
// Fiber's route stack so a new form is covered without editing this test.
// A visitor's own nonce cookie and token, placed beside the victim's session
// (cookie tossing), are refused on every one, whether the token is posted in
// the body, in a multipart form or in the X-CSRF-Token header; the victim's
// own token in the query string is refused too. The victim's own token in
// the body passes the CSRF check (anything but 403), so the 403s are the
// check's and not the route's.
func TestCSRFSwapOnEveryForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{})

	// The attackers, each with a nonce cookie and a token of their own.
	anonymous := e.Client()
	if r := anonymous.Get("/"); r.Status != http.StatusOK || anonymous.CSRF == "" {
		t.Fatalf("home page: status %d, token %q", r.Status, anonymous.CSRF)
	}
	otherDebtor := e.Client()
	e.signInDebtor(otherDebtor, e.B)
	otherDebtor.Get("/contact")
	otherAgent := e.Client()
	e.signInConsole(otherAgent, e.agent)
	attackers := map[string]*client{
		"a token from before sign-in":          anonymous,
		"another debtor's session token":       otherDebtor,
		"another console user's session token": otherAgent,
	}

	debtorVictim, consoleVictim, adminVictim := e.Client(), e.Client(), e.Client()
	e.signInDebtor(debtorVictim, e.A)
	e.signInConsole(consoleVictim, e.finance)
	e.signInConsole(adminVictim, e.admin)
	// victim is the signed-in browser a route belongs to, on a page of its
	// part: the ladder editor's is an admin, so its control post is refused
	// by nothing but the CSRF check if at all.
	victim := func(path string) *client {
		if strings.HasPrefix(path, "/console/ladders") {
			if r := adminVictim.Get("/console"); r.Status != http.StatusOK {
				adminVictim = e.Client()
				e.signInConsole(adminVictim, e.admin)
			}
			return adminVictim
		}
		if strings.HasPrefix(path, "/console") {
			if r := consoleVictim.Get("/console"); r.Status != http.StatusOK {
				consoleVictim = e.Client()
				e.signInConsole(consoleVictim, e.finance)
			}
			return consoleVictim
		}
		if r := debtorVictim.Get("/overview"); r.Status != http.StatusOK {
			debtorVictim = e.Client()
			e.signInDebtor(debtorVictim, e.A)
		}
		return debtorVictim
	}
	// The victim's own ids, so the control post reaches a real handler.
	own := map[string]string{"/invoices/": e.A.Invoice.ID, "/console/debtors/": e.A.Debtor.ID, "/console/ladders/": e.A.ID}
	target := func(pattern string) string {
		for prefix, id := range own {
			if strings.HasPrefix(pattern, prefix) {
				return strings.ReplaceAll(fill(pattern, id, "3f0c7a52-8d1e-4b6a-9c2f-5e7d1a3b9c40"), "*", "x")
			}
		}
		return strings.ReplaceAll(fill(pattern, "3f0c7a52-8d1e-4b6a-9c2f-5e7d1a3b9c40"), "*", "x")
	}

	forms := apptest.Routes(e.App.Fiber, formRoute)
	var last []string
	var paths []string
	for _, rt := range forms {
		if signsOut(rt.Path) {
			last = append(last, rt.Path)
		} else {
			paths = append(paths, rt.Path)
		}
	}
	paths = append(paths, last...)
	if len(paths) < 16 {
		t.Fatalf("found %d forms in the route stack, want at least the 16 the probe found: %v", len(paths), paths)
	}
	// What the attackers post; the victim's control posts say "own note".
	fields := url.Values{"lang": {"en"}, "back": {"/overview"}, "body": {"forged"}, "reason": {"paid"}, "months": {"3"},
		"answer": {"accept"}, "method": {"ideal"}}
	control := url.Values{"lang": {"en"}, "back": {"/overview"}, "body": {"own note"}, "reason": {"paid"}, "months": {"3"},
		"answer": {"accept"}, "method": {"ideal"}}

	for _, pattern := range paths {
		path := target(pattern)
		v := victim(pattern)
		for what, attacker := range attackers {
			planted := v.Clone()
			planted.Jar[csrf.Cookie] = attacker.Jar[csrf.Cookie]
			body := url.Values{"_csrf": {attacker.CSRF}}
			for k, vs := range fields {
				body[k] = vs
			}
			wantStatus(t, "POST "+pattern+" with "+what+" (form body)", planted.PostAsIs(path, body), http.StatusForbidden)
			wantStatus(t, "POST "+pattern+" with "+what+" (multipart)", planted.PostMultipart(path, attacker.CSRF, fields), http.StatusForbidden)
			wantStatus(t, "POST "+pattern+" with "+what+" (header)", planted.Send(http.MethodPost, path, strings.NewReader(fields.Encode()),
				http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, csrf.Header: {attacker.CSRF}}), http.StatusForbidden)
		}
		wantStatus(t, "POST "+pattern+" with the victim's own token in the query string",
			v.PostAsIs(path+"?"+url.Values{"_csrf": {v.CSRF}}.Encode(), fields), http.StatusForbidden)
		if r := v.PostMultipart(path, v.CSRF, control); r.Status == http.StatusForbidden {
			t.Errorf("POST %s with the victim's own token: 403, want the CSRF check passed\n%.400s", pattern, r.Body)
		}
	}
	// Nothing an attacker posted was stored; the victim's own note was.
	if n := e.Count(`SELECT count(*) FROM notes WHERE body = 'forged'`); n != 0 {
		t.Errorf("%d forged notes stored, want 0", n)
	}
	if n := e.Count(`SELECT count(*) FROM notes WHERE body = 'own note'`); n != 1 {
		t.Errorf("%d notes of the victim's own, want 1 (the control post)", n)
	}
}
