package postgres

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
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
	// TOTPSecret is the confirmed second-factor secret; empty when the user has none.
	TOTPSecret string
	// TOTPPending is the secret shown during enrolment, until a code confirms it.
	TOTPPending string
	// TOTPLastStep is the time step of the last code accepted.
	TOTPLastStep int64
}

const agentCols = `id, email, password_hash, role, locked_until, failed_logins, coalesce(totp_secret, ''), coalesce(totp_pending_secret, ''), totp_last_step`

func scanAgent(r pgx.Row) (Agent, error) {
	var a Agent
	err := r.Scan(&a.ID, &a.Email, &a.PasswordHash, &a.Role, &a.LockedUntil, &a.Failed, &a.TOTPSecret, &a.TOTPPending, &a.TOTPLastStep)
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
	a, err := scanAgent(db.pool.QueryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE email = $1`, strings.ToLower(strings.TrimSpace(email))))
	return a, dbErr(err, "agent")
}

// AgentByID loads a console user.
func (db *DB) AgentByID(ctx context.Context, id string) (Agent, error) {
	if !validUUID(id) {
		return Agent{}, collect.Errorf(collect.ENOTFOUND, "", "agent not found")
	}
	a, err := scanAgent(db.pool.QueryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE id = $1`, id))
	return a, dbErr(err, "agent")
}

// AgentCreditorIDs lists the creditors a console user may see: admins see all.
func (db *DB) AgentCreditorIDs(ctx context.Context, a Agent) ([]string, error) {
	q := `SELECT creditor_id::text FROM agent_creditors WHERE agent_id = $1 ORDER BY creditor_id`
	args := []any{a.ID}
	if a.Role == "admin" {
		q, args = `SELECT id::text FROM creditors ORDER BY name`, nil
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, dbErr(err, "agent creditors")
	}
	return collectRows(rows, func(r pgx.Row) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	}, "agent creditors")
}

// LoginClaim is one sign-in attempt taken on a console account before its
// answer is checked.
type LoginClaim struct {
	// Claimed is false when the account is locked: the answer must not be checked.
	Claimed bool
	// Lock is the lock this claim set, when it was the last one allowed.
	Lock *time.Time
}

// ClaimLogin takes one attempt (a password or a second-factor code) on a
// console account before the answer is checked, in one statement, so answers
// sent in parallel cannot slip past the lockout: each claim counts as a
// failure until FinishLogin or ReleaseLogin says otherwise, the max-th claim
// locks the account for lockFor, and while it is locked nothing can be
// claimed. Counted in PostgreSQL, so it holds across server processes.
func (db *DB) ClaimLogin(ctx context.Context, id string, max int, lockFor time.Duration) (LoginClaim, error) {
	now := db.Now()
	var lock *time.Time
	err := db.pool.QueryRow(ctx, `UPDATE agents SET
			failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
			locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3::timestamptz ELSE NULL END
		WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $4)
		RETURNING locked_until`, id, max, now.Add(lockFor), now).Scan(&lock)
	if errors.Is(err, pgx.ErrNoRows) {
		return LoginClaim{}, nil
	}
	if err != nil {
		return LoginClaim{}, dbErr(err, "claim login")
	}
	return LoginClaim{Claimed: true, Lock: lock}, nil
}

// FinishLogin ends a sign-in whose every answer was right: the count of
// wrong answers goes back to zero. It reports false, and changes nothing,
// when other attempts locked the account after this one was claimed: once
// the limit is reached, no attempt still in flight may sign in. A lock set
// by this very claim (the last one allowed, and right) is lifted.
func (db *DB) FinishLogin(ctx context.Context, id string, c LoginClaim) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE agents SET failed_logins = 0, locked_until = NULL
		WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2 OR locked_until = $3)`, id, db.Now(), c.Lock)
	if err != nil {
		return false, dbErr(err, "finish login")
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseLogin gives back a claim whose answer was right but that does not
// end the sign-in yet (a right password before the second factor): it no
// longer counts as a failure. It reports false when other attempts locked
// the account meanwhile. A lock set by this claim is lifted, leaving the
// account one wrong answer away from it.
func (db *DB) ReleaseLogin(ctx context.Context, id string, c LoginClaim, max int) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE agents SET
			failed_logins = CASE WHEN locked_until = $3 THEN $4 - 1 ELSE greatest(failed_logins - 1, 0) END,
			locked_until = NULL
		WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2 OR locked_until = $3)`, id, db.Now(), c.Lock, max)
	if err != nil {
		return false, dbErr(err, "release login")
	}
	return tag.RowsAffected() == 1, nil
}

// ClaimAddressAttempt counts one sign-in attempt from a network address in a
// fixed window and reports whether it is within max. One atomic upsert, so
// parallel attempts on several server processes all count.
func (db *DB) ClaimAddressAttempt(ctx context.Context, address string, max int, window time.Duration) (bool, error) {
	now := db.Now()
	var n int
	err := db.pool.QueryRow(ctx, `INSERT INTO console_login_addresses AS a (address, window_start, attempts) VALUES ($1, $2, 1)
		ON CONFLICT (address) DO UPDATE SET
			attempts = CASE WHEN a.window_start <= $3 THEN 1 ELSE a.attempts + 1 END,
			window_start = CASE WHEN a.window_start <= $3 THEN $2 ELSE a.window_start END
		RETURNING attempts`, address, now, now.Add(-window)).Scan(&n)
	if err != nil {
		return false, dbErr(err, "claim address attempt")
	}
	return n <= max, nil
}

// DeleteExpiredAddressAttempts deletes the per-address sign-in counts whose
// window ended: ClaimAddressAttempt would start them again at one, so only
// the addresses seen in the last window are kept.
func (db *DB) DeleteExpiredAddressAttempts(ctx context.Context, window time.Duration) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM console_login_addresses WHERE window_start <= $1`, db.Now().Add(-window))
	return tag.RowsAffected(), dbErr(err, "delete expired address attempts")
}

// PendingLoginMax is how long a right password waits for its second factor.
const PendingLoginMax = 10 * time.Minute

// CreatePendingLogin remembers that a console user gave the right password
// and now owes a second-factor code; it returns the token for the cookie.
func (db *DB) CreatePendingLogin(ctx context.Context, agentID string) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("random pending token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	_, err := db.pool.Exec(ctx, `INSERT INTO console_pending_logins (token_hash, agent_id, expires_at) VALUES ($1, $2, $3)`,
		hashToken(token), agentID, db.Now().Add(PendingLoginMax))
	return token, dbErr(err, "create pending login")
}

// PendingLogin loads the console user of a live pending sign-in.
func (db *DB) PendingLogin(ctx context.Context, token string) (Agent, error) {
	a, err := scanAgent(db.pool.QueryRow(ctx, `SELECT `+agentCols+` FROM agents
		WHERE id = (SELECT agent_id FROM console_pending_logins WHERE token_hash = $1 AND expires_at > $2)`, hashToken(token), db.Now()))
	return a, dbErr(err, "pending login")
}

// DeletePendingLogin ends a pending sign-in.
func (db *DB) DeletePendingLogin(ctx context.Context, token string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM console_pending_logins WHERE token_hash = $1 OR expires_at <= $2`, hashToken(token), db.Now())
	return dbErr(err, "delete pending login")
}

// DeleteExpiredPendingLogins deletes the pending sign-ins whose time for the
// second factor ran out and that nobody finished or abandoned explicitly.
func (db *DB) DeleteExpiredPendingLogins(ctx context.Context) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM console_pending_logins WHERE expires_at <= $1`, db.Now())
	return tag.RowsAffected(), dbErr(err, "delete expired pending logins")
}

// SetPendingTOTP stores the secret shown to a console user who enrols a
// second factor, until a code from their app confirms it.
func (db *DB) SetPendingTOTP(ctx context.Context, agentID, secret string) error {
	_, err := db.pool.Exec(ctx, `UPDATE agents SET totp_pending_secret = $2 WHERE id = $1`, agentID, secret)
	return dbErr(err, "set pending totp")
}

// UseTOTPStep takes the time step of an accepted code, so the same code
// (or an older one) cannot be used again, also in parallel: it reports
// false when that step or a later one was used already. With confirm, the
// pending secret becomes the account's second factor in the same statement.
func (db *DB) UseTOTPStep(ctx context.Context, agentID string, step int64, confirm bool) (bool, error) {
	var ok bool
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		q := `UPDATE agents SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`
		if confirm {
			q = `UPDATE agents SET totp_last_step = $2, totp_secret = totp_pending_secret, totp_pending_secret = NULL
				WHERE id = $1 AND totp_last_step < $2 AND totp_pending_secret IS NOT NULL`
		}
		tag, err := tx.Exec(ctx, q, agentID, step)
		if err != nil {
			return dbErr(err, "use totp step")
		}
		ok = tag.RowsAffected() == 1
		if !ok || !confirm {
			return nil
		}
		return Audit(ctx, tx, "agent:"+agentID, "agent.totp_enrolled", "", "", "agent:"+agentID, nil, nil)
	})
	return ok, err
}

// EnrolTOTP gives a new console user a confirmed second factor at creation
// (by the CLI or the demo, which hand the secret over themselves).
func (db *DB) EnrolTOTP(ctx context.Context, agentID, secret string) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE agents SET totp_secret = $2, totp_pending_secret = NULL WHERE id = $1`, agentID, secret); err != nil {
			return dbErr(err, "enrol totp")
		}
		return Audit(ctx, tx, "cli", "agent.totp_enrolled", "", "", "agent:"+agentID, nil, nil)
	})
}
