package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// Receipt is money received from a debtor, to be applied to their debt.
type Receipt struct {
	CreditorID string
	DebtorID   string
	Amount     int64     // cents, > 0
	InvoiceID  string    // the invoice the debtor chose, or "" for the legal order
	On         time.Time // the day the money was received
	SourceKey  string    // unique per receipt: makes booking idempotent
	PaymentID  string    // our payment record, when there is one
	Memo       string
}

// ApplyPayment books a receipt in one transaction: it first books the costs and
// interest that are due on that day, then applies the money to costs, interest
// and principal (art. 6:44 BW) across invoices (art. 6:43 BW), keeping any rest
// as credit. Booking the same SourceKey twice books nothing and returns false.
func (db *DB) ApplyPayment(ctx context.Context, r Receipt) (collect.Allocation, bool, error) {
	var alloc collect.Allocation
	var booked bool
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		alloc, booked, err = ApplyPaymentTx(ctx, tx, r)
		return err
	})
	return alloc, booked, err
}

// ApplyPaymentTx is ApplyPayment inside a caller's transaction, so that a
// payment's status change, its booking and its audit record commit together.
func ApplyPaymentTx(ctx context.Context, tx pgx.Tx, r Receipt) (collect.Allocation, bool, error) {
	if err := r.received().Check(); err != nil {
		return collect.Allocation{}, false, err
	}
	if err := lockDebtor(ctx, tx, r.DebtorID); err != nil {
		return collect.Allocation{}, false, err
	}
	var seen bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE source_key = $1)`, r.SourceKey).Scan(&seen); err != nil {
		return collect.Allocation{}, false, dbErr(err, "check receipt")
	}
	if seen {
		return collect.Allocation{}, false, nil
	}
	f, err := facts(ctx, tx, r.CreditorID, r.DebtorID)
	if err != nil {
		return collect.Allocation{}, false, err
	}
	b, err := collect.Book(f, r.received())
	if err != nil {
		return collect.Allocation{}, false, err
	}
	if err := insertPostings(ctx, tx, r.CreditorID, r.DebtorID, b.Postings); err != nil {
		return b.Allocation, false, err
	}
	return b.Allocation, true, nil
}

// received is what collect.Book needs of r.
func (r Receipt) received() collect.Received {
	return collect.Received{Amount: r.Amount, InvoiceID: r.InvoiceID, On: r.On, SourceKey: r.SourceKey, PaymentID: r.PaymentID, Memo: r.Memo}
}

// bookAccruals books the costs and interest that are due on day on but not yet
// in the ledger, so that a payment can be applied to them.
func bookAccruals(ctx context.Context, tx pgx.Tx, creditorID, debtorID string, on time.Time) error {
	f, err := facts(ctx, tx, creditorID, debtorID)
	if err != nil {
		return err
	}
	st, err := collect.BuildStatement(f, on)
	if err != nil {
		return err
	}
	return insertPostings(ctx, tx, creditorID, debtorID, collect.AccrualPostings(st))
}

// insertPostings writes a booking's postings in order.
func insertPostings(ctx context.Context, tx pgx.Tx, creditorID, debtorID string, ps []collect.Posting) error {
	for _, p := range ps {
		if err := insertEntry(ctx, tx, creditorID, debtorID, p.Entry, p.SourceKey); err != nil {
			return err
		}
	}
	return nil
}
