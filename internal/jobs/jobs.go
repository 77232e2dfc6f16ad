// Package jobs runs Settle's background work on River: booking provider
// events, sweeping payments whose webhook never came, and housekeeping.
// Jobs live in PostgreSQL, so any server process may run any job.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// Deps are what the workers need.
type Deps struct {
	DB        *postgres.DB
	Providers *pay.Registry
	// ParseStripe reads a stored Stripe event payload: our payment id and
	// the session or PaymentIntent it names (State.ProviderID); a nil state
	// means the event moves no money. The rest of the state is not used.
	ParseStripe func(payload []byte) (paymentID string, st *pay.State, err error)
	Log         *slog.Logger
	// SyncPayouts fetches the providers' payouts and reconciles them
	// (casework.Payouts.Sync); nil when no provider credentials for
	// payouts are configured, and the hourly job then does nothing.
	SyncPayouts func(ctx context.Context) error
	// Senders are the outreach channels (email, SMS) and the public address
	// their short links start with.
	Senders casework.Senders
	// OutreachEvery is how often outreach runs; 0 is DefaultOutreachEvery
	// (the demo runs it more often).
	OutreachEvery time.Duration
	// WebhooksEvery is how often the dispatcher starts deliveries of new
	// events; 0 is DefaultWebhooksEvery.
	WebhooksEvery time.Duration
	// PollOnly makes River poll for new jobs instead of LISTENing, which
	// a transaction pooler cannot carry (config.TransactionPooler).
	PollOnly bool
	// BaseURL is where providers post webhooks about the payments jobs
	// start (direct debits).
	BaseURL string
}

// payments is the payment use cases over the workers' dependencies.
func (d Deps) payments() *casework.Payments {
	return &casework.Payments{DB: d.DB, Providers: d.Providers, BaseURL: d.BaseURL, ParseStripe: d.ParseStripe, Log: d.Log}
}

// Client is River with Settle's workers.
type Client struct {
	River *river.Client[pgx.Tx]
}

// New builds the River client on driver, which must run on the store's pool
// (postgres.DB.RiverDriver) so that a job inserted in a store transaction
// commits with it. With work false it only inserts jobs (for one-shot
// commands); with work true it also runs the workers and the periodic sweep.
func New(d Deps, driver riverdriver.Driver[pgx.Tx], work bool) (*Client, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &syncPaymentWorker{d: d})
	river.AddWorker(workers, &stripeEventWorker{d: d})
	river.AddWorker(workers, &stripeEventsWorker{d: d})
	river.AddWorker(workers, &sweepWorker{d: d})
	river.AddWorker(workers, &cleanupWorker{d: d})
	river.AddWorker(workers, &reviewPlansWorker{d: d})
	river.AddWorker(workers, &payoutsWorker{d: d})
	river.AddWorker(workers, &outreachWorker{d: d})
	river.AddWorker(workers, &dispatchWebhooksWorker{d: d})
	river.AddWorker(workers, &deliverWebhooksWorker{d: d})
	river.AddWorker(workers, &rewardsWorker{d: d})
	river.AddWorker(workers, &municipalSignalsWorker{d: d})
	river.AddWorker(workers, &signalsWorker{d: d})
	river.AddWorker(workers, &directDebitsWorker{d: d})
	cfg := &river.Config{Workers: workers, Logger: d.Log.WithGroup("river"), JobTimeout: time.Minute,
		// A job whose process was killed stays "running" until rescued;
		// River's default (JobTimeout + 1 hour) would leave a crashed
		// instance's payments unsynced for an hour. A job of the default
		// timeout is certainly orphaned after two minutes; River's rescuer
		// also waits out a worker's own longer Timeout (outreach, payouts)
		// before it takes a job as stuck.
		RescueStuckJobsAfter: 2 * time.Minute,
		Middleware:           []rivertype.Middleware{&observe{d: d}},
		// Polled every FetchPollInterval (below) instead of woken by NOTIFY.
		PollOnly: d.PollOnly}
	if work {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 16},
			QueuePayments: {MaxWorkers: PaymentWorkers, FetchCooldown: 5 * time.Millisecond}}
		cfg.FetchCooldown = 20 * time.Millisecond
		cfg.FetchPollInterval = 200 * time.Millisecond
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
				return SweepArgs{}, nil
			}, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute), func() (river.JobArgs, *river.InsertOpts) {
				return CleanupArgs{}, nil
			}, nil),
			river.NewPeriodicJob(river.PeriodicInterval(6*time.Hour), func() (river.JobArgs, *river.InsertOpts) {
				return ReviewPlansArgs{}, nil
			}, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
				return SyncPayoutsArgs{}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
			}, nil),
			outreachJob(d.OutreachEvery),
			webhooksJob(d.WebhooksEvery),
			rewardsJob(d.OutreachEvery),
			municipalSignalsJob(),
			signalsJob(),
			directDebitsJob(),
		}
	}
	c, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Client{River: c}, nil
}

// QueuePayments is the queue of the jobs that book providers' reports
// (stripe_events, stripe_event, sync_payment). It has workers of its own, so a backlog of
// bookings (thousands of webhooks in a minute) neither waits behind the
// other jobs nor holds them up. Bookings of different debtors run side by
// side; one debtor's wait for each other under its lock.
const QueuePayments = "payments"

// PaymentWorkers is how many bookings one process runs at once. River
// fetches at most this many jobs per fetch and fetches at most once per
// FetchCooldown (5 ms for this queue), so the queue cannot start more than
// PaymentWorkers / 5 ms bookings a second: 12 allow 2,400. More would not
// book faster: a creditor's bookings take its events lock one at a time
// at their end (internal/postgres/events.go), and a booking waiting for it
// holds a connection, so 24 workers left the webhooks and pages of the
// same process waiting for the pool's 16 connections (89 % of acquires
// waited in settle-bench webhooks).
const PaymentWorkers = 12

// EnqueueSyncTx asks for a payment to be brought to its provider's state, in
// the caller's transaction. A storm of webhook posts for one payment makes one
// job: while one waits, further inserts are skipped as duplicates. A post that
// comes while the job already runs may report a change its fetch missed, so
// it inserts one follow-up job (unique in turn), never more.
func (c *Client) EnqueueSyncTx(ctx context.Context, tx pgx.Tx, paymentID string) error {
	res, err := c.River.InsertTx(ctx, tx, SyncPaymentArgs{PaymentID: paymentID}, syncOpts)
	if err != nil || !res.UniqueSkippedAsDuplicate || res.Job.State != rivertype.JobStateRunning {
		return err
	}
	// The follow-up starts a moment later, so that it fetches after the
	// change this post reports, and it waits (absorbing further posts) while
	// the running job finishes rather than running beside it.
	opts := *syncOpts
	opts.ScheduledAt = time.Now().Add(followUpDelay)
	_, err = c.River.InsertTx(ctx, tx, SyncPaymentArgs{PaymentID: paymentID, FollowUp: true}, &opts)
	return err
}

// followUpDelay is how long a follow-up sync waits before it fetches.
const followUpDelay = 2 * time.Second

// syncOpts make sync jobs unique per payment (and follow-up flag) while they
// wait or run; a completed job does not block the next webhook's sync.
var syncOpts = &river.InsertOpts{UniqueOpts: river.UniqueOpts{
	ByArgs: true,
	ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled},
}}

// EnqueueStripeEventsTx asks for stored Stripe events to be applied, in the
// caller's transaction, with one statement (the webhook's group commit):
// one stripe_events job per StripeEventsPerJob events, which books them
// together (casework.Payments.ApplyStripeEvents).
func (c *Client) EnqueueStripeEventsTx(ctx context.Context, tx pgx.Tx, eventRowIDs []int64) error {
	if len(eventRowIDs) == 0 {
		return nil
	}
	var params []river.InsertManyParams
	for ids := range slices.Chunk(eventRowIDs, StripeEventsPerJob) {
		params = append(params, river.InsertManyParams{Args: StripeEventsArgs{EventRowIDs: slices.Clone(ids)}})
	}
	_, err := c.River.InsertManyTx(ctx, tx, params)
	return err
}

// StripeEventsPerJob is the most events one stripe_events job books. A
// batch costs a handful of statements however large it is, so larger
// batches cost less per event; but its provider fetches (8 at a time)
// must end well within the job's minute even when Stripe answers slowly:
// 64 events are 8 rounds of fetches.
const StripeEventsPerJob = 64

// SyncPaymentArgs re-fetches one payment from its provider and books the result.
type SyncPaymentArgs struct {
	PaymentID string `json:"payment_id" river:"unique"`
	// FollowUp marks the sync inserted while another ran (see EnqueueSyncTx).
	FollowUp bool `json:"follow_up,omitempty" river:"unique"`
}

// Kind names the job.
func (SyncPaymentArgs) Kind() string { return "sync_payment" }

// InsertOpts puts the job in QueuePayments.
func (SyncPaymentArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueuePayments} }

type syncPaymentWorker struct {
	river.WorkerDefaults[SyncPaymentArgs]
	d Deps
}

func (w *syncPaymentWorker) Work(ctx context.Context, job *river.Job[SyncPaymentArgs]) error {
	return w.d.payments().Sync(ctx, job.Args.PaymentID, "sync")
}

// StripeEventArgs applies one stored, verified Stripe event. The webhook
// enqueues stripe_events jobs now; this kind still runs the jobs enqueued
// before.
type StripeEventArgs struct {
	EventRowID int64 `json:"event_row_id"`
}

// Kind names the job.
func (StripeEventArgs) Kind() string { return "stripe_event" }

// InsertOpts puts the job in QueuePayments.
func (StripeEventArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueuePayments} }

type stripeEventWorker struct {
	river.WorkerDefaults[StripeEventArgs]
	d Deps
}

// Work applies the event (casework.Payments.ApplyStripeEvent); an event
// that cannot be read is given up, since a retry would read the same bytes.
func (w *stripeEventWorker) Work(ctx context.Context, job *river.Job[StripeEventArgs]) error {
	err := w.d.payments().ApplyStripeEvent(ctx, job.Args.EventRowID)
	if errors.Is(err, casework.ErrUnreadableEvent) {
		return river.JobCancel(err)
	}
	return err
}

// StripeEventsArgs applies stored, verified Stripe events together.
type StripeEventsArgs struct {
	EventRowIDs []int64 `json:"event_row_ids"`
}

// Kind names the job.
func (StripeEventsArgs) Kind() string { return "stripe_events" }

// InsertOpts puts the job in QueuePayments.
func (StripeEventsArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueuePayments} }

type stripeEventsWorker struct {
	river.WorkerDefaults[StripeEventsArgs]
	d Deps
}

// Work applies the events (casework.Payments.ApplyStripeEvents). When only
// some of them failed, each of those becomes a stripe_event job of its own,
// with its own attempts and minute, and this job is done: a retry of the
// whole batch would fetch every payment again (and record a refused event
// again). When all failed (the database is away), River retries the batch;
// what was applied before books nothing again.
func (w *stripeEventsWorker) Work(ctx context.Context, job *river.Job[StripeEventsArgs]) error {
	err := w.d.payments().ApplyStripeEvents(ctx, job.Args.EventRowIDs)
	var fe *casework.FailedEvents
	if !errors.As(err, &fe) || len(fe.RowIDs) >= len(job.Args.EventRowIDs) {
		return err
	}
	params := make([]river.InsertManyParams, len(fe.RowIDs))
	for i, id := range fe.RowIDs {
		params[i] = river.InsertManyParams{Args: StripeEventArgs{EventRowID: id}}
	}
	if _, ierr := river.ClientFromContext[pgx.Tx](ctx).InsertMany(ctx, params); ierr != nil {
		return errors.Join(err, ierr)
	}
	w.d.Log.Warn("stripe events: some failed, each retried alone", "events_failed", len(fe.RowIDs), "events", len(job.Args.EventRowIDs), "err", err)
	return nil
}

// SweepArgs looks for payments whose webhook never came.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "sweep_payments" }

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	d Deps
}

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	_, err := Sweep(ctx, w.d)
	return err
}

// Sweep closes checkouts that never started and re-fetches payments whose
// webhook never came (casework.Payments.Sweep); it returns how many it asked about.
func Sweep(ctx context.Context, d Deps) (int, error) {
	return d.payments().Sweep(ctx)
}

// CleanupArgs checks the interest tables and removes expired sessions, keys,
// idempotency keys, sign-in counters and pending sign-ins (casework.Housekeep).
type CleanupArgs struct{}

// Kind names the job.
func (CleanupArgs) Kind() string { return "cleanup" }

type cleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	d Deps
}

func (w *cleanupWorker) Work(ctx context.Context, job *river.Job[CleanupArgs]) error {
	return casework.Housekeep(ctx, w.d.DB, w.d.Log)
}

// SyncPayoutsArgs fetches the providers' payouts and reconciles them.
type SyncPayoutsArgs struct{}

// Kind names the job.
func (SyncPayoutsArgs) Kind() string { return "sync_payouts" }

type payoutsWorker struct {
	river.WorkerDefaults[SyncPayoutsArgs]
	d Deps
}

// Timeout gives a sync of many payouts more than the default minute.
func (w *payoutsWorker) Timeout(*river.Job[SyncPayoutsArgs]) time.Duration { return 15 * time.Minute }

func (w *payoutsWorker) Work(ctx context.Context, job *river.Job[SyncPayoutsArgs]) error {
	if w.d.SyncPayouts == nil {
		return nil
	}
	// A failed payout is reported and retried by the next hourly run; the
	// ones that synced are kept (each payout is its own transaction).
	return w.d.SyncPayouts(ctx)
}

// ReviewPlansArgs completes kept plans and marks broken ones.
type ReviewPlansArgs struct{}

// Kind names the job.
func (ReviewPlansArgs) Kind() string { return "review_plans" }

type reviewPlansWorker struct {
	river.WorkerDefaults[ReviewPlansArgs]
	d Deps
}

func (w *reviewPlansWorker) Work(ctx context.Context, job *river.Job[ReviewPlansArgs]) error {
	r, err := casework.ReviewPlans(ctx, w.d.DB)
	if err == nil && (r.Completed > 0 || r.Broken > 0) {
		w.d.Log.Info("plans reviewed", "completed", r.Completed, "broken", r.Broken, "costs_waived", r.Waived)
	}
	return err
}

// CheckRates warns the operator when a statutory interest table does not
// reach today (casework.CheckRates).
func CheckRates(ctx context.Context, d Deps) { casework.CheckRates(ctx, d.DB, d.Log) }
