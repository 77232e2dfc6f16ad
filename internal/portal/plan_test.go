package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
)

func plansOf(t *testing.T, e *env, d collect.Debtor) []collect.Plan {
	t.Helper()
	ps, err := e.DB.Plans(e.Ctx, d.CreditorID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestPlanInsidePolicy(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d, c := planDebtor(t, e, cr, "K-1", 60001)

	// The overview offers it; the form has the defaults: 6 months, a week from today.
	r := c.Get("/overview")
	apptest.WantContains(t, "overview", r.Body, `href="/plan"`, nl.T("action.plan"), `href="/hardship"`, `href="/contact"`)
	r = c.Get("/plan")
	apptest.WantStatus(t, "plan form", r, http.StatusOK)
	apptest.WantContains(t, "plan form", r.Body, `name="months" type="number" min="1" inputmode="numeric" value="6"`, `value="2026-11-30"`,
		`name="by" value="months" checked`, `name="monthly"`, nl.T("plan.intro", nl.Money(60001)), `name="frequency" value="monthly" checked`)

	// The preview shows every date and amount; the last takes the remainder.
	form := url.Values{"by": {"months"}, "months": {"6"}, "first": {"2026-11-30"}}
	r = c.Post("/plan/preview", form)
	apptest.WantStatus(t, "preview", r, http.StatusOK)
	apptest.WantContains(t, "preview", r.Body, nl.T("plan.preview.title"), nl.T("plan.preview.intro", nl.Money(60001), 6),
		"30 november 2026", "30 december 2026", "30 januari 2027", "30 april 2027", nl.Money(10000), nl.Money(10001), nl.Money(60001),
		nl.T("plan.preview.inside"), nl.T("plan.confirm"), nl.T("plan.change"), `href="/plan?frequency=monthly&amp;by=months&amp;months=6&amp;monthly=&amp;first=2026-11-30"`,
		nl.T("plan.often.monthly"))
	if len(plansOf(t, e, d)) != 0 {
		t.Fatal("the preview stored a plan")
	}
	// The change link brings the choice back.
	r = c.Get("/plan?by=amount&monthly=150&first=2026-12-01")
	apptest.WantContains(t, "change", r.Body, `name="by" value="amount" checked`, `value="150"`, `value="2026-12-01"`)

	// Confirm: approved at once, with the schedule and the first due date.
	r = c.Post("/plan", form)
	apptest.WantStatus(t, "confirm", r, http.StatusOK)
	apptest.WantContains(t, "approved", r.Body, nl.T("plan.approved.title"), nl.T("plan.approved.first", nl.Money(10000), "30 november 2026"), "30 april 2027")
	ps := plansOf(t, e, d)
	if len(ps) != 1 || ps[0].Status != "approved" || ps[0].Months != 6 || ps[0].Total != 60001 {
		t.Fatalf("plans = %+v", ps)
	}
	var sum int64
	for i, in := range ps[0].Instalments {
		sum += in.Amount
		want := int64(10000)
		if i == 5 {
			want = 10001
		}
		if in.Amount != want {
			t.Errorf("instalment %d = %d, want %d", in.Seq, in.Amount, want)
		}
	}
	if sum != 60001 || len(ps[0].Instalments) != 6 {
		t.Errorf("instalments add up to %d in %d parts, want 60001 in 6", sum, len(ps[0].Instalments))
	}

	// The overview shows the schedule, a pay button for the part to pay now, and
	// no second plan button.
	first := ps[0].Instalments[0]
	r = c.Get("/overview")
	apptest.WantContains(t, "overview with plan", r.Body, nl.T("plan.head"), nl.T("plan.part", 1), nl.T("plan.state.open"),
		nl.T("plan.pay", 1, nl.Money(10000)), nl.T("plan.part", 6), nl.Money(10001), "instalment="+first.ID,
		nl.T("plan.next", 1, nl.Money(10000), "30 november 2026"))
	// Only the part to pay now has a button: six stacked buttons were one list too many.
	apptest.WantNotContains(t, "overview with plan", r.Body, `href="/plan"`, nl.T("plan.pay", 2, nl.Money(10000)))
	if got := c.Get("/plan"); got.Status != http.StatusSeeOther {
		t.Errorf("plan form with a plan: status %d, want a redirect", got.Status)
	}

	// The pay button leads to the method page for that amount, linked to the instalment.
	r = c.Get("/pay/method?what=amount&amount=100,00&instalment=" + first.ID)
	apptest.WantStatus(t, "pay instalment", r, http.StatusOK)
	apptest.WantContains(t, "pay instalment", r.Body, `name="instalment" value="`+first.ID+`"`, nl.T("pay.method.intro", nl.Money(10000)))
	// Someone else's instalment, or nonsense, is refused.
	other, _ := planDebtor(t, e, cr, "K-2", 30000)
	op, err := e.DB.ProposePlan(e.Ctx, collect.ProposePlan(collect.Plan{CreditorID: cr.ID, DebtorID: other.ID, Total: 30000, Months: 3, FirstDue: collect.Day(2026, 12, 1)}, collect.PlanCheck{Inside: true}, true, e.DB.Now()))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{op.Instalments[0].ID, "garbage"} {
		r = c.Get("/pay/method?what=amount&amount=100,00&instalment=" + id)
		apptest.WantStatus(t, "pay someone else's instalment", r, http.StatusUnprocessableEntity)
		apptest.WantContains(t, "pay someone else's instalment", r.Body, nl.T("pay.error.instalment"))
	}
}

func TestPlanByMonthlyAmount(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	_, c := planDebtor(t, e, cr, "K-1", 60001)
	c.Get("/plan")
	r := c.Post("/plan/preview", url.Values{"by": {"amount"}, "monthly": {"€ 150,00"}, "first": {"2026-12-01"}})
	apptest.WantStatus(t, "preview by amount", r, http.StatusOK)
	// 600,01 at 150 a month is 5 months: four of 120,00 and one of 120,01.
	apptest.WantContains(t, "preview by amount", r.Body, nl.T("plan.preview.intro", nl.Money(60001), 5), nl.Money(12000), nl.Money(12001), `name="months" value="5"`)

	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"by": {"months"}, "months": {"0"}, "first": {"2026-12-01"}}, nl.T("plan.error.months", 60)},
		{url.Values{"by": {"months"}, "months": {"61"}, "first": {"2026-12-01"}}, nl.T("plan.error.months", 60)},
		{url.Values{"by": {"months"}, "months": {"zes"}, "first": {"2026-12-01"}}, nl.T("plan.error.months", 60)},
		{url.Values{"by": {"amount"}, "monthly": {"veel"}, "first": {"2026-12-01"}}, nl.T("plan.error.monthly")},
		{url.Values{"by": {"amount"}, "monthly": {"5"}, "first": {"2026-12-01"}}, nl.T("plan.error.monthly.low", 60)},
		{url.Values{"by": {"months"}, "months": {"6"}, "first": {"2026-11-23"}}, nl.T("plan.error.first", "23 februari 2027")},
		{url.Values{"by": {"months"}, "months": {"6"}, "first": {"2027-03-01"}}, nl.T("plan.error.first", "23 februari 2027")},
		{url.Values{"by": {"months"}, "months": {"6"}, "first": {"morgen"}}, nl.T("plan.error.first", "23 februari 2027")},
	} {
		for _, path := range []string{"/plan/preview", "/plan"} {
			r := c.Post(path, tc.form)
			apptest.WantStatus(t, path+" "+tc.form.Encode(), r, http.StatusUnprocessableEntity)
			apptest.WantContains(t, path+" "+tc.form.Encode(), r.Body, tc.want)
		}
	}
}

func TestPlanOutsidePolicy(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d, c := planDebtor(t, e, cr, "K-1", 60001)
	c.Get("/plan")
	form := url.Values{"by": {"months"}, "months": {"24"}, "first": {"2026-11-30"}}
	r := c.Post("/plan/preview", form)
	apptest.WantStatus(t, "preview outside", r, http.StatusOK)
	apptest.WantContains(t, "preview outside", r.Body, nl.T("plan.preview.outside", "30 november 2026"))
	r = c.Post("/plan", form)
	apptest.WantStatus(t, "propose outside", r, http.StatusOK)
	apptest.WantContains(t, "proposed", r.Body, nl.T("plan.proposed.title"), nl.T("plan.proposed.text", "30 november 2026"))
	ps := plansOf(t, e, d)
	if len(ps) != 1 || ps[0].Status != "proposed" || !strings.Contains(ps[0].Reason, "24 months") {
		t.Fatalf("plans = %+v", ps)
	}
	r = c.Get("/overview")
	apptest.WantContains(t, "overview with a proposal", r.Body, nl.T("plan.ask.proposed", "30 november 2026"))
	// The debtor may change their mind: the new proposal replaces the old one.
	e.Clock.Advance(time.Minute)
	c.Post("/plan", url.Values{"by": {"months"}, "months": {"6"}, "first": {"2026-11-30"}})
	ps = plansOf(t, e, d)
	if len(ps) != 2 || ps[0].Status != "approved" || ps[1].Status != "replaced" {
		t.Errorf("after a second plan: %v, %v", ps[0].Status, ps[1].Status)
	}
}

func TestPlanNotAutoApprovedAfterBrokenPlan(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d, c := planDebtor(t, e, cr, "K-1", 60001)
	old, err := e.DB.ProposePlan(e.Ctx, collect.ProposePlan(collect.Plan{CreditorID: cr.ID, DebtorID: d.ID, Total: 30000, Months: 3, FirstDue: collect.Day(2026, 3, 1)}, collect.PlanCheck{Inside: true}, true, e.DB.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.PoolForTests().Exec(e.Ctx, `UPDATE plans SET status = 'broken', decided_at = $2 WHERE id = $1`, old.ID, start.AddDate(0, -5, 0)); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(time.Minute)
	c.Get("/plan")
	form := url.Values{"by": {"months"}, "months": {"6"}, "first": {"2026-11-30"}}
	r := c.Post("/plan/preview", form)
	apptest.WantContains(t, "preview after a broken plan", r.Body, nl.T("plan.preview.outside", "30 november 2026"))
	r = c.Post("/plan", form)
	apptest.WantContains(t, "after a broken plan", r.Body, nl.T("plan.proposed.title"))
	ps := plansOf(t, e, d)
	if ps[0].Status != "proposed" || !strings.Contains(ps[0].Reason, "broken") {
		t.Errorf("plan after a broken one: %s (%s), want proposed", ps[0].Status, ps[0].Reason)
	}
}

func TestPlanCounterOffer(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	for _, answer := range []string{"accept", "decline"} {
		d, c := planDebtor(t, e, cr, "K-"+answer, 60001)
		c.Get("/plan")
		c.Post("/plan", url.Values{"by": {"months"}, "months": {"24"}, "first": {"2026-11-30"}})
		counter := e.counter(cr, d, "Tien maanden past beter.")
		r := c.Get("/overview")
		apptest.WantContains(t, "overview with a counter-offer", r.Body, nl.T("plan.ask.countered"), nl.T("plan.why", "Tien maanden past beter."),
			"1 december 2026", "1 september 2027", nl.Money(6000), nl.Money(6001),
			`action="/plans/`+counter.ID+`/answer"`, `name="answer" value="accept"`, `name="answer" value="decline"`, nl.T("plan.accept"), nl.T("plan.decline"))

		r = c.Post("/plans/"+counter.ID+"/answer", url.Values{"answer": {answer}})
		apptest.WantStatus(t, answer, r, http.StatusOK)
		var status collect.PlanStatus
		for _, p := range plansOf(t, e, d) {
			if p.ID == counter.ID {
				status = p.Status
			}
		}
		if answer == "accept" {
			apptest.WantContains(t, "accepted", r.Body, nl.T("plan.approved.title"), nl.T("plan.approved.first", nl.Money(6000), "1 december 2026"))
			if status != "approved" {
				t.Errorf("accepted counter-offer: %s", status)
			}
			apptest.WantContains(t, "overview after accepting", c.Get("/overview").Body, nl.T("plan.head"), nl.T("plan.pay", 1, nl.Money(6000)), nl.T("plan.part", 10), nl.Money(6001))
		} else {
			apptest.WantContains(t, "declined", r.Body, nl.T("plan.declined.title"), nl.T("plan.declined.text"), `href="/plan"`)
			if status != "declined" {
				t.Errorf("declined counter-offer: %s", status)
			}
			apptest.WantNotContains(t, "overview after declining", c.Get("/overview").Body, nl.T("plan.ask.countered"))
		}
		// A second answer is too late.
		r = c.Post("/plans/"+counter.ID+"/answer", url.Values{"answer": {"accept"}})
		apptest.WantStatus(t, "second answer", r, http.StatusConflict)
		apptest.WantContains(t, "second answer", r.Body, nl.T("plan.gone"))
		// Nonsense answers and ids.
		apptest.WantStatus(t, "bad answer", c.Post("/plans/"+counter.ID+"/answer", url.Values{"answer": {"maybe"}}), http.StatusBadRequest)
		apptest.WantStatus(t, "bad id", c.Post("/plans/garbage/answer", url.Values{"answer": {"accept"}}), http.StatusNotFound)
	}
}
