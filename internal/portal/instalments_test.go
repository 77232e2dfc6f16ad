package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
)

// TestInstalmentList: an approved plan shows as one list of date, amount
// and state, with the next part to pay highlighted and named for screen
// readers.
func TestInstalmentList(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	_, c := planDebtor(t, e, cr, "K-1", 60001)
	c.Get("/plan")
	apptest.WantStatus(t, "confirm", c.Post("/plan", url.Values{"by": {"months"}, "months": {"6"}, "first": {"2026-11-30"}}), http.StatusOK)

	body := c.Get("/overview").Body
	apptest.WantContains(t, "overview", body, `<ol class="instalments"`, nl.T("plan.schedule"))
	if n := strings.Count(body, `aria-current="step"`); n != 1 {
		t.Errorf("overview marks %d parts as next, want 1", n)
	}
	if n := strings.Count(body, nl.T("plan.next.mark")); n != 1 {
		t.Errorf("overview names %d parts as next, want 1", n)
	}
	if n := strings.Count(body, `href="/pay/method?`); n != 1 {
		t.Errorf("overview has %d pay buttons for parts, want 1 (the next part)", n)
	}
	if n := strings.Count(body, `<li class="instalment`); n != 6 {
		t.Errorf("overview lists %d parts, want 6", n)
	}
	next := body[strings.Index(body, `aria-current="step"`):]
	apptest.WantContains(t, "next part", next[:strings.Index(next, "</li>")], nl.T("plan.part", 1), "30 november 2026")

}

// TestOverviewPointsToDispute: the overview's help points to the dispute
// action instead of only "call us", and names the contact choice in proper Dutch.
func TestOverviewPointsToDispute(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)
	inv := e.invoice(cr, d, "F-1", "Stroom november", start, start.AddDate(0, 0, 14), 12000)
	body := e.signIn(cr, d).Get("/overview").Body
	apptest.WantContains(t, "overview", body, nl.T("next.dispute", nl.T("action.dispute")), `href="/invoices/`+inv.ID+`/dispute"`,
		"Hoe wilt u dat wij contact met u opnemen?")
	apptest.WantNotContains(t, "overview", body, "Klopt er iets niet? Bel ons", "Hoe wilt u contact?")
}
