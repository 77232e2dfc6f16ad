package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/settle/settle/internal/casework"
)

// RewardsArgs gives the rewards earned and applies credits to what is open.
type RewardsArgs struct{}

// Kind names the job.
func (RewardsArgs) Kind() string { return "rewards_credits" }

type rewardsWorker struct {
	river.WorkerDefaults[RewardsArgs]
	d Deps
}

// Work runs casework.RunRewards; a reward is given once per plan or
// invoice and a credit booked once per ledger state, so an overlapping or
// repeated run gives nothing twice.
func (w *rewardsWorker) Work(ctx context.Context, job *river.Job[RewardsArgs]) error {
	r, err := casework.RunRewards(ctx, w.d.DB)
	if r.Rewards > 0 || r.Credits > 0 {
		w.d.Log.Info("rewards and credits", "rewards", r.Rewards, "credits", r.Credits, "applied_cents", r.Applied)
	}
	return err
}

// rewardsJob runs as often as outreach (every d, DefaultOutreachEvery when
// 0): a debtor who just paid early, or whose credit can pay a new invoice,
// sees it within the minute.
func rewardsJob(d time.Duration) *river.PeriodicJob {
	if d <= 0 {
		d = DefaultOutreachEvery
	}
	return river.NewPeriodicJob(river.PeriodicInterval(d), func() (river.JobArgs, *river.InsertOpts) {
		return RewardsArgs{}, outreachOpts
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
