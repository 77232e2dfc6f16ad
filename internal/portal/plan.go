package portal

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/postgres"
)

func (p *Portal) registerPlan(g signedIn) {
	g.Get("/plan", p.planForm)
	g.Post("/plan/preview", p.planPreview)
	g.Post("/plan", p.planPropose)
	g.Post("/plans/:id/answer", p.planAnswer)
	g.Post("/plan/incasso", p.directDebitStart)
	g.Post("/plan/incasso/stop", p.directDebitStop)
}

// planFormKeys are the plan form's fields, which the preview's "change" link carries back.
var planFormKeys = []string{"frequency", "by", "months", "monthly", "first"}

func (p *Portal) planPage(c *fiber.Ctx, d casework.PlanDesk) view {
	pr := p.printer(c)
	return view{P: pr, Title: pr.T("plan.title"), Creditor: d.Facts.Creditor, SignedIn: true, Debtor: d.Facts.Debtor, Statement: d.Statement,
		Total: d.Statement.PayAll(), MaxMonths: casework.PlanMaxMonths, Today: d.Today, FirstLimit: d.FirstLimit,
		Rewards:  rewardLines(pr, d.Rewards, collect.RewardPlanKept),
		PlanSays: &planSays{Frequencies: collect.Frequencies, Rules: planRules(pr, d)},
		Form: map[string]string{"frequency": string(collect.Monthly), "by": "months", "months": strconv.Itoa(casework.PlanDefaultMonths),
			"first": d.Today.AddDate(0, 0, 7).Format(time.DateOnly)}}
}

// planSays is what the plan pages say about the creditor's rules: the
// rules before the debtor chooses, and on the preview why a plan is outside
// them, which plan would be approved at once instead, and why the parts
// differ from the amount the debtor asked for.
type planSays struct {
	Frequencies []collect.Frequency
	Rules       []string
	Often       string   // how often the previewed plan is paid
	Asked       []string // the amount asked and why the parts differ from it
	Outside     []string // one sentence per rule the previewed plan breaks
	Nearest     *casework.PlanOffer
	NearestSays string
}

// planRules words the creditor's plan policy for a debtor who has yet to
// choose: the longest term and the lowest part for every frequency, and
// whether a plan inside them is approved at once.
func planRules(pr i18n.Printer, d casework.PlanDesk) []string {
	pol := d.Facts.Creditor.Policy.Plan
	out := []string{
		pr.T("plan.rules.term", pol.MaxMonths, collect.Weekly.InstalmentsIn(pol.MaxMonths), collect.FourWeekly.InstalmentsIn(pol.MaxMonths)),
		pr.T("plan.rules.least", pr.Money(pol.MinInstalment), pr.Money(collect.Weekly.LowestInstalment(pol.MinInstalment)),
			pr.Money(collect.FourWeekly.LowestInstalment(pol.MinInstalment))),
	}
	switch {
	case !pol.AutoApprove:
		out = append(out, pr.T("plan.rules.agent"))
	case d.Statement.PayAll() > pol.MaxTotal:
		out = append(out, pr.T("plan.rules.total", pr.Money(pol.MaxTotal)))
	default:
		out = append(out, pr.T("plan.rules.auto"))
	}
	return out
}

// previewSays words a previewed plan: how often, the amount asked, and
// when it is outside the rules, why and what would be approved at once.
func previewSays(pr i18n.Printer, q casework.PlanQuote) *planSays {
	s := &planSays{Often: pr.T("plan.often." + string(q.Frequency))}
	if n := len(q.Schedule); q.Asked > 0 && n > 0 && q.Schedule[0].Amount != q.Asked {
		s.Asked = append(s.Asked, pr.T("plan.asked."+string(q.Frequency), pr.Money(q.Asked), n, pr.Money(q.Schedule[0].Amount), pr.Money(q.Statement.PayAll())))
		if last := q.Schedule[n-1].Amount; last != q.Schedule[0].Amount {
			s.Asked = append(s.Asked, pr.T("plan.asked.last", pr.Money(last)))
		}
	}
	pol := q.Facts.Creditor.Policy.Plan
	for _, l := range q.Check.Broken {
		switch l {
		case collect.LimitTerm:
			s.Outside = append(s.Outside, pr.T("plan.outside.term", pol.MaxMonths))
		case collect.LimitInstalment:
			s.Outside = append(s.Outside, pr.T("plan.outside.instalment", pr.Money(q.Schedule[0].Amount),
				pr.Money(q.Frequency.LowestInstalment(pol.MinInstalment))))
		case collect.LimitTotal:
			s.Outside = append(s.Outside, pr.T("plan.outside.total", pr.Money(pol.MaxTotal)))
		case collect.LimitFirst:
			s.Outside = append(s.Outside, pr.T("plan.outside.first", pr.Date(collect.LatestFirstDue(q.Today))))
		case collect.LimitBroke:
			s.Outside = append(s.Outside, pr.T("plan.outside.broke"))
		}
	}
	if s.Nearest = q.Nearest; s.Nearest != nil {
		s.NearestSays = pr.T("plan.nearest", s.Nearest.Months, pr.Money(s.Nearest.Schedule[0].Amount), pr.Date(s.Nearest.First))
	}
	return s
}

func (p *Portal) planForm(c *fiber.Ctx) error {
	s := sessionOf(c)
	desk, err := casework.OpenPlanDesk(c.UserContext(), p.DB, p.Now(), s.CreditorID, s.DebtorID)
	if err != nil {
		return err
	}
	if !desk.CanPropose {
		return c.Redirect("/overview", fiber.StatusSeeOther)
	}
	v := p.planPage(c, desk)
	for _, k := range planFormKeys {
		if q := c.Query(k); q != "" {
			v.Form[k] = q
		}
	}
	return p.render(c, fiber.StatusOK, "plan", v)
}

// planRequest reads the plan form into form (as typed, to show it again)
// and a request; what it cannot read stays zero, which the use case refuses.
func planRequest(c *fiber.Ctx, form map[string]string) casework.PlanRequest {
	s := sessionOf(c)
	for _, k := range planFormKeys {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	in := casework.PlanRequest{CreditorID: s.CreditorID, DebtorID: s.DebtorID, ByAmount: form["by"] == "amount"}
	if !in.ByAmount {
		form["by"] = "months"
	}
	// A link from before frequencies has none: monthly, as every plan then.
	if form["frequency"] == "" {
		form["frequency"] = string(collect.Monthly)
	}
	in.Frequency = collect.Frequency(form["frequency"])
	if m, err := money.ParseInput(form["monthly"]); err == nil {
		in.Monthly = m
	}
	if n, err := strconv.Atoi(form["months"]); err == nil {
		in.Months = n
	}
	in.First, _ = time.Parse(time.DateOnly, form["first"])
	return in
}

// planProblem says in the debtor's words why the form refused a plan; ""
// when err is no such refusal.
func planProblem(v view, err error) string {
	switch {
	case errors.Is(err, casework.ErrPlanMonthly):
		return v.P.T("plan.error.monthly")
	case errors.Is(err, casework.ErrPlanMonthlyLow):
		return v.P.T("plan.error.monthly.low", casework.PlanMaxMonths)
	case errors.Is(err, casework.ErrPlanMonths):
		return v.P.T("plan.error.months", casework.PlanMaxInstalments(collect.Frequency(v.Form["frequency"])))
	case errors.Is(err, casework.ErrPlanFrequency):
		return v.P.T("plan.error.frequency")
	case errors.Is(err, casework.ErrPlanFirst):
		return v.P.T("plan.error.first", v.P.Date(v.FirstLimit))
	}
	return ""
}

// planUseCase is casework.PreviewPlan or casework.ProposePlan.
type planUseCase func(context.Context, *postgres.DB, time.Time, casework.PlanRequest) (casework.PlanQuote, error)

// planQuote runs the plan form through use: with nothing to plan it goes
// back to the overview, a refused form shows again with the problem, and
// otherwise show renders the quote.
func (p *Portal) planQuote(c *fiber.Ctx, use planUseCase, show func(casework.PlanQuote, view) error) error {
	form := map[string]string{}
	q, err := use(c.UserContext(), p.DB, p.Now(), planRequest(c, form))
	if !q.CanPropose {
		if err != nil {
			return err
		}
		return c.Redirect("/overview", fiber.StatusSeeOther)
	}
	v := p.planPage(c, q.PlanDesk)
	v.Form = form
	if err != nil {
		if v.Problem = planProblem(v, err); v.Problem == "" {
			return err
		}
		return p.render(c, fiber.StatusUnprocessableEntity, "plan", v)
	}
	return show(q, v)
}

func (p *Portal) planPreview(c *fiber.Ctx) error {
	return p.planQuote(c, casework.PreviewPlan, func(q casework.PlanQuote, v view) error {
		v.Title = v.P.T("plan.preview.title")
		v.Months, v.Schedule, v.Inside, v.AnswerBy = q.Months, q.Schedule, q.Inside, q.AnswerBy
		v.Form["months"], v.Form["first"], v.Form["frequency"] = strconv.Itoa(q.Months), q.First.Format(time.DateOnly), string(q.Frequency)
		v.PlanSays = previewSays(v.P, q)
		return p.render(c, fiber.StatusOK, "planpreview", v)
	})
}

// planPropose stores the plan: approved at once inside the policy (when the
// creditor allows that), else proposed to an agent with a date to expect an answer.
func (p *Portal) planPropose(c *fiber.Ctx) error {
	return p.planQuote(c, casework.ProposePlan, func(q casework.PlanQuote, v view) error {
		return p.planResult(c, v, q.Plan, string(q.Plan.Status), q.AnswerBy)
	})
}

// planResult shows what became of a plan; state is the plan's status, or
// "accepted" for a counter-offer the debtor just accepted.
func (p *Portal) planResult(c *fiber.Ctx, v view, pl collect.Plan, state string, answerBy time.Time) error {
	pr := v.P
	v.State, v.Approved, v.AnswerBy = state, newPlanView(pl, v.Today), answerBy
	v.Total, v.Months = pl.Total, pl.Months
	switch state {
	case string(collect.PlanApproved), "accepted":
		v.Title = pr.T("plan.approved.title")
	case string(collect.PlanProposed):
		v.Title = pr.T("plan.proposed.title")
	case string(collect.PlanDeclined):
		v.Title = pr.T("plan.declined.title")
	}
	return p.render(c, fiber.StatusOK, "planresult", v)
}

// planAnswer is the debtor's answer to a counter-offer: accept or decline.
func (p *Portal) planAnswer(c *fiber.Ctx) error {
	answer := c.FormValue("answer")
	if answer != "accept" && answer != "decline" {
		return fiber.ErrBadRequest
	}
	s := sessionOf(c)
	a, err := casework.AnswerCounter(c.UserContext(), p.DB, p.Now(),
		casework.CounterAnswer{CreditorID: s.CreditorID, DebtorID: s.DebtorID, PlanID: c.Params("id"), Accept: answer == "accept"})
	if collect.ErrorCode(err) == collect.ECONFLICT {
		return p.message(c, fiber.StatusConflict, "plan.gone.title", p.printer(c).T("plan.gone"))
	}
	if err != nil {
		return err
	}
	if answer == "accept" {
		return p.planResult(c, p.planPage(c, a.PlanDesk), a.Plan, "accepted", time.Time{})
	}
	return p.planResult(c, p.planPage(c, a.PlanDesk), a.Plan, string(collect.PlanDeclined), time.Time{})
}
