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

// outreachOpts keep one run waiting at most: a kick while one waits adds
// nothing; a kick while one runs queues the next.
var outreachOpts = &river.InsertOpts{UniqueOpts: river.UniqueOpts{
	ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateScheduled, rivertype.JobStateRetryable},
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
