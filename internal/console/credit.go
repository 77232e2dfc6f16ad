package console

import (
	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/collect"
)

// refundCredit pays the debtor's credit back (casework.Payments.RefundCredit):
// through the provider of the payment it came from, or recorded for a bank
// transfer.
func (co *Console) refundCredit(c *fiber.Ctx) error {
	return co.act(c, func(d collect.Debtor, agentID string) (string, error) {
		_, err := co.Pay.RefundCredit(c.UserContext(), agentID, d.CreditorID, d.ID)
		return "credit.refund", err
	})
}
