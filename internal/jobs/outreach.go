package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/settle/settle/internal/casework"
)

// DefaultOutreachEvery is how often serve plans ladder steps and sends
// what is due.
const DefaultOutreachEvery = time.Minute

// OutreachArgs plans the ladder steps that have come and sends the
// messages whose moment has come.
type OutreachArgs struct{}

// Kind names the job.
func (OutreachArgs) Kind() string { return "outreach" }

// outreachOpts keep one run at a time: a kick while one waits or runs adds
// nothing (River requires the running state in a unique set). What a kick
// during a run would have found, the next periodic run finds; planning and
// delivery are idempotent, so a run that overlaps one on another instance
// is safe too.
var outreachOpts = &river.InsertOpts{UniqueOpts: river.UniqueOpts{
	ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateScheduled, rivertype.JobStateRetryable},
}}

type outreachWorker struct {
	river.WorkerDefaults[OutreachArgs]
	d Deps
}

// Timeout leaves room for a large outbox: each message is its own short
// transaction, so a long run holds nothing open.
func (w *outreachWorker) Timeout(*river.Job[OutreachArgs]) time.Duration { return 10 * time.Minute }

func (w *outreachWorker) Work(ctx context.Context, job *river.Job[OutreachArgs]) error {
	return casework.RunOutreach(ctx, w.d.DB, w.d.Senders)
}

// outreachJob is the periodic outreach run, every d (DefaultOutreachEvery when 0).
func outreachJob(d time.Duration) *river.PeriodicJob {
	if d <= 0 {
		d = DefaultOutreachEvery
	}
	return river.NewPeriodicJob(river.PeriodicInterval(d), func() (river.JobArgs, *river.InsertOpts) {
		return OutreachArgs{}, outreachOpts
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// KickOutreach asks for an outreach run now, as the demo clock does after
// it moved: what became due goes within seconds, not at the next minute.
func (c *Client) KickOutreach(ctx context.Context) error {
	_, err := c.River.Insert(ctx, OutreachArgs{}, outreachOpts)
	return err
}
