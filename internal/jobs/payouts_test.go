package jobs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/jobs"
)

// TestSyncPayoutsJob: the payouts job runs the configured sync; without
// one it does nothing and succeeds.
func TestSyncPayoutsJob(t *testing.T) {
	ctx := context.Background()
	db, _ := apptest.NewDB(t, nil)
	ran := make(chan struct{}, 1)
	c, err := jobs.New(jobs.Deps{DB: db, Log: slog.New(slog.DiscardHandler), SyncPayouts: func(context.Context) error {
		ran <- struct{}{}
		return nil
	}}, db.RiverDriver(), true)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.River.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.River.Stop(stop)
	})
	if _, err := c.River.Insert(ctx, jobs.SyncPayoutsArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	case <-time.After(15 * time.Second):
		t.Fatal("the payouts job did not run the sync")
	}
}
