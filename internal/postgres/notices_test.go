package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/settle/settle/internal/collect"
)

// TestConcurrentNoticesAnnounceCostsOnce posts many notices for one debtor
// at the same moment, each for invoices that would bring the full scale on
// their own: the debtor lock makes each see the others, so together they
// announce the scale over the combined principal once. A table lock held by
// the test stops every insert into notices until all of them are waiting,
// so without the debtor lock they would all read the same empty file.
func TestConcurrentNoticesAnnounceCostsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	d := f.debtor(t, "K-1", collect.Consumer)
	var ids []string
	for _, n := range []string{"F-1", "F-2", "F-3", "F-4"} {
		ids = append(ids, f.invoice(t, d, n, "2026-10-15", 30000))
	}
	sets := [][]string{{ids[0]}, {ids[1]}, {ids[2]}, {ids[3]}, {ids[0], ids[1]}, {ids[2], ids[3]}, ids}
	gate, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = gate.Rollback(ctx) }()
	// EXCLUSIVE lets the notices be read but not inserted.
	if _, err := gate.Exec(ctx, `LOCK TABLE notices IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, 2*len(sets)) // fewer than the pool's 16 connections, so all can wait on a lock at once
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, _, errs[i] = f.db.RecordNotice(ctx, f.creditor, d, sets[i%len(sets)], collect.Notice{Channel: "email", SentOn: day("2026-11-23")})
		}()
	}
	close(start)
	for waiting := 0; waiting < len(errs); {
		if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if err := gate.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	fs, err := f.db.Facts(ctx, f.creditor.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	var announced int64
	for _, n := range fs.Notices {
		announced += n.Costs
	}
	// 1,200 euro together: 15% is 180 euro.
	if announced != 18000 {
		t.Errorf("%d notices announce %d in costs, want 18000", len(fs.Notices), announced)
	}
	st := f.statement(t, d, "2026-12-10")
	if st.Costs != 18000 {
		t.Errorf("costs after the deadline %d, want 18000", st.Costs)
	}
}
