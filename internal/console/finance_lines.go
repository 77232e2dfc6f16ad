package console

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
)

// Bank lines beyond the waiting list: the rejected ones (a filter of their
// own, since they wait no more) and the debtor search that books a waiting
// line on a debtor no suggestion named.

const (
	// maxRejectedLines bounds the list of rejected lines.
	maxRejectedLines = 200
	// maxLineMatches bounds the debtors a search for a line shows.
	maxLineMatches = 20
	// maxWhoLen bounds what finance may search for.
	maxWhoLen = 100
)

// bankLineViews fills the rejected lines (?lines=rejected) and the debtor
// search of one waiting line (?book=<line>&who=<words>). The search only
// runs for a line on the page, so it never reads another creditor's lines.
func (co *Console) bankLineViews(c *fiber.Ctx, f *financePage) error {
	ctx := c.UserContext()
	var err error
	f.ShowRejected = c.Query("lines") == "rejected"
	limit := 0
	if f.ShowRejected {
		limit = maxRejectedLines
	}
	if f.Rejected, f.RejectedTotal, err = casework.RejectedBankLines(ctx, co.DB, f.Creditor.ID, limit); err != nil {
		return err
	}
	line, who := c.Query("book"), strings.TrimSpace(c.Query("who"))
	if line == "" || who == "" || len(who) > maxWhoLen {
		return nil
	}
	for _, l := range f.Lines {
		if l.ID == line {
			f.BookLine, f.Who = line, who
			f.Matches, err = casework.DebtorsForLine(ctx, co.DB, f.Creditor.ID, who, maxLineMatches)
			return err
		}
	}
	return nil
}
