package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// DirectDebitsEvery is how often serve collects due instalments on
// mandates: due dates move by the day, and a mandate given by a first
// payment that just got paid is picked up within the hour.
const DirectDebitsEvery = time.Hour

// DirectDebitsArgs collects the plan instalments due on direct debit
// mandates (casework.Payments.CollectDirectDebits).
type DirectDebitsArgs struct{}

// Kind names the job.
func (DirectDebitsArgs) Kind() string { return "direct_debits" }

type directDebitsWorker struct {
	river.WorkerDefaults[DirectDebitsArgs]
	d Deps
}

// Work collects what is due. Each instalment is collected once per due
// date whatever the number of runs (the store's key and Mollie's
// Idempotency-Key), so overlapping runs or a retry after a crash charge
// nobody twice.
func (w *directDebitsWorker) Work(ctx context.Context, job *river.Job[DirectDebitsArgs]) error {
	run, err := w.d.payments().CollectDirectDebits(ctx)
	if run.Collected > 0 || run.Mandates > 0 || run.Failed > 0 {
		w.d.Log.Info("direct debits", "collected", run.Collected, "mandates_changed", run.Mandates, "not_taken", run.Failed)
	}
	return err
}

// directDebitsJob is the periodic collection run.
func directDebitsJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(DirectDebitsEvery), func() (river.JobArgs, *river.InsertOpts) {
		return DirectDebitsArgs{}, outreachOpts
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// KickDirectDebits asks for a collection run now (the demo, after its
// clock moves; tests).
func (c *Client) KickDirectDebits(ctx context.Context) error {
	_, err := c.River.Insert(ctx, DirectDebitsArgs{}, outreachOpts)
	return err
}
