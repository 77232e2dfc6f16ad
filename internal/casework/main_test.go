package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// TestMain gives the package's tests one migrated template database; each
// test clones its own with pgtest.New.
func TestMain(m *testing.M) { apptest.Main(m) }

// openDB opens a fresh database, closed when the test ends, on a clock that
// starts at start and that the test moves.
func openDB(t testing.TB, start time.Time) (*postgres.DB, *pgtest.Clock) {
	t.Helper()
	clk := pgtest.NewClock(start)
	db, _ := apptest.NewDB(t, clk.Now)
	return db, clk
}

// caseDB is one test's database and its clock, with a creditor and the
// creditor's API key.
type caseDB struct {
	ctx context.Context
	db  *postgres.DB
	clk *pgtest.Clock
	cr  collect.Creditor
	key string
}

// newCaseDB opens a fresh database on a clock that starts at start and
// stores the creditor cr in it.
func newCaseDB(t testing.TB, start time.Time, cr collect.Creditor) caseDB {
	t.Helper()
	db, clk := openDB(t, start)
	c, key := newCreditor(t, db, cr)
	return caseDB{ctx: context.Background(), db: db, clk: clk, cr: c, key: key}
}

// addAgent creates the creditor's agent agent@example.nl, with no password.
func (c caseDB) addAgent(t testing.TB) postgres.Agent {
	t.Helper()
	a, err := c.db.CreateAgent(c.ctx, "agent@example.nl", "agent", "", []string{c.cr.ID})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// newCreditor creates c and returns it with its API key, or fails the test.
func newCreditor(t testing.TB, db *postgres.DB, c collect.Creditor) (collect.Creditor, string) {
	t.Helper()
	cr, key, err := db.CreateCreditor(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return cr, key
}

// newDebtor stores d, or fails the test.
func newDebtor(t testing.TB, db *postgres.DB, d collect.Debtor) collect.Debtor {
	t.Helper()
	got, _, err := db.UpsertDebtor(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// newInvoice stores inv, or fails the test.
func newInvoice(t testing.TB, db *postgres.DB, inv collect.Invoice) collect.Invoice {
	t.Helper()
	got, err := db.CreateInvoice(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
