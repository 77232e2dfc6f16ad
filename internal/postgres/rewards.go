package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// RewardRules reads a creditor's rewards, one per occasion at most.
func (db *DB) RewardRules(ctx context.Context, creditorID string) (collect.Rewards, error) {
	if !validUUID(creditorID) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT occasion, kind, amount_cents FROM creditor_rewards WHERE creditor_id = $1 ORDER BY occasion`, creditorID)
	if err != nil {
		return nil, dbErr(err, "rewards")
	}
	return collectRows(rows, func(r pgx.Row) (collect.RewardRule, error) {
		var x collect.RewardRule
		err := r.Scan(&x.Occasion, &x.Kind, &x.Amount)
		return x, err
	}, "rewards")
}

// SetRewardRule stores a creditor's reward for rule.Occasion, or removes it
// when rule.Kind is "", with its audit record.
func (db *DB) SetRewardRule(ctx context.Context, actor, creditorID string, rule collect.RewardRule) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		if rule.Kind == "" {
			_, err = tx.Exec(ctx, `DELETE FROM creditor_rewards WHERE creditor_id = $1 AND occasion = $2`, creditorID, rule.Occasion)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO creditor_rewards (creditor_id, occasion, kind, amount_cents) VALUES ($1, $2, $3, $4)
				ON CONFLICT (creditor_id, occasion) DO UPDATE SET kind = excluded.kind, amount_cents = excluded.amount_cents`,
				creditorID, rule.Occasion, rule.Kind, rule.Amount)
		}
		if err != nil {
			return dbErr(err, "reward")
		}
		return Audit(ctx, tx, actor, "creditor.reward_set", creditorID, "", "creditor:"+creditorID, nil,
			map[string]any{"occasion": rule.Occasion, "kind": rule.Kind, "amount_cents": rule.Amount})
	})
}

// RewardCandidate is a completed plan or a paid invoice of a creditor with
// a reward for it, not yet rewarded, with the facts collect.RewardFor
// decides on (CostsOpen is left to the caller, who has the statement).
type RewardCandidate struct {
	CreditorID string
	DebtorID   string
	PlanID     string
	InvoiceID  string
	Rule       collect.RewardRule
	Case       collect.RewardCase
}

// Subject names what a reward is for; a reward is given once per subject.
func (c RewardCandidate) Subject() string {
	if c.PlanID != "" {
		return "plan:" + c.PlanID
	}
	return "invoice:" + c.InvoiceID
}

// RewardCandidates lists plans completed since since and invoices due
// since since whose ledger is settled, at creditors with a reward for the
// occasion, that have no reward yet. since bounds the work of each run:
// what was decided before it was seen by an earlier run.
func (db *DB) RewardCandidates(ctx context.Context, since time.Time) ([]RewardCandidate, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT p.creditor_id, p.debtor_id, p.id::text, '', r.occasion, r.kind, r.amount_cents,
			p.total_cents, NULL::date, NULL::date,
			coalesce((SELECT -sum(e.amount_cents) FROM ledger_entries e JOIN payments y ON y.id = e.payment_id
				JOIN plan_instalments i ON i.id = y.instalment_id
				WHERE i.plan_id = p.id AND e.account = 'costs' AND e.kind IN ('payment', 'reversal')), 0)
			- coalesce((SELECT -sum(amount_cents) FROM ledger_entries WHERE source_key = 'plan-kept-credit:' || p.id), 0),
			true
		FROM plans p JOIN creditor_rewards r ON r.creditor_id = p.creditor_id AND r.occasion = 'plan_kept'
		WHERE p.status = 'completed' AND p.decided_at >= $1
			AND NOT EXISTS (SELECT 1 FROM rewards w WHERE w.subject = 'plan:' || p.id)
		UNION ALL
		SELECT i.creditor_id, i.debtor_id, '', i.id::text, r.occasion, r.kind, r.amount_cents,
			coalesce(-sum(e.amount_cents) FILTER (WHERE e.kind IN ('payment', 'reversal')), 0),
			max(e.booked_on) FILTER (WHERE e.kind = 'payment'), i.due_date,
			coalesce(-sum(e.amount_cents) FILTER (WHERE e.account = 'costs' AND e.kind IN ('payment', 'reversal')), 0),
			sum(e.amount_cents) <= 0
		FROM invoices i JOIN creditor_rewards r ON r.creditor_id = i.creditor_id AND r.occasion = 'paid_early'
		JOIN ledger_entries e ON e.invoice_id = i.id
		WHERE i.due_date >= $1 AND NOT EXISTS (SELECT 1 FROM rewards w WHERE w.subject = 'invoice:' || i.id)
		GROUP BY i.id, r.occasion, r.kind, r.amount_cents
		HAVING sum(e.amount_cents) <= 0`, collect.DateOf(since))
	if err != nil {
		return nil, dbErr(err, "reward candidates")
	}
	return collectRows(rows, func(r pgx.Row) (RewardCandidate, error) {
		var c RewardCandidate
		var paidOn, due *time.Time
		err := r.Scan(&c.CreditorID, &c.DebtorID, &c.PlanID, &c.InvoiceID, &c.Rule.Occasion, &c.Rule.Kind, &c.Rule.Amount,
			&c.Case.Paid, &paidOn, &due, &c.Case.CostsPaid, &c.Case.Done)
		c.Case.Occasion = c.Rule.Occasion
		if paidOn != nil {
			c.Case.PaidOn = collect.DateOf(*paidOn)
		}
		if due != nil {
			c.Case.DueDate = collect.DateOf(*due)
		}
		return c, err
	}, "reward candidates")
}

// ApplyReward gives reward for c once, in one transaction: the reward's
// row (unique per subject, so a replay gives nothing and returns false),
// open costs written off and the credit booked (then applied to what is
// open, as any credit is), the audit record reward.applied, and the
// thank-you message when tell is not nil.
func (db *DB) ApplyReward(ctx context.Context, c RewardCandidate, reward collect.Reward, today time.Time, tell *OutboxMessage) (bool, error) {
	applied := false
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		if err := lockDebtor(ctx, tx, c.DebtorID); err != nil {
			return err
		}
		now := db.Now()
		var id string
		err := tx.QueryRow(ctx, `INSERT INTO rewards (creditor_id, debtor_id, subject, occasion, kind, amount_cents, applied_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (subject) DO NOTHING RETURNING id`,
			c.CreditorID, c.DebtorID, c.Subject(), c.Rule.Occasion, reward.Kind, reward.Amount(), now).Scan(&id)
		if collect.IsNotFound(dbErr(err, "")) {
			return nil
		}
		if err != nil {
			return dbErr(err, "reward")
		}
		applied = true
		key := "reward:" + c.Subject()
		var written int64
		if reward.WriteOff > 0 {
			if written, _, err = writeOffCostsTx(ctx, tx, c.CreditorID, c.DebtorID, today, key, "costs waived: reward"); err != nil {
				return err
			}
		}
		if reward.Credit > 0 {
			e := collect.Entry{Account: collect.AccountCredit, Kind: collect.KindCreditNote, Amount: -reward.Credit, BookedOn: today, Memo: "reward: " + string(reward.Kind)}
			if err := insertEntry(ctx, tx, c.CreditorID, c.DebtorID, e, key); err != nil {
				return err
			}
		}
		after := map[string]any{"reward_id": id, "occasion": c.Rule.Occasion, "kind": reward.Kind,
			"amount_cents": written + reward.Credit, "written_off_cents": written, "credited_cents": reward.Credit}
		if c.PlanID != "" {
			after["plan_id"] = c.PlanID
		} else {
			after["invoice_id"] = c.InvoiceID
		}
		if err := Audit(ctx, tx, "system:rewards", "reward.applied", c.CreditorID, c.DebtorID, c.Subject(), nil, after); err != nil {
			return err
		}
		if reward.Credit > 0 {
			if _, err := applyCreditTx(ctx, tx, c.CreditorID, c.DebtorID, today); err != nil {
				return err
			}
		}
		if tell != nil {
			_, err = scheduleMessages(ctx, tx, []OutboxMessage{*tell}, now)
		}
		return err
	})
	return applied, err
}

// CreditDebtor is a debtor with credit at a creditor and something open there.
type CreditDebtor struct{ CreditorID, DebtorID string }

// CreditDebtors lists the debtors whose credit can pay something open at
// the same creditor: credit kept and a positive balance on invoices.
func (db *DB) CreditDebtors(ctx context.Context) ([]CreditDebtor, error) {
	// Only debtors that ever had credit (the partial index
	// ledger_entries_credit) are summed, not the whole ledger: this runs
	// every minute.
	rows, err := db.pool.Query(ctx, `SELECT c.creditor_id, c.debtor_id
		FROM (SELECT DISTINCT creditor_id, debtor_id FROM ledger_entries WHERE account = 'credit') c
		JOIN LATERAL (SELECT coalesce(sum(e.amount_cents) FILTER (WHERE e.account = 'credit'), 0) AS credit,
				coalesce(sum(e.amount_cents) FILTER (WHERE e.invoice_id IS NOT NULL), 0) AS open
			FROM ledger_entries e WHERE e.debtor_id = c.debtor_id AND e.creditor_id = c.creditor_id) b ON true
		WHERE b.credit < 0 AND b.open > 0`)
	if err != nil {
		return nil, dbErr(err, "credit debtors")
	}
	return collectRows(rows, func(r pgx.Row) (CreditDebtor, error) {
		var c CreditDebtor
		err := r.Scan(&c.CreditorID, &c.DebtorID)
		return c, err
	}, "credit debtors")
}

// ApplyCredit applies a debtor's credit to what is open at the same
// creditor on day on (collect.ApplyCredit), in one transaction with its
// audit record credit.applied. It returns the cents applied.
func (db *DB) ApplyCredit(ctx context.Context, creditorID, debtorID string, on time.Time) (int64, error) {
	var used int64
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		used, err = applyCreditTx(ctx, tx, creditorID, debtorID, on)
		return err
	})
	return used, err
}

// applyCreditTx is ApplyCredit inside a caller's transaction. The source
// key names the ledger as it stands (its last entry), so the same state
// applied twice collides and a later credit gets a key of its own.
func applyCreditTx(ctx context.Context, tx pgx.Tx, creditorID, debtorID string, on time.Time) (int64, error) {
	if err := lockDebtor(ctx, tx, debtorID); err != nil {
		return 0, err
	}
	var last int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM ledger_entries WHERE creditor_id = $1 AND debtor_id = $2`, creditorID, debtorID).Scan(&last); err != nil {
		return 0, dbErr(err, "ledger")
	}
	f, err := facts(ctx, tx, creditorID, debtorID)
	if err != nil {
		return 0, err
	}
	key := "credit-apply:" + debtorID + ":" + strconv.FormatInt(last, 10)
	b, err := collect.ApplyCredit(f, on, key)
	if err != nil || len(b.Postings) == 0 {
		return 0, err
	}
	if err := insertPostings(ctx, tx, creditorID, debtorID, b.Postings); err != nil {
		return 0, err
	}
	var used int64
	invoices := []string{}
	for _, p := range b.Allocation.Parts {
		used += p.Total()
		invoices = append(invoices, p.InvoiceID)
	}
	return used, Audit(ctx, tx, "system:credit", "credit.applied", creditorID, debtorID, "debtor:"+debtorID, nil,
		map[string]any{"amount_cents": used, "invoice_ids": invoices, "booked_on": on.Format(time.DateOnly)})
}

// RewardGiven is a reward a debtor received.
type RewardGiven struct {
	Subject   string
	Occasion  collect.RewardOccasion
	Kind      collect.RewardKind
	Amount    int64
	AppliedAt time.Time
}

// RewardsGiven lists a debtor's rewards at a creditor, newest first.
func (db *DB) RewardsGiven(ctx context.Context, creditorID, debtorID string) ([]RewardGiven, error) {
	rows, err := db.pool.Query(ctx, `SELECT subject, occasion, kind, amount_cents, applied_at FROM rewards
		WHERE creditor_id = $1 AND debtor_id = $2 ORDER BY applied_at DESC, id`, creditorID, debtorID)
	if err != nil {
		return nil, dbErr(err, "rewards given")
	}
	return collectRows(rows, func(r pgx.Row) (RewardGiven, error) {
		var g RewardGiven
		err := r.Scan(&g.Subject, &g.Occasion, &g.Kind, &g.Amount, &g.AppliedAt)
		return g, err
	}, "rewards given")
}
