package console

import (
	"context"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/postgres"
)

// The finance page's figures. Every read takes one creditor id that the
// handler has checked against the console user's creditors.

// openLine is a bank line waiting for a decision, with its age.
type openLine struct {
	postgres.OpenBankLine
	AgeDays int
}

// maxOpenLines bounds the list of bank lines waiting for a decision.
const maxOpenLines = 200

// openBankLines lists the creditor's bank lines waiting for a decision,
// oldest first, with their age on today.
func openBankLines(ctx context.Context, db *postgres.DB, creditorID string, today time.Time) ([]openLine, int, error) {
	lines, total, err := casework.OpenBankLines(ctx, db, creditorID, maxOpenLines)
	if err != nil {
		return nil, 0, err
	}
	out := make([]openLine, 0, len(lines))
	for _, l := range lines {
		out = append(out, openLine{OpenBankLine: l, AgeDays: int(today.Sub(dateOnly(l.BookingDate)).Hours() / 24)})
	}
	return out, total, nil
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
