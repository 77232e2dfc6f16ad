package portal

import (
	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// Where the plan's direct debit ("automatische incasso") stands on the
// overview: offered, waiting for the first payment, or on.
const (
	directDebitOffer   = "offer"
	directDebitPending = string(collect.MandatePending)
	directDebitOn      = string(collect.MandateValid)
)

// directDebitState says what the overview shows about direct debit for
// the debtor's running plan; "" when the creditor's provider cannot do it.
func (p *Portal) directDebitState(c *fiber.Ctx, cr collect.Creditor) (string, error) {
	s := sessionOf(c)
	m, ok, err := casework.DirectDebitOf(c.UserContext(), p.DB, s.CreditorID, s.DebtorID)
	if err != nil {
		return "", err
	}
	switch {
	case ok && m.Status == collect.MandateValid:
		return directDebitOn, nil
	case ok && m.Status == collect.MandatePending:
		return directDebitPending, nil
	case p.Pay != nil && p.Pay.DirectDebitOffered(cr):
		return directDebitOffer, nil
	}
	return "", nil
}

// directDebitStart sends the debtor to iDEAL to pay the next part of the
// plan; that payment also gives the mandate for the later parts.
func (p *Portal) directDebitStart(c *fiber.Ctx) error {
	if p.Pay == nil {
		return fiber.ErrNotFound
	}
	s := sessionOf(c)
	f, _, err := p.statement(c)
	if err != nil {
		return err
	}
	url, err := p.Pay.StartDirectDebit(c.UserContext(), f.Creditor, s.DebtorID, f.Creditor.Name)
	if err != nil {
		return err
	}
	return c.Redirect(url, fiber.StatusSeeOther)
}

// directDebitStop revokes the mandate; the debtor pays the parts as before.
func (p *Portal) directDebitStop(c *fiber.Ctx) error {
	if p.Pay == nil {
		return fiber.ErrNotFound
	}
	s := sessionOf(c)
	if err := p.Pay.StopDirectDebit(c.UserContext(), s.CreditorID, s.DebtorID); err != nil {
		return err
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}
