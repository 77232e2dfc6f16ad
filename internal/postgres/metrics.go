package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PoolStat is the connection pool's statistics, for the metrics.
func (db *DB) PoolStat() *pgxpool.Stat { return db.pool.Stat() }

// QueueDepth counts River's jobs ready to run, per queue, in one query.
func (db *DB) QueueDepth(ctx context.Context) (map[string]int64, error) {
	rows, err := db.pool.Query(ctx, `SELECT queue, count(*) FROM river_job WHERE state = 'available' GROUP BY queue`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	depth := map[string]int64{}
	for rows.Next() {
		var q string
		var n int64
		if err := rows.Scan(&q, &n); err != nil {
			return nil, err
		}
		depth[q] = n
	}
	return depth, rows.Err()
}
