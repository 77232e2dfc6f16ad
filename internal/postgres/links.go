package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// Link is one issued magic link, as the database knows it.
type Link struct {
	JTI            string
	CreditorID     string
	DebtorID       string
	Channel        string
	IssuedAt       time.Time
	ExpiresAt      time.Time
	RevokedAt      *time.Time
	FailedAttempts int
	LockedUntil    *time.Time
}

// CreateLink records a newly issued link. A new letter link ends the debtor's
// older letter links, because the newest letter is the one on the table.
func (db *DB) CreateLink(ctx context.Context, l Link) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error { return insertLink(ctx, tx, l) })
}

func insertLink(ctx context.Context, tx pgx.Tx, l Link) error {
	if l.Channel == "letter" {
		if _, err := tx.Exec(ctx, `UPDATE links SET revoked_at = $1 WHERE debtor_id = $2 AND channel = 'letter' AND revoked_at IS NULL`, l.IssuedAt, l.DebtorID); err != nil {
			return dbErr(err, "revoke older letter links")
		}
	}
	return insertLinkRow(ctx, tx, l)
}

// insertLinkRow stores a link and leaves the debtor's other links as they are.
func insertLinkRow(ctx context.Context, tx pgx.Tx, l Link) error {
	_, err := tx.Exec(ctx, `INSERT INTO links (jti, creditor_id, debtor_id, channel, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		l.JTI, l.CreditorID, l.DebtorID, l.Channel, l.IssuedAt, l.ExpiresAt)
	return dbErr(err, "insert link")
}

const linkCols = `jti, creditor_id, debtor_id, channel, issued_at, expires_at, revoked_at, failed_attempts, locked_until`

func scanLink(row pgx.Row) (Link, error) {
	var l Link
	err := row.Scan(&l.JTI, &l.CreditorID, &l.DebtorID, &l.Channel, &l.IssuedAt, &l.ExpiresAt, &l.RevokedAt, &l.FailedAttempts, &l.LockedUntil)
	return l, err
}

// LinkByJTI loads a link by its token id.
func (db *DB) LinkByJTI(ctx context.Context, jti string) (Link, error) {
	if !validUUID(jti) {
		return Link{}, collect.Errorf(collect.ENOTFOUND, "", "link not found")
	}
	l, err := scanLink(db.pool.QueryRow(ctx, `SELECT `+linkCols+` FROM links WHERE jti = $1`, jti))
	return l, dbErr(err, "link")
}

// RevokeLink ends one link of a creditor's debtor; revoking twice is harmless.
func (db *DB) RevokeLink(ctx context.Context, creditorID, jti string) error {
	if !validUUID(jti) {
		return collect.Errorf(collect.ENOTFOUND, "", "link not found")
	}
	tag, err := db.pool.Exec(ctx, `UPDATE links SET revoked_at = coalesce(revoked_at, $3) WHERE jti = $1 AND creditor_id = $2`, jti, creditorID, db.Now())
	if err != nil {
		return dbErr(err, "revoke link")
	}
	if tag.RowsAffected() == 0 {
		return collect.Errorf(collect.ENOTFOUND, "", "link not found")
	}
	_, err = db.pool.Exec(ctx, `DELETE FROM sessions WHERE link_jti = $1`, jti)
	return dbErr(err, "end sessions of link")
}

// RevokeDebtorLinks ends all links of a debtor and signs them out; it returns how many links it ended.
func (db *DB) RevokeDebtorLinks(ctx context.Context, creditorID, debtorID string) (int64, error) {
	var n int64
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE links SET revoked_at = $3 WHERE debtor_id = $1 AND creditor_id = $2 AND revoked_at IS NULL`, debtorID, creditorID, db.Now())
		if err != nil {
			return dbErr(err, "revoke links")
		}
		n = tag.RowsAffected()
		_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE debtor_id = $1 AND kind = 'debtor'`, debtorID)
		return dbErr(err, "end sessions")
	})
	return n, err
}

// ClaimAttempt takes one second-factor attempt for a link before the answer
// is checked, in one statement, so answers sent in parallel cannot slip past
// the lockout: each claim counts, the max-th claim locks the link for lockFor,
// and while it is locked nothing can be claimed (claimed is false). A right
// answer then calls ResetAttempts. Counted in PostgreSQL, so it holds across
// server processes.
func (db *DB) ClaimAttempt(ctx context.Context, jti string, max int, lockFor time.Duration) (Link, bool, error) {
	if !validUUID(jti) {
		return Link{}, false, collect.Errorf(collect.ENOTFOUND, "", "link not found")
	}
	now := db.Now()
	l, err := scanLink(db.pool.QueryRow(ctx, `UPDATE links SET
			failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
			locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3::timestamptz ELSE NULL END
		WHERE jti = $1 AND (locked_until IS NULL OR locked_until <= $4)
		RETURNING `+linkCols, jti, max, now.Add(lockFor), now))
	if err == nil {
		return l, true, nil
	}
	if !collect.IsNotFound(dbErr(err, "")) {
		return Link{}, false, dbErr(err, "claim attempt")
	}
	// No row: either the link is locked or it does not exist.
	l, err = db.LinkByJTI(ctx, jti)
	return l, false, err
}

// ResetAttempts clears the wrong-answer count after a right answer.
func (db *DB) ResetAttempts(ctx context.Context, jti string) error {
	_, err := db.pool.Exec(ctx, `UPDATE links SET failed_attempts = 0, locked_until = NULL WHERE jti = $1`, jti)
	return dbErr(err, "reset attempts")
}
