package postgres

import (
	"context"
	"time"

	"github.com/settle/settle/internal/collect"
)

// Facts loads everything a debtor's statement is computed from.
func (db *DB) Facts(ctx context.Context, creditorID, debtorID string) (collect.Facts, error) {
	return facts(ctx, db.Pool, creditorID, debtorID)
}

func facts(ctx context.Context, q querier, creditorID, debtorID string) (collect.Facts, error) {
	var f collect.Facts
	var err error
	if f.Creditor, err = scanCreditor(q.QueryRow(ctx, `SELECT `+creditorCols+` FROM creditors WHERE id = $1`, creditorID)); err != nil {
		return f, dbErr(err, "creditor")
	}
	if !validUUID(debtorID) {
		return f, collect.Errorf(collect.ENOTFOUND, "", "debtor not found")
	}
	if f.Debtor, err = scanDebtor(q.QueryRow(ctx, `SELECT `+debtorCols+` FROM debtors WHERE id = $1 AND creditor_id = $2`, debtorID, creditorID)); err != nil {
		return f, dbErr(err, "debtor")
	}
	rows, err := q.Query(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE debtor_id = $1 AND creditor_id = $2 ORDER BY due_date, number`, debtorID, creditorID)
	if err != nil {
		return f, dbErr(err, "invoices")
	}
	if f.Invoices, err = collectRows(rows, scanInvoice, "invoices"); err != nil {
		return f, err
	}
	if f.Entries, err = entries(ctx, q, creditorID, debtorID); err != nil {
		return f, err
	}
	if f.Notices, err = notices(ctx, q, creditorID, debtorID); err != nil {
		return f, err
	}
	if f.Holds, err = holds(ctx, q, debtorID); err != nil {
		return f, err
	}
	var hardship bool
	if f.Breathing, hardship, err = breathing(ctx, q, debtorID); err != nil {
		return f, err
	}
	f.WaiveCosts = hardship && f.Creditor.Policy.HardshipWaiveCosts
	f.Rates, err = rates(ctx, q, RateKind(f.Debtor.Kind))
	return f, err
}

// Statement computes what a debtor owes as of asOf.
func (db *DB) Statement(ctx context.Context, creditorID, debtorID string, asOf time.Time) (collect.Facts, collect.Statement, error) {
	f, err := db.Facts(ctx, creditorID, debtorID)
	if err != nil {
		return f, collect.Statement{}, err
	}
	st, err := collect.BuildStatement(f, asOf)
	return f, st, err
}
