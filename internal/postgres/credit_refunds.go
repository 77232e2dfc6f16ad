package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// CreditRefund is a debtor's credit paid back, through the provider of the
// payment it came from or by the creditor's bank transfer.
type CreditRefund struct {
	ID               string
	CreditorID       string
	DebtorID         string
	PaymentID        string // "" for a bank transfer
	Provider         string // the payment's provider
	ProviderID       string // the payment's id at its provider
	Amount           int64
	Method           collect.CreditRefundMethod
	Status           collect.CreditRefundStatus
	ProviderRefundID string
	Reason           string
	RequestedBy      string
	CreatedAt        time.Time
}

// RefundablePayment is a paid payment a credit can go back through.
type RefundablePayment struct {
	collect.Refundable
	Provider   string
	ProviderID string
}

// RefundablePayments lists a debtor's paid provider payments at a creditor
// with what each can still give back, newest first.
func (db *DB) RefundablePayments(ctx context.Context, creditorID, debtorID string) ([]RefundablePayment, error) {
	rows, err := db.pool.Query(ctx, `SELECT id::text, amount_cents - refunded_cents - charged_back_cents, provider, provider_id FROM payments
		WHERE creditor_id = $1 AND debtor_id = $2 AND provider <> 'bank' AND provider_id IS NOT NULL
			AND status IN ('paid', 'refunded') AND amount_cents - refunded_cents - charged_back_cents > 0
		ORDER BY coalesce(paid_at, created_at) DESC, id`, creditorID, debtorID)
	if err != nil {
		return nil, dbErr(err, "refundable payments")
	}
	return collectRows(rows, func(r pgx.Row) (RefundablePayment, error) {
		var p RefundablePayment
		err := r.Scan(&p.PaymentID, &p.Left, &p.Provider, &p.ProviderID)
		return p, err
	}, "refundable payments")
}

// BookCreditRefund books a credit going back, in one transaction, before
// any provider is asked: the credit must still cover it; the ledger's
// credit account takes it off (a reversal on the payment, so that a later
// refund or chargeback of that payment sees it); a provider refund raises
// the payment's refunded total, so the provider's own report of the refund
// books nothing twice; and the audit record (payment.refunded through a
// provider, credit.refund_recorded for a bank transfer).
func (db *DB) BookCreditRefund(ctx context.Context, r CreditRefund) (CreditRefund, error) {
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		if err := lockRefundLocks(ctx, tx, r); err != nil {
			return err
		}
		var credit int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(-sum(amount_cents), 0) FROM ledger_entries WHERE creditor_id = $1 AND debtor_id = $2 AND account = 'credit'`,
			r.CreditorID, r.DebtorID).Scan(&credit); err != nil {
			return dbErr(err, "credit")
		}
		if r.Amount <= 0 || r.Amount > credit {
			return collect.Errorf(collect.ECONFLICT, "amount", "the credit is %d cents, not enough to pay back %d", credit, r.Amount)
		}
		now := db.Now()
		r.CreatedAt = now
		err := tx.QueryRow(ctx, `INSERT INTO credit_refunds (creditor_id, debtor_id, payment_id, amount_cents, method, status, reason, requested_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			r.CreditorID, r.DebtorID, nullable(r.PaymentID), r.Amount, r.Method, r.Status, r.Reason, r.RequestedBy, now).Scan(&r.ID)
		if err != nil {
			return dbErr(err, "credit refund")
		}
		today := collect.DutchDate(now)
		e := collect.Entry{Account: collect.AccountCredit, Kind: collect.KindReversal, Amount: r.Amount, BookedOn: today, PaymentID: r.PaymentID, Memo: "credit paid back"}
		if err := insertEntry(ctx, tx, r.CreditorID, r.DebtorID, e, "credit-refund:"+r.ID); err != nil {
			return err
		}
		after := map[string]any{"credit_refund_id": r.ID, "amount_cents": r.Amount, "method": r.Method, "reason": "credit"}
		action := "credit.refund_recorded"
		if r.PaymentID != "" {
			var refunded int64
			if err := tx.QueryRow(ctx, `UPDATE payments SET refunded_cents = refunded_cents + $2, updated_at = $3
				WHERE id = $1 AND creditor_id = $4 AND amount_cents - refunded_cents - charged_back_cents >= $2 RETURNING refunded_cents`,
				r.PaymentID, r.Amount, now, r.CreditorID).Scan(&refunded); err != nil {
				return dbErr(err, "payment to refund")
			}
			action, after["payment_id"], after["refunded"] = "payment.refunded", r.PaymentID, refunded
		}
		return Audit(ctx, tx, r.RequestedBy, action, r.CreditorID, r.DebtorID, "debtor:"+r.DebtorID, nil, after)
	})
	return r, err
}

// lockRefundLocks takes a credit refund's locks in the order of every
// booking: the payment's row (a refund through a provider changes it),
// then the debtor's lock. The other way round it could deadlock with a
// booking batch (ApplyFetchedStates), which holds its payments' rows
// while it waits for their debtors.
func lockRefundLocks(ctx context.Context, tx pgx.Tx, r CreditRefund) error {
	if r.PaymentID != "" {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM payments WHERE id = $1 FOR UPDATE`, r.PaymentID); err != nil {
			return dbErr(err, "lock payment to refund")
		}
	}
	return lockDebtor(ctx, tx, r.DebtorID)
}

// FinishCreditRefund records the provider's answer to a credit refund: sent
// with its refund id, or failed, which books the credit back and lowers
// the payment's refunded total again, with the audit record.
func (db *DB) FinishCreditRefund(ctx context.Context, r CreditRefund, providerRefundID string, failure error) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		if err := lockRefundLocks(ctx, tx, r); err != nil {
			return err
		}
		status := collect.RefundSent
		if failure != nil {
			status = collect.RefundFailed
		}
		tag, err := tx.Exec(ctx, `UPDATE credit_refunds SET status = $2, provider_refund_id = $3, decided_at = $4 WHERE id = $1 AND status = $5`,
			r.ID, status, providerRefundID, db.Now(), collect.RefundRequested)
		if err != nil || tag.RowsAffected() == 0 {
			return dbErr(err, "finish credit refund")
		}
		after := map[string]any{"credit_refund_id": r.ID, "status": status, "provider_refund_id": providerRefundID}
		if failure != nil {
			after["error"] = failure.Error()
			e := collect.Entry{Account: collect.AccountCredit, Kind: collect.KindReversal, Amount: -r.Amount, BookedOn: db.Today(), PaymentID: r.PaymentID, Memo: "credit refund failed"}
			if err := insertEntry(ctx, tx, r.CreditorID, r.DebtorID, e, "credit-refund-failed:"+r.ID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE payments SET refunded_cents = refunded_cents - $2, updated_at = $3 WHERE id = $1`, r.PaymentID, r.Amount, db.Now()); err != nil {
				return dbErr(err, "payment refund undone")
			}
		}
		return Audit(ctx, tx, "system:refunds", fmt.Sprintf("credit.refund_%s", status), r.CreditorID, r.DebtorID, "debtor:"+r.DebtorID, nil, after)
	})
}

// CreditRefunds lists a debtor's credit refunds at a creditor, newest first.
func (db *DB) CreditRefunds(ctx context.Context, creditorID, debtorID string) ([]CreditRefund, error) {
	rows, err := db.pool.Query(ctx, `SELECT r.id, r.creditor_id, r.debtor_id, coalesce(r.payment_id::text, ''), coalesce(p.provider, ''),
			coalesce(p.provider_id, ''), r.amount_cents, r.method, r.status, r.provider_refund_id, r.reason, r.requested_by, r.created_at
		FROM credit_refunds r LEFT JOIN payments p ON p.id = r.payment_id
		WHERE r.creditor_id = $1 AND r.debtor_id = $2 ORDER BY r.created_at DESC, r.id`, creditorID, debtorID)
	if err != nil {
		return nil, dbErr(err, "credit refunds")
	}
	return collectRows(rows, func(row pgx.Row) (CreditRefund, error) {
		var r CreditRefund
		err := row.Scan(&r.ID, &r.CreditorID, &r.DebtorID, &r.PaymentID, &r.Provider, &r.ProviderID, &r.Amount, &r.Method, &r.Status,
			&r.ProviderRefundID, &r.Reason, &r.RequestedBy, &r.CreatedAt)
		return r, err
	}, "credit refunds")
}
