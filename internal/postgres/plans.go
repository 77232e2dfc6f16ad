package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// prefixedPlanCols is planCols for a query that joins plans as p.
const prefixedPlanCols = `p.id, p.creditor_id, p.debtor_id, p.status, p.total_cents, p.months, p.frequency, p.first_due, p.reason, coalesce(p.counter_of::text, ''), p.created_at, p.decided_at`

const planCols = `id, creditor_id, debtor_id, status, total_cents, months, frequency, first_due, reason, coalesce(counter_of::text, ''), created_at, decided_at`

func scanPlan(r pgx.Row) (collect.Plan, error) {
	var p collect.Plan
	err := r.Scan(&p.ID, &p.CreditorID, &p.DebtorID, &p.Status, &p.Total, &p.Months, &p.Frequency, &p.FirstDue, &p.Reason, &p.CounterOf, &p.CreatedAt, &p.DecidedAt)
	p.FirstDue = collect.DateOf(p.FirstDue)
	return p, err
}

func insertPlan(ctx context.Context, tx pgx.Tx, p collect.Plan, now time.Time) (collect.Plan, error) {
	if p.Frequency == "" {
		p.Frequency = collect.Monthly
	}
	row := tx.QueryRow(ctx, `INSERT INTO plans (creditor_id, debtor_id, status, total_cents, months, frequency, first_due, reason, counter_of, created_at, decided_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING `+planCols,
		p.CreditorID, p.DebtorID, p.Status, p.Total, p.Months, p.Frequency, p.FirstDue, p.Reason, nullable(p.CounterOf), now, p.DecidedAt)
	out, err := scanPlan(row)
	if err != nil {
		return out, dbErr(err, "insert plan")
	}
	for _, in := range collect.Schedule(out.Total, out.Months, out.Frequency, out.FirstDue) {
		var id string
		if err := tx.QueryRow(ctx, `INSERT INTO plan_instalments (plan_id, seq, due_date, amount_cents) VALUES ($1, $2, $3, $4) RETURNING id`,
			out.ID, in.Seq, in.Due, in.Amount).Scan(&id); err != nil {
			return out, dbErr(err, "insert instalment")
		}
		out.Instalments = append(out.Instalments, collect.PlanInstalment{ID: id, Seq: in.Seq, Due: in.Due, Amount: in.Amount})
	}
	return out, nil
}

// ProposePlan stores a debtor's plan proposal as decided (collect.ProposePlan),
// replacing the debtor's open proposals and counter-offers, with its audit record.
func (db *DB) ProposePlan(ctx context.Context, pr collect.Proposal) (collect.Plan, error) {
	p := pr.Plan
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		if err := endOpenPlans(ctx, tx, p.DebtorID); err != nil {
			return err
		}
		var err error
		if p, err = insertPlan(ctx, tx, p, pr.At); err != nil {
			return err
		}
		return Audit(ctx, tx, "debtor:"+p.DebtorID, "plan."+string(p.Status), p.CreditorID, p.DebtorID, "plan:"+p.ID, nil,
			map[string]any{"total": p.Total, "months": p.Months, "frequency": p.Frequency, "first_due": p.FirstDue.Format("2006-01-02"), "inside_policy": pr.InsidePolicy})
	})
	return p, err
}

// endOpenPlans marks earlier proposals and counter-offers as replaced: a debtor has one live plan question at a time.
func endOpenPlans(ctx context.Context, tx pgx.Tx, debtorID string) error {
	_, err := tx.Exec(ctx, `UPDATE plans SET status = $2 WHERE debtor_id = $1 AND status IN ($3, $4)`,
		debtorID, collect.PlanReplaced, collect.PlanProposed, collect.PlanCountered)
	return dbErr(err, "replace open plans")
}

// instalmentPaidCents is what a payment row still pays on its instalment:
// money refunded or charged back went back to the debtor and pays nothing.
const instalmentPaidCents = `greatest(amount_cents - refunded_cents - charged_back_cents, 0)`

// instalments loads a plan's schedule with what was paid on each part. Every
// payment the debtor made to this creditor since proposing the plan counts,
// whatever its route (the portal's instalment button, any other portal
// payment, or a bank transfer), and fills the parts in order: a debtor who
// pays the plan keeps the plan, however they pay.
// A direct debit on its way (open or pending: SEPA takes days) counts as
// paying its part, so the part is not followed up as missed while the bank
// collects; a debit that fails no longer counts, and the part is late.
func instalments(ctx context.Context, q querier, p collect.Plan) ([]collect.PlanInstalment, error) {
	rows, err := q.Query(ctx, `SELECT id, seq, due_date, amount_cents FROM plan_instalments WHERE plan_id = $1 ORDER BY seq`, p.ID)
	if err != nil {
		return nil, dbErr(err, "instalments")
	}
	ins, err := collectRows(rows, func(r pgx.Row) (collect.PlanInstalment, error) {
		var in collect.PlanInstalment
		err := r.Scan(&in.ID, &in.Seq, &in.Due, &in.Amount)
		in.Due = collect.DateOf(in.Due)
		return in, err
	}, "instalments")
	if err != nil {
		return nil, err
	}
	if !p.Status.Running() {
		return ins, nil
	}
	// From the proposal on: what a debtor paid while waiting for the answer counts too.
	since := p.CreatedAt
	var paid int64
	if err := q.QueryRow(ctx, `SELECT coalesce(sum(`+instalmentPaidCents+`), 0) FROM payments
		WHERE debtor_id = $1 AND creditor_id = $2
		AND (status IN ('paid', 'refunded', 'charged_back') OR (method = 'directdebit' AND status IN ('open', 'pending')))
		AND (instalment_id IN (SELECT id FROM plan_instalments WHERE plan_id = $3) OR coalesce(paid_at, created_at) >= $4)`,
		p.DebtorID, p.CreditorID, p.ID, since).Scan(&paid); err != nil {
		return nil, dbErr(err, "paid on plan")
	}
	collect.FillInstalments(ins, paid)
	return ins, nil
}

// Plans lists a debtor's plans with instalments and what was paid on each, newest first.
func (db *DB) Plans(ctx context.Context, creditorID, debtorID string) ([]collect.Plan, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+planCols+` FROM plans WHERE debtor_id = $1 AND creditor_id = $2 ORDER BY created_at DESC`, debtorID, creditorID)
	if err != nil {
		return nil, dbErr(err, "plans")
	}
	ps, err := collectRows(rows, scanPlan, "plans")
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].Instalments, err = instalments(ctx, db.pool, ps[i]); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// BrokePlanSince reports whether the debtor broke a plan after since.
func (db *DB) BrokePlanSince(ctx context.Context, debtorID string, since time.Time) (bool, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM plans WHERE debtor_id = $1 AND status = $3 AND coalesce(decided_at, created_at) >= $2`, debtorID, since, collect.PlanBroken).Scan(&n)
	return n > 0, dbErr(err, "broken plans")
}

// DecidePlan is an agent's answer to a proposal: approve, reject (with a
// reason the debtor reads) or counter with other terms. tell are the
// messages that bring the answer to the debtor, scheduled in the same
// transaction.
func (db *DB) DecidePlan(ctx context.Context, agentID, creditorID, planID, decision, reason string, counter *collect.Plan, tell ...OutboxMessage) (collect.Plan, error) {
	var out collect.Plan
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		p, err := scanPlan(tx.QueryRow(ctx, `SELECT `+planCols+` FROM plans WHERE id = $1 AND creditor_id = $2 FOR UPDATE`, planID, creditorID))
		if err != nil {
			return dbErr(err, "plan")
		}
		if p.Status != collect.PlanProposed {
			return collect.Errorf(collect.ECONFLICT, "", "this plan was already answered")
		}
		now := db.Now()
		status, err := collect.PlanAnswer(decision)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE plans SET status = $2, reason = $3, decided_at = $4, decided_by = $5 WHERE id = $1`, p.ID, status, reason, now, agentID); err != nil {
			return dbErr(err, "decide plan")
		}
		out = p
		out.Status = status
		after := map[string]any{"status": status, "reason": reason}
		if decision == "counter" {
			if counter == nil {
				return collect.Errorf(collect.EINVALID, "months", "a counter-offer needs terms")
			}
			c := *counter
			c.CreditorID, c.DebtorID, c.Status, c.CounterOf, c.Reason = p.CreditorID, p.DebtorID, collect.PlanCountered, p.ID, reason
			if out, err = insertPlan(ctx, tx, c, now); err != nil {
				return err
			}
			after["counter_plan_id"], after["months"], after["frequency"], after["total"], after["first_due"] = out.ID, out.Months, out.Frequency, out.Total, out.FirstDue.Format("2006-01-02")
		}
		if after["messages"], err = scheduleMessages(ctx, tx, tell, now); err != nil {
			return err
		}
		return Audit(ctx, tx, "agent:"+agentID, "plan."+decision, p.CreditorID, p.DebtorID, "plan:"+p.ID, map[string]any{"status": p.Status}, after)
	})
	return out, err
}

// AnswerCounter is the debtor's answer to a counter-offer: accept or decline.
func (db *DB) AnswerCounter(ctx context.Context, creditorID, debtorID, planID string, accept bool) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		p, err := scanPlan(tx.QueryRow(ctx, `SELECT `+planCols+` FROM plans WHERE id = $1 AND debtor_id = $2 AND creditor_id = $3 FOR UPDATE`, planID, debtorID, creditorID))
		if err != nil {
			return dbErr(err, "plan")
		}
		if p.Status != collect.PlanCountered {
			return collect.Errorf(collect.ECONFLICT, "", "this offer can no longer be answered")
		}
		status := collect.CounterAnswer(accept)
		if _, err := tx.Exec(ctx, `UPDATE plans SET status = $2, decided_at = $3 WHERE id = $1`, p.ID, status, db.Now()); err != nil {
			return dbErr(err, "answer counter")
		}
		return Audit(ctx, tx, "debtor:"+debtorID, "plan.counter_"+string(status), creditorID, debtorID, "plan:"+p.ID, map[string]any{"status": p.Status}, map[string]any{"status": status})
	})
}

// PlanReview counts what ReviewPlans changed.
type PlanReview struct {
	Completed int
	Broken    int
	Waived    int64 // collection costs written off for kept plans, cents
}

// waiveKeptPlanCostsTx waives the collection costs of a debtor who kept a
// plan: costs still open are written off, and costs the plan's instalments
// already paid (art. 6:44 BW puts payments on costs first) are credited back
// and kept for the debtor as credit.
func waiveKeptPlanCostsTx(ctx context.Context, tx pgx.Tx, creditorID, debtorID, planID string, today time.Time) (int64, error) {
	open, _, err := writeOffCostsTx(ctx, tx, creditorID, debtorID, today, "plan-kept:"+planID, "costs waived: payment plan kept")
	if err != nil {
		return 0, err
	}
	var paid int64
	err = tx.QueryRow(ctx, `SELECT coalesce(-sum(e.amount_cents), 0) FROM ledger_entries e
		JOIN payments p ON p.id = e.payment_id
		JOIN plan_instalments i ON i.id = p.instalment_id
		WHERE i.plan_id = $1 AND e.account = 'costs' AND e.kind IN ('payment', 'reversal')`, planID).Scan(&paid)
	if err != nil {
		return 0, dbErr(err, "costs paid under plan")
	}
	if paid > 0 {
		e := collect.Entry{Account: collect.AccountCredit, Kind: collect.KindCreditNote, Amount: -paid, BookedOn: today, Memo: "costs paid under a kept plan, credited back"}
		if err := insertEntry(ctx, tx, creditorID, debtorID, e, "plan-kept-credit:"+planID); err != nil {
			return 0, err
		}
	}
	return open + paid, nil
}

// ReviewPlans completes approved plans whose instalments are all paid
// (and, where the creditor's policy says so, writes off their collection
// costs because the plan was kept). Missed instalments and broken plans are
// the day after's work (RecordFollowUp), which tells the debtor. Each change
// is one transaction with its audit record (plan.completed).
func (db *DB) ReviewPlans(ctx context.Context) (PlanReview, error) {
	var out PlanReview
	today := db.Today()
	rows, err := db.pool.Query(ctx, `SELECT `+prefixedPlanCols+`, c.plan_waive_costs FROM plans p
		JOIN creditors c ON c.id = p.creditor_id WHERE p.status = $1`, collect.PlanApproved)
	if err != nil {
		return out, dbErr(err, "review plans")
	}
	var plans []collect.Plan
	var waive []bool
	if _, err := collectRows(rows, func(r pgx.Row) (struct{}, error) {
		var p collect.Plan
		var w bool
		err := r.Scan(&p.ID, &p.CreditorID, &p.DebtorID, &p.Status, &p.Total, &p.Months, &p.Frequency, &p.FirstDue, &p.Reason, &p.CounterOf, &p.CreatedAt, &p.DecidedAt, &w)
		plans, waive = append(plans, p), append(waive, w)
		return struct{}{}, err
	}, "review plans"); err != nil {
		return out, err
	}
	type change struct {
		id, creditor, debtor string
		waive                bool
	}
	var changes []change
	for i, p := range plans {
		ins, err := instalments(ctx, db.pool, p)
		if err != nil {
			return out, err
		}
		// The limit does not matter here: only completion is this review's.
		if collect.ReviewPlan(ins, today, len(ins)+1) == collect.PlanCompleted {
			changes = append(changes, change{id: p.ID, creditor: p.CreditorID, debtor: p.DebtorID, waive: waive[i]})
		}
	}
	for _, x := range changes {
		err := db.WithTx(ctx, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `UPDATE plans SET status = $2, decided_at = $3 WHERE id = $1 AND status = $4`, x.id, collect.PlanCompleted, db.Now(), collect.PlanApproved)
			if err != nil || tag.RowsAffected() == 0 {
				return dbErr(err, "review plan")
			}
			after := map[string]any{"status": collect.PlanCompleted, "plan_id": x.id, "debtor_id": x.debtor}
			if x.waive {
				waived, err := waiveKeptPlanCostsTx(ctx, tx, x.creditor, x.debtor, x.id, today)
				if err != nil {
					return err
				}
				after["costs_waived"] = waived
				out.Waived += waived
			}
			return Audit(ctx, tx, "system", "plan.completed", x.creditor, x.debtor, "plan:"+x.id, map[string]any{"status": collect.PlanApproved}, after)
		})
		if err != nil {
			return out, err
		}
		out.Completed++
	}
	return out, nil
}

// OfferPlan is an agent's own plan for a debtor (for example after a hardship
// report): it is stored as a counter-offer the debtor accepts or declines in
// the portal, and replaces any open proposal or offer. One transaction with
// its audit record and tell, the messages that bring the offer to the debtor.
func (db *DB) OfferPlan(ctx context.Context, agentID, creditorID, debtorID string, p collect.Plan, tell ...OutboxMessage) (collect.Plan, error) {
	if p.Total <= 0 || p.Months < 1 || p.FirstDue.IsZero() {
		return collect.Plan{}, collect.Errorf(collect.EINVALID, "months", "a plan needs a total, a number of months and a first date")
	}
	var out collect.Plan
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM debtors WHERE id = $1 AND creditor_id = $2)`, debtorID, creditorID).Scan(&ok); err != nil {
			return dbErr(err, "debtor")
		}
		if !ok {
			return collect.Errorf(collect.ENOTFOUND, "", "debtor not found")
		}
		var open []string
		rows, err := tx.Query(ctx, `SELECT id::text FROM plans WHERE debtor_id = $1 AND status IN ('proposed', 'countered') FOR UPDATE`, debtorID)
		if err != nil {
			return dbErr(err, "open plans")
		}
		if open, err = collectRows(rows, func(r pgx.Row) (string, error) {
			var s string
			err := r.Scan(&s)
			return s, err
		}, "open plans"); err != nil {
			return err
		}
		if err := endOpenPlans(ctx, tx, debtorID); err != nil {
			return err
		}
		p.CreditorID, p.DebtorID, p.Status, p.CounterOf = creditorID, debtorID, "countered", ""
		now := db.Now()
		if out, err = insertPlan(ctx, tx, p, now); err != nil {
			return err
		}
		ids, err := scheduleMessages(ctx, tx, tell, now)
		if err != nil {
			return err
		}
		return Audit(ctx, tx, "agent:"+agentID, "plan.offered", creditorID, debtorID, "plan:"+out.ID,
			map[string]any{"replaced": open},
			map[string]any{"status": out.Status, "total": out.Total, "months": out.Months, "frequency": out.Frequency, "first_due": out.FirstDue.Format("2006-01-02"), "reason": out.Reason,
				"messages": ids})
	})
	return out, err
}
