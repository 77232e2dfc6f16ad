package pgtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) {
	Main(m, func(ctx context.Context, url string) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "CREATE TABLE t(x int)")
		return err
	})
}

func TestIsolated(t *testing.T) {
	ctx := context.Background()
	a, _ := New(t)
	b, urlB := New(t)

	if _, err := a.Exec(ctx, "INSERT INTO t VALUES (1), (2)"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, a); n != 2 {
		t.Fatalf("a has %d rows, want 2", n)
	}
	if n := count(t, b); n != 0 {
		t.Fatalf("b has %d rows, want 0 (databases not isolated)", n)
	}

	// A second pool on the same database sees the same data.
	b2, err := pgxpool.New(ctx, urlB)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if _, err := b2.Exec(ctx, "INSERT INTO t VALUES (3)"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, b); n != 1 {
		t.Fatalf("b has %d rows after insert through second pool, want 1", n)
	}
	if URL() == "" {
		t.Fatal("URL() is empty")
	}
}

// TestParallel exercises concurrent cloning.
func TestParallel(t *testing.T) {
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			pool, _ := New(t)
			if _, err := pool.Exec(context.Background(), "INSERT INTO t VALUES ($1)", i); err != nil {
				t.Fatal(err)
			}
			if n := count(t, pool); n != 1 {
				t.Fatalf("%d rows, want 1", n)
			}
		})
	}
}

func count(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
