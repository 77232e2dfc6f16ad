package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
)

// The search box finds a person of the agent's creditors by every detail an
// agent may have at hand, and never one of another creditor.
func TestSearchFindsAPersonByEveryDetail(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	other := e.creditor("Groothandel")
	jan := e.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-77", Name: "Jan de Vries", Email: "Jan.Vries@Example.nl",
		Phone: "06 12 34 56 78", Address: collect.Address{Street: "Lindenlaan", HouseNumber: "1", Postcode: "1234 AB", City: "Utrecht"}})
	inv := e.invoice(cr, jan, "F-2026-77", e.DB.Today().AddDate(0, 0, -5), 12000)
	// Another creditor's debtor shares the first name, postcode, phone and email.
	theirs := e.Debtor(collect.Debtor{CreditorID: other.ID, ExternalRef: "G-1", Name: "Jan Bakker", Email: "jan.vries@example.nl",
		Phone: "+31612345678", Address: collect.Address{Street: "Markt", HouseNumber: "2", Postcode: "1234AB", City: "Utrecht"}})
	theirInv := e.invoice(other, theirs, "G-2026-1", e.DB.Today().AddDate(0, 0, -5), 5000)

	for _, q := range []string{"jan", "DE VRIES", "1234ab", "1234 AB", "1234", "jan.vries@example.NL", "+31 6 1234 5678", "0612345678",
		"f-2026-77", inv.PaymentReference, strings.ToLower(inv.PaymentReference[:4]) + " " + inv.PaymentReference[4:], "K-77"} {
		r := c.Get("/console/search?q=" + url.QueryEscape(q))
		apptest.WantStatus(t, "search "+q, r, http.StatusOK)
		apptest.WantContains(t, "search "+q, r.Body, `href="/console/debtors/`+jan.ID+`"`, "1 person found")
		apptest.WantNotContains(t, "search "+q, r.Body, theirs.ID, "Jan Bakker")
	}
	for _, q := range []string{"Bakker", "G-2026-1", theirInv.PaymentReference, "G-1"} {
		r := c.Get("/console/search?q=" + url.QueryEscape(q))
		apptest.WantStatus(t, "search another creditor's "+q, r, http.StatusOK)
		apptest.WantContains(t, "search "+q, r.Body, "Nobody found")
		apptest.WantNotContains(t, "search "+q, r.Body, theirs.ID, "Jan Bakker")
	}
	r := c.Get("/console/search?q=" + url.QueryEscape("1234ab"))
	apptest.WantContains(t, "what matched", r.Body, "postcode")
	r = c.Get("/console/search?q=F-2026-77")
	apptest.WantContains(t, "what matched", r.Body, "invoice F-2026-77")

	// The other creditor's agent finds their own debtor and not ours.
	e.Agent("other@example.nl", "agent", other.ID)
	o := e.signedIn("other@example.nl")
	r = o.Get("/console/search?q=jan")
	apptest.WantContains(t, "other agent", r.Body, theirs.ID)
	apptest.WantNotContains(t, "other agent", r.Body, jan.ID)
}

func TestSearchBoxAndItsErrors(t *testing.T) {
	t.Parallel()
	e, cr, c := newSignedIn(t)
	d := e.debtor(cr, "D-1", "Piet_Klaas 100%")
	r := c.Get("/console")
	apptest.WantContains(t, "queue", r.Body, `action="/console/search"`, `id="find-q"`, `role="search"`, apptest.ConsoleScript, "<kbd>j</kbd>")
	r = c.Get("/console/debtors/" + d.ID)
	apptest.WantContains(t, "file", r.Body, `id="find-q"`)

	r = c.Get("/console/search?q=a")
	apptest.WantStatus(t, "one letter", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "one letter", r.Body, "type at least 2 characters")
	r = c.Get("/console/search?q=" + strings.Repeat("x", 101))
	apptest.WantStatus(t, "too long", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "too long", r.Body, "type at most 100 characters")
	// LIKE's own characters are matched as themselves.
	apptest.WantContains(t, "underscore", c.Get("/console/search?q=t_k").Body, "1 person found")
	apptest.WantContains(t, "a percent sign", c.Get("/console/search?q=0%25").Body, "1 person found")
	apptest.WantContains(t, "percent does not match all", c.Get("/console/search?q=%25%25").Body, "Nobody found")
	r = c.Get("/console/search?q=" + url.QueryEscape(`<b>x</b>`))
	apptest.WantNotContains(t, "escaped", r.Body, "<b>x</b>")
	apptest.WantStatus(t, "signed out", e.Client().Get("/console/search?q=piet"), http.StatusSeeOther)
}
