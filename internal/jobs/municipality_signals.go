package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/settle/settle/internal/casework"
)

// MunicipalSignalsArgs builds the day's vroegsignalering list
// (casework.RunMunicipalSignals); it is idempotent, so a run on start and
// one a day later add each arrears episode once.
type MunicipalSignalsArgs struct{}

// Kind names the job.
func (MunicipalSignalsArgs) Kind() string { return "municipal_signals" }

type municipalSignalsWorker struct {
	river.WorkerDefaults[MunicipalSignalsArgs]
	d Deps
}

// Timeout leaves room for every consumer of the signalling creditors: each
// signal is its own short transaction.
func (w *municipalSignalsWorker) Timeout(*river.Job[MunicipalSignalsArgs]) time.Duration {
	return 10 * time.Minute
}

func (w *municipalSignalsWorker) Work(ctx context.Context, job *river.Job[MunicipalSignalsArgs]) error {
	n, err := casework.RunMunicipalSignals(ctx, w.d.DB)
	if err == nil && n > 0 {
		w.d.Log.Info("municipality signals raised", "count", n)
	}
	return err
}

// municipalSignalsJob runs the list once a day, and on start.
func municipalSignalsJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour), func() (river.JobArgs, *river.InsertOpts) {
		return MunicipalSignalsArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
