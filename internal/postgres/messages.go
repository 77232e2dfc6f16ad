package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// OutboxMessage is a message with what planning and delivery keep beside
// what the file shows.
type OutboxMessage struct {
	collect.Message
	// StepKey makes a ladder step's message happen once; "" for others.
	StepKey string
	// Step is the index of the ladder step it came from; -1 for others.
	Step     int
	Template string
	// Tried are the channels this message was already tried on.
	Tried    []collect.Channel
	Attempts int
	// ProviderID is the email's Message-ID or the gateway's message id.
	ProviderID string
}

// AgentTask is a personal follow-up a ladder step asks of an agent.
type AgentTask struct {
	ID         string
	CreditorID string
	DebtorID   string
	InvoiceID  string
	Kind       string
	StepKey    string
	DueOn      time.Time
	CreatedAt  time.Time
	DoneAt     *time.Time
}

// LadderRun is what one planner pass does to one invoice: its progress
// from Before to After and, when a step ran, that step's messages or task.
type LadderRun struct {
	Invoice  collect.Invoice
	Started  bool
	Before   collect.LadderProgress
	After    collect.LadderProgress
	StepKey  string // the ladder step's key; "" when only the progress moved (a pause began or ended)
	Messages []OutboxMessage
	Task     *AgentTask
	Now      time.Time
}

// RunLadderStep stores one planner pass for an invoice in one transaction
// with its audit record. The progress moves only from Before: when another
// planner got there first nothing is stored and ran is false; the step keys
// make a step's messages and task unique besides.
func (db *DB) RunLadderStep(ctx context.Context, r LadderRun) (ran bool, err error) {
	err = db.WithTx(ctx, func(tx pgx.Tx) error {
		var tag int64
		a := r.After
		var paused *time.Time
		if !a.PausedSince.IsZero() {
			paused = &a.PausedSince
		}
		if !r.Started {
			ct, err := tx.Exec(ctx, `INSERT INTO ladder_progress (invoice_id, creditor_id, debtor_id, ladder_version, done, shift_days, paused_since, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (invoice_id) DO NOTHING`,
				r.Invoice.ID, r.Invoice.CreditorID, r.Invoice.DebtorID, a.Version, a.Done, a.ShiftDays, paused, r.Now)
			if err != nil {
				return dbErr(err, "start ladder")
			}
			tag = ct.RowsAffected()
		} else {
			b := r.Before
			ct, err := tx.Exec(ctx, `UPDATE ladder_progress SET done = $2, shift_days = $3, paused_since = $4, updated_at = $5
				WHERE invoice_id = $1 AND done = $6 AND shift_days = $7 AND paused_since IS NOT DISTINCT FROM $8`,
				r.Invoice.ID, a.Done, a.ShiftDays, paused, r.Now, b.Done, b.ShiftDays, nullDate(b.PausedSince))
			if err != nil {
				return dbErr(err, "ladder progress")
			}
			tag = ct.RowsAffected()
		}
		if tag == 0 {
			return nil
		}
		ran = true
		ids := []string{}
		for _, m := range r.Messages {
			id, err := insertMessage(ctx, tx, m, r.Now)
			if err != nil {
				return err
			}
			if id != "" {
				ids = append(ids, id)
			}
		}
		if t := r.Task; t != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO agent_tasks (creditor_id, debtor_id, invoice_id, kind, step_key, due_on, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (step_key) DO NOTHING`,
				t.CreditorID, t.DebtorID, nullable(t.InvoiceID), t.Kind, t.StepKey, t.DueOn, r.Now); err != nil {
				return dbErr(err, "agent task")
			}
		}
		action := "ladder.step"
		switch {
		case r.StepKey != "":
		case !a.PausedSince.IsZero():
			action = "ladder.paused"
		default:
			action = "ladder.resumed"
		}
		return Audit(ctx, tx, "system:outreach", action, r.Invoice.CreditorID, r.Invoice.DebtorID, "invoice:"+r.Invoice.ID,
			progressJSON(r.Before), map[string]any{"step": r.StepKey, "version": a.Version, "done": a.Done,
				"shift_days": a.ShiftDays, "messages": ids, "task": r.Task != nil})
	})
	return ran, err
}

func progressJSON(p collect.LadderProgress) map[string]any {
	return map[string]any{"version": p.Version, "done": p.Done, "shift_days": p.ShiftDays}
}

func nullDate(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func channelStrings(cs []collect.Channel) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// insertMessage stores a new message; its id is "" when its step key was
// already used.
func insertMessage(ctx context.Context, tx pgx.Tx, m OutboxMessage, now time.Time) (string, error) {
	var stepKey *string
	if m.StepKey != "" {
		stepKey = &m.StepKey
	}
	var step *int
	if m.Step >= 0 {
		step = &m.Step
	}
	var id string
	err := tx.QueryRow(ctx, `INSERT INTO messages (creditor_id, debtor_id, invoice_id, notice_id, step_key, step, kind, template, channel, tried,
			language, to_address, subject, body_text, body_html, state, not_before, sent_at, error, ladder_version, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
		ON CONFLICT (step_key) DO NOTHING RETURNING id`,
		m.CreditorID, m.DebtorID, nullable(m.InvoiceID), nullable(m.NoticeID), stepKey, step, m.Kind, m.Template, m.Channel,
		channelStrings(m.Tried), m.Language, m.To, m.Subject, m.Text, m.HTML, m.State, m.NotBefore, m.SentAt, m.Error,
		m.LadderVersion, now).Scan(&id)
	if err != nil && !collect.IsNotFound(dbErr(err, "")) {
		return "", dbErr(err, "insert message")
	}
	return id, nil
}

// scheduleMessages stores messages that another change brings about (an
// agent's answer), in that change's transaction, and returns their ids.
func scheduleMessages(ctx context.Context, tx pgx.Tx, ms []OutboxMessage, now time.Time) ([]string, error) {
	ids := []string{}
	for _, m := range ms {
		id, err := insertMessage(ctx, tx, m, now)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

const messageCols = `id, creditor_id, debtor_id, coalesce(invoice_id::text, ''), coalesce(notice_id::text, ''), coalesce(step_key, ''),
	coalesce(step, -1), kind, template, channel, tried, language, to_address, subject, body_text, body_html, state, not_before,
	sent_at, error, ladder_version, attempts, provider_id, created_at`

func scanMessage(r pgx.Row) (OutboxMessage, error) {
	var m OutboxMessage
	var tried []string
	err := r.Scan(&m.ID, &m.CreditorID, &m.DebtorID, &m.InvoiceID, &m.NoticeID, &m.StepKey, &m.Step, &m.Kind, &m.Template,
		&m.Channel, &tried, &m.Language, &m.To, &m.Subject, &m.Text, &m.HTML, &m.State, &m.NotBefore, &m.SentAt, &m.Error,
		&m.LadderVersion, &m.Attempts, &m.ProviderID, &m.CreatedAt)
	for _, c := range tried {
		m.Tried = append(m.Tried, collect.Channel(c))
	}
	return m, err
}

// ClaimDueMessages takes up to limit scheduled messages whose moment has
// come, for lease: a short transaction that skips rows another sender holds,
// so the caller sends with no transaction open and a second instance does
// not send the same message meanwhile.
func (db *DB) ClaimDueMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE messages SET claimed_until = $1, attempts = attempts + 1
			WHERE id IN (SELECT id FROM messages WHERE state = 'scheduled' AND not_before <= $2
				AND (claimed_until IS NULL OR claimed_until <= $2)
				ORDER BY not_before, id LIMIT $3 FOR UPDATE SKIP LOCKED)
			RETURNING `+messageCols, now.Add(lease), now, limit)
		if err != nil {
			return dbErr(err, "claim messages")
		}
		out, err = collectRows(rows, scanMessage, "claim messages")
		return err
	})
	return out, err
}

// MessageMoments are the moments of a debtor's messages that count towards
// the weekly cap from since on: email and SMS that went or are planned.
// except is left out (the message being decided).
func (db *DB) MessageMoments(ctx context.Context, debtorID, except string, since time.Time) ([]time.Time, error) {
	rows, err := db.pool.Query(ctx, `SELECT coalesce(sent_at, not_before) FROM messages
		WHERE debtor_id = $1 AND id::text <> $2 AND channel <> 'post' AND state IN ('scheduled', 'sent', 'delivered')
			AND coalesce(sent_at, not_before) >= $3`, debtorID, except, since)
	if err != nil {
		return nil, dbErr(err, "message moments")
	}
	return collectRows(rows, func(r pgx.Row) (time.Time, error) {
		var t time.Time
		return t, r.Scan(&t)
	}, "message moments")
}

// BlockedAddresses lists a debtor's addresses and numbers that bounced, as
// channel -> address.
func (db *DB) BlockedAddresses(ctx context.Context, debtorID string) (map[collect.Channel][]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT channel, address FROM blocked_addresses WHERE debtor_id = $1`, debtorID)
	if err != nil {
		return nil, dbErr(err, "blocked addresses")
	}
	defer rows.Close()
	out := map[collect.Channel][]string{}
	for rows.Next() {
		var c collect.Channel
		var a string
		if err := rows.Scan(&c, &a); err != nil {
			return nil, dbErr(err, "blocked addresses")
		}
		out[c] = append(out[c], a)
	}
	return out, dbErr(rows.Err(), "blocked addresses")
}

// Delivery is what became of a claimed message.
type Delivery struct {
	// Message is the claimed message with its outcome: state, address,
	// texts, sent time, error and, when only deferred, the new NotBefore.
	Message OutboxMessage
	// Block keeps Message.To from being used on its channel again.
	Block bool
	// Fallback is the same message on the next channel the person accepts.
	Fallback *OutboxMessage
	// Rewind sets the invoice's ladder back to the message's step, paused
	// since Today, so that the step comes again after the pause.
	Rewind bool
	Today  time.Time
	Now    time.Time
}

// RecordDelivery stores the outcome of a claimed message in one
// transaction with its audit record. A message that is no longer scheduled
// (another sender finished it after a lease ran out) is left as it is.
func (db *DB) RecordDelivery(ctx context.Context, d Delivery) error {
	m := d.Message
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		stepKey := &m.StepKey
		if m.StepKey == "" || d.Rewind {
			// A rewound step plans its message again under the same key.
			stepKey = nil
		}
		ct, err := tx.Exec(ctx, `UPDATE messages SET state = $2, to_address = $3, subject = $4, body_text = $5, body_html = $6,
				sent_at = $7, error = $8, not_before = $9, tried = $10, claimed_until = NULL, step_key = $11, provider_id = $12
			WHERE id = $1 AND state = 'scheduled'`,
			m.ID, m.State, m.To, m.Subject, m.Text, m.HTML, m.SentAt, m.Error, m.NotBefore, channelStrings(m.Tried), stepKey, m.ProviderID)
		if err != nil {
			return dbErr(err, "record delivery")
		}
		if ct.RowsAffected() == 0 {
			return nil
		}
		if d.Block && m.To != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO blocked_addresses (debtor_id, channel, address, reason, message_id, blocked_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, m.DebtorID, m.Channel, m.To, m.Error, m.ID, d.Now); err != nil {
				return dbErr(err, "block address")
			}
		}
		after := map[string]any{"state": m.State, "channel": m.Channel, "to": m.To, "error": m.Error}
		if d.Fallback != nil {
			id, err := insertMessage(ctx, tx, *d.Fallback, d.Now)
			if err != nil {
				return err
			}
			after["fallback"] = id
		}
		if d.Rewind && m.InvoiceID != "" && m.Step >= 0 {
			if _, err := tx.Exec(ctx, `UPDATE ladder_progress SET done = least(done, $2), paused_since = coalesce(paused_since, $3), updated_at = $4
				WHERE invoice_id = $1`, m.InvoiceID, m.Step, d.Today, d.Now); err != nil {
				return dbErr(err, "rewind ladder")
			}
		}
		if m.State == collect.MessageScheduled {
			// Only deferred: the file needs no record of each wait.
			return nil
		}
		return Audit(ctx, tx, "system:outreach", "message."+string(m.State), m.CreditorID, m.DebtorID, "message:"+m.ID, nil, after)
	})
}

// Messages lists a creditor's debtor's messages and letters, newest first.
func (db *DB) Messages(ctx context.Context, creditorID, debtorID string) ([]OutboxMessage, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+messageCols+` FROM messages WHERE creditor_id = $1 AND debtor_id = $2
		ORDER BY created_at DESC, id`, creditorID, debtorID)
	if err != nil {
		return nil, dbErr(err, "messages")
	}
	return collectRows(rows, scanMessage, "messages")
}

// FinishAgentTask marks an open personal follow-up of one of the given
// creditors done by the agent, in one transaction with its audit record.
// Any other id is not found; a follow-up done before is a conflict.
func (db *DB) FinishAgentTask(ctx context.Context, agentID string, creditorIDs []string, taskID string) error {
	if !validUUID(taskID) || len(creditorIDs) == 0 {
		return collect.Errorf(collect.ENOTFOUND, "", "task not found")
	}
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var t AgentTask
		err := tx.QueryRow(ctx, `SELECT id, creditor_id, debtor_id, kind, due_on, done_at FROM agent_tasks
			WHERE id = $1 AND creditor_id = ANY($2) FOR UPDATE`, taskID, creditorIDs).
			Scan(&t.ID, &t.CreditorID, &t.DebtorID, &t.Kind, &t.DueOn, &t.DoneAt)
		if err != nil {
			return dbErr(err, "task")
		}
		if t.DoneAt != nil {
			return collect.Errorf(collect.ECONFLICT, "", "this follow-up was already done")
		}
		now := db.Now()
		if _, err := tx.Exec(ctx, `UPDATE agent_tasks SET done_at = $2, done_by = $3 WHERE id = $1`, t.ID, now, agentID); err != nil {
			return dbErr(err, "finish task")
		}
		return Audit(ctx, tx, "agent:"+agentID, "task.done", t.CreditorID, t.DebtorID, "task:"+t.ID,
			map[string]any{"kind": t.Kind, "due_on": t.DueOn.Format("2006-01-02")}, map[string]any{"done_at": now})
	})
}

// AgentTasks lists a creditor's personal follow-ups for a debtor, oldest first.
func (db *DB) AgentTasks(ctx context.Context, creditorID, debtorID string) ([]AgentTask, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, creditor_id, debtor_id, coalesce(invoice_id::text, ''), kind, coalesce(step_key, ''),
			due_on, created_at, done_at
		FROM agent_tasks WHERE creditor_id = $1 AND debtor_id = $2 ORDER BY due_on, id`, creditorID, debtorID)
	if err != nil {
		return nil, dbErr(err, "agent tasks")
	}
	return collectRows(rows, func(r pgx.Row) (AgentTask, error) {
		var t AgentTask
		err := r.Scan(&t.ID, &t.CreditorID, &t.DebtorID, &t.InvoiceID, &t.Kind, &t.StepKey, &t.DueOn, &t.CreatedAt, &t.DoneAt)
		return t, err
	}, "agent tasks")
}
