package console

import (
	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// finishTask marks a personal follow-up done and goes back to the queue.
func (co *Console) finishTask(c *fiber.Ctx) error {
	err := casework.FinishTask(c.UserContext(), co.DB, agentOf(c).ID, creditorsOf(c), c.Params("id"))
	if collect.ErrorCode(err) == collect.ECONFLICT {
		// Another agent, or a second click, got there first: nothing to undo.
		return co.message(c, fiber.StatusConflict, "Already done", "This follow-up was already marked done. Go back to the work queue.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(prefix, fiber.StatusSeeOther)
}
