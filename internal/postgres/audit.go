package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// Audit appends an audit record inside tx. A record that is one of the
// creditor's events (collect.EventOf: a payment booked, a plan broken...)
// also inserts that event, in the same transaction.
func Audit(ctx context.Context, tx pgx.Tx, actor, action, creditorID, debtorID, subject string, before, after any) error {
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	if before == nil {
		b = nil
	}
	if after == nil {
		a = nil
	}
	_, err := tx.Exec(ctx, insertAuditSQL, actor, action, nullable(creditorID), nullable(debtorID), subject, b, a)
	if err != nil {
		return dbErr(err, "audit")
	}
	return recordEvent(ctx, tx, action, creditorID, debtorID, subject, b, a)
}

const insertAuditSQL = `INSERT INTO audit_log (actor, action, creditor_id, debtor_id, subject, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)`

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
