package console

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
)

// saveReward sets (or with kind "none" removes) a creditor's reward for one
// occasion, from the ladder page; admins only, like the ladder.
func (co *Console) saveReward(c *fiber.Ctx) error {
	rule := collect.RewardRule{Occasion: collect.RewardOccasion(c.FormValue("occasion")), Kind: collect.RewardKind(c.FormValue("kind"))}
	if a := strings.TrimSpace(c.FormValue("amount")); a != "" && rule.Kind == collect.RewardCredit {
		cents, err := money.ParseInput(a)
		if err != nil {
			return co.message(c, fiber.StatusUnprocessableEntity, "The reward is not saved", "amount: type an amount in euros, for example 5,00.")
		}
		rule.Amount = cents
	}
	err := casework.SetCreditorReward(c.UserContext(), co.DB, creditorsOf(c), "agent:"+agentOf(c).ID, c.Params("creditor"), rule)
	if e, ok := err.(*collect.Error); ok && e.Code == collect.EINVALID {
		return co.message(c, fiber.StatusUnprocessableEntity, "The reward is not saved", e.Field+": "+e.Message+".")
	}
	if err != nil {
		return err
	}
	return c.Redirect(prefix+"/ladders/"+c.Params("creditor")+"?rewards=saved#rewards", fiber.StatusSeeOther)
}
