package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

const promiseCols = `id, creditor_id, debtor_id, coalesce(invoice_id::text, ''), promised_on, amount_cents, status,
	coalesce(moved_from::text, ''), made_by, created_at, decided_at`

func scanPromise(r pgx.Row) (collect.Promise, error) {
	var p collect.Promise
	err := r.Scan(&p.ID, &p.CreditorID, &p.DebtorID, &p.InvoiceID, &p.PromisedOn, &p.Amount, &p.Status, &p.MovedFrom, &p.MadeBy, &p.CreatedAt, &p.DecidedAt)
	p.PromisedOn = collect.DateOf(p.PromisedOn)
	return p, err
}

// PromisePolicy is a creditor's limits for promises and missed instalments.
func (db *DB) PromisePolicy(ctx context.Context, creditorID string) (collect.PromisePolicy, error) {
	var pol collect.PromisePolicy
	err := db.pool.QueryRow(ctx, `SELECT promise_max_days, plan_missed_limit FROM creditors WHERE id = $1`, creditorID).Scan(&pol.MaxDays, &pol.MissedLimit)
	return pol, dbErr(err, "promise policy")
}

// SetPromisePolicy changes a creditor's limits, with its audit record.
func (db *DB) SetPromisePolicy(ctx context.Context, actor, creditorID string, pol collect.PromisePolicy) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var before collect.PromisePolicy
		if err := tx.QueryRow(ctx, `SELECT promise_max_days, plan_missed_limit FROM creditors WHERE id = $1 FOR UPDATE`, creditorID).
			Scan(&before.MaxDays, &before.MissedLimit); err != nil {
			return dbErr(err, "promise policy")
		}
		if _, err := tx.Exec(ctx, `UPDATE creditors SET promise_max_days = $2, plan_missed_limit = $3 WHERE id = $1`, creditorID, pol.MaxDays, pol.MissedLimit); err != nil {
			return dbErr(err, "set promise policy")
		}
		return Audit(ctx, tx, actor, "creditor.promise_policy", creditorID, "", "creditor:"+creditorID,
			map[string]any{"promise_max_days": before.MaxDays, "plan_missed_limit": before.MissedLimit},
			map[string]any{"promise_max_days": pol.MaxDays, "plan_missed_limit": pol.MissedLimit})
	})
}

// Promises lists a debtor's promises, newest first.
func (db *DB) Promises(ctx context.Context, creditorID, debtorID string) ([]collect.Promise, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+promiseCols+` FROM promises WHERE creditor_id = $1 AND debtor_id = $2 ORDER BY created_at DESC, id`, creditorID, debtorID)
	if err != nil {
		return nil, dbErr(err, "promises")
	}
	return collectRows(rows, scanPromise, "promises")
}

// OpenPromises lists every open promise, oldest date first.
func (db *DB) OpenPromises(ctx context.Context) ([]collect.Promise, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+promiseCols+` FROM promises WHERE status = $1 ORDER BY promised_on, id`, collect.PromiseOpen)
	if err != nil {
		return nil, dbErr(err, "open promises")
	}
	return collectRows(rows, scanPromise, "open promises")
}

// PaidSince is what a debtor paid a creditor from since on, less what went back.
func (db *DB) PaidSince(ctx context.Context, creditorID, debtorID string, since time.Time) (int64, error) {
	var paid int64
	err := db.pool.QueryRow(ctx, `SELECT coalesce(sum(`+instalmentPaidCents+`), 0) FROM payments
		WHERE creditor_id = $1 AND debtor_id = $2 AND status IN ('paid', 'refunded', 'charged_back') AND coalesce(paid_at, created_at) >= $3`,
		creditorID, debtorID, since).Scan(&paid)
	return paid, dbErr(err, "paid since")
}

// MakePromise stores a new promise with its audit record (promise.made).
// When it moves an earlier promise, from is that promise with the status
// the move gives it; the earlier one changes only if nothing else changed
// it meanwhile, and a promise is moved once.
func (db *DB) MakePromise(ctx context.Context, p collect.Promise, from *collect.Promise) (collect.Promise, error) {
	var out collect.Promise
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		if from != nil {
			tag, err := tx.Exec(ctx, `UPDATE promises SET status = $2, decided_at = coalesce(decided_at, $3) WHERE id = $1 AND debtor_id = $4
				AND NOT EXISTS (SELECT 1 FROM promises WHERE moved_from = $1)`, from.ID, from.Status, p.CreatedAt, p.DebtorID)
			if err != nil {
				return dbErr(err, "move promise")
			}
			if tag.RowsAffected() == 0 {
				return collect.Errorf(collect.ECONFLICT, "date", "the date of this promise was already moved")
			}
		}
		row := tx.QueryRow(ctx, `INSERT INTO promises (creditor_id, debtor_id, invoice_id, promised_on, amount_cents, status, moved_from, made_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+promiseCols,
			p.CreditorID, p.DebtorID, nullable(p.InvoiceID), p.PromisedOn, p.Amount, collect.PromiseOpen, nullable(p.MovedFrom), p.MadeBy, p.CreatedAt)
		var err error
		if out, err = scanPromise(row); err != nil {
			return dbErr(err, "insert promise")
		}
		return Audit(ctx, tx, promiseActor(p.MadeBy), "promise.made", p.CreditorID, p.DebtorID, "promise:"+out.ID, nil, promiseData(out))
	})
	return out, err
}

func promiseActor(madeBy string) string {
	if madeBy == collect.MadeByDebtor {
		return "debtor"
	}
	return "agent:" + madeBy
}

// promiseData is a promise as an event tells it: ids, cents and dates.
func promiseData(p collect.Promise) map[string]any {
	return map[string]any{"promise_id": p.ID, "debtor_id": p.DebtorID, "invoice_id": p.InvoiceID, "amount_cents": p.Amount,
		"promised_on": p.PromisedOn.Format(time.DateOnly), "status": p.Status, "moved_from": p.MovedFrom}
}

// FollowUp is what the day after does to one promise or plan: its new
// status, and the message and agent's task that follow a miss. The task's
// step key makes it happen once.
type FollowUp struct {
	Promise *collect.Promise // a promise kept or broken (Status is the new one)
	// A plan instalment missed: the plan, the instalment, and whether the
	// miss breaks the plan.
	Plan       *collect.Plan
	Instalment *collect.PlanInstalment
	Break      bool
	Missed     int // instalments late today
	Message    *OutboxMessage
	Task       *AgentTask
	Now        time.Time
}

// RecordFollowUp stores a follow-up in one transaction with its audit
// record (promise.kept, promise.broken, plan.instalment_missed or
// plan.broken). It reports false when another run got there first.
func (db *DB) RecordFollowUp(ctx context.Context, f FollowUp) (bool, error) {
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		if t := f.Task; t != nil {
			var id string
			err := tx.QueryRow(ctx, `INSERT INTO agent_tasks (creditor_id, debtor_id, invoice_id, kind, step_key, due_on, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (step_key) DO NOTHING RETURNING id`,
				t.CreditorID, t.DebtorID, nullable(t.InvoiceID), t.Kind, t.StepKey, t.DueOn, f.Now).Scan(&id)
			if collect.IsNotFound(dbErr(err, "")) {
				return errRaced
			}
			if err != nil {
				return dbErr(err, "follow-up task")
			}
		}
		var creditorID, debtorID, subject, action string
		var after map[string]any
		switch {
		case f.Promise != nil:
			p := *f.Promise
			tag, err := tx.Exec(ctx, `UPDATE promises SET status = $2, decided_at = $3 WHERE id = $1 AND status = $4`, p.ID, p.Status, f.Now, collect.PromiseOpen)
			if err != nil {
				return dbErr(err, "decide promise")
			}
			if tag.RowsAffected() == 0 {
				return errRaced
			}
			creditorID, debtorID, subject, action, after = p.CreditorID, p.DebtorID, "promise:"+p.ID, "promise."+string(p.Status), promiseData(p)
		case f.Plan != nil && f.Instalment != nil:
			pl, in := *f.Plan, *f.Instalment
			creditorID, debtorID, subject, action = pl.CreditorID, pl.DebtorID, "plan:"+pl.ID, "plan.instalment_missed"
			after = map[string]any{"plan_id": pl.ID, "debtor_id": pl.DebtorID, "instalment_id": in.ID, "seq": in.Seq,
				"due_on": in.Due.Format(time.DateOnly), "amount_cents": in.Amount - in.Paid, "missed": f.Missed}
			if f.Break {
				tag, err := tx.Exec(ctx, `UPDATE plans SET status = $2, decided_at = $3 WHERE id = $1 AND status = $4`, pl.ID, collect.PlanBroken, f.Now, collect.PlanApproved)
				if err != nil {
					return dbErr(err, "break plan")
				}
				if tag.RowsAffected() == 0 {
					return errRaced
				}
				action, after["status"] = "plan.broken", collect.PlanBroken
			}
		default:
			return collect.Errorf(collect.EINVALID, "", "a follow-up needs a promise or a plan instalment")
		}
		ids := []string{}
		if f.Message != nil {
			id, err := insertMessage(ctx, tx, *f.Message, f.Now)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		after["messages"], after["task"] = ids, f.Task != nil
		return Audit(ctx, tx, "system:followup", action, creditorID, debtorID, subject, nil, after)
	})
	if errors.Is(err, errRaced) {
		return false, nil
	}
	return err == nil, err
}

// errRaced rolls back a follow-up that another run already made.
var errRaced = errors.New("already followed up")

// RunningPlan is an approved plan with its instalments as paid, and its
// creditor's limit of missed instalments.
type RunningPlan struct {
	Plan        collect.Plan
	MissedLimit int
}

// RunningPlans lists every approved plan with what was paid on each instalment.
func (db *DB) RunningPlans(ctx context.Context) ([]RunningPlan, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+prefixedPlanCols+`, c.plan_missed_limit FROM plans p
		JOIN creditors c ON c.id = p.creditor_id WHERE p.status = $1 ORDER BY p.created_at, p.id`, collect.PlanApproved)
	if err != nil {
		return nil, dbErr(err, "running plans")
	}
	out, err := collectRows(rows, func(r pgx.Row) (RunningPlan, error) {
		var rp RunningPlan
		p := &rp.Plan
		err := r.Scan(&p.ID, &p.CreditorID, &p.DebtorID, &p.Status, &p.Total, &p.Months, &p.Frequency, &p.FirstDue, &p.Reason, &p.CounterOf, &p.CreatedAt, &p.DecidedAt, &rp.MissedLimit)
		return rp, err
	}, "running plans")
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Plan.Instalments, err = instalments(ctx, db.pool, out[i].Plan); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MoveInstalment gives a missed instalment of a debtor's approved plan a
// new date, once (its first date is kept in moved_from), with its audit record.
func (db *DB) MoveInstalment(ctx context.Context, creditorID, debtorID, instalmentID string, on, now time.Time) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var planID string
		var due time.Time
		err := tx.QueryRow(ctx, `UPDATE plan_instalments i SET moved_from = i.due_date, due_date = $4
			FROM plans p WHERE i.id = $1 AND p.id = i.plan_id AND p.creditor_id = $2 AND p.debtor_id = $3 AND p.status = $5 AND i.moved_from IS NULL
			RETURNING p.id, i.moved_from`, instalmentID, creditorID, debtorID, on, collect.PlanApproved).Scan(&planID, &due)
		if collect.IsNotFound(dbErr(err, "")) {
			return collect.Errorf(collect.ECONFLICT, "date", "the date of this part was already moved")
		}
		if err != nil {
			return dbErr(err, "move instalment")
		}
		return Audit(ctx, tx, "debtor", "plan.instalment_moved", creditorID, debtorID, "plan:"+planID, map[string]any{"due_on": due.Format(time.DateOnly)},
			map[string]any{"plan_id": planID, "instalment_id": instalmentID, "due_on": on.Format(time.DateOnly)})
	})
}
