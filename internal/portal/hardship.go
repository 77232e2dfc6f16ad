package portal

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
)

func (p *Portal) registerHardship(g signedIn) {
	g.Get("/hardship", p.hardshipStart)
	g.Post("/hardship", p.hardshipStep)
	g.Get("/help", p.help)
}

func (p *Portal) hardshipPage(c *fiber.Ctx, step int) (view, error) {
	f, st, err := p.statement(c)
	if err != nil {
		return view{}, err
	}
	pr := p.printer(c)
	return view{P: pr, Title: pr.T("hardship.title"), Creditor: f.Creditor, SignedIn: true, Debtor: f.Debtor, Statement: st,
		Step: step, Reasons: collect.HardshipReasons, Form: map[string]string{}}, nil
}

// hardshipStart is step 1 of 3: why the debtor cannot pay now.
func (p *Portal) hardshipStart(c *fiber.Ctx) error {
	v, err := p.hardshipPage(c, 1)
	if err != nil {
		return err
	}
	return p.render(c, fiber.StatusOK, "hardship", v)
}

// hardshipStep takes the answer to one step and shows the next. Earlier
// answers travel in hidden fields, so the server keeps nothing between steps;
// every answer is checked again at every step.
func (p *Portal) hardshipStep(c *fiber.Ctx) error {
	done, _ := strconv.Atoi(c.FormValue("step"))
	if done < 1 || done > 3 {
		done = 1
	}
	v, err := p.hardshipPage(c, done)
	if err != nil {
		return err
	}
	h, step, problem := hardshipAnswers(c, &v, done)
	if problem != "" {
		v.Step, v.Problem = step, problem
		return p.render(c, fiber.StatusUnprocessableEntity, "hardship", v)
	}
	if done < 3 {
		v.Step = done + 1
		return p.render(c, fiber.StatusOK, "hardship", v)
	}
	h.DebtorID = sessionOf(c).DebtorID
	if h, err = casework.ReportHardship(c.UserContext(), p.DB, v.Creditor, h); err != nil {
		return err
	}
	v.Title, v.Breathing = v.P.T("hardship.done.title"), &h
	return p.render(c, fiber.StatusOK, "hardshipdone", v)
}

// hardshipAnswers reads the answers of the steps up to done into the form
// and a report. A refused answer gives the step to show again and why.
func hardshipAnswers(c *fiber.Ctx, v *view, done int) (collect.Hardship, int, string) {
	pr := v.P
	for _, k := range []string{"reason", "income", "costs", "counsellor"} {
		v.Form[k] = strings.TrimSpace(strings.ReplaceAll(c.FormValue(k), "\r\n", "\n"))
	}
	h := collect.Hardship{Reason: v.Form["reason"], Consent: c.FormValue("consent") == "yes"}
	if casework.CheckHardship(h) != nil {
		return h, 1, pr.T("hardship.error.reason")
	}
	if done == 1 {
		return h, 0, ""
	}
	var ierr, cerr error
	h.Income, ierr = optionalAmount(v.Form["income"])
	h.FixedCosts, cerr = optionalAmount(v.Form["costs"])
	if ierr != nil || cerr != nil {
		return h, 2, pr.T("hardship.error.amount")
	}
	h.Counsellor = v.Form["counsellor"]
	if casework.CheckHardship(h) != nil {
		return h, 2, pr.T("hardship.error.counsellor", casework.MaxCounsellor)
	}
	if h.Income != nil {
		v.Form["income_text"] = pr.Money(*h.Income)
	}
	if h.FixedCosts != nil {
		v.Form["costs_text"] = pr.Money(*h.FixedCosts)
	}
	return h, 0, ""
}

// optionalAmount reads an amount the debtor may leave empty.
func optionalAmount(s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	cents, err := money.ParseInput(s)
	if err != nil {
		return nil, err
	}
	return &cents, nil
}

// help says where to get free help with debts.
func (p *Portal) help(c *fiber.Ctx) error {
	cr := c.Locals("creditor").(collect.Creditor)
	pr := p.printer(c)
	return p.render(c, fiber.StatusOK, "help", view{P: pr, Title: pr.T("help.title"), Creditor: cr, SignedIn: true})
}
