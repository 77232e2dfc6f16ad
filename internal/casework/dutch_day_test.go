package casework_test

import (
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
)

// TestOneDutchDayAfterMidnight: at 00:30 in Amsterdam the UTC date is still
// yesterday. Every page and every booking must take the Dutch date, or the
// overview asks one day's interest and the plan desk or the ledger another,
// and paying the amount the page shows leaves a few cents open.
func TestOneDutchDayAfterMidnight(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	at := time.Date(2026, 12, 15, 23, 30, 0, 0, time.UTC) // 16 December, 00:30 in Amsterdam
	b.clk.Set(at)
	want := collect.Day(2026, 12, 16)
	if got := b.db.Today(); !got.Equal(want) {
		t.Fatalf("Today at %s = %s, want %s", at, got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	ov, err := casework.Overview(b.ctx, b.db, at, b.cr.ID, b.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	desk, err := casework.OpenPlanDesk(b.ctx, b.db, at, b.cr.ID, b.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !ov.Today.Equal(want) || !desk.Today.Equal(want) {
		t.Fatalf("overview day %s, plan desk day %s, want both %s", ov.Today.Format(time.DateOnly), desk.Today.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	total := ov.Statement.PayAll()
	if total <= 10000 || desk.Statement.PayAll() != total {
		t.Fatalf("the overview asks %d, the plan desk %d; want the same, above the principal of 10000 (13 days late)", total, desk.Statement.PayAll())
	}

	// Paying exactly what the overview asks settles everything, booked on the Dutch date.
	p := b.checkout(t, total)
	if err := b.fake.SetStatus(p.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	if err := b.ps.Sync(b.ctx, p.ID, "sync"); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.db.PaymentByID(b.ctx, p.ID); got.Status != pay.StatusPaid {
		t.Fatalf("status %s, want paid", got.Status)
	}
	if left := b.open(t); left != 0 {
		t.Errorf("%d cents left open after paying the overview's %d", left, total)
	}
	entries, err := b.db.Entries(b.ctx, b.cr.ID, b.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	booked := 0
	for _, e := range entries {
		if e.Kind == collect.KindPayment {
			booked++
			if !e.BookedOn.Equal(want) {
				t.Errorf("payment entry booked on %s, want %s", e.BookedOn.Format(time.DateOnly), want.Format(time.DateOnly))
			}
		}
	}
	if booked == 0 {
		t.Fatal("no payment entry in the ledger")
	}
}
