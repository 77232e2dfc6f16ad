package console

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
)

// Limits on what an agent types.
const (
	maxMonths   = 120
	maxTextLen  = 2000
	maxFirstDue = 366 // days ahead
)

// act runs an action on the debtor of :id (404 unless the agent may see
// them). A domain error (a wrong amount, a request already answered) shows
// the file again with the reason; success goes back to the file with a
// short confirmation.
func (co *Console) act(c *fiber.Ctx, fn func(d collect.Debtor, agentID string) (string, error)) error {
	d, err := co.loadDebtor(c)
	if err != nil {
		return err
	}
	done, err := fn(d, agentOf(c).ID)
	if err != nil {
		code := collect.ErrorCode(err)
		if code != collect.EINVALID && code != collect.ECONFLICT {
			return err
		}
		f, ferr := co.file(c, d)
		if ferr != nil {
			return ferr
		}
		status := fiber.StatusUnprocessableEntity
		if code == collect.ECONFLICT {
			status = fiber.StatusConflict
		}
		return co.render(c, status, "debtor", page{Title: d.Name, File: f, Problem: problemText(err)})
	}
	return c.Redirect(doneURL(d.ID, done), fiber.StatusSeeOther)
}

// problemText is the message of a domain error, with a capital and a full stop.
func problemText(err error) string {
	msg := err.Error()
	var e *collect.Error
	if errors.As(err, &e) {
		msg = e.Message
	}
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return "The action was not taken."
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return "Nothing was changed: " + msg
}

func invalid(field, msg string) error { return collect.Errorf(collect.EINVALID, field, "%s", msg) }

// text reads a form field, trimmed, and refuses it when longer than max.
func text(c *fiber.Ctx, name string, max int) (string, error) {
	s := strings.TrimSpace(c.FormValue(name))
	if len([]rune(s)) > max {
		return "", invalid(name, "the text is longer than "+strconv.Itoa(max)+" characters")
	}
	return s, nil
}

// terms reads a plan's total, months and first due date from a form.
func terms(c *fiber.Ctx, today time.Time) (collect.Plan, error) {
	total, err := money.ParseInput(c.FormValue("total"))
	if err != nil || total <= 0 {
		return collect.Plan{}, invalid("total", "type the total in euros, for example 450,00")
	}
	months, err := strconv.Atoi(strings.TrimSpace(c.FormValue("months")))
	if err != nil || months < 1 || months > maxMonths {
		return collect.Plan{}, invalid("months", "the number of months must be 1 to "+strconv.Itoa(maxMonths))
	}
	first, err := time.Parse("2006-01-02", strings.TrimSpace(c.FormValue("first_due")))
	if err != nil {
		return collect.Plan{}, invalid("first_due", "give the first due date as a date, for example 2026-12-01")
	}
	first = collect.DateOf(first)
	if first.Before(today) || first.After(today.AddDate(0, 0, maxFirstDue)) {
		return collect.Plan{}, invalid("first_due", "the first due date must be today or later, and within a year")
	}
	if total/int64(months) < 1 {
		return collect.Plan{}, invalid("months", "each instalment must be at least one cent")
	}
	return collect.Plan{Total: total, Months: months, FirstDue: first}, nil
}

// decidePlan approves, rejects or counters a plan proposal.
func (co *Console) decidePlan(c *fiber.Ctx) error {
	return co.act(c, func(d collect.Debtor, agentID string) (string, error) {
		in := casework.PlanDecision{AgentID: agentID, CreditorID: d.CreditorID, DebtorID: d.ID, PlanID: c.Params("plan"), Decision: c.FormValue("decision")}
		var err error
		if in.Reason, err = text(c, "reason", maxTextLen); err != nil {
			return "", err
		}
		if in.Decision == "counter" {
			p, err := terms(c, collect.DutchDate(co.Now()))
			if err != nil {
				return "", err
			}
			in.Counter = &p
		}
		if _, err := casework.DecidePlan(c.UserContext(), co.DB, in); err != nil {
			return "", err
		}
		return "plan." + in.Decision, nil
	})
}

// offerPlan offers the debtor a plan of the agent's own (after a hardship
// report, say): the debtor accepts or declines it in the portal.
func (co *Console) offerPlan(c *fiber.Ctx) error {
	return co.act(c, func(d collect.Debtor, agentID string) (string, error) {
		p, err := terms(c, collect.DutchDate(co.Now()))
		if err != nil {
			return "", err
		}
		if p.Reason, err = text(c, "reason", maxTextLen); err != nil {
			return "", err
		}
		if _, err := casework.OfferPlan(c.UserContext(), co.DB, agentID, d.CreditorID, d.ID, p); err != nil {
			return "", err
		}
		return "plan.offer", nil
	})
}

// resolveDispute upholds, rejects or corrects a dispute.
func (co *Console) resolveDispute(c *fiber.Ctx) error {
	return co.act(c, func(d collect.Debtor, agentID string) (string, error) {
		answer, err := text(c, "answer", maxTextLen)
		if err != nil {
			return "", err
		}
		in := casework.DisputeAnswer{AgentID: agentID, CreditorID: d.CreditorID, DebtorID: d.ID, DisputeID: c.Params("dispute"),
			Outcome: collect.DisputeStatus(c.FormValue("outcome")), Answer: answer, CorrectTo: c.FormValue("amount")}
		if err := casework.ResolveDispute(c.UserContext(), co.DB, in); err != nil {
			return "", err
		}
		return "dispute." + string(in.Outcome), nil
	})
}

// hardship follows up a hardship report: extend the breathing space, mark
// it followed up, record "won't pay", or waive the open costs.
func (co *Console) hardship(c *fiber.Ctx) error {
	return co.act(c, func(d collect.Debtor, agentID string) (string, error) {
		in := casework.HardshipFollowUp{AgentID: agentID, CreditorID: d.CreditorID, DebtorID: d.ID,
			HardshipID: c.Params("hardship"), Action: c.FormValue("action"), Days: c.FormValue("days")}
		if err := casework.FollowUpHardship(c.UserContext(), co.DB, in); err != nil {
			return "", err
		}
		return "hardship." + in.Action, nil
	})
}

// addNote adds a note to the file.
func (co *Console) addNote(c *fiber.Ctx) error {
	return co.act(c, func(d collect.Debtor, agentID string) (string, error) {
		if _, err := casework.AddNote(c.UserContext(), co.DB, agentID, d, c.FormValue("body")); err != nil {
			return "", err
		}
		return "note", nil
	})
}
