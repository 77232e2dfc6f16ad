package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/settle/settle/internal/casework"
)

// SignalsEvery is how often serve looks for early signals: what they read
// (payments, promises, plans, breathing room) moves by the day, so an hour
// is soon enough.
const SignalsEvery = time.Hour

// SignalsArgs raises the early signals Settle's data shows.
type SignalsArgs struct{}

// Kind names the job.
func (SignalsArgs) Kind() string { return "early_signals" }

type signalsWorker struct {
	river.WorkerDefaults[SignalsArgs]
	d Deps
}

// Work raises the new signals; raising is idempotent, so a run that
// overlaps another, or repeats after a crash, raises nothing twice.
func (w *signalsWorker) Work(ctx context.Context, job *river.Job[SignalsArgs]) error {
	n, err := casework.RunSignals(ctx, w.d.DB)
	if n > 0 {
		w.d.Log.Info("early signals raised", "count", n)
	}
	return err
}

// signalsJob is the periodic early-signals run; the demo asks for one
// after its clock moves (KickSignals).
func signalsJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(SignalsEvery), func() (river.JobArgs, *river.InsertOpts) {
		return SignalsArgs{}, outreachOpts
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// KickSignals asks for an early-signals run now.
func (c *Client) KickSignals(ctx context.Context) error {
	_, err := c.River.Insert(ctx, SignalsArgs{}, outreachOpts)
	return err
}
