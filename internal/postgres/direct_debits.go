package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
)

const mandateCols = `plan_id, creditor_id, debtor_id, provider, customer_id, first_payment_id, mandate_id, status, created_at, updated_at`

func scanMandate(r pgx.Row) (collect.Mandate, error) {
	var m collect.Mandate
	err := r.Scan(&m.PlanID, &m.CreditorID, &m.DebtorID, &m.Provider, &m.CustomerID, &m.FirstPaymentID, &m.MandateID, &m.Status, &m.CreatedAt, &m.UpdatedAt)
	return m, err
}

// StartMandate stores the debtor's choice of direct debit for a plan with
// the first payment that gives the mandate, with its audit record. A plan
// whose earlier first payment was never paid starts again with the new one.
func (db *DB) StartMandate(ctx context.Context, m collect.Mandate) error {
	now := db.Now()
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO plan_mandates (`+mandateCols+`) VALUES ($1, $2, $3, $4, $5, $6, '', 'pending', $7, $7)
			ON CONFLICT (plan_id) DO UPDATE SET customer_id = excluded.customer_id, first_payment_id = excluded.first_payment_id,
				mandate_id = '', status = 'pending', updated_at = excluded.updated_at`,
			m.PlanID, m.CreditorID, m.DebtorID, m.Provider, m.CustomerID, m.FirstPaymentID, now); err != nil {
			return dbErr(err, "start mandate")
		}
		return Audit(ctx, tx, "debtor:"+m.DebtorID, "mandate.started", m.CreditorID, m.DebtorID, "plan:"+m.PlanID, nil,
			map[string]any{"provider": m.Provider, "customer": m.CustomerID, "first_payment": m.FirstPaymentID})
	})
}

// MandateOfPlan loads the direct debit choice of a plan.
func (db *DB) MandateOfPlan(ctx context.Context, planID string) (collect.Mandate, error) {
	if !validUUID(planID) {
		return collect.Mandate{}, collect.Errorf(collect.ENOTFOUND, "", "mandate not found")
	}
	m, err := scanMandate(db.pool.QueryRow(ctx, `SELECT `+mandateCols+` FROM plan_mandates WHERE plan_id = $1`, planID))
	return m, dbErr(err, "mandate")
}

// MandateByFirstPayment finds the direct debit choice a payment is the
// first payment of.
func (db *DB) MandateByFirstPayment(ctx context.Context, paymentID string) (collect.Mandate, error) {
	m, err := scanMandate(db.pool.QueryRow(ctx, `SELECT `+mandateCols+` FROM plan_mandates WHERE first_payment_id = $1`, paymentID))
	return m, dbErr(err, "mandate")
}

// SetMandate stores the mandate's id and status, with an audit record
// when the status changes (actor: "provider" or "debtor:<id>"). It reports
// whether anything changed. A revoked mandate stays revoked.
func (db *DB) SetMandate(ctx context.Context, planID, mandateID string, status collect.MandateStatus, actor string) (bool, error) {
	var changed bool
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		before, err := scanMandate(tx.QueryRow(ctx, `SELECT `+mandateCols+` FROM plan_mandates WHERE plan_id = $1 FOR UPDATE`, planID))
		if err != nil {
			return dbErr(err, "mandate")
		}
		if before.Status == collect.MandateRevoked || (before.Status == status && before.MandateID == mandateID) {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE plan_mandates SET mandate_id = $2, status = $3, updated_at = $4 WHERE plan_id = $1`,
			planID, mandateID, status, db.Now()); err != nil {
			return dbErr(err, "set mandate")
		}
		changed = true
		return Audit(ctx, tx, actor, "mandate."+string(status), before.CreditorID, before.DebtorID, "plan:"+planID,
			map[string]any{"status": before.Status}, map[string]any{"status": status, "mandate": mandateID})
	})
	return changed, err
}

// MandatesOfRunningPlans lists the direct debit choices of approved plans
// in the given statuses, oldest first.
func (db *DB) MandatesOfRunningPlans(ctx context.Context, statuses ...collect.MandateStatus) ([]collect.Mandate, error) {
	ss := make([]string, len(statuses))
	for i, s := range statuses {
		ss[i] = string(s)
	}
	rows, err := db.pool.Query(ctx, `SELECT m.plan_id, m.creditor_id, m.debtor_id, m.provider, m.customer_id, m.first_payment_id, m.mandate_id, m.status, m.created_at, m.updated_at
		FROM plan_mandates m JOIN plans p ON p.id = m.plan_id
		WHERE p.status = $1 AND m.status = ANY($2) ORDER BY m.created_at, m.plan_id`, collect.PlanApproved, ss)
	if err != nil {
		return nil, dbErr(err, "mandates")
	}
	return collectRows(rows, scanMandate, "mandates")
}

// CollectedInstalments lists the instalments of a plan already collected
// for a due date, as "<instalment id>|<YYYY-MM-DD>".
func (db *DB) CollectedInstalments(ctx context.Context, planID string) (map[string]bool, error) {
	rows, err := db.pool.Query(ctx, `SELECT instalment_id::text || '|' || to_char(due_date, 'YYYY-MM-DD') FROM direct_debits WHERE plan_id = $1`, planID)
	if err != nil {
		return nil, dbErr(err, "collected instalments")
	}
	keys, err := collectRows(rows, func(r pgx.Row) (string, error) {
		var k string
		return k, r.Scan(&k)
	}, "collected instalments")
	out := map[string]bool{}
	for _, k := range keys {
		out[k] = true
	}
	return out, err
}

// DebitKey is the key of CollectedInstalments for an instalment on its due date.
func DebitKey(in collect.PlanInstalment) string {
	return in.ID + "|" + collect.DateOf(in.Due).Format(time.DateOnly)
}

// StartDirectDebit records the collection of one instalment on its due
// date: our payment (direct debit, linked to the instalment) and the key
// that keeps it to one. When the key exists it returns that payment
// instead: if its ProviderID is empty, the provider call of an earlier run
// may or may not have happened, and the caller repeats it with the same
// idempotency key. Audit record: direct_debit.started.
func (db *DB) StartDirectDebit(ctx context.Context, m collect.Mandate, d collect.Debit) (p collect.Payment, fresh bool, err error) {
	now := db.Now()
	due := collect.DateOf(d.Instalment.Due)
	err = db.WithTx(ctx, func(tx pgx.Tx) error {
		var existing string
		err := tx.QueryRow(ctx, `SELECT payment_id FROM direct_debits WHERE instalment_id = $1 AND due_date = $2`, d.Instalment.ID, due).Scan(&existing)
		if err == nil {
			p, err = scanPayment(tx.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE id = $1`, existing))
			return dbErr(err, "direct debit payment")
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return dbErr(err, "direct debit")
		}
		if p, err = scanPayment(tx.QueryRow(ctx, `INSERT INTO payments (creditor_id, debtor_id, amount_cents, provider, method, instalment_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING `+paymentCols,
			m.CreditorID, m.DebtorID, d.Amount, m.Provider, pay.DirectDebit, d.Instalment.ID, now)); err != nil {
			return dbErr(err, "insert direct debit payment")
		}
		if err := history(ctx, tx, p.ID, "", p.Status, "direct debit"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO direct_debits (instalment_id, due_date, plan_id, payment_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
			d.Instalment.ID, due, m.PlanID, p.ID, now); err != nil {
			return dbErr(err, "insert direct debit")
		}
		fresh = true
		return Audit(ctx, tx, "system:directdebit", "direct_debit.started", m.CreditorID, m.DebtorID, "payment:"+p.ID, nil,
			map[string]any{"plan": m.PlanID, "instalment": d.Instalment.ID, "due": due.Format(time.DateOnly), "amount": d.Amount})
	})
	return p, fresh, err
}

// DirectDebitsWithoutProvider lists a plan's collections still open
// without the provider's payment id: the provider call of the run that
// recorded them failed, or its answer was never stored.
func (db *DB) DirectDebitsWithoutProvider(ctx context.Context, planID string) ([]collect.Payment, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+prefixedPaymentCols+` FROM direct_debits d JOIN payments p ON p.id = d.payment_id
		WHERE d.plan_id = $1 AND p.provider_id IS NULL AND p.status = 'open' ORDER BY d.due_date, p.id`, planID)
	if err != nil {
		return nil, dbErr(err, "direct debits without provider")
	}
	return collectRows(rows, scanPayment, "direct debits without provider")
}

// prefixedPaymentCols is paymentCols for a query that joins payments as p.
const prefixedPaymentCols = `p.id, p.creditor_id, p.debtor_id, coalesce(p.invoice_id::text, ''), p.amount_cents, p.provider, p.method, coalesce(p.provider_id, ''),
	p.checkout_url, p.status, p.refunded_cents, p.charged_back_cents, coalesce(p.instalment_id::text, ''), p.created_at, p.paid_at`
