package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// Applied is one part of a payment as the ledger booked it.
type Applied struct {
	InvoiceID     string // "" for money kept as credit
	InvoiceNumber string
	Account       collect.Account
	Amount        int64 // cents applied (positive)
}

// PaidPayment is a paid payment with what it was applied to.
type PaidPayment struct {
	collect.Payment
	Parts []Applied
}

// PaidPayments lists a debtor's paid (or later refunded or charged back)
// payments, newest first, each with its allocation from the ledger.
func (db *DB) PaidPayments(ctx context.Context, creditorID, debtorID string) ([]PaidPayment, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+paymentCols+` FROM payments
		WHERE debtor_id = $1 AND creditor_id = $2 AND status IN ('paid', 'refunded', 'charged_back')
		ORDER BY coalesce(paid_at, created_at) DESC, id`, debtorID, creditorID)
	if err != nil {
		return nil, dbErr(err, "payments")
	}
	ps, err := collectRows(rows, scanPayment, "payments")
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return withAllocations(ctx, db.pool, ps)
}

// allocations reads how each payment was applied: its payment entries per invoice and account.
func allocations(ctx context.Context, q querier, paymentIDs []string) (map[string][]Applied, error) {
	rows, err := q.Query(ctx, `SELECT e.payment_id::text, coalesce(e.invoice_id::text, ''), coalesce(i.number, ''), e.account, -sum(e.amount_cents)
		FROM ledger_entries e LEFT JOIN invoices i ON i.id = e.invoice_id
		WHERE e.payment_id = ANY($1) AND e.kind = 'payment'
		GROUP BY e.payment_id, e.invoice_id, i.number, e.account
		ORDER BY e.payment_id, min(e.id)`, paymentIDs)
	if err != nil {
		return nil, dbErr(err, "allocations")
	}
	defer rows.Close()
	out := map[string][]Applied{}
	for rows.Next() {
		var pid, account string
		var a Applied
		if err := rows.Scan(&pid, &a.InvoiceID, &a.InvoiceNumber, &account, &a.Amount); err != nil {
			return nil, dbErr(err, "allocations")
		}
		a.Account = collect.Account(account)
		out[pid] = append(out[pid], a)
	}
	return out, dbErr(rows.Err(), "allocations")
}

// CreditorPayments pages through a creditor's payments changed since a time,
// oldest change first, for the API; after is the cursor (the last id seen
// together with its update time).
func (db *DB) CreditorPayments(ctx context.Context, creditorID string, since time.Time, afterTime time.Time, afterID string, limit int) ([]PaidPayment, error) {
	var rows pgx.Rows
	var err error
	if afterID != "" {
		rows, err = db.pool.Query(ctx, `SELECT `+paymentCols+`, updated_at FROM payments
			WHERE creditor_id = $1 AND updated_at >= $2 AND (updated_at, id) > ($3, $4::uuid)
			ORDER BY updated_at, id LIMIT $5`, creditorID, since, afterTime, afterID, limit)
	} else {
		rows, err = db.pool.Query(ctx, `SELECT `+paymentCols+`, updated_at FROM payments
			WHERE creditor_id = $1 AND updated_at >= $2 ORDER BY updated_at, id LIMIT $3`, creditorID, since, limit)
	}
	if err != nil {
		return nil, dbErr(err, "payments")
	}
	ps, err := collectRows(rows, func(r pgx.Row) (collect.Payment, error) {
		var p collect.Payment
		var status string
		err := r.Scan(&p.ID, &p.CreditorID, &p.DebtorID, &p.InvoiceID, &p.Amount, &p.Provider, &p.Method, &p.ProviderID,
			&p.CheckoutURL, &status, &p.Refunded, &p.ChargedBack, &p.InstalmentID, &p.CreatedAt, &p.PaidAt, &p.UpdatedAt)
		p.Status = payStatus(status)
		return p, err
	}, "payments")
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return withAllocations(ctx, db.pool, ps)
}

// withAllocations adds to each payment what it was applied to.
func withAllocations(ctx context.Context, q querier, ps []collect.Payment) ([]PaidPayment, error) {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	parts, err := allocations(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]PaidPayment, len(ps))
	for i, p := range ps {
		out[i] = PaidPayment{Payment: p, Parts: parts[p.ID]}
	}
	return out, nil
}
