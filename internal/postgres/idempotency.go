package postgres

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// IdempotencyTTL is how long the answer to a request sent with an
// Idempotency-Key is kept: a retry within it gets that answer again, after it
// the key is new.
const IdempotencyTTL = 24 * time.Hour

// ErrIdempotencyKeyReused is returned for a key that a creditor used, within
// IdempotencyTTL, for a request with another method, path or body.
var ErrIdempotencyKeyReused = errors.New("idempotency key used for another request")

// StoredAnswer is the first answer to a request sent with an Idempotency-Key.
type StoredAnswer struct {
	Status      int
	ContentType string
	Body        []byte
}

// IdempotencyClaim holds one creditor's Idempotency-Key while the first
// request with it runs. The claim is a transaction-scoped advisory lock, so a
// concurrent request with the same key, in this process or another, waits
// until Save or Release and then sees the stored answer (or runs itself when
// nothing was stored).
type IdempotencyClaim struct {
	tx          pgx.Tx
	creditorID  string
	key         string
	requestHash []byte
	now         time.Time
}

// ClaimIdempotencyKey looks a creditor's key up, waiting while another
// request holds it. It returns the stored answer when the key was answered
// within IdempotencyTTL for the same request (requestHash),
// ErrIdempotencyKeyReused when it was answered for another request, and
// otherwise a claim that the caller must Save or Release.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, creditorID, key string, requestHash []byte) (*StoredAnswer, *IdempotencyClaim, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, nil, dbErr(err, "begin idempotency claim")
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "idempotency:"+creditorID+":"+key); err != nil {
		_ = tx.Rollback(ctx)
		return nil, nil, dbErr(err, "lock idempotency key")
	}
	// The clock is read once the lock is held, so a key that expired while
	// this request waited counts as new.
	now := db.Now()
	var stored StoredAnswer
	var hash []byte
	err = tx.QueryRow(ctx, `SELECT request_hash, status, content_type, body FROM idempotency_keys
		WHERE creditor_id = $1 AND key = $2 AND created_at > $3`, creditorID, key, now.Add(-IdempotencyTTL)).
		Scan(&hash, &stored.Status, &stored.ContentType, &stored.Body)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, &IdempotencyClaim{tx: tx, creditorID: creditorID, key: key, requestHash: requestHash, now: now}, nil
	case err != nil:
		_ = tx.Rollback(ctx)
		return nil, nil, dbErr(err, "idempotency key")
	}
	_ = tx.Rollback(ctx)
	if !bytes.Equal(hash, requestHash) {
		return nil, nil, ErrIdempotencyKeyReused
	}
	return &stored, nil, nil
}

// Save stores the answer under the key and lets waiting requests see it.
// The creditor's expired keys go at the same time, which keeps the table to
// a day of each creditor's requests.
func (c *IdempotencyClaim) Save(ctx context.Context, a StoredAnswer) error {
	defer func() { _ = c.tx.Rollback(ctx) }()
	if _, err := c.tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE creditor_id = $1 AND created_at <= $2`,
		c.creditorID, c.now.Add(-IdempotencyTTL)); err != nil {
		return dbErr(err, "delete expired idempotency keys")
	}
	if _, err := c.tx.Exec(ctx, `INSERT INTO idempotency_keys (creditor_id, key, request_hash, status, content_type, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.creditorID, c.key, c.requestHash, a.Status, a.ContentType, a.Body, c.now); err != nil {
		return dbErr(err, "store idempotency key")
	}
	return dbErr(c.tx.Commit(ctx), "commit idempotency key")
}

// Release gives the key up without storing an answer, so a retry runs the
// request again. It does nothing after Save.
func (c *IdempotencyClaim) Release(ctx context.Context) {
	_ = c.tx.Rollback(ctx)
}

// DeleteExpiredIdempotencyKeys deletes every creditor's keys older than
// IdempotencyTTL. Save already drops a creditor's expired keys; this catches
// those of creditors who send no further keyed requests.
func (db *DB) DeleteExpiredIdempotencyKeys(ctx context.Context) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at <= $1`, db.Now().Add(-IdempotencyTTL))
	return tag.RowsAffected(), dbErr(err, "delete expired idempotency keys")
}
