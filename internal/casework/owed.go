package casework

import (
	"context"
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

// owedOn is OwedOn with the facts the statement was computed from.
func owedOn(ctx context.Context, db *postgres.DB, creditorID, debtorID string, day time.Time) (collect.Facts, collect.Statement, error) {
	day = collect.DateOf(day)
	if err := collect.CheckOwedOn(db.Today(), day); err != nil {
		return collect.Facts{}, collect.Statement{}, err
	}
	return db.Statement(ctx, creditorID, debtorID, day)
}
