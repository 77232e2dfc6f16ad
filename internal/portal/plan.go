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
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/postgres"
)

func (p *Portal) registerPlan(g signedIn) {
	g.Get("/plan", p.planForm)
	g.Post("/plan/preview", p.planPreview)
	g.Post("/plan", p.planPropose)
	g.Post("/plans/:id/answer", p.planAnswer)
}

// planFormKeys are the plan form's fields, which the preview's "change" link carries back.
var planFormKeys = []string{"by", "months", "monthly", "first"}

func (p *Portal) planPage(c *fiber.Ctx, d casework.PlanDesk) view {
	pr := p.printer(c)
	return view{P: pr, Title: pr.T("plan.title"), Creditor: d.Facts.Creditor, SignedIn: true, Debtor: d.Facts.Debtor, Statement: d.Statement,
		Total: d.Statement.PayAll(), MaxMonths: casework.PlanMaxMonths, Today: d.Today, FirstLimit: d.FirstLimit,
		Rewards: rewardLines(pr, d.Rewards, collect.RewardPlanKept),
		Form:    map[string]string{"by": "months", "months": strconv.Itoa(casework.PlanDefaultMonths), "first": d.Today.AddDate(0, 0, 7).Format(time.DateOnly)}}
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
		return v.P.T("plan.error.months", casework.PlanMaxMonths)
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
		v.Form["months"], v.Form["first"] = strconv.Itoa(q.Months), q.First.Format(time.DateOnly)
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
