package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// KV is a key-value store with expiry in PostgreSQL that satisfies Fiber's
// storage interface, so CSRF tokens and rate-limit counters are shared by
// every server process instead of living in one process's memory.
type KV struct {
	db     *DB
	prefix string
}

// NewKV returns a KV whose keys are namespaced with prefix.
func NewKV(db *DB, prefix string) *KV { return &KV{db: db, prefix: prefix} }

// Get returns the value of key, or nil when it is absent or expired.
func (kv *KV) Get(key string) ([]byte, error) {
	var v []byte
	err := kv.db.pool.QueryRow(context.Background(), `SELECT value FROM kv_store WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())`, kv.prefix+key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

// Set stores val under key; exp 0 keeps it forever.
func (kv *KV) Set(key string, val []byte, exp time.Duration) error {
	var expires *time.Time
	if exp > 0 {
		t := time.Now().Add(exp)
		expires = &t
	}
	_, err := kv.db.pool.Exec(context.Background(), `INSERT INTO kv_store (key, value, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`, kv.prefix+key, val, expires)
	return err
}

// Delete removes key.
func (kv *KV) Delete(key string) error {
	_, err := kv.db.pool.Exec(context.Background(), `DELETE FROM kv_store WHERE key = $1`, kv.prefix+key)
	return err
}

// Reset removes every key of this store.
func (kv *KV) Reset() error {
	_, err := kv.db.pool.Exec(context.Background(), `DELETE FROM kv_store WHERE starts_with(key, $1)`, kv.prefix)
	return err
}

// Close does nothing: the pool belongs to the DB.
func (kv *KV) Close() error { return nil }

// DeleteExpiredKV removes expired keys.
func (db *DB) DeleteExpiredKV(ctx context.Context) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM kv_store WHERE expires_at <= now()`)
	return dbErr(err, "delete expired keys")
}
