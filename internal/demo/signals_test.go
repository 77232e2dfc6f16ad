package demo_test

import (
	"context"
	"testing"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// TestDemoEarlySignal: the first early-signals run after the seed puts
// Fenna Bos, who paid her last three bills later each time, on the Early
// signals list, and schedules one check-in for her (Zonnestroom has
// check-ins on).
func TestDemoEarlySignal(t *testing.T) {
	ctx := context.Background()
	db, out, _ := seeded(t)
	if _, err := casework.RunSignals(ctx, db); err != nil {
		t.Fatal(err)
	}
	signals, err := casework.OpenSignals(ctx, db, []string{out.Creditors[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	var fenna string
	for _, s := range signals {
		if s.DebtorName == "Fenna Bos" && s.Rule == collect.SignalDelayGrowing {
			fenna = s.DebtorID
		}
	}
	if fenna == "" {
		t.Fatalf("the demo's signals %+v have no growing delay for Fenna Bos", signals)
	}
	var checkins int
	if err := db.PoolForTests().QueryRow(ctx, `SELECT count(*) FROM messages WHERE debtor_id = $1 AND kind = $2`, fenna, collect.KindSignalCheckin).Scan(&checkins); err != nil || checkins != 1 {
		t.Errorf("%d check-ins for Fenna Bos (%v), want 1", checkins, err)
	}
}
