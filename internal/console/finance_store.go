package console

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/postgres"
)

// The finance pages' reads. Every query takes one creditor id that the
// handler has checked against the console user's creditors.

// channelRow is the money of one channel in the period.
type channelRow struct {
	Method   string // ideal, card, transfer, or "" for receipts without a payment record
	Received int64  // payments booked
	Returned int64  // refunds, chargebacks and bank reversals booked (positive)
	Count    int
}

// dayRow is the money received on one day.
type dayRow struct {
	Day      time.Time
	Received int64
}

// feeRow is the fees booked for one payout.
type feeRow struct {
	Provider  string
	Reference string
	Amount    int64 // positive: what the provider kept
}

// openLine is a bank line waiting for a decision.
type openLine struct {
	postgres.BankLine
	AgeDays     int
	Suggestions []suggestionRow
}

// suggestionRow is a candidate for an open line, with names for people.
type suggestionRow struct {
	ID            int64
	DebtorID      string
	DebtorName    string
	InvoiceNumber string
	Score         int
	Evidence      string
}

// receivedByChannel sums the payments (and what went back) booked in the period, per method.
func receivedByChannel(ctx context.Context, db *postgres.DB, creditorID string, from, to time.Time) ([]channelRow, error) {
	rows, err := db.Pool.Query(ctx, `SELECT coalesce(p.method, ''),
			coalesce(-sum(e.amount_cents) FILTER (WHERE e.kind = 'payment'), 0),
			coalesce(sum(e.amount_cents) FILTER (WHERE e.kind = 'reversal'), 0),
			count(DISTINCT coalesce(e.payment_id::text, e.source_key)) FILTER (WHERE e.kind = 'payment')
		FROM ledger_entries e LEFT JOIN payments p ON p.id = e.payment_id
		WHERE e.creditor_id = $1 AND e.kind IN ('payment', 'reversal') AND e.booked_on BETWEEN $2 AND $3
		GROUP BY 1`, creditorID, from, to)
	if err != nil {
		return nil, fmt.Errorf("received by channel: %w", err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (channelRow, error) {
		var c channelRow
		return c, r.Scan(&c.Method, &c.Received, &c.Returned, &c.Count)
	})
	if err != nil {
		return nil, fmt.Errorf("received by channel: %w", err)
	}
	// Always the three channels, in this order; other rows after them.
	out := []channelRow{{Method: "ideal"}, {Method: "card"}, {Method: "transfer"}}
	for _, g := range got {
		found := false
		for i := range out {
			if out[i].Method == g.Method {
				out[i], found = g, true
			}
		}
		if !found {
			out = append(out, g)
		}
	}
	return out, nil
}

// receivedPerDay sums the payments booked on each day of the period (days without any are left out).
func receivedPerDay(ctx context.Context, db *postgres.DB, creditorID string, from, to time.Time) ([]dayRow, error) {
	rows, err := db.Pool.Query(ctx, `SELECT booked_on, -sum(amount_cents) FROM ledger_entries
		WHERE creditor_id = $1 AND kind = 'payment' AND booked_on BETWEEN $2 AND $3
		GROUP BY booked_on ORDER BY booked_on`, creditorID, from, to)
	if err != nil {
		return nil, fmt.Errorf("received per day: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (dayRow, error) {
		var d dayRow
		err := r.Scan(&d.Day, &d.Received)
		d.Day = dateOnly(d.Day)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("received per day: %w", err)
	}
	return out, nil
}

// feesInPeriod lists the provider fees booked in the period, per payout.
func feesInPeriod(ctx context.Context, db *postgres.DB, creditorID string, from, to time.Time) ([]feeRow, error) {
	rows, err := db.Pool.Query(ctx, `SELECT coalesce(p.provider, ''), coalesce(p.reference, ''), sum(ce.amount_cents)
		FROM creditor_entries ce LEFT JOIN payouts p ON p.id = ce.payout_id
		WHERE ce.creditor_id = $1 AND ce.account = 'fees' AND ce.booked_on BETWEEN $2 AND $3
		GROUP BY 1, 2 ORDER BY min(ce.booked_on), 2`, creditorID, from, to)
	if err != nil {
		return nil, fmt.Errorf("fees: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (feeRow, error) {
		var f feeRow
		return f, r.Scan(&f.Provider, &f.Reference, &f.Amount)
	})
	if err != nil {
		return nil, fmt.Errorf("fees: %w", err)
	}
	return out, nil
}

// openBalances is what the creditor's debtors owed in all (principal,
// costs, interest less credit) at the end of the day before from and at the
// end of to: the sum of the ledger entries booked up to then.
func openBalances(ctx context.Context, db *postgres.DB, creditorID string, from, to time.Time) (start, end int64, err error) {
	err = db.Pool.QueryRow(ctx, `SELECT coalesce(sum(amount_cents) FILTER (WHERE booked_on < $2), 0)::bigint,
			coalesce(sum(amount_cents) FILTER (WHERE booked_on <= $3), 0)::bigint
		FROM ledger_entries WHERE creditor_id = $1`, creditorID, from, to).Scan(&start, &end)
	if err != nil {
		err = fmt.Errorf("open balances: %w", err)
	}
	return start, end, err
}

// maxOpenLines bounds the list of bank lines waiting for a decision.
const maxOpenLines = 200

// openBankLines lists the creditor's bank lines that are suggested or
// unmatched, oldest first, each with its candidates.
func openBankLines(ctx context.Context, db *postgres.DB, creditorID string, today time.Time) ([]openLine, int, error) {
	var total int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM bank_lines WHERE creditor_id = $1 AND state IN ('suggested', 'unmatched')`,
		creditorID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("open bank lines: %w", err)
	}
	rows, err := db.Pool.Query(ctx, `SELECT id::text FROM bank_lines WHERE creditor_id = $1 AND state IN ('suggested', 'unmatched')
		ORDER BY booking_date, seq, id LIMIT $2`, creditorID, maxOpenLines)
	if err != nil {
		return nil, 0, fmt.Errorf("open bank lines: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, 0, fmt.Errorf("open bank lines: %w", err)
	}
	out := make([]openLine, 0, len(ids))
	for _, id := range ids {
		l, err := db.BankLine(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		ol := openLine{BankLine: l, AgeDays: int(today.Sub(dateOnly(l.BookingDate)).Hours() / 24)}
		rows, err := db.Pool.Query(ctx, `SELECT s.id, s.debtor_id::text, d.name, coalesce(i.number, ''), s.score, s.evidence
			FROM bank_suggestions s JOIN debtors d ON d.id = s.debtor_id AND d.creditor_id = $2
			LEFT JOIN invoices i ON i.id = s.invoice_id
			WHERE s.line_id = $1 ORDER BY s.score DESC, s.id`, id, creditorID)
		if err != nil {
			return nil, 0, fmt.Errorf("suggestions: %w", err)
		}
		ol.Suggestions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (suggestionRow, error) {
			var s suggestionRow
			return s, r.Scan(&s.ID, &s.DebtorID, &s.DebtorName, &s.InvoiceNumber, &s.Score, &s.Evidence)
		})
		if err != nil {
			return nil, 0, fmt.Errorf("suggestions: %w", err)
		}
		out = append(out, ol)
	}
	return out, total, nil
}

// bankLineCreditor is the creditor of a bank line, or "" when there is no such line.
func bankLineCreditor(ctx context.Context, db *postgres.DB, id string) (string, error) {
	l, err := db.BankLine(ctx, id)
	if err != nil {
		return "", err
	}
	return l.CreditorID, nil
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
