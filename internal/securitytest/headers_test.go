package securitytest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
)

// TestSecurityHeaders: with an https base URL every answer carries HSTS for
// a year with subdomains (and none on http, where it would mean nothing);
// every page behind a sign-in and every API answer says Cache-Control:
// no-store, so no shared cache or browser history keeps a debtor's data;
// the CSP, frame and referrer headers stay.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"https://settle.test", ""} {
		e := newEnv(t, options{baseURL: base})
		debtor := e.Client()
		e.signInDebtor(debtor, e.A)
		console := e.Client()
		e.signInConsole(console, e.finance)
		api := e.APIClient(e.A.Key)

		type answer struct {
			what          string
			r             response
			authenticated bool
		}
		answers := []answer{
			{"home", e.Client().Get("/"), false},
			{"console sign-in", e.Client().Get("/console/login"), false},
			{"webhook", func() response {
				return e.Client().PostAsIs("/webhooks/mollie", url.Values{"id": {"tr_unknown"}})
			}(), false},
			{"API error", e.APIClient("wrong").Get("/api/v1/payments"), false},
		}
		// Every page the signed-in debtor, the finance user and the API
		// answer with a 200, taken from the route stack (GET routes without
		// parameters), plus the pages of their own records.
		for _, rt := range apptest.Routes(e.App.Fiber, func(method, path string) bool {
			return method == http.MethodGet && !strings.ContainsAny(path, ":*")
		}) {
			var c *client
			switch {
			case strings.HasPrefix(rt.Path, "/api/"):
				c = api
			case strings.HasPrefix(rt.Path, "/console"):
				c = console
			default:
				c = debtor
			}
			r := c.Get(rt.Path)
			if r.Status != http.StatusOK || strings.HasSuffix(rt.Path, ".css") || strings.HasSuffix(rt.Path, ".js") || rt.Path == "/api/v1/openapi.json" ||
				rt.Path == "/healthz" || rt.Path == "/readyz" {
				continue // not a page of anyone's data
			}
			answers = append(answers, answer{"GET " + rt.Path, r, true})
		}
		answers = append(answers,
			answer{"GET invoice page", debtor.Get("/invoices/" + e.A.Invoice.ID), true},
			answer{"GET console debtor file", console.Get("/console/debtors/" + e.A.Debtor.ID), true},
			answer{"GET API debtor", api.Get("/api/v1/debtors/" + e.A.Debtor.ID), true},
			answer{"API 404", api.Get("/api/v1/debtors/" + randomID), true},
		)
		if len(answers) < 15 {
			t.Fatalf("only %d answers checked", len(answers))
		}
		for _, a := range answers {
			what := base + " " + a.what
			hsts := a.r.Header.Get("Strict-Transport-Security")
			if base != "" && hsts != "max-age=31536000; includeSubDomains" {
				t.Errorf("%s: Strict-Transport-Security %q, want a year with subdomains", what, hsts)
			}
			if base == "" && hsts != "" {
				t.Errorf("%s: HSTS %q on plain http", what, hsts)
			}
			if a.authenticated && a.r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", what, a.r.Header.Get("Cache-Control"))
			}
			if csp := a.r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: CSP %q lacks frame-ancestors 'none'", what, csp)
			}
			if got := a.r.Header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("%s: Referrer-Policy %q", what, got)
			}
			if got := a.r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("%s: X-Content-Type-Options %q", what, got)
			}
		}
	}
}
