package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"
)

// Session lifetimes: idle sessions end after 30 minutes, any session after 12 hours.
const (
	SessionIdle = 30 * time.Minute
	SessionMax  = 12 * time.Hour
)

// Session is a signed-in debtor or console user.
type Session struct {
	Kind       string // "debtor" or "agent"
	DebtorID   string
	CreditorID string
	LinkJTI    string
	AgentID    string
	Language   string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CreateSession stores a session and returns the random token for its
// cookie. A debtor's sign-in through a link is also kept in link_opens, in
// the same statement: sessions are deleted when they expire, and the
// creditor's figures count messages whose link was opened.
func (db *DB) CreateSession(ctx context.Context, s Session) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("random session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := db.Now()
	_, err := db.pool.Exec(ctx, `WITH s AS (
			INSERT INTO sessions (token_hash, kind, debtor_id, creditor_id, link_jti, agent_id, language, created_at, last_seen_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING kind, link_jti)
		INSERT INTO link_opens (creditor_id, debtor_id, link_jti, channel, at)
		SELECT l.creditor_id, l.debtor_id, l.jti, l.channel, $8 FROM s JOIN links l ON l.jti = s.link_jti WHERE s.kind = 'debtor'`,
		hashToken(token), s.Kind, nullable(s.DebtorID), nullable(s.CreditorID), nullable(s.LinkJTI), nullable(s.AgentID), s.Language, now, now.Add(SessionMax))
	return token, dbErr(err, "create session")
}

// SessionByToken loads a live session of the given kind and marks it seen.
// A session idle for longer than SessionIdle, or older than SessionMax, is
// gone. last_seen_at is written at most once a minute, so reading pages does
// not mean writing a row on every request.
func (db *DB) SessionByToken(ctx context.Context, kind, token string) (Session, error) {
	var s Session
	var debtor, creditor, jti, agent *string
	now := db.Now()
	err := db.pool.QueryRow(ctx, `SELECT kind, debtor_id::text, creditor_id::text, link_jti::text, agent_id::text, language, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = $1 AND kind = $2 AND expires_at > $3 AND last_seen_at > $4`,
		hashToken(token), kind, now, now.Add(-SessionIdle)).
		Scan(&s.Kind, &debtor, &creditor, &jti, &agent, &s.Language, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt)
	if err != nil {
		return s, dbErr(err, "session")
	}
	if now.Sub(s.LastSeenAt) >= touchEvery {
		// The requests of one session come together (a page and the next,
		// or a benchmark's 32 connections on one cookie), and all of them
		// find the session stale at the same moment. Only one may write:
		// the others skip the locked row instead of queueing behind its
		// lock, and after its commit the row is no longer stale, so they
		// do not write it again either. Waiting in that queue was the
		// overview's p99 (docs/performance.md).
		if _, err := db.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $2
			WHERE token_hash = (SELECT token_hash FROM sessions WHERE token_hash = $1 AND last_seen_at <= $3 FOR UPDATE SKIP LOCKED)`,
			hashToken(token), now, now.Add(-touchEvery)); err != nil {
			return s, dbErr(err, "touch session")
		}
		s.LastSeenAt = now
	}
	s.DebtorID, s.CreditorID, s.LinkJTI, s.AgentID = deref(debtor), deref(creditor), deref(jti), deref(agent)
	return s, nil
}

// touchEvery is how stale last_seen_at may get before a request refreshes it.
const touchEvery = time.Minute

// SetSessionLanguage remembers the language a debtor chose for the rest of the session.
func (db *DB) SetSessionLanguage(ctx context.Context, token, lang string) error {
	_, err := db.pool.Exec(ctx, `UPDATE sessions SET language = $2 WHERE token_hash = $1`, hashToken(token), lang)
	return dbErr(err, "session language")
}

// DeleteSession signs a session out.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(token))
	return dbErr(err, "delete session")
}

// DeleteExpiredSessions removes sessions that can no longer be used.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	now := db.Now()
	tag, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`, now, now.Add(-SessionIdle))
	return tag.RowsAffected(), dbErr(err, "delete expired sessions")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
