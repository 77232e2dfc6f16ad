package portal_test

import (
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
)

// TestPlanSaysTheRules: the plan form shows the creditor's limits before the
// debtor chooses (the default policy: 12 months, EUR 25 a month, converted
// for weekly and four-weekly plans) and lets the debtor choose how often.
func TestPlanSaysTheRules(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	_, c := planDebtor(t, e, cr, "K-1", 23748)
	r := c.Get("/plan")
	apptest.WantStatus(t, "plan form", r, http.StatusOK)
	body := html.UnescapeString(r.Body)
	apptest.WantContains(t, "plan form", body,
		nl.T("plan.rules.head", creditorName),
		nl.T("plan.rules.term", 12, 52, 13),
		nl.T("plan.rules.least", nl.Money(2500), nl.Money(577), nl.Money(2308)),
		nl.T("plan.rules.auto"),
		`name="frequency" value="monthly" checked`, `name="frequency" value="fourweekly"`, `name="frequency" value="weekly"`,
		nl.T("plan.every.weekly"), nl.T("plan.every.fourweekly"))

	// An unknown frequency names the field.
	r = c.Post("/plan/preview", url.Values{"frequency": {"daily"}, "by": {"months"}, "months": {"6"}, "first": {"2026-11-30"}})
	apptest.WantStatus(t, "daily", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "daily", html.UnescapeString(r.Body), nl.T("plan.error.frequency"))
}

// TestPlanSaysWhyTheAmountDiffers: EUR 20 a month for EUR 237.48 is 12 parts
// of EUR 19.79, and the preview says so instead of silently changing it.
func TestPlanSaysWhyTheAmountDiffers(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d, c := planDebtor(t, e, cr, "K-1", 23748)
	c.Get("/plan") // the form's CSRF token
	form := url.Values{"frequency": {"monthly"}, "by": {"amount"}, "monthly": {"20"}, "first": {"2026-11-30"}}
	r := c.Post("/plan/preview", form)
	apptest.WantStatus(t, "preview", r, http.StatusOK)
	body := html.UnescapeString(r.Body)
	// Below the minimum of EUR 25, so outside the rules too: nine parts of 26.38 are inside.
	apptest.WantContains(t, "preview", body,
		nl.T("plan.asked.monthly", nl.Money(2000), 12, nl.Money(1979), nl.Money(23748)),
		nl.T("plan.outside.head"), nl.T("plan.outside.instalment", nl.Money(1979), nl.Money(2500)),
		nl.T("plan.nearest", 9, nl.Money(2638), "30 november 2026"), nl.T("plan.nearest.choose"))
	apptest.WantNotContains(t, "preview", body, nl.T("plan.preview.inside"), nl.T("plan.outside.term", 12))

	// Weekly EUR 30 is 8 parts: 7 of 29.68 and a last of 29.72; inside the rules.
	form = url.Values{"frequency": {"weekly"}, "by": {"amount"}, "monthly": {"30"}, "first": {"2026-11-30"}}
	r = c.Post("/plan/preview", form)
	body = html.UnescapeString(r.Body)
	apptest.WantContains(t, "weekly preview", body,
		nl.T("plan.asked.weekly", nl.Money(3000), 8, nl.Money(2968), nl.Money(23748)), nl.T("plan.asked.last", nl.Money(2972)),
		nl.T("plan.often.weekly"), nl.T("plan.preview.inside"), "7 december 2026", "18 januari 2027",
		`name="frequency" value="weekly"`)
	apptest.WantNotContains(t, "weekly preview", body, nl.T("plan.outside.head"), nl.T("plan.nearest.choose"))

	// An amount that divides evenly says nothing about it: EUR 118.74 is 2 parts of 118.74.
	r = c.Post("/plan/preview", url.Values{"by": {"amount"}, "monthly": {"118,74"}, "first": {"2026-11-30"}})
	apptest.WantNotContains(t, "even preview", html.UnescapeString(r.Body), "U vroeg")

	// Choosing the nearest plan stores it approved, as the preview promised.
	r = c.Post("/plan", url.Values{"frequency": {"monthly"}, "by": {"months"}, "months": {"9"}, "first": {"2026-11-30"}})
	apptest.WantStatus(t, "choose the nearest", r, http.StatusOK)
	ps := plansOf(t, e, d)
	if len(ps) != 1 || ps[0].Status != collect.PlanApproved || ps[0].Months != 9 || ps[0].Frequency != collect.Monthly {
		t.Fatalf("plans = %+v, want one approved monthly plan of 9 parts", ps)
	}
}

// TestWeeklyPlanOnTheOverview: a weekly plan is stored weekly and the
// instalment list says how often the debtor pays.
func TestWeeklyPlanOnTheOverview(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d, c := planDebtor(t, e, cr, "K-1", 6000)
	c.Get("/plan") // the form's CSRF token
	r := c.Post("/plan", url.Values{"frequency": {"weekly"}, "by": {"months"}, "months": {"4"}, "first": {"2026-11-30"}})
	apptest.WantStatus(t, "propose", r, http.StatusOK)
	ps := plansOf(t, e, d)
	if len(ps) != 1 || ps[0].Status != collect.PlanApproved || ps[0].Frequency != collect.Weekly {
		t.Fatalf("plans = %+v, want one approved weekly plan", ps)
	}
	r = c.Get("/overview")
	apptest.WantContains(t, "overview", html.UnescapeString(r.Body), nl.T("plan.head"), nl.T("plan.often.weekly"),
		"30 november 2026", "7 december 2026", "14 december 2026", "21 december 2026")
}
