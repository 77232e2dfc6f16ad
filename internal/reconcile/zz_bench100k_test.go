package reconcile_test

import (
	"context"
	"testing"

	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
	"github.com/settle/settle/internal/reconcile"
)

func TestBench100k(t *testing.T) {
	_, url := pgtest.New(t)
	db, _ := postgres.Open(context.Background(), url)
	defer db.Close()
	res, err := reconcile.BenchImport(context.Background(), db, 100_000)
	t.Logf("\n%s\n%v", res, err)
}
