package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// Facts loads everything a debtor's statement is computed from.
func (db *DB) Facts(ctx context.Context, creditorID, debtorID string) (collect.Facts, error) {
	return facts(ctx, db.pool, creditorID, debtorID)
}

func facts(ctx context.Context, q querier, creditorID, debtorID string) (collect.Facts, error) {
	var f collect.Facts
	var err error
	if !validUUID(debtorID) {
		if f.Creditor, err = scanCreditor(q.QueryRow(ctx, `SELECT `+creditorCols+` FROM creditors WHERE id = $1`, creditorID)); err != nil {
			return f, dbErr(err, "creditor")
		}
		return f, collect.Errorf(collect.ENOTFOUND, "", "debtor not found")
	}
	// Every page and every booking reads these, so they go to the server in
	// one round trip (a pipeline) rather than one after the other.
	b := &pgx.Batch{}
	queueFacts(b, creditorID, debtorID)
	br := q.SendBatch(ctx, b)
	defer br.Close()
	if f, err = readFacts(br); err != nil {
		return f, err
	}
	return f, dbErr(br.Close(), "facts")
}

// queueFacts queues the reads of facts in b, so a caller can send them in
// the same round trip as statements of its own (a booking's lock); read
// them with readFacts. Both rate tables are asked for because the
// debtor's kind is not known yet.
func queueFacts(b *pgx.Batch, creditorID, debtorID string) {
	b.Queue(`SELECT `+creditorCols+` FROM creditors WHERE id = $1`, creditorID)
	b.Queue(`SELECT `+debtorCols+` FROM debtors WHERE id = $1 AND creditor_id = $2`, debtorID, creditorID)
	b.Queue(`SELECT `+invoiceCols+` FROM invoices WHERE debtor_id = $1 AND creditor_id = $2 ORDER BY due_date, number`, debtorID, creditorID)
	b.Queue(entriesSQL, debtorID, creditorID)
	b.Queue(noticesSQL, debtorID, creditorID)
	b.Queue(holdsSQL, debtorID)
	b.Queue(breathingSQL, debtorID)
	b.Queue(ratesSQL, RateKind(collect.Consumer))
	b.Queue(ratesSQL, RateKind(collect.Business))
}

// readFacts reads the results queueFacts queued, in order.
func readFacts(br pgx.BatchResults) (collect.Facts, error) {
	var f collect.Facts
	var err error
	if f.Creditor, err = scanCreditor(br.QueryRow()); err != nil {
		return f, dbErr(err, "creditor")
	}
	if f.Debtor, err = scanDebtor(br.QueryRow()); err != nil {
		return f, dbErr(err, "debtor")
	}
	rows, err := br.Query()
	if err != nil {
		return f, dbErr(err, "invoices")
	}
	if f.Invoices, err = collectRows(rows, scanInvoice, "invoices"); err != nil {
		return f, err
	}
	if f.Entries, err = scanEntries(br.Query()); err != nil {
		return f, err
	}
	if f.Notices, err = scanNotices(br.Query()); err != nil {
		return f, err
	}
	if f.Holds, err = scanHolds(br.Query()); err != nil {
		return f, err
	}
	var hardship bool
	if f.Breathing, hardship, err = scanBreathing(br.Query()); err != nil {
		return f, err
	}
	f.WaiveCosts = hardship && f.Creditor.Policy.HardshipWaiveCosts
	consumer, err := scanRates(br.Query())
	if err != nil {
		return f, err
	}
	commercial, err := scanRates(br.Query())
	if err != nil {
		return f, err
	}
	f.Rates = consumer
	if RateKind(f.Debtor.Kind) == RateKind(collect.Business) {
		f.Rates = commercial
	}
	return f, nil
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

// InterestRates loads the statutory interest table that applies to a kind of
// debtor, so that callers can refuse an invoice the table cannot cover.
func (db *DB) InterestRates(ctx context.Context, kind collect.DebtorKind) (collect.RateTable, error) {
	return scanRates(db.pool.Query(ctx, ratesSQL, RateKind(kind)))
}
