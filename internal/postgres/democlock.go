package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// DemoClockOffset is how far the demo clock runs ahead of real time: zero
// until it first moved.
func (db *DB) DemoClockOffset(ctx context.Context) (time.Duration, error) {
	var ms int64
	err := db.pool.QueryRow(ctx, `SELECT offset_ms FROM demo_clock`).Scan(&ms)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return time.Duration(ms) * time.Millisecond, dbErr(err, "read demo clock")
}

// KeepDemoClockOffset stores how far the demo clock runs ahead of real time
// (moved at at, real time). A smaller offset than the one kept never
// replaces it, so two moves that race cannot turn the clock back.
func (db *DB) KeepDemoClockOffset(ctx context.Context, offset time.Duration, at time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO demo_clock (offset_ms, moved_at) VALUES ($1, $2)
		ON CONFLICT (one) DO UPDATE SET offset_ms = GREATEST(demo_clock.offset_ms, EXCLUDED.offset_ms), moved_at = EXCLUDED.moved_at`,
		offset.Milliseconds(), at)
	return dbErr(err, "keep demo clock")
}
