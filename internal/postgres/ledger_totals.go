package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// Sums of a creditor's ledger and creditor entries for the finance page,
// the journal and the exports. Every read takes one creditor id that the
// caller has checked.

// LedgerMove is one ledger entry as the journal needs it.
type LedgerMove struct {
	Day      time.Time // booked_on
	Account  string    // principal, costs, interest or credit
	Kind     string    // charge, payment, credit_note, write_off or reversal
	Amount   int64     // signed from the debtor's side: positive raises what is owed
	Provider string    // the payment's provider (mollie, stripe, bank), "" without a payment
}

// BookMove is one creditor entry (bank, clearing:<provider>, fees,
// unexplained), debit positive.
type BookMove struct {
	Day     time.Time
	Account string
	Amount  int64
}

// JournalMoves reads a creditor's ledger and creditor entries up to to for
// the journal of from..to. Entries before from are summed into one move per
// account, kind, provider and sign on the day before from (the opening
// balances); within the period they are summed per day, account, kind,
// provider and sign, so the journal keeps its gross debits and credits and
// the memory it needs does not grow with the number of entries.
func (db *DB) JournalMoves(ctx context.Context, creditorID string, from, to time.Time) ([]LedgerMove, []BookMove, error) {
	rows, err := db.pool.Query(ctx, `SELECT CASE WHEN e.booked_on < $2 THEN $2::date - 1 ELSE e.booked_on END, e.account, e.kind,
			coalesce(p.provider, ''), sum(e.amount_cents)
		FROM ledger_entries e LEFT JOIN payments p ON p.id = e.payment_id
		WHERE e.creditor_id = $1 AND e.booked_on <= $3
		GROUP BY 1, 2, 3, 4, e.amount_cents > 0`, creditorID, from, to)
	if err != nil {
		return nil, nil, dbErr(err, "journal ledger")
	}
	ledger, err := collectRows(rows, func(r pgx.Row) (LedgerMove, error) {
		var m LedgerMove
		return m, r.Scan(&m.Day, &m.Account, &m.Kind, &m.Provider, &m.Amount)
	}, "journal ledger")
	if err != nil {
		return nil, nil, err
	}
	rows, err = db.pool.Query(ctx, `SELECT CASE WHEN booked_on < $2 THEN $2::date - 1 ELSE booked_on END, account, sum(amount_cents)
		FROM creditor_entries WHERE creditor_id = $1 AND booked_on <= $3
		GROUP BY 1, 2, amount_cents > 0`, creditorID, from, to)
	if err != nil {
		return nil, nil, dbErr(err, "journal books")
	}
	books, err := collectRows(rows, func(r pgx.Row) (BookMove, error) {
		var b BookMove
		return b, r.Scan(&b.Day, &b.Account, &b.Amount)
	}, "journal books")
	if err != nil {
		return nil, nil, err
	}
	return ledger, books, nil
}

// PaymentRow is what one payment (or its refund, chargeback or reversal)
// paid off on one invoice, or kept as credit, on one day. Amounts are
// money received: positive for a payment, negative for money that went back.
type PaymentRow struct {
	Day       time.Time
	PaymentID string // "" for a receipt booked without a payment record
	Type      string // payment or reversal
	Provider  string // mollie, stripe, bank; "" without a payment record
	Method    string // ideal, card, transfer; "" without a payment record
	Invoice   string // the invoice number; "" for credit
	Costs     int64
	Interest  int64
	Principal int64
	Credit    int64
}

// Total is what the row received.
func (r PaymentRow) Total() int64 { return r.Costs + r.Interest + r.Principal + r.Credit }

// PaymentRows reads what the creditor's payments paid off in from..to
// (booking dates, both included), in booking order: one row per day,
// payment (or receipt), kind and invoice, plus one for the credit kept.
func (db *DB) PaymentRows(ctx context.Context, creditorID string, from, to time.Time) ([]PaymentRow, error) {
	rows, err := db.pool.Query(ctx, `SELECT e.booked_on, coalesce(e.payment_id::text, ''), e.kind, coalesce(p.provider, ''), coalesce(p.method, ''),
			coalesce(i.number, ''),
			coalesce(-sum(e.amount_cents) FILTER (WHERE e.account = 'costs'), 0),
			coalesce(-sum(e.amount_cents) FILTER (WHERE e.account = 'interest'), 0),
			coalesce(-sum(e.amount_cents) FILTER (WHERE e.account = 'principal'), 0),
			coalesce(-sum(e.amount_cents) FILTER (WHERE e.account = 'credit'), 0)
		FROM ledger_entries e
		LEFT JOIN payments p ON p.id = e.payment_id
		LEFT JOIN invoices i ON i.id = e.invoice_id
		WHERE e.creditor_id = $1 AND e.kind IN ('payment', 'reversal') AND e.booked_on BETWEEN $2 AND $3
		GROUP BY e.booked_on, e.payment_id, e.source_key, e.kind, p.provider, p.method, e.invoice_id, i.number
		ORDER BY e.booked_on, min(e.id)`, creditorID, collect.DateOf(from), collect.DateOf(to))
	if err != nil {
		return nil, dbErr(err, "payments export")
	}
	return collectRows(rows, func(r pgx.Row) (PaymentRow, error) {
		var p PaymentRow
		err := r.Scan(&p.Day, &p.PaymentID, &p.Type, &p.Provider, &p.Method, &p.Invoice, &p.Costs, &p.Interest, &p.Principal, &p.Credit)
		p.Day = collect.DateOf(p.Day)
		return p, err
	}, "payments export")
}

// MethodTotal is the money of one payment method in a period.
type MethodTotal struct {
	Method   string // ideal, card, transfer, or "" for receipts without a payment record
	Received int64  // payments booked
	Returned int64  // refunds, chargebacks and bank reversals booked (positive)
	Count    int
}

// ReceivedByMethod sums the payments (and what went back) booked in the
// period, per method, in no particular order.
func (db *DB) ReceivedByMethod(ctx context.Context, creditorID string, from, to time.Time) ([]MethodTotal, error) {
	rows, err := db.pool.Query(ctx, `SELECT coalesce(p.method, ''),
			coalesce(-sum(e.amount_cents) FILTER (WHERE e.kind = 'payment'), 0),
			coalesce(sum(e.amount_cents) FILTER (WHERE e.kind = 'reversal'), 0),
			count(DISTINCT coalesce(e.payment_id::text, e.source_key)) FILTER (WHERE e.kind = 'payment')
		FROM ledger_entries e LEFT JOIN payments p ON p.id = e.payment_id
		WHERE e.creditor_id = $1 AND e.kind IN ('payment', 'reversal') AND e.booked_on BETWEEN $2 AND $3
		GROUP BY 1`, creditorID, from, to)
	if err != nil {
		return nil, dbErr(err, "received by channel")
	}
	return collectRows(rows, func(r pgx.Row) (MethodTotal, error) {
		var m MethodTotal
		return m, r.Scan(&m.Method, &m.Received, &m.Returned, &m.Count)
	}, "received by channel")
}

// DayTotal is the money received on one day.
type DayTotal struct {
	Day      time.Time
	Received int64
}

// ReceivedPerDay sums the payments booked on each day of the period (days
// without any are left out).
func (db *DB) ReceivedPerDay(ctx context.Context, creditorID string, from, to time.Time) ([]DayTotal, error) {
	rows, err := db.pool.Query(ctx, `SELECT booked_on, -sum(amount_cents) FROM ledger_entries
		WHERE creditor_id = $1 AND kind = 'payment' AND booked_on BETWEEN $2 AND $3
		GROUP BY booked_on ORDER BY booked_on`, creditorID, from, to)
	if err != nil {
		return nil, dbErr(err, "received per day")
	}
	return collectRows(rows, func(r pgx.Row) (DayTotal, error) {
		var d DayTotal
		err := r.Scan(&d.Day, &d.Received)
		d.Day = collect.DateOf(d.Day)
		return d, err
	}, "received per day")
}

// PayoutFee is the fees booked for one payout.
type PayoutFee struct {
	Provider  string
	Reference string
	Amount    int64 // positive: what the provider kept
}

// FeesBooked lists the provider fees booked in the period, per payout.
func (db *DB) FeesBooked(ctx context.Context, creditorID string, from, to time.Time) ([]PayoutFee, error) {
	rows, err := db.pool.Query(ctx, `SELECT coalesce(p.provider, ''), coalesce(p.reference, ''), sum(ce.amount_cents)
		FROM creditor_entries ce LEFT JOIN payouts p ON p.id = ce.payout_id
		WHERE ce.creditor_id = $1 AND ce.account = 'fees' AND ce.booked_on BETWEEN $2 AND $3
		GROUP BY 1, 2 ORDER BY min(ce.booked_on), 2`, creditorID, from, to)
	if err != nil {
		return nil, dbErr(err, "fees")
	}
	return collectRows(rows, func(r pgx.Row) (PayoutFee, error) {
		var f PayoutFee
		return f, r.Scan(&f.Provider, &f.Reference, &f.Amount)
	}, "fees")
}

// OpenBalances is what the creditor's debtors owed in all (principal,
// costs, interest less credit) at the end of the day before from and at the
// end of to: the sum of the ledger entries booked up to then.
func (db *DB) OpenBalances(ctx context.Context, creditorID string, from, to time.Time) (start, end int64, err error) {
	err = db.pool.QueryRow(ctx, `SELECT coalesce(sum(amount_cents) FILTER (WHERE booked_on < $2), 0)::bigint,
			coalesce(sum(amount_cents) FILTER (WHERE booked_on <= $3), 0)::bigint
		FROM ledger_entries WHERE creditor_id = $1`, creditorID, from, to).Scan(&start, &end)
	return start, end, dbErr(err, "open balances")
}
