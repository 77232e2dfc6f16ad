package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
)

// noticeLetter sends the letter of one of the creditor's posted notices:
// the exact PDF that was printed. Another creditor's notice is not found.
func (a *API) noticeLetter(c *fiber.Ctx) error {
	l, err := casework.NoticeLetter(c.UserContext(), a.DB, creditorOf(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="letter-`+l.Number+`.pdf"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("pdf")
	return c.Send(l.PDF)
}
