package jobs_test

import (
	"context"
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
	c, _ := runRiver(t, db, jobs.Deps{SyncPayouts: func(context.Context) error {
		ran <- struct{}{}
		return nil
	}})
	if _, err := c.River.Insert(ctx, jobs.SyncPayoutsArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	case <-time.After(15 * time.Second):
		t.Fatal("the payouts job did not run the sync")
	}
}
