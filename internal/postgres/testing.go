package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// PoolForTests is the store's pool, for tests and benchmarks that set up or
// check rows no store method covers. The product reads and writes only
// through the store's methods.
func (db *DB) PoolForTests() *pgxpool.Pool { return db.pool }
