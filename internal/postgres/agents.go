package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// Agent is a console user: an agent, a finance user or an admin.
type Agent struct {
	ID           string
	Email        string
	PasswordHash string
	Role         string
	LockedUntil  *time.Time
	Failed       int
}

const agentCols = `id, email, password_hash, role, locked_until, failed_logins`

func scanAgent(r pgx.Row) (Agent, error) {
	var a Agent
	err := r.Scan(&a.ID, &a.Email, &a.PasswordHash, &a.Role, &a.LockedUntil, &a.Failed)
	return a, err
}

// CreateAgent stores a console user and the creditors they may see.
func (db *DB) CreateAgent(ctx context.Context, email, role, hash string, creditorIDs []string) (Agent, error) {
	var a Agent
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		a, err = scanAgent(tx.QueryRow(ctx, `INSERT INTO agents (email, role, password_hash) VALUES ($1, $2, $3) RETURNING `+agentCols,
			strings.ToLower(strings.TrimSpace(email)), role, hash))
		if err != nil {
			return dbErr(err, "insert agent")
		}
		for _, c := range creditorIDs {
			if _, err := tx.Exec(ctx, `INSERT INTO agent_creditors (agent_id, creditor_id) VALUES ($1, $2)`, a.ID, c); err != nil {
				return dbErr(err, "assign creditor")
			}
		}
		return Audit(ctx, tx, "cli", "agent.created", "", "", "agent:"+a.ID, nil, map[string]any{"email": a.Email, "role": role, "creditors": creditorIDs})
	})
	return a, err
}

// AgentByEmail loads a console user by email.
func (db *DB) AgentByEmail(ctx context.Context, email string) (Agent, error) {
	a, err := scanAgent(db.Pool.QueryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE email = $1`, strings.ToLower(strings.TrimSpace(email))))
	return a, dbErr(err, "agent")
}

// AgentByID loads a console user.
func (db *DB) AgentByID(ctx context.Context, id string) (Agent, error) {
	if !validUUID(id) {
		return Agent{}, collect.Errorf(collect.ENOTFOUND, "", "agent not found")
	}
	a, err := scanAgent(db.Pool.QueryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE id = $1`, id))
	return a, dbErr(err, "agent")
}

// AgentCreditorIDs lists the creditors a console user may see: admins see all.
func (db *DB) AgentCreditorIDs(ctx context.Context, a Agent) ([]string, error) {
	q := `SELECT creditor_id::text FROM agent_creditors WHERE agent_id = $1 ORDER BY creditor_id`
	args := []any{a.ID}
	if a.Role == "admin" {
		q, args = `SELECT id::text FROM creditors ORDER BY name`, nil
	}
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, dbErr(err, "agent creditors")
	}
	return collectRows(rows, func(r pgx.Row) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	}, "agent creditors")
}

// RecordLoginFailure counts a wrong password and locks the account for
// lockFor once max were wrong in a row. Counted in PostgreSQL, so it holds
// across server processes.
func (db *DB) RecordLoginFailure(ctx context.Context, id string, max int, lockFor time.Duration) error {
	_, err := db.Pool.Exec(ctx, `UPDATE agents SET
			failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
			locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
		WHERE id = $1`, id, max, db.Now().Add(lockFor))
	return dbErr(err, "login failure")
}

// ResetLoginFailures clears the count after a right password.
func (db *DB) ResetLoginFailures(ctx context.Context, id string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE agents SET failed_logins = 0, locked_until = NULL WHERE id = $1`, id)
	return dbErr(err, "reset login failures")
}
