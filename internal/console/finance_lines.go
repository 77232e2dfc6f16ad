package console

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
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
	f.ShowRejected = c.Query("lines") == string(collect.BankRejected)
	limit := 0
	if f.ShowRejected {
		limit = maxRejectedLines
	}
	if f.Rejected, f.RejectedTotal, err = casework.RejectedBankLines(ctx, co.DB, f.Creditor.ID, limit); err != nil {
		return err
	}
	if f.ToTransfer, err = casework.RefundsToTransfer(ctx, co.DB, f.Creditor.ID); err != nil {
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

// makeTransferFile makes the SEPA transfer file of the credit waiting for a
// bank transfer and answers it as a download; a domain refusal (nothing
// with a known IBAN, no own IBAN) shows the finance page with the reason.
func (co *Console) makeTransferFile(c *fiber.Ctx) error {
	s, err := co.selectFor(c, func(k string) string { return c.FormValue(k) })
	if err != nil {
		return err
	}
	f, err := casework.MakeTransferFile(c.UserContext(), co.DB, s.creditor.ID, "agent:"+agentOf(c).ID)
	if collect.ErrorCode(err) == collect.ECONFLICT {
		return co.renderFinance(c, fiber.StatusConflict, s, page{Title: "Finance", Problem: problemText(err)}, nil)
	}
	if err != nil {
		return err
	}
	return sendTransferFile(c, f)
}

// transferFile downloads a transfer file made before, of a creditor the
// user may see.
func (co *Console) transferFile(c *fiber.Ctx) error {
	s, err := co.selectFor(c, func(k string) string { return c.Query(k) })
	if err != nil {
		return err
	}
	f, err := casework.TransferFile(c.UserContext(), co.DB, s.creditor.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return sendTransferFile(c, f)
}

func sendTransferFile(c *fiber.Ctx, f postgres.TransferFile) error {
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+f.MessageID+`.xml"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Transfer-File", f.ID)
	return c.Send(f.XML)
}
