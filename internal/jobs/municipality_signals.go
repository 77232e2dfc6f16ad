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

// municipalSignalsJob runs the list once a day, early in the Dutch morning.
// Not on start: a run beside the demo seed's truncation deadlocks, and the
// demo builds its list itself; a fixed hour also survives restarts, which
// an interval counted from the start would not.
func municipalSignalsJob() *river.PeriodicJob {
	return river.NewPeriodicJob(dailyAt{hour: 6}, func() (river.JobArgs, *river.InsertOpts) {
		return MunicipalSignalsArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
	}, nil)
}

// dailyAt is a River schedule: every day at hour o'clock in the Netherlands.
type dailyAt struct{ hour int }

// Next is the first such moment after current.
func (d dailyAt) Next(current time.Time) time.Time {
	local := current.In(amsterdam)
	next := time.Date(local.Year(), local.Month(), local.Day(), d.hour, 0, 0, 0, amsterdam)
	if !next.After(current) {
		next = time.Date(local.Year(), local.Month(), local.Day()+1, d.hour, 0, 0, 0, amsterdam)
	}
	return next
}

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()
