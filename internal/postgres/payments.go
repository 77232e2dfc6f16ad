package postgres

import (
	"context"
	"strconv"
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
	if r.Amount <= 0 {
		return collect.Allocation{}, false, collect.Errorf(collect.EINVALID, "amount", "a payment must be more than 0")
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
	on := collect.DateOf(r.On)
	if err := bookAccruals(ctx, tx, r.CreditorID, r.DebtorID, on); err != nil {
		return collect.Allocation{}, false, err
	}
	f, err := facts(ctx, tx, r.CreditorID, r.DebtorID)
	if err != nil {
		return collect.Allocation{}, false, err
	}
	st, err := collect.BuildStatement(f, on)
	if err != nil {
		return collect.Allocation{}, false, err
	}
	alloc := collect.Allocate(r.Amount, st.OpenItems(), on, r.InvoiceID)
	for _, p := range alloc.Parts {
		for _, part := range []struct {
			account collect.Account
			amount  int64
		}{{collect.AccountCosts, p.Costs}, {collect.AccountInterest, p.Interest}, {collect.AccountPrincipal, p.Principal}} {
			if part.amount == 0 {
				continue
			}
			e := collect.Entry{InvoiceID: p.InvoiceID, Account: part.account, Kind: collect.KindPayment, Amount: -part.amount, BookedOn: on, Memo: r.Memo, PaymentID: r.PaymentID}
			if err := insertEntry(ctx, tx, r.CreditorID, r.DebtorID, e, r.SourceKey); err != nil {
				return alloc, false, err
			}
		}
	}
	if alloc.Credit > 0 {
		e := collect.Entry{Account: collect.AccountCredit, Kind: collect.KindPayment, Amount: -alloc.Credit, BookedOn: on, Memo: r.Memo, PaymentID: r.PaymentID}
		if err := insertEntry(ctx, tx, r.CreditorID, r.DebtorID, e, r.SourceKey); err != nil {
			return alloc, false, err
		}
	}
	return alloc, true, nil
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
	for _, a := range st.Accruals() {
		e := collect.Entry{InvoiceID: a.InvoiceID, Account: a.Account, Kind: collect.KindCharge, Amount: a.Amount, BookedOn: on, NoticeID: a.NoticeID}
		key := interestAccrualKey(a, on)
		if a.Account == collect.AccountCosts {
			e.Memo = "collection costs (WIK) after notice"
			key = "accrual:costs:" + a.NoticeID
		} else {
			e.Memo = "statutory interest until " + on.Format("2006-01-02")
		}
		if err := insertEntry(ctx, tx, creditorID, debtorID, e, key); err != nil {
			return err
		}
	}
	return nil
}

// interestAccrualKey is the source key of an interest accrual: the invoice,
// the day, and the interest charged in all once it is booked. The total
// keeps a second accrual on the same day (a refund or reversal reopened
// principal that already earned interest today) from colliding with the
// first, while the same accrual booked twice still collides.
func interestAccrualKey(a collect.Accrual, on time.Time) string {
	return "accrual:interest:" + a.InvoiceID + ":" + on.Format("2006-01-02") + ":" + strconv.FormatInt(a.ChargedTotal, 10)
}
