package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// CreateNotice records a 14-day notice for some of a debtor's invoices, or
// returns the notice already running for them (see RecordNotice).
func (db *DB) CreateNotice(ctx context.Context, creditor collect.Creditor, debtorID string, invoiceIDs []string, n collect.Notice) (collect.Notice, error) {
	n, _, err := db.RecordNotice(ctx, creditor, debtorID, invoiceIDs, n)
	return n, err
}

// RecordNotice records a 14-day notice for some of a debtor's invoices and
// reports whether it made a new one. A notice for invoices that a notice
// still running already covers returns that notice (created is false). A new
// notice's costs follow the WIK scale over the open principal of its
// invoices, limited to what the scale over the debtor's whole claim leaves
// (collect.NoticeCostsLeft): the costs are due once for the claim.
func (db *DB) RecordNotice(ctx context.Context, creditor collect.Creditor, debtorID string, invoiceIDs []string, n collect.Notice) (collect.Notice, bool, error) {
	cal, err := db.Calendar(ctx)
	if err != nil {
		return n, false, err
	}
	today := db.Today()
	created := false
	err = db.WithTx(ctx, func(tx pgx.Tx) error {
		// Serialise bookings per debtor so that the principal, the notices and
		// the costs read here are current: two notices posted at once cannot
		// both announce the costs the claim has room for once.
		if err := lockDebtor(ctx, tx, debtorID); err != nil {
			return err
		}
		f, err := facts(ctx, tx, creditor.ID, debtorID)
		if err != nil {
			return err
		}
		if running, ok := collect.RunningNotice(f.Notices, invoiceIDs, n.SentOn, today); ok {
			n = running
			return nil
		}
		var principal int64
		err = tx.QueryRow(ctx, `SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries
			WHERE account = 'principal' AND invoice_id = ANY($1) AND debtor_id = $2 AND creditor_id = $3`,
			invoiceIDs, debtorID, creditor.ID).Scan(&principal)
		if err != nil {
			return dbErr(err, "notice principal")
		}
		if principal <= 0 {
			return collect.Errorf(collect.EINVALID, "invoice_ids", "these invoices have nothing open")
		}
		left, err := collect.NoticeCostsLeft(f, invoiceIDs, today)
		if err != nil {
			return err
		}
		n = collect.NewNotice(n.Channel, n.SentOn, creditor.PostDeliveryDays, principal, creditor.WaiveCosts, cal)
		n.Costs = min(n.Costs, left)
		n.InvoiceIDs = invoiceIDs
		err = tx.QueryRow(ctx, `INSERT INTO notices (creditor_id, debtor_id, channel, sent_on, received_on, deadline, principal_cents, costs_cents, waived)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			creditor.ID, debtorID, n.Channel, n.SentOn, n.ReceivedOn, n.Deadline, n.Principal, n.Costs, n.Waived).Scan(&n.ID)
		if err != nil {
			return dbErr(err, "insert notice")
		}
		for _, id := range invoiceIDs {
			if _, err := tx.Exec(ctx, `INSERT INTO notice_invoices (notice_id, invoice_id) VALUES ($1, $2)`, n.ID, id); err != nil {
				return dbErr(err, "notice invoice")
			}
		}
		created = true
		return nil
	})
	return n, created, err
}

const noticesSQL = `SELECT n.id, n.channel, n.sent_on, n.received_on, n.deadline, n.principal_cents, n.costs_cents, n.waived,
			array(SELECT invoice_id::text FROM notice_invoices ni WHERE ni.notice_id = n.id ORDER BY invoice_id)
		FROM notices n WHERE n.debtor_id = $1 AND n.creditor_id = $2 ORDER BY n.sent_on, n.created_at`

func notices(ctx context.Context, q querier, creditorID, debtorID string) ([]collect.Notice, error) {
	return scanNotices(q.Query(ctx, noticesSQL, debtorID, creditorID))
}

func scanNotices(rows pgx.Rows, err error) ([]collect.Notice, error) {
	if err != nil {
		return nil, dbErr(err, "notices")
	}
	return collectRows(rows, func(r pgx.Row) (collect.Notice, error) {
		var n collect.Notice
		err := r.Scan(&n.ID, &n.Channel, &n.SentOn, &n.ReceivedOn, &n.Deadline, &n.Principal, &n.Costs, &n.Waived, &n.InvoiceIDs)
		n.SentOn, n.ReceivedOn, n.Deadline = collect.DateOf(n.SentOn), collect.DateOf(n.ReceivedOn), collect.DateOf(n.Deadline)
		return n, err
	}, "notices")
}

// lockDebtor takes a transaction-scoped advisory lock on one debtor, so that
// bookings for that debtor (payments, costs, interest) never interleave.
func lockDebtor(ctx context.Context, tx pgx.Tx, debtorID string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "debtor:"+debtorID)
	return dbErr(err, "lock debtor")
}
