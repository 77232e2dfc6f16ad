package portal

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
)

// MaxCounsellor is the longest text about a debt counsellor or administrator.
const MaxCounsellor = 500

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
	pr := v.P
	for _, k := range []string{"reason", "income", "costs", "counsellor"} {
		v.Form[k] = strings.TrimSpace(strings.ReplaceAll(c.FormValue(k), "\r\n", "\n"))
	}
	fail := func(step int, problem string) error {
		v.Step, v.Problem = step, problem
		return p.render(c, fiber.StatusUnprocessableEntity, "hardship", v)
	}
	if !slices.Contains(collect.HardshipReasons, v.Form["reason"]) {
		return fail(1, pr.T("hardship.error.reason"))
	}
	if done == 1 {
		v.Step = 2
		return p.render(c, fiber.StatusOK, "hardship", v)
	}
	income, err := optionalAmount(v.Form["income"])
	if err != nil {
		return fail(2, pr.T("hardship.error.amount"))
	}
	costs, err := optionalAmount(v.Form["costs"])
	if err != nil {
		return fail(2, pr.T("hardship.error.amount"))
	}
	if utf8.RuneCountInString(v.Form["counsellor"]) > MaxCounsellor {
		return fail(2, pr.T("hardship.error.counsellor", MaxCounsellor))
	}
	if income != nil {
		v.Form["income_text"] = pr.Money(*income)
	}
	if costs != nil {
		v.Form["costs_text"] = pr.Money(*costs)
	}
	if done == 2 {
		v.Step = 3
		return p.render(c, fiber.StatusOK, "hardship", v)
	}
	s := sessionOf(c)
	h, err := p.DB.ReportHardship(c.UserContext(), collect.Hardship{CreditorID: s.CreditorID, DebtorID: s.DebtorID,
		Reason: v.Form["reason"], Income: income, FixedCosts: costs, Consent: c.FormValue("consent") == "yes", Counsellor: v.Form["counsellor"]},
		v.Creditor.Policy.BreathingDays)
	if err != nil {
		return err
	}
	v.Title, v.Breathing = pr.T("hardship.done.title"), &h
	return p.render(c, fiber.StatusOK, "hardshipdone", v)
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
