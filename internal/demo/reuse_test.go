package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/demo"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// TestSecondRunShowsToday: a second run reuses the data but prints what
// each debtor owes on today's date and a new link, not the first run's
// table: after a month an overdue debtor owes more (interest), and the
// new link is signed for today.
func TestSecondRunShowsToday(t *testing.T) {
	t.Parallel()
	clk := pgtest.NewClock(apptest.Start)
	db, _ := apptest.NewDB(t, clk.Now)
	ctx, path := context.Background(), filepath.Join(t.TempDir(), "demo.json")
	signer := access.NewSigner([]byte("demo-test-signing-key-32-bytes!!!!"), db.Now)
	first, reused, err := demo.Seed(ctx, db, signer, "http://settle.test", path, true)
	if err != nil || reused {
		t.Fatalf("first run: reused %v, %v", reused, err)
	}
	clk.Add(30 * 24 * time.Hour)
	second, reused, err := demo.Seed(ctx, db, signer, "http://settle.test", path, false)
	if err != nil || !reused {
		t.Fatalf("second run: reused %v, %v", reused, err)
	}
	if len(second.Debtors) != len(first.Debtors) {
		t.Fatalf("second run has %d debtors, first %d", len(second.Debtors), len(first.Debtors))
	}
	grew := false
	for i, d := range second.Debtors {
		if d.ID != first.Debtors[i].ID {
			t.Fatalf("debtor %d is %s, was %s: the data was not reused", i, d.ID, first.Debtors[i].ID)
		}
		if d.Link == first.Debtors[i].Link {
			t.Errorf("%s: the second run printed the first run's link", d.Name)
		}
		if d.Name == "Mohamed El Amrani" && d.Owes != first.Debtors[i].Owes {
			grew = true
		}
	}
	if !grew {
		t.Error("Mohamed El Amrani (overdue) owes the same a month later: the amounts were not refreshed")
	}
	again, ok, err := demo.Seed(ctx, db, signer, "http://settle.test", path, false)
	if err != nil || !ok || again.Debtors[0].Owes != second.Debtors[0].Owes {
		t.Fatalf("demo.json was not rewritten with today's table: %v %v %+v", ok, err, again.Debtors[0])
	}
}
