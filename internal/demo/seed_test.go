package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/demo"
	"github.com/settle/settle/internal/postgres"
)

// seeded is a fresh database with the demo's data, and the folder the
// seed wrote demo.json (and the demo bank statement) to.
func seeded(t *testing.T) (*postgres.DB, demo.Output, string) {
	t.Helper()
	db, _ := apptest.NewDB(t, nil)
	dir := t.TempDir()
	out, _, err := demo.Seed(context.Background(), db, access.NewSigner([]byte("demo-test-signing-key-32-bytes!!!!"), db.Now),
		"http://settle.test", filepath.Join(dir, "demo.json"), true)
	if err != nil {
		t.Fatal(err)
	}
	return db, out, dir
}
