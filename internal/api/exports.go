package api

import (
	"bytes"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/reconcile"
)

// The accountant's exports for the calling creditor: the payments with
// their allocation, and the journal (see reconcile.WriteJournalCSV). Both
// are CSV for a Dutch spreadsheet (semicolons, decimal comma, UTF-8 with
// BOM, dates YYYY-MM-DD); see internal/reconcile/exports.go.

// exportPeriod reads from and to (YYYY-MM-DD, both included).
func exportPeriod(c *fiber.Ctx) (from, to time.Time, err error) {
	for _, f := range []struct {
		name string
		at   *time.Time
	}{{"from", &from}, {"to", &to}} {
		v := c.Query(f.name)
		if v == "" {
			return from, to, invalid(f.name, "%s is required, as YYYY-MM-DD", f.name)
		}
		if *f.at, err = time.Parse(time.DateOnly, v); err != nil {
			return from, to, invalid(f.name, "%s must be a date as YYYY-MM-DD", f.name)
		}
	}
	if err := reconcile.ExportPeriod(from, to); err != nil {
		return from, to, invalid("from", "%s", err.Error())
	}
	return from, to, nil
}

func sendCSV(c *fiber.Ctx, what string, from, to time.Time, body []byte) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="settle-%s-%s-%s.csv"`, what, from.Format(time.DateOnly), to.Format(time.DateOnly)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}

// exportPayments answers GET /api/v1/exports/payments.csv?from=&to=.
func (a *API) exportPayments(c *fiber.Ctx) error {
	from, to, err := exportPeriod(c)
	if err != nil {
		return err
	}
	rows, err := casework.PaymentsExport(c.UserContext(), a.DB, creditorOf(c).ID, from, to)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := reconcile.WritePaymentsCSV(&b, rows); err != nil {
		return err
	}
	return sendCSV(c, "payments", from, to, b.Bytes())
}

// exportJournal answers GET /api/v1/exports/journal.csv?from=&to=.
func (a *API) exportJournal(c *fiber.Ctx) error {
	from, to, err := exportPeriod(c)
	if err != nil {
		return err
	}
	cred := creditorOf(c)
	j, err := casework.JournalExport(c.UserContext(), a.DB, cred.ID, from, to)
	if err != nil {
		return err
	}
	if err := j.Check(); err != nil && a.Log != nil {
		a.Log.Error("journal does not balance", "creditor", cred.ID, "err", err)
	}
	var b bytes.Buffer
	if err := reconcile.WriteJournalCSV(&b, j); err != nil {
		return err
	}
	return sendCSV(c, "journal", from, to, b.Bytes())
}
