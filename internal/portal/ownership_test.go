package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// ownershipFixture: debtor A is signed in; B is another debtor of the same
// creditor, C a debtor of another creditor with the same reference.
type ownershipFixture struct {
	e          *env
	a, b, c    collect.Debtor
	invA       collect.Invoice
	invB, invC collect.Invoice
	payB, payC collect.Payment
	// plans of B and C: a counter-offer each, which only they may answer
	planB, planC collect.Plan
	// promises of B and C, whose dates only they may move
	promB, promC collect.Promise
}

// ownedRoutes are the debtor routes that take an id, with the ids of other
// debtors that each must refuse. A new route with a parameter fails
// TestOwnership until it is added here.
var ownedRoutes = map[string]func(f ownershipFixture) (own string, foreign []string){
	"GET /invoices/:id": func(f ownershipFixture) (string, []string) {
		return f.invA.ID, []string{f.invB.ID, f.invC.ID}
	},
	"GET /pay/return/:id": func(f ownershipFixture) (string, []string) {
		return "", []string{f.payB.ID, f.payC.ID}
	},
	"GET /invoices/:id/dispute": func(f ownershipFixture) (string, []string) {
		return f.invA.ID, []string{f.invB.ID, f.invC.ID}
	},
	"POST /invoices/:id/dispute": func(f ownershipFixture) (string, []string) {
		return "", []string{f.invB.ID, f.invC.ID}
	},
	"POST /plans/:id/answer": func(f ownershipFixture) (string, []string) {
		return "", []string{f.planB.ID, f.planC.ID}
	},
	"POST /promises/:id/move": func(f ownershipFixture) (string, []string) {
		return "", []string{f.promB.ID, f.promC.ID}
	},
	"POST /instalments/:id/move": func(f ownershipFixture) (string, []string) {
		return "", []string{f.planB.Instalments[0].ID, f.planC.Instalments[0].ID}
	},
}

// ownershipForm is what the walk posts to a POST route: a valid answer, so
// only the id decides.
var ownershipForm = url.Values{"reason": {"paid"}, "body": {"Ik heb betaald."}, "answer": {"accept"}, "on": {"2026-11-30"}}

// notDebtorRoutes take a parameter but are not debtor routes.
var notDebtorRoutes = map[string]string{
	"GET /l/:token": "the magic link itself; TestInvalidLinksLookAlike covers it",
	"GET /b/:code":  "the letter's short code, which leads to the second factor like /l/; the short link tests cover it",
}

func notDebtorPath(path string) bool {
	for _, p := range []string{"/api/", "/webhooks/", "/fake-mollie", "/console"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

var backField = regexp.MustCompile(`name="back" value="[^"]*"`)

// normalise removes the one thing a 404 page may repeat of its request: the
// address the language switch goes back to.
func normalise(body string) string { return backField.ReplaceAllString(body, `name="back" value=""`) }

func TestOwnership(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	other := e.creditor("Water Zuid B.V.", "030 765 43 21")
	f := ownershipFixture{e: e}
	f.a = e.debtor(cr, "K-1", debtorName, "7311 KL", "12")
	f.b = e.debtor(cr, "K-2", "Piet Pieters", "7311 KL", "14")
	f.c = e.debtor(other, "K-1", "Jan Jansen-de Vries", "7311 KL", "12")
	f.invA = e.invoice(cr, f.a, "A-001", "Stroom oktober", collect.Day(2026, 10, 1), collect.Day(2026, 10, 15), 10000)
	f.invB = e.invoice(cr, f.b, "B-001", "Gas oktober", collect.Day(2026, 10, 1), collect.Day(2026, 10, 15), 23456)
	f.invC = e.invoice(other, f.c, "C-001", "Water oktober", collect.Day(2026, 10, 1), collect.Day(2026, 10, 15), 34567)
	var err error
	if f.payB, err = e.DB.CreatePayment(e.Ctx, collect.Payment{CreditorID: cr.ID, DebtorID: f.b.ID, InvoiceID: f.invB.ID, Amount: 23456, Provider: "mollie", Method: "ideal"}); err != nil {
		t.Fatal(err)
	}
	if f.payC, err = e.DB.CreatePayment(e.Ctx, collect.Payment{CreditorID: other.ID, DebtorID: f.c.ID, InvoiceID: f.invC.ID, Amount: 34567, Provider: "mollie", Method: "ideal"}); err != nil {
		t.Fatal(err)
	}
	f.planB, f.planC = counterOffer(t, e, cr.ID, f.b.ID), counterOffer(t, e, other.ID, f.c.ID)
	f.promB, f.promC = promiseOf(t, e, cr.ID, f.b.ID), promiseOf(t, e, other.ID, f.c.ID)
	// What of B and C no page of A may show.
	secrets := []string{"Piet Pieters", "Jansen-de Vries", "B-001", "C-001", "Gas oktober", "Water oktober", "234,56", "345,67", "Water Zuid", f.invB.ID, f.invC.ID}

	tok, _ := e.link(cr, f.a, "letter")
	c := e.Client()
	c.SignInDebtor(tok, f.a)
	r := c.Get("/overview")
	apptest.WantStatus(t, "A's overview", r, http.StatusOK)
	apptest.WantContains(t, "A's overview", r.Body, "A-001")
	apptest.WantNotContains(t, "A's overview", r.Body, secrets...)

	// Every route with a path parameter, but the creditor API and the
	// provider webhooks.
	routes := apptest.Routes(e.App.Fiber, func(_, path string) bool {
		return !notDebtorPath(path) && strings.ContainsAny(path, ":*")
	})
	covered := 0
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		if _, ok := notDebtorRoutes[key]; ok {
			continue
		}
		ids, ok := ownedRoutes[key]
		if !ok {
			t.Errorf("route %s takes %v but TestOwnership does not know whose ids it takes: add it to ownedRoutes with another debtor's ids", key, rt.Params)
			continue
		}
		covered++
		own, foreign := ids(f)
		get := func(path string) response {
			if rt.Method == http.MethodPost {
				form := url.Values{}
				for k, v := range ownershipForm {
					form[k] = v
				}
				return c.Post(path, form)
			}
			return c.Get(path)
		}
		if rt.Method != http.MethodGet && rt.Method != http.MethodPost {
			t.Errorf("route %s: TestOwnership only walks GET and POST routes; extend walk for %s", key, rt.Method)
			continue
		}
		values := append(append([]string{}, foreign...),
			"3f0c7a52-8d1e-4b6a-9c2f-5e7d1a3b9c40", // a random UUID
			"00000000-0000-0000-0000-000000000000",
			strings.ToUpper(foreign[0]),
			"garbage", "1", "-1", "%27%20OR%20%271%27=%271", "..%2Foverview", strings.Repeat("9", 300))
		var first response
		for i, v := range values {
			path := fill(rt.Path, v)
			got := get(path)
			if i == 0 {
				first = got
				if got.Status != http.StatusNotFound {
					t.Errorf("%s with another debtor's id: status %d, want 404\n%s", key, got.Status, got.Body)
				}
				apptest.WantContains(t, path, got.Body, nl.T("error.notfound"))
			} else if got.Status != first.Status || normalise(got.Body) != normalise(first.Body) {
				t.Errorf("%s: %s gives status %d and a different page than another debtor's id (%d)\n%s\n---\n%s",
					key, path, got.Status, first.Status, got.Body, first.Body)
			}
			apptest.WantNotContains(t, path, normalise(got.Body), secrets...)
			checkNoLeak(t, path, got.Body)
		}
		if own != "" {
			r := c.Get(fill(rt.Path, own))
			apptest.WantStatus(t, key+" with A's own id", r, http.StatusOK)
			apptest.WantNotContains(t, key+" with A's own id", r.Body, secrets...)
		}
	}
	if covered < 1 {
		t.Errorf("found no debtor routes with an id among %d routes", len(routes))
	}

	// Ids in the query string of any page must not show another debtor's data either.
	for _, rt := range e.App.Fiber.GetRoutes(true) {
		if rt.Method != http.MethodGet || len(rt.Params) > 0 || notDebtorPath(rt.Path) || strings.Contains(rt.Path, "*") {
			continue
		}
		for _, foreign := range []string{f.invB.ID, f.invC.ID, f.payB.ID} {
			q := url.Values{"id": {foreign}, "invoice": {foreign}, "invoice_id": {foreign}, "payment": {foreign}, "what": {"invoice"}}
			r := c.Get(rt.Path + "?" + q.Encode())
			apptest.WantNotContains(t, rt.Path+" with another debtor's id in the query", r.Body, secrets...)
		}
	}

	// Still signed in as A after all that, and B's invoice is still B's.
	apptest.WantStatus(t, "A's overview at the end", c.Get("/overview"), http.StatusOK)
	if _, st, err := e.DB.Statement(e.Ctx, cr.ID, f.b.ID, e.DB.Today()); err != nil || st.Total() < 23456 {
		t.Errorf("B's statement changed: %v, total %d", err, st.Total())
	}
	// Nothing A posted reached B or C: no disputes, the offers still open.
	for i, d := range []collect.Debtor{f.b, f.c} {
		if ds, err := e.DB.Disputes(e.Ctx, d.CreditorID, d.ID); err != nil || len(ds) > 0 {
			t.Errorf("%s has disputes after A's posts: %v %v", d.Name, ds, err)
		}
		want := []collect.Plan{f.planB, f.planC}[i]
		ps, err := e.DB.Plans(e.Ctx, d.CreditorID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, pl := range ps {
			if pl.ID == want.ID && pl.Status != "countered" {
				t.Errorf("%s's counter-offer is %s after A's posts", d.Name, pl.Status)
			}
		}
	}
}

// counterOffer gives a debtor a plan proposal that an agent countered; it
// returns the counter-offer.
func counterOffer(t *testing.T, e *env, creditorID, debtorID string) collect.Plan {
	t.Helper()
	today := e.DB.Today()
	pl, err := e.DB.ProposePlan(e.Ctx, collect.ProposePlan(collect.Plan{CreditorID: creditorID, DebtorID: debtorID, Total: 20000, Months: 24, FirstDue: today.AddDate(0, 0, 7)},
		collect.PlanCheck{Reasons: []string{"too long"}}, true, e.DB.Now()))
	if err != nil {
		t.Fatal(err)
	}
	counter, err := e.DB.DecidePlan(e.Ctx, "6f1c7a52-8d1e-4b6a-9c2f-5e7d1a3b9c41", creditorID, pl.ID, "counter", "Zes maanden is beter.",
		&collect.Plan{Total: 20000, Months: 6, FirstDue: today.AddDate(0, 0, 7)})
	if err != nil {
		t.Fatal(err)
	}
	return counter
}

var param = regexp.MustCompile(`:[A-Za-z0-9_]+\??|\*`)

func fill(pattern, value string) string { return param.ReplaceAllString(pattern, value) }

// promiseOf is a debtor's promise to pay everything in a week.
func promiseOf(t *testing.T, e *env, creditorID, debtorID string) collect.Promise {
	t.Helper()
	p, err := casework.MakePromise(e.Ctx, e.DB, e.DB.Now(), casework.PromiseRequest{CreditorID: creditorID, DebtorID: debtorID, On: e.DB.Today().AddDate(0, 0, 7)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
