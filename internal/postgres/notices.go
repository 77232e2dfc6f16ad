package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// CreateNotice records a 14-day notice for some of a debtor's invoices. Its
// costs follow the WIK scale over the open principal of those invoices together.
func (db *DB) CreateNotice(ctx context.Context, creditor collect.Creditor, debtorID string, invoiceIDs []string, n collect.Notice) (collect.Notice, error) {
	cal, err := db.Calendar(ctx)
	if err != nil {
		return n, err
	}
	err = db.WithTx(ctx, func(tx pgx.Tx) error {
		// Serialise bookings per debtor so the principal read here is current.
		if err := lockDebtor(ctx, tx, debtorID); err != nil {
			return err
		}
		var principal int64
		err := tx.QueryRow(ctx, `SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries
			WHERE account = 'principal' AND invoice_id = ANY($1) AND debtor_id = $2 AND creditor_id = $3`,
			invoiceIDs, debtorID, creditor.ID).Scan(&principal)
		if err != nil {
			return dbErr(err, "notice principal")
		}
		if principal <= 0 {
			return collect.Errorf(collect.EINVALID, "invoice_ids", "these invoices have nothing open")
		}
		n = collect.NewNotice(n.Channel, n.SentOn, creditor.PostDeliveryDays, principal, creditor.WaiveCosts, cal)
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
		return nil
	})
	return n, err
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
