package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/csrf"
)

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// form is one browser form of the portal or the console: how to send it
// with a given token.
type form struct {
	name string
	send func(c *client, token string) response
}

func urlencoded(path string, fields url.Values) func(c *client, token string) response {
	return func(c *client, token string) response {
		v := url.Values{"_csrf": {token}}
		for k, vs := range fields {
			v[k] = vs
		}
		return c.post(path, v)
	}
}

func portalForms(e *env) []form {
	inv := e.invoices[0].ID
	return []form{
		{"language", urlencoded("/language", url.Values{"lang": {"en"}, "back": {"/overview"}})},
		{"contact", urlencoded("/contact", url.Values{"email": {"evil@example.org"}, "language": {"en"}})},
		{"hardship", urlencoded("/hardship", url.Values{"reason": {"income"}})},
		{"plan preview", urlencoded("/plan/preview", url.Values{"months": {"3"}})},
		{"plan", urlencoded("/plan", url.Values{"months": {"3"}})},
		{"plan answer", urlencoded("/plans/x/answer", url.Values{"answer": {"accept"}})},
		{"pay", urlencoded("/pay", url.Values{"method": {"ideal"}})},
		{"dispute (upload)", func(c *client, token string) response {
			return c.postMultipart("/invoices/"+inv+"/dispute", field{name: "_csrf", data: []byte(token)},
				field{name: "reason", data: []byte("paid")}, field{name: "body", data: []byte("Betaald.")},
				field{name: "evidence", filename: "bon.pdf", data: pdf})
		}},
		{"sign out", urlencoded("/signout", nil)},
	}
}

func consoleForms(e *env) []form {
	d := e.debtors[0].ID
	return []form{
		{"note", urlencoded("/console/debtors/"+d+"/notes", url.Values{"body": {"forged note"}})},
		{"offer plan", urlencoded("/console/debtors/"+d+"/plans", url.Values{"months": {"3"}})},
		{"security", urlencoded("/console/security", nil)},
		{"finance import (upload)", func(c *client, token string) response {
			return c.postMultipart("/console/finance/import", field{name: "_csrf", data: []byte(token)},
				field{name: "creditor", data: []byte(e.creditor.ID)}, field{name: "statement", filename: "camt.xml", data: []byte("<Document/>")})
		}},
		{"sign out", urlencoded("/console/logout", nil)},
	}
}

// swapped is the victim's browser with the attacker's CSRF cookie planted
// beside the victim's session cookies, as a cookie-tossing attacker would.
func swapped(victim, attacker *client) *client {
	c := &client{t: victim.t, app: victim.app, jar: map[string]string{}}
	for k, v := range victim.jar {
		c.jar[k] = v
	}
	c.jar[csrf.Cookie] = attacker.jar[csrf.Cookie]
	return c
}

// TestCSRFSwap: a visitor's own nonce cookie and token, placed beside a
// victim's session, pass no form of the portal or the console, whether the
// visitor took them before signing in or from a session of their own. The
// victim's own token passes the same forms.
func TestCSRFSwap(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "http://settle.test")

	anonymous := e.client()
	anonymous.get("/console/login")
	otherDebtor := e.client()
	e.signIn(otherDebtor, e.debtors[1])
	otherDebtor.get("/contact")
	attackers := map[string]*client{"token from before sign-in": anonymous, "token of another debtor's session": otherDebtor}

	for _, f := range portalForms(e) {
		victim := e.client()
		e.signIn(victim, e.debtors[0])
		for what, attacker := range attackers {
			if r := f.send(swapped(victim, attacker), attacker.csrf); r.Status != http.StatusForbidden {
				t.Errorf("portal %s with a %s: status %d, want 403", f.name, what, r.Status)
			}
		}
		if r := f.send(victim, victim.csrf); r.Status == http.StatusForbidden {
			t.Errorf("portal %s with the victim's own token: 403", f.name)
		}
	}

	otherAgent := e.client()
	e.signInConsole(otherAgent)
	attackers["token of another console session"] = otherAgent
	for _, f := range consoleForms(e) {
		victim := e.client()
		e.signInConsole(victim)
		victim.get("/console/finance")
		for what, attacker := range attackers {
			if r := f.send(swapped(victim, attacker), attacker.csrf); r.Status != http.StatusForbidden {
				t.Errorf("console %s with a %s: status %d, want 403", f.name, what, r.Status)
			}
		}
		if r := f.send(victim, victim.csrf); r.Status == http.StatusForbidden {
			t.Errorf("console %s with the victim's own token: 403", f.name)
		}
	}
	var notes int
	if err := e.db.PoolForTests().QueryRow(e.ctx, `SELECT count(*) FROM notes WHERE body = 'forged note'`).Scan(&notes); err != nil {
		t.Fatal(err)
	}
	if notes != 1 { // the victim's own
		t.Errorf("%d notes stored, want 1 (the victim's own)", notes)
	}
}

// TestCSRFTokenPlaces: the token counts in the form body or the
// X-CSRF-Token header, never in the query string; a multipart upload must
// carry it before its files.
func TestCSRFTokenPlaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "http://settle.test")
	c := e.client()
	e.signIn(c, e.debtors[0])
	tok := c.csrf
	lang := url.Values{"lang": {"en"}, "back": {"/overview"}}

	wantStatus(t, "token in the query string", c.post("/language?_csrf="+url.QueryEscape(tok), lang), http.StatusForbidden)
	wantStatus(t, "token in the header", c.send(http.MethodPost, "/language", strings.NewReader(lang.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, csrf.Header: {tok}}), http.StatusSeeOther)
	lang.Set("_csrf", tok)
	wantStatus(t, "token in the body", c.post("/language", lang), http.StatusSeeOther)

	inv := e.invoices[0].ID
	r := c.postMultipart("/invoices/"+inv+"/dispute", field{name: "reason", data: []byte("paid")},
		field{name: "evidence", filename: "bon.pdf", data: pdf}, field{name: "_csrf", data: []byte(tok)})
	wantStatus(t, "upload with the token after the file", r, http.StatusForbidden)
	if ds, _ := e.db.Disputes(e.ctx, e.creditor.ID, e.debtors[0].ID); len(ds) != 0 {
		t.Fatalf("a refused upload stored %d disputes", len(ds))
	}
	r = c.postMultipart("/invoices/"+inv+"/dispute", field{name: "_csrf", data: []byte(tok)}, field{name: "reason", data: []byte("paid")},
		field{name: "evidence", filename: "bon.pdf", data: pdf})
	wantStatus(t, "upload with the token first", r, http.StatusOK)
	if ds, _ := e.db.Disputes(e.ctx, e.creditor.ID, e.debtors[0].ID); len(ds) != 1 || len(ds[0].Files) != 1 {
		t.Fatalf("the upload stored %+v, want one dispute with one file", ds)
	}
}

// TestCSRFAcrossSignInAndOut: a token from before sign-in is worth nothing
// after it; the page shown after signing out still works.
func TestCSRFAcrossSignInAndOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "http://settle.test")
	c := e.client()
	c.get("/console/login")
	before := c.csrf
	e.signInConsole(c)
	if c.csrf == before {
		t.Fatal("the token did not change at sign-in")
	}
	d := e.debtors[0].ID
	wantStatus(t, "note with the token from before sign-in", c.post("/console/debtors/"+d+"/notes", url.Values{"_csrf": {before}, "body": {"x"}}), http.StatusForbidden)

	p := e.client()
	e.signIn(p, e.debtors[0])
	r := p.post("/signout", url.Values{"_csrf": {p.csrf}})
	wantStatus(t, "sign out", r, http.StatusOK)
	wantStatus(t, "language switch on the signed-out page", p.post("/language", url.Values{"_csrf": {p.csrf}, "lang": {"en"}, "back": {"/"}}), http.StatusSeeOther)
}

// TestCSRFCookieOnHTTPS: on https the nonce cookie is __Host- (Secure, Path=/,
// no Domain), and a nonce in a cookie without the prefix, which a subdomain
// could set, is not taken.
func TestCSRFCookieOnHTTPS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "https://settle.test")
	c := e.client()
	r := c.get("/console/login")
	ck := r.cookie(csrf.HostCookie)
	if ck == nil || !ck.Secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly {
		t.Fatalf("CSRF cookie on https = %+v, want __Host-, Secure, HttpOnly, Path=/ without Domain", ck)
	}
	if r.cookie(csrf.Cookie) != nil {
		t.Error("an unprefixed CSRF cookie is set on https")
	}
	login := url.Values{"_csrf": {c.csrf}, "email": {e.agent.Email}, "password": {password}}
	planted := &client{t: t, app: e.app, jar: map[string]string{csrf.Cookie: c.jar[csrf.HostCookie]}}
	wantStatus(t, "nonce in an unprefixed cookie", planted.post("/console/login", login), http.StatusForbidden)
	wantStatus(t, "nonce in the __Host- cookie", c.post("/console/login", login), http.StatusSeeOther)

	plain := newEnv(t, "http://settle.test").client()
	if ck := plain.get("/console/login").cookie(csrf.Cookie); ck == nil || ck.Secure {
		t.Errorf("CSRF cookie on http = %+v, want settle_csrf without Secure", ck)
	}
}
