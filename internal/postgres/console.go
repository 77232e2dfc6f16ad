package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// The console's reads and the few writes the existing store methods do not
// cover. Every query takes the creditor ids the agent may see (or one
// creditor id already checked against them), so a console user never reads
// another creditor's data.

// QueueItem is one open request in the agent's work queue.
type QueueItem struct {
	Kind         string // plan, dispute or hardship
	ID           string
	CreatedAt    time.Time
	DebtorID     string
	DebtorName   string
	CreditorID   string
	CreditorName string
	AnswerDays   int
	Detail       string // for a dispute or hardship report: what it is about, in a few words
	Total        int64  // for a plan: its total in cents
	Months       int    // for a plan: its number of months
}

// WorkQueue lists open plan proposals, open disputes and open hardship
// reports of the given creditors, oldest first.
func (db *DB) WorkQueue(ctx context.Context, creditorIDs []string, limit int) ([]QueueItem, error) {
	if len(creditorIDs) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `
		SELECT q.kind, q.id::text, q.created_at, d.id::text, d.name, c.id::text, c.name, c.answer_days, q.detail, q.total, q.months FROM (
			SELECT 'plan' AS kind, p.id, p.created_at, p.debtor_id, p.creditor_id, '' AS detail, p.total_cents AS total, p.months
			FROM plans p WHERE p.status = 'proposed' AND p.creditor_id = ANY($1)
			UNION ALL
			SELECT 'dispute', x.id, x.created_at, x.debtor_id, x.creditor_id, 'invoice ' || i.number || ', reason: ' || replace(x.reason, '_', ' '), 0, 0
			FROM disputes x JOIN invoices i ON i.id = x.invoice_id WHERE x.status = 'open' AND x.creditor_id = ANY($1)
			UNION ALL
			SELECT 'hardship', h.id, h.created_at, h.debtor_id, h.creditor_id,
				'reason: ' || h.reason || ', breathing space until ' || to_char(h.breathing_until, 'FMDD Mon YYYY'), 0, 0
			FROM hardships h WHERE h.status = 'open' AND h.creditor_id = ANY($1)
		) q
		JOIN debtors d ON d.id = q.debtor_id AND d.creditor_id = q.creditor_id
		JOIN creditors c ON c.id = q.creditor_id
		ORDER BY q.created_at, q.id
		LIMIT $2`, creditorIDs, limit)
	if err != nil {
		return nil, dbErr(err, "work queue")
	}
	return collectRows(rows, func(r pgx.Row) (QueueItem, error) {
		var q QueueItem
		err := r.Scan(&q.Kind, &q.ID, &q.CreatedAt, &q.DebtorID, &q.DebtorName, &q.CreditorID, &q.CreditorName, &q.AnswerDays, &q.Detail, &q.Total, &q.Months)
		return q, err
	}, "work queue")
}

// DebtorOfCreditors loads a debtor only when it belongs to one of the given
// creditors; any other id is not found.
func (db *DB) DebtorOfCreditors(ctx context.Context, creditorIDs []string, id string) (collect.Debtor, error) {
	if !validUUID(id) || len(creditorIDs) == 0 {
		return collect.Debtor{}, collect.Errorf(collect.ENOTFOUND, "", "debtor not found")
	}
	d, err := scanDebtor(db.pool.QueryRow(ctx, `SELECT `+debtorCols+` FROM debtors WHERE id = $1 AND creditor_id = ANY($2)`, id, creditorIDs))
	return d, dbErr(err, "debtor")
}

// Payments lists a debtor's payments at one creditor, newest first.
func (db *DB) Payments(ctx context.Context, creditorID, debtorID string) ([]collect.Payment, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+paymentCols+` FROM payments WHERE debtor_id = $1 AND creditor_id = $2 ORDER BY created_at DESC, id`, debtorID, creditorID)
	if err != nil {
		return nil, dbErr(err, "payments")
	}
	return collectRows(rows, scanPayment, "payments")
}

// Note is an agent's note on a debtor's file.
type Note struct {
	ID         string
	AgentEmail string
	Body       string
	CreatedAt  time.Time
}

// AddNote stores a note on a debtor's file with its audit record, in one transaction.
func (db *DB) AddNote(ctx context.Context, agentID, creditorID, debtorID, body string) (Note, error) {
	body = strings.TrimSpace(body)
	if body == "" || len([]rune(body)) > 5000 {
		return Note{}, collect.Errorf(collect.EINVALID, "body", "a note needs 1 to 5,000 characters")
	}
	var n Note
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO notes (creditor_id, debtor_id, agent_id, body, created_at)
			SELECT $1, d.id, $3, $4, $5 FROM debtors d WHERE d.id = $2 AND d.creditor_id = $1
			RETURNING id, body, created_at`, creditorID, debtorID, agentID, body, db.Now()).Scan(&n.ID, &n.Body, &n.CreatedAt)
		if err != nil {
			return dbErr(err, "note")
		}
		return Audit(ctx, tx, "agent:"+agentID, "note.added", creditorID, debtorID, "note:"+n.ID, nil, map[string]any{"body": body})
	})
	return n, err
}

// Notes lists the notes on a debtor's file, newest first.
func (db *DB) Notes(ctx context.Context, creditorID, debtorID string) ([]Note, error) {
	rows, err := db.pool.Query(ctx, `SELECT n.id, coalesce(a.email, ''), n.body, n.created_at FROM notes n LEFT JOIN agents a ON a.id = n.agent_id
		WHERE n.debtor_id = $1 AND n.creditor_id = $2 ORDER BY n.created_at DESC, n.id`, debtorID, creditorID)
	if err != nil {
		return nil, dbErr(err, "notes")
	}
	return collectRows(rows, func(r pgx.Row) (Note, error) {
		var n Note
		err := r.Scan(&n.ID, &n.AgentEmail, &n.Body, &n.CreatedAt)
		return n, err
	}, "notes")
}

// TimelineEvent is one audit record of a debtor's file.
type TimelineEvent struct {
	ID      int64
	At      time.Time
	Actor   string // as recorded: agent:<id>, debtor:<id>, provider:<name>, cli, ...
	Who     string // the agent's email when the actor is an agent
	Action  string
	Subject string
	Before  map[string]any
	After   map[string]any
}

// Timeline lists everything recorded about a debtor at one creditor, newest first.
func (db *DB) Timeline(ctx context.Context, creditorID, debtorID string, limit int) ([]TimelineEvent, error) {
	rows, err := db.pool.Query(ctx, `SELECT l.id, l.at, l.actor, coalesce(a.email, ''), l.action, l.subject, l.before, l.after
		FROM audit_log l LEFT JOIN agents a ON l.actor = 'agent:' || a.id::text
		WHERE l.debtor_id = $1 AND l.creditor_id = $2 ORDER BY l.id DESC LIMIT $3`, debtorID, creditorID, limit)
	if err != nil {
		return nil, dbErr(err, "timeline")
	}
	return collectRows(rows, func(r pgx.Row) (TimelineEvent, error) {
		var e TimelineEvent
		var before, after []byte
		if err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Who, &e.Action, &e.Subject, &before, &after); err != nil {
			return e, err
		}
		if len(before) > 0 {
			_ = json.Unmarshal(before, &e.Before)
		}
		if len(after) > 0 {
			_ = json.Unmarshal(after, &e.After)
		}
		return e, nil
	}, "timeline")
}

// WaiveCosts writes off the collection costs open on every invoice of the
// debtor of a hardship report. What is due today is booked first, so the
// write-off clears a balance made of entries. One transaction with its audit
// record; the source key "waive:<hardship id>" makes it happen once.
func (db *DB) WaiveCosts(ctx context.Context, agentID, creditorID, hardshipID string) (int64, error) {
	if !validUUID(hardshipID) {
		return 0, collect.Errorf(collect.ENOTFOUND, "", "hardship not found")
	}
	var total int64
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		h, err := scanHardship(tx.QueryRow(ctx, `SELECT `+hardshipCols+` FROM hardships WHERE id = $1 AND creditor_id = $2 FOR UPDATE`, hardshipID, creditorID))
		if err != nil {
			return dbErr(err, "hardship")
		}
		// Once per report: the audit trail says whether it was done before.
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'hardship.waive_costs' AND subject = $1)`, "hardship:"+h.ID).Scan(&done); err != nil {
			return dbErr(err, "earlier waiver")
		}
		if done {
			return collect.Errorf(collect.ECONFLICT, "", "the costs were already waived for this hardship report")
		}
		var invoices map[string]int64
		total, invoices, err = writeOffCostsTx(ctx, tx, h.CreditorID, h.DebtorID, db.Today(), "waive:"+h.ID, "costs waived (hardship)")
		if collect.ErrorCode(err) == collect.ECONFLICT {
			return collect.Errorf(collect.ECONFLICT, "", "the costs were already waived for this hardship report")
		}
		if err != nil {
			return err
		}
		if total == 0 {
			return collect.Errorf(collect.EINVALID, "", "there are no open costs to waive")
		}
		return Audit(ctx, tx, "agent:"+agentID, "hardship.waive_costs", h.CreditorID, h.DebtorID, "hardship:"+h.ID,
			map[string]any{"costs": total}, map[string]any{"costs": 0, "waived": total, "invoices": invoices})
	})
	return total, err
}

// OfferPlan is an agent's own plan for a debtor (for example after a hardship
// report): it is stored as a counter-offer the debtor accepts or declines in
// the portal, and replaces any open proposal or offer. One transaction with
// its audit record.
func (db *DB) OfferPlan(ctx context.Context, agentID, creditorID, debtorID string, p collect.Plan) (collect.Plan, error) {
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
		if out, err = insertPlan(ctx, tx, p, db.Now()); err != nil {
			return err
		}
		return Audit(ctx, tx, "agent:"+agentID, "plan.offered", creditorID, debtorID, "plan:"+out.ID,
			map[string]any{"replaced": open},
			map[string]any{"status": out.Status, "total": out.Total, "months": out.Months, "first_due": out.FirstDue.Format("2006-01-02"), "reason": out.Reason})
	})
	return out, err
}

// writeOffCostsTx books what is due today, then writes off the collection
// costs open on every invoice of a debtor, under one source key. It returns
// the total and the amount per invoice number.
func writeOffCostsTx(ctx context.Context, tx pgx.Tx, creditorID, debtorID string, today time.Time, sourceKey, memo string) (int64, map[string]int64, error) {
	if err := lockDebtor(ctx, tx, debtorID); err != nil {
		return 0, nil, err
	}
	if err := bookAccruals(ctx, tx, creditorID, debtorID, today); err != nil {
		return 0, nil, err
	}
	f, err := facts(ctx, tx, creditorID, debtorID)
	if err != nil {
		return 0, nil, err
	}
	st, err := collect.BuildStatement(f, today)
	if err != nil {
		return 0, nil, err
	}
	var total int64
	invoices := map[string]int64{}
	for _, l := range st.Lines {
		if l.Costs <= 0 {
			continue
		}
		e := collect.Entry{InvoiceID: l.Invoice.ID, Account: collect.AccountCosts, Kind: collect.KindWriteOff, Amount: -l.Costs, BookedOn: today, Memo: memo}
		if err := insertEntry(ctx, tx, creditorID, debtorID, e, sourceKey); err != nil {
			return 0, nil, err
		}
		invoices[l.Invoice.Number] = l.Costs
		total += l.Costs
	}
	return total, invoices, nil
}
