package portal

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
)

// Limits of what the plan form accepts; the creditor's policy decides
// whether a plan inside them is approved at once or goes to an agent.
const (
	planMaxMonths     = 60 // longest plan anyone can ask for
	planDefaultMonths = 6
	planFirstWithin   = 3 // months: the latest first date
)

func (p *Portal) registerPlan(g signedIn) {
	g.Get("/plan", p.planForm)
	g.Post("/plan/preview", p.planPreview)
	g.Post("/plan", p.planPropose)
	g.Post("/plans/:id/answer", p.planAnswer)
}

// planStart loads what every plan page needs. ok is false when there is
// nothing to plan: nothing open, or a plan the debtor already pays by.
func (p *Portal) planStart(c *fiber.Ctx) (collect.Facts, collect.Statement, bool, error) {
	f, st, err := p.statement(c)
	if err != nil || st.Total() <= 0 {
		return f, st, false, err
	}
	s := sessionOf(c)
	plans, err := p.DB.Plans(c.UserContext(), s.CreditorID, s.DebtorID)
	if err != nil {
		return f, st, false, err
	}
	for _, pl := range plans {
		if pl.Status == collect.PlanApproved {
			return f, st, false, nil
		}
	}
	return f, st, true, nil
}

func (p *Portal) planPage(c *fiber.Ctx, f collect.Facts, st collect.Statement) view {
	pr := p.printer(c)
	today := p.DB.Today()
	return view{P: pr, Title: pr.T("plan.title"), Creditor: f.Creditor, SignedIn: true, Debtor: f.Debtor, Statement: st,
		Total: st.Total(), MaxMonths: planMaxMonths, Today: today, FirstLimit: today.AddDate(0, planFirstWithin, 0),
		Form: map[string]string{"by": "months", "months": strconv.Itoa(planDefaultMonths), "first": today.AddDate(0, 0, 7).Format(time.DateOnly)}}
}

func (p *Portal) planForm(c *fiber.Ctx) error {
	f, st, ok, err := p.planStart(c)
	if err != nil {
		return err
	}
	if !ok {
		return c.Redirect("/overview", fiber.StatusSeeOther)
	}
	v := p.planPage(c, f, st)
	// The "change" link of the preview brings the choice back.
	for _, k := range []string{"by", "months", "monthly", "first"} {
		if q := c.Query(k); q != "" {
			v.Form[k] = q
		}
	}
	return p.render(c, fiber.StatusOK, "plan", v)
}

// readPlan reads months (or a monthly amount) and the first date from the
// form. The problem is in words for the debtor.
func (p *Portal) readPlan(c *fiber.Ctx, v *view) (int, time.Time, string) {
	pr := v.P
	for _, k := range []string{"by", "months", "monthly", "first"} {
		v.Form[k] = strings.TrimSpace(c.FormValue(k))
	}
	months := 0
	switch v.Form["by"] {
	case "amount":
		monthly, err := money.ParseInput(v.Form["monthly"])
		if err != nil || monthly <= 0 {
			return 0, time.Time{}, pr.T("plan.error.monthly")
		}
		months = collect.MonthsFor(v.Total, monthly)
		if months > planMaxMonths {
			return 0, time.Time{}, pr.T("plan.error.monthly.low", planMaxMonths)
		}
	default:
		v.Form["by"] = "months"
		n, err := strconv.Atoi(v.Form["months"])
		if err != nil || n < 1 || n > planMaxMonths {
			return 0, time.Time{}, pr.T("plan.error.months", planMaxMonths)
		}
		months = n
	}
	first, err := time.Parse(time.DateOnly, v.Form["first"])
	if err != nil || !first.After(v.Today) || first.After(v.FirstLimit) {
		return 0, time.Time{}, pr.T("plan.error.first", pr.Date(v.FirstLimit))
	}
	return months, first, ""
}

// check tests a plan against the creditor's policy; a plan broken in the
// last 12 months means an agent decides.
func (p *Portal) checkPlan(c *fiber.Ctx, f collect.Facts, total int64, months int, first, today time.Time) (collect.PlanCheck, error) {
	broke, err := p.DB.BrokePlanSince(c.UserContext(), f.Debtor.ID, today.AddDate(-1, 0, 0))
	if err != nil {
		return collect.PlanCheck{}, err
	}
	return collect.CheckPlan(f.Creditor.Policy.Plan, total, months, first, today, broke), nil
}

func (p *Portal) planPreview(c *fiber.Ctx) error {
	f, st, ok, err := p.planStart(c)
	if err != nil {
		return err
	}
	if !ok {
		return c.Redirect("/overview", fiber.StatusSeeOther)
	}
	v := p.planPage(c, f, st)
	months, first, problem := p.readPlan(c, &v)
	if problem != "" {
		v.Problem = problem
		return p.render(c, fiber.StatusUnprocessableEntity, "plan", v)
	}
	check, err := p.checkPlan(c, f, v.Total, months, first, v.Today)
	if err != nil {
		return err
	}
	if v.AnswerBy, err = p.answerBy(c, f.Creditor, v.Today); err != nil {
		return err
	}
	v.Title = v.P.T("plan.preview.title")
	v.Months, v.Schedule = months, collect.Schedule(v.Total, months, first)
	v.Inside = check.Inside && f.Creditor.Policy.Plan.AutoApprove
	v.Form["months"], v.Form["first"] = strconv.Itoa(months), first.Format(time.DateOnly)
	return p.render(c, fiber.StatusOK, "planpreview", v)
}

// planPropose stores the plan: approved at once inside the policy (when the
// creditor allows that), else proposed to an agent with a date to expect an answer.
func (p *Portal) planPropose(c *fiber.Ctx) error {
	f, st, ok, err := p.planStart(c)
	if err != nil {
		return err
	}
	if !ok {
		return c.Redirect("/overview", fiber.StatusSeeOther)
	}
	v := p.planPage(c, f, st)
	months, first, problem := p.readPlan(c, &v)
	if problem != "" {
		v.Problem = problem
		return p.render(c, fiber.StatusUnprocessableEntity, "plan", v)
	}
	check, err := p.checkPlan(c, f, v.Total, months, first, v.Today)
	if err != nil {
		return err
	}
	s := sessionOf(c)
	pl, err := p.DB.ProposePlan(c.UserContext(), collect.Plan{CreditorID: s.CreditorID, DebtorID: s.DebtorID, Total: v.Total, Months: months, FirstDue: first},
		check, f.Creditor.Policy.Plan.AutoApprove)
	if err != nil {
		return err
	}
	return p.planResult(c, v, pl, string(pl.Status))
}

func (p *Portal) planResult(c *fiber.Ctx, v view, pl collect.Plan, state string) error {
	pr := v.P
	v.State, v.Approved = state, newPlanView(pl, v.Today)
	v.Total, v.Months = pl.Total, pl.Months
	switch state {
	case string(collect.PlanApproved), "accepted":
		v.Title = pr.T("plan.approved.title")
	case string(collect.PlanProposed):
		v.Title = pr.T("plan.proposed.title")
		var err error
		if v.AnswerBy, err = p.answerBy(c, v.Creditor, dayOf(pl.CreatedAt)); err != nil {
			return err
		}
	case string(collect.PlanDeclined):
		v.Title = pr.T("plan.declined.title")
	}
	return p.render(c, fiber.StatusOK, "planresult", v)
}

// planAnswer is the debtor's answer to a counter-offer: accept or decline.
func (p *Portal) planAnswer(c *fiber.Ctx) error {
	ctx := c.UserContext()
	s := sessionOf(c)
	plans, err := p.DB.Plans(ctx, s.CreditorID, s.DebtorID)
	if err != nil {
		return err
	}
	var pl *collect.Plan
	for i := range plans {
		if plans[i].ID == c.Params("id") {
			pl = &plans[i]
		}
	}
	if pl == nil {
		return fiber.ErrNotFound
	}
	answer := c.FormValue("answer")
	if answer != "accept" && answer != "decline" {
		return fiber.ErrBadRequest
	}
	f, st, err := p.statement(c)
	if err != nil {
		return err
	}
	v := p.planPage(c, f, st)
	if pl.Status != collect.PlanCountered {
		return p.message(c, fiber.StatusConflict, "plan.gone.title", v.P.T("plan.gone"))
	}
	if err := p.DB.AnswerCounter(ctx, s.CreditorID, s.DebtorID, pl.ID, answer == "accept"); err != nil {
		if collect.ErrorCode(err) == collect.ECONFLICT {
			return p.message(c, fiber.StatusConflict, "plan.gone.title", v.P.T("plan.gone"))
		}
		return err
	}
	if answer == "accept" {
		return p.planResult(c, v, *pl, "accepted")
	}
	return p.planResult(c, v, *pl, string(collect.PlanDeclined))
}
