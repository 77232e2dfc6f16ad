// Package pgtest gives each test a clean, real, migrated PostgreSQL database.
//
// TestMain calls Main once per test binary. Main migrates a template
// database once, and New then clones it with CREATE DATABASE ... TEMPLATE,
// which copies files instead of replaying migrations and so costs tens of
// milliseconds per test.
//
// The server is TEST_DATABASE_URL when set (it must be a postgres:// URL
// whose user may create databases), otherwise a private devpg cluster in
// os.TempDir()/settle-pgtest-<pid>, started with fsync off and removed when
// the tests finish.
package pgtest

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/settle/settle/internal/postgres/devpg"
)

// EnvURL names the environment variable that points tests at an existing
// server instead of starting a private one.
const EnvURL = "TEST_DATABASE_URL"

// state is set by Main and read by New and URL.
var state struct {
	adminURL string
	template string
	admin    *pgxpool.Pool
	// cloneMu serializes CREATE DATABASE ... TEMPLATE: PostgreSQL rejects a
	// clone while any other session is connected to the template, and
	// concurrent clones of one template can trip over each other's locks.
	cloneMu sync.Mutex
	seq     atomic.Int64
}

// Main is called from TestMain: it starts one cluster for the test binary
// (or uses TEST_DATABASE_URL when set), migrates the template with migrate
// (nil leaves it empty), runs m.Run(), drops the template, stops the
// cluster, and exits with the tests' exit code.
func Main(m *testing.M, migrate func(ctx context.Context, url string) error) {
	os.Exit(run(m, migrate))
}

func run(m *testing.M, migrate func(ctx context.Context, url string) error) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	adminURL := os.Getenv(EnvURL)
	// Our own cluster holds nothing else, so a fixed name is fine; on a
	// shared server concurrent test binaries need distinct templates.
	template := "settle_template"
	if adminURL != "" {
		template = fmt.Sprintf("settle_tpl_%d", os.Getpid())
	} else {
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("settle-pgtest-%d", os.Getpid()))
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		cluster, err := devpg.StartWith(ctx, dir, devpg.Options{Fast: true}, log)
		if err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v (or set %s)\n", err, EnvURL)
			_ = os.RemoveAll(dir)
			return 1
		}
		defer func() {
			if err := cluster.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			}
			// Remove the pointer target too when devpg relocated the data
			// dir (root with an untraversable TMPDIR parent).
			if cluster.Dir != dir {
				_ = os.RemoveAll(cluster.Dir)
			}
			_ = os.RemoveAll(dir)
		}()
		adminURL = cluster.URL("postgres")
	}

	admin, err := pgxpool.New(ctx, adminURL)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %s: %v\n", EnvURL, err)
		return 1
	}
	defer admin.Close()
	state.adminURL, state.template, state.admin = adminURL, template, admin

	if err := createTemplate(ctx, migrate); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		dropDatabase(context.Background(), template)
		return 1
	}
	code := m.Run()
	dropDatabase(context.Background(), template)
	return code
}

func createTemplate(ctx context.Context, migrate func(ctx context.Context, url string) error) error {
	ident := pgx.Identifier{state.template}.Sanitize()
	// A previous run killed mid-way may have left it behind (only possible
	// for the fixed name on a reused cluster, or a recycled pid).
	dropDatabase(ctx, state.template)
	if _, err := state.admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	if migrate != nil {
		u, err := dbURL(state.template)
		if err != nil {
			return err
		}
		if err := migrate(ctx, u); err != nil {
			return fmt.Errorf("migrate template: %w", err)
		}
	}
	// Refuse further connections and kick out any the migrate func leaked,
	// since a single session on the template makes every clone fail.
	if _, err := state.admin.Exec(ctx, "ALTER DATABASE "+ident+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return fmt.Errorf("lock template: %w", err)
	}
	if _, err := state.admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", state.template); err != nil {
		return fmt.Errorf("disconnect template: %w", err)
	}
	return nil
}

// dropDatabase is best effort: it runs in cleanup paths where there is no
// better place to report a failure than stderr.
func dropDatabase(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// WITH (FORCE) (PostgreSQL 13+) terminates sessions a test leaked.
	if _, err := state.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: drop database %s: %v\n", name, err)
	}
}

// New returns a fresh database cloned from the template that Main migrated,
// and its URL; it is dropped at t.Cleanup. The pool is closed first, so
// tests that open their own connections with the URL must close them (any
// left over are terminated by the drop).
func New(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	if state.admin == nil {
		t.Fatal("pgtest.New: call pgtest.Main(m, migrate) from TestMain")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	name := fmt.Sprintf("%s_%d", state.template, state.seq.Add(1))
	state.cloneMu.Lock()
	_, err := state.admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{state.template}.Sanitize())
	state.cloneMu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: clone template: %v", err)
	}
	t.Cleanup(func() { dropDatabase(context.Background(), name) })

	u, err := dbURL(name)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, u)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	// Registered after the drop, so it runs before it (cleanups are LIFO).
	t.Cleanup(pool.Close)
	return pool, u
}

// URL returns the admin URL of the cluster. Tests that need several pools
// on one database should use the URL returned by New instead.
func URL() string {
	return state.adminURL
}

// dbURL is the admin URL pointed at another database on the same server.
func dbURL(dbname string) (string, error) {
	u, err := url.Parse(state.adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("pgtest: %s must be a postgres:// URL, got %q", EnvURL, redact(state.adminURL))
	}
	u.Path = "/" + dbname
	u.RawPath = ""
	return u.String(), nil
}

// redact hides a password so it does not end up in CI logs.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	if strings.Contains(s, "password") {
		return "(unparseable connection string)"
	}
	return s
}
