// Package postgres persists Settle's domain in PostgreSQL. It is the only
// package that speaks SQL; handlers and jobs call its methods.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver that goose uses
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/migrations"
)

// DB is the store: a pgx pool and the clock that every date rule reads.
type DB struct {
	pool *pgxpool.Pool
	// Now is the clock; tests set it. Every rule that depends on the date reads it.
	Now func() time.Time
}

// Open connects to url and checks the connection.
func Open(ctx context.Context, url string) (*DB, error) { return OpenPooled(ctx, url, false) }

// OpenPooled connects to url; transactionPooler says url reaches PgBouncer
// in transaction mode, where each transaction may run on another server
// connection. pgx's default prepares every statement by name on its
// connection, and the next transaction's connection would not know the
// name (Debian 12's PgBouncer 1.18 does not track prepared statements;
// 1.21 can), so there statements go unnamed: described once per query
// text and cached by pgx, then parsed, bound and run in one round trip.
// The store keeps no other session state: its advisory locks are
// pg_advisory_xact_lock, its temporary tables ON COMMIT DROP, and it
// issues no SET.
func OpenPooled(ctx context.Context, url string, transactionPooler bool) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if transactionPooler {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	return &DB{pool: pool, Now: time.Now}, nil
}

// Close closes the pool.
func (db *DB) Close() { db.pool.Close() }

// RiverDriver is the driver River's client runs its jobs through, on the
// store's pool, so a job inserted in a store transaction commits with it.
func (db *DB) RiverDriver() *riverpgxv5.Driver { return riverpgxv5.New(db.pool) }

// MaxConns is the most connections the pool opens.
func (db *DB) MaxConns() int { return int(db.pool.Config().MaxConns) }

// ResetBusinessData empties every table of business data, as the demo does
// before it loads its own; reference data (rates, holidays), the migration
// version, the job queue and the demo clock (which never runs back) stay.
func (db *DB) ResetBusinessData(ctx context.Context) error {
	// The tables are emptied one by one while the demo's jobs may be
	// reading several of them at once; PostgreSQL ends such a lock cycle by
	// failing one side (40P01), and emptying again is safe.
	var err error
	for range 5 {
		var pgErr *pgconn.PgError
		if err = db.resetBusinessData(ctx); !errors.As(err, &pgErr) || pgErr.Code != "40P01" {
			break
		}
	}
	return dbErr(err, "reset business data")
}

func (db *DB) resetBusinessData(ctx context.Context) error {
	_, err := db.pool.Exec(ctx, `DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public'
      AND tablename NOT IN ('interest_rates', 'equated_holidays', 'goose_db_version', 'demo_clock', 'signal_thresholds', 'postcode_municipalities') AND tablename NOT LIKE 'river%'
  LOOP
    EXECUTE format('TRUNCATE TABLE %I CASCADE', t);
  END LOOP;
END $$`)
	return err
}

// Today is the current date in the Netherlands, where every legal term runs.
func (db *DB) Today() time.Time {
	return collect.DutchDate(db.Now())
}

// Migrate applies Settle's embedded migrations and River's own, under an
// advisory lock so several processes starting at once do not collide.
// Applying twice changes nothing.
func Migrate(ctx context.Context, url string) error {
	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer sqlDB.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("apply river migrations: %w", err)
	}
	return nil
}

// MigrationsCurrent reports whether every embedded migration has been applied.
func (db *DB) MigrationsCurrent(ctx context.Context) (bool, error) {
	var applied int64
	err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&applied)
	if err != nil {
		return false, fmt.Errorf("read migration version: %w", err)
	}
	return applied >= latestMigration(), nil
}

func latestMigration() int64 {
	entries, _ := migrations.FS.ReadDir(".")
	var latest int64
	for _, e := range entries {
		var v int64
		if _, err := fmt.Sscanf(e.Name(), "%05d_", &v); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

// WithTx runs fn in one transaction, committing when it returns nil.
func (db *DB) WithTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return fn(clockTx{Tx: tx, now: db.Now}) })
}

// dbErr maps PostgreSQL errors to domain errors: no rows is not-found, a unique
// violation is a conflict. Other errors are wrapped with the context msg.
func dbErr(err error, msg string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return collect.Errorf(collect.ENOTFOUND, "", "%s: not found", msg)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return collect.Errorf(collect.ECONFLICT, "", "%s: already exists", msg)
	}
	return fmt.Errorf("%s: %w", msg, err)
}
