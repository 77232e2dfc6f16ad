package casework

import (
	"context"
	"slices"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// OwedOn is what a debtor will owe a creditor on day, today (the store's
// Dutch day) or later, if nothing else happens: payments booked so far,
// collection costs of every notice whose deadline has passed by then,
// statutory interest through day with each rate in force (the last known
// rate carried forward) and the yearly compounding. An open dispute is
// assumed to stay open, breathing space to end when it says. A day before
// today, or more than collect.OwedAheadYears ahead, is refused naming
// collect.AsOfField. Nothing is booked: the accruals the statement lists
// are a forecast, not the ledger.
func OwedOn(ctx context.Context, db *postgres.DB, creditorID, debtorID string, day time.Time) (collect.Statement, error) {
	_, st, err := owedOn(ctx, db, creditorID, debtorID, day)
	return st, err
}

// owedAfterDeadline is what a notice's invoices come to on the day after
// its deadline if nothing is paid: the statement of that day, as OwedOn
// computes it, over the facts the notice was drawn from. The notice is
// added to those facts when it is new (drawn inside its own transaction),
// so that its costs count.
func owedAfterDeadline(f collect.Facts, n collect.Notice) (int64, error) {
	return noticeOwedOn(f, n, n.Deadline.AddDate(0, 0, 1))
}

// owedOnDeadline is what a notice's invoices come to on its deadline
// itself, interest up to that day included and no costs yet: what the
// letter asks to be paid by then.
func owedOnDeadline(f collect.Facts, n collect.Notice) (int64, error) {
	return noticeOwedOn(f, n, n.Deadline)
}

func noticeOwedOn(f collect.Facts, n collect.Notice, day time.Time) (int64, error) {
	if !slices.ContainsFunc(f.Notices, func(x collect.Notice) bool { return x.ID == n.ID }) {
		f.Notices = append(slices.Clone(f.Notices), n)
	}
	st, err := collect.BuildStatement(f, day)
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, l := range st.Lines {
		if slices.Contains(n.InvoiceIDs, l.Invoice.ID) {
			sum += l.Total()
		}
	}
	return sum, nil
}

// owedOn is OwedOn with the facts the statement was computed from.
func owedOn(ctx context.Context, db *postgres.DB, creditorID, debtorID string, day time.Time) (collect.Facts, collect.Statement, error) {
	day = collect.DateOf(day)
	if err := collect.CheckOwedOn(db.Today(), day); err != nil {
		return collect.Facts{}, collect.Statement{}, err
	}
	return db.Statement(ctx, creditorID, debtorID, day)
}
