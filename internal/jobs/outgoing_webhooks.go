package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// DefaultWebhooksEvery is how often the dispatcher looks for events to
// deliver: an event reaches its receiver within seconds.
const DefaultWebhooksEvery = 2 * time.Second

// DispatchWebhooksArgs starts a delivery job for each (endpoint, debtor)
// stream with undelivered events.
type DispatchWebhooksArgs struct{}

// Kind names the job.
func (DispatchWebhooksArgs) Kind() string { return "dispatch_webhooks" }

// dispatchOpts keep one dispatcher at a time (the periodic one).
var dispatchOpts = &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: unfinished}}

// unfinished are the states of a job that waits, runs or will retry.
var unfinished = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateScheduled, rivertype.JobStateRetryable}

type dispatchWebhooksWorker struct {
	river.WorkerDefaults[DispatchWebhooksArgs]
	d Deps
}

// Work inserts one delivery job per stream; a stream whose job already
// waits, runs or retries is skipped as a duplicate, so a stream never has
// two jobs and its events go out in order.
func (w *dispatchWebhooksWorker) Work(ctx context.Context, job *river.Job[DispatchWebhooksArgs]) error {
	streams, err := casework.WebhookStreams(ctx, w.d.DB)
	if err != nil || len(streams) == 0 {
		return err
	}
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, 0, len(streams))
	for _, s := range streams {
		params = append(params, river.InsertManyParams{Args: DeliverWebhooksArgs{EndpointID: s.EndpointID, DebtorID: s.DebtorID}, InsertOpts: deliverOpts})
	}
	_, err = client.InsertMany(ctx, params)
	return err
}

// DeliverWebhooksArgs delivers one stream: one endpoint's events about one
// debtor, in order.
type DeliverWebhooksArgs struct {
	EndpointID string `json:"endpoint_id" river:"unique"`
	DebtorID   string `json:"debtor_id" river:"unique"`
}

// Kind names the job.
func (DeliverWebhooksArgs) Kind() string { return "deliver_webhooks" }

// deliverOpts: unique per stream while it waits, runs or retries, and
// collect.WebhookMaxAttempts tries, which with NextRetry span more than
// 24 hours (collect.WebhookRetrySpan).
var deliverOpts = &river.InsertOpts{MaxAttempts: collect.WebhookMaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unfinished}}

type deliverWebhooksWorker struct {
	river.WorkerDefaults[DeliverWebhooksArgs]
	d Deps
}

// NextRetry waits collect.WebhookRetryDelay after each failed try: 10
// seconds, doubling, at most an hour.
func (w *deliverWebhooksWorker) NextRetry(job *river.Job[DeliverWebhooksArgs]) time.Time {
	return time.Now().Add(collect.WebhookRetryDelay(job.Attempt))
}

// Timeout leaves room for a run of many events, each with its own timeout.
func (w *deliverWebhooksWorker) Timeout(*river.Job[DeliverWebhooksArgs]) time.Duration {
	return 5 * time.Minute
}

func (w *deliverWebhooksWorker) Work(ctx context.Context, job *river.Job[DeliverWebhooksArgs]) error {
	s := postgres.WebhookStream{EndpointID: job.Args.EndpointID, DebtorID: job.Args.DebtorID}
	return casework.DeliverWebhookStream(ctx, w.d.DB, s, job.Attempt >= job.MaxAttempts)
}

// webhooksJob is the periodic dispatcher, every d (DefaultWebhooksEvery when 0).
func webhooksJob(d time.Duration) *river.PeriodicJob {
	if d <= 0 {
		d = DefaultWebhooksEvery
	}
	return river.NewPeriodicJob(river.PeriodicInterval(d), func() (river.JobArgs, *river.InsertOpts) {
		return DispatchWebhooksArgs{}, dispatchOpts
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
