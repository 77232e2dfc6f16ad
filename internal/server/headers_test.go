package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// unchanged are the headers every answer carried before HSTS and no-store.
var unchanged = map[string]string{
	"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'",
	"X-Frame-Options":         "DENY",
	"Referrer-Policy":         "no-referrer",
	"X-Content-Type-Options":  "nosniff",
}

// scripted are the pages that load our one same-origin script (the
// console's keys, the portal's copy buttons): their CSP is the same with
// script-src 'self' added, and no more.
var scripted = map[string]bool{"portal overview": true, "portal invoice": true, "console queue": true, "console debtor file": true, "console finance": true}

// TestHeaders: HSTS for a year with subdomains when the base URL is https
// (never on http, where a browser ignores it); no-store on every signed-in
// page and every API answer, errors and redirects included; the static files
// stay cacheable; CSP, framing and referrer as before.
func TestHeaders(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"http://settle.test", "https://settle.test"} {
		e := newEnv(t, base)
		debtor, agent := e.client(), e.client()
		e.signIn(debtor, e.debtors[0])
		e.signInConsole(agent)
		bearer := http.Header{"Authorization": {"Bearer " + e.apiKey}}
		invoice := e.invoices[0].ID
		pages := []struct {
			what  string
			send  func() response
			store bool // may be cached
		}{
			{"portal overview", func() response { return debtor.get("/overview") }, false},
			{"portal invoice", func() response { return debtor.get("/invoices/" + invoice) }, false},
			{"portal dispute form", func() response { return debtor.get("/invoices/" + invoice + "/dispute") }, false},
			{"portal unknown address, signed in", func() response { return debtor.get("/nothing-here") }, false},
			{"console queue", func() response { return agent.get("/console") }, false},
			{"console debtor file", func() response { return agent.get("/console/debtors/" + e.debtors[0].ID) }, false},
			{"console finance", func() response { return agent.get("/console/finance") }, false},
			{"console redirect", func() response { return e.client().get("/console") }, false},
			{"API debtor", func() response {
				return e.client().send(http.MethodGet, "/api/v1/debtors/"+e.debtors[0].ID, nil, bearer)
			}, false},
			{"API payments", func() response { return e.client().send(http.MethodGet, "/api/v1/payments", nil, bearer) }, false},
			{"API error", func() response { return e.client().send(http.MethodGet, "/api/v1/payments", nil, nil) }, false},
			{"portal stylesheet", func() response { return e.client().get("/static/settle.css") }, true},
			{"console stylesheet", func() response { return e.client().get("/console/static/console.css") }, true},
		}
		for _, p := range pages {
			what := base + " " + p.what
			r := p.send()
			if r.Status >= 500 {
				t.Errorf("%s: status %d", what, r.Status)
			}
			cc := r.Header.Get("Cache-Control")
			if p.store && (cc == "no-store" || !strings.Contains(cc, "max-age")) {
				t.Errorf("%s: Cache-Control %q, want cacheable", what, cc)
			}
			if !p.store && cc != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", what, cc)
			}
			hsts := r.Header.Get("Strict-Transport-Security")
			if want := "max-age=31536000; includeSubDomains"; strings.HasPrefix(base, "https") && hsts != want {
				t.Errorf("%s: Strict-Transport-Security %q, want %q", what, hsts, want)
			} else if strings.HasPrefix(base, "http:") && hsts != "" {
				t.Errorf("%s: Strict-Transport-Security %q on http", what, hsts)
			}
			for k, v := range unchanged {
				if k == "Content-Security-Policy" && scripted[p.what] {
					v = strings.Replace(v, "default-src 'none'; ", "default-src 'none'; script-src 'self'; ", 1)
				}
				if got := r.Header.Get(k); got != v {
					t.Errorf("%s: %s = %q, want %q", what, k, got, v)
				}
			}
		}
	}
}
