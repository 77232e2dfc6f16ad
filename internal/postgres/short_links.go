package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// ShortLink is a short code printed on a letter or sent in a message, as
// the database knows it: only the hash of the code, and the magic link it
// stands for.
type ShortLink struct {
	CodeHash   []byte
	LinkJTI    string
	CreditorID string
	DebtorID   string
	Purpose    string // "letter", "plan" or "message"
	ExpiresAt  time.Time
	CreatedAt  time.Time
}

// CreateShortLink records a short code together with the magic link it
// opens, in one transaction: a code never points at a link that is not there.
func (db *DB) CreateShortLink(ctx context.Context, s ShortLink, l Link) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error { return insertShortLink(ctx, tx, s, l) })
}

func insertShortLink(ctx context.Context, tx pgx.Tx, s ShortLink, l Link) error {
	insert := insertLink
	if s.Purpose == "message" {
		// A message's link, even on a printed reminder, leaves the letter
		// links working: only a new letter of record replaces those.
		insert = insertLinkRow
	}
	if err := insert(ctx, tx, l); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO short_links (code_hash, link_jti, creditor_id, debtor_id, purpose, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.CodeHash, l.JTI, s.CreditorID, s.DebtorID, s.Purpose, s.ExpiresAt, s.CreatedAt)
	return dbErr(err, "insert short link")
}

// ShortLinkByHash loads a short code by its hash; an unknown code is not found.
func (db *DB) ShortLinkByHash(ctx context.Context, hash []byte) (ShortLink, error) {
	var s ShortLink
	err := db.pool.QueryRow(ctx, `SELECT code_hash, link_jti, creditor_id, debtor_id, purpose, expires_at, created_at
		FROM short_links WHERE code_hash = $1`, hash).
		Scan(&s.CodeHash, &s.LinkJTI, &s.CreditorID, &s.DebtorID, &s.Purpose, &s.ExpiresAt, &s.CreatedAt)
	return s, dbErr(err, "short link")
}
