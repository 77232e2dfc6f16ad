package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

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
