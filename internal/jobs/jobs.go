// Package jobs runs Settle's background work on River: booking provider
// events, sweeping payments whose webhook never came, and housekeeping.
// Jobs live in PostgreSQL, so any server process may run any job.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// Deps are what the workers need.
type Deps struct {
	DB        *postgres.DB
	Providers *pay.Registry
	// ParseStripe turns a stored Stripe event payload into a state update.
	ParseStripe func(payload []byte) (paymentID string, st *pay.State, err error)
	Log         *slog.Logger
	// SyncPayouts fetches the providers' payouts and reconciles them
	// (reconcile.SyncPayouts); nil when no provider credentials for
	// payouts are configured, and the hourly job then does nothing.
	SyncPayouts func(ctx context.Context) error
}

// Client is River with Settle's workers.
type Client struct {
	River *river.Client[pgx.Tx]
}

// SweepAfter is how long a payment may stay open or pending before the
// sweeper asks its provider directly.
const SweepAfter = 3 * time.Minute

// New builds the River client. With work false it only inserts jobs (for
// one-shot commands); with work true it also runs the workers and the periodic sweep.
func New(d Deps, work bool) (*Client, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &syncPaymentWorker{d: d})
	river.AddWorker(workers, &stripeEventWorker{d: d})
	river.AddWorker(workers, &sweepWorker{d: d})
	river.AddWorker(workers, &cleanupWorker{d: d})
	river.AddWorker(workers, &reviewPlansWorker{d: d})
	river.AddWorker(workers, &payoutsWorker{d: d})
	cfg := &river.Config{Workers: workers, Logger: d.Log.WithGroup("river"), JobTimeout: time.Minute}
	if work {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 16}}
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
		}
	}
	c, err := river.NewClient(riverpgxv5.New(d.DB.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Client{River: c}, nil
}

// EnqueueSyncTx asks for a payment to be brought to its provider's state, in the caller's transaction.
func (c *Client) EnqueueSyncTx(ctx context.Context, tx pgx.Tx, paymentID string) error {
	_, err := c.River.InsertTx(ctx, tx, SyncPaymentArgs{PaymentID: paymentID}, nil)
	return err
}

// EnqueueStripeEventTx asks for a stored Stripe event to be applied, in the caller's transaction.
func (c *Client) EnqueueStripeEventTx(ctx context.Context, tx pgx.Tx, eventRowID int64) error {
	_, err := c.River.InsertTx(ctx, tx, StripeEventArgs{EventRowID: eventRowID}, nil)
	return err
}

// SyncPaymentArgs re-fetches one payment from its provider and books the result.
type SyncPaymentArgs struct {
	PaymentID string `json:"payment_id"`
}

// Kind names the job.
func (SyncPaymentArgs) Kind() string { return "sync_payment" }

type syncPaymentWorker struct {
	river.WorkerDefaults[SyncPaymentArgs]
	d Deps
}

func (w *syncPaymentWorker) Work(ctx context.Context, job *river.Job[SyncPaymentArgs]) error {
	return SyncPayment(ctx, w.d, job.Args.PaymentID, "sync")
}

// SyncPayment fetches a payment's state from its provider and applies it.
func SyncPayment(ctx context.Context, d Deps, paymentID, source string) error {
	p, err := d.DB.PaymentByID(ctx, paymentID)
	if err != nil {
		return err
	}
	if p.ProviderID == "" {
		return nil // the checkout never started; nothing to ask
	}
	cr, err := d.DB.Creditor(ctx, p.CreditorID)
	if err != nil {
		return err
	}
	prov, err := d.Providers.ByName(Setup(cr), p.Provider)
	if err != nil {
		return err
	}
	st, err := prov.Fetch(ctx, p.ProviderID)
	if err != nil {
		return err // River retries with backoff
	}
	changed, err := d.DB.ApplyProviderState(ctx, p.ID, st, source)
	if err == nil && changed {
		d.Log.Info("payment updated", "payment_id", p.ID, "provider", p.Provider, "status", st.Status, "source", source)
	}
	return err
}

// StripeEventArgs applies one stored, verified Stripe event.
type StripeEventArgs struct {
	EventRowID int64 `json:"event_row_id"`
}

// Kind names the job.
func (StripeEventArgs) Kind() string { return "stripe_event" }

type stripeEventWorker struct {
	river.WorkerDefaults[StripeEventArgs]
	d Deps
}

func (w *stripeEventWorker) Work(ctx context.Context, job *river.Job[StripeEventArgs]) error {
	ev, err := w.d.DB.WebhookEvent(ctx, job.Args.EventRowID)
	if err != nil {
		return err
	}
	paymentID, st, err := w.d.ParseStripe(ev.Payload)
	if err != nil {
		return river.JobCancel(fmt.Errorf("stored stripe event %s: %w", ev.EventID, err))
	}
	if st == nil {
		return nil
	}
	if paymentID == "" {
		paymentID = ev.PaymentID // a dispute: the webhook resolved its intent to our payment
	}
	_, err = w.d.DB.ApplyProviderState(ctx, paymentID, *st, "stripe:"+ev.EventID)
	return err
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

// Sweep re-fetches payments still open or pending after SweepAfter, so a lost
// webhook never loses a payment. It returns how many it asked about.
func Sweep(ctx context.Context, d Deps) (int, error) {
	if n, err := d.DB.FailAbandonedCheckouts(ctx, d.DB.Now().Add(-time.Hour)); err != nil {
		return 0, err
	} else if n > 0 {
		d.Log.Info("closed checkouts that never started", "count", n)
	}
	ps, err := d.DB.UnsettledPayments(ctx, d.DB.Now().Add(-SweepAfter), 500)
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		if err := SyncPayment(ctx, d, p.ID, "sweep"); err != nil {
			d.Log.Warn("sweep payment", "payment_id", p.ID, "err", err)
		}
	}
	return len(ps), nil
}

// CleanupArgs removes expired sessions and keys.
type CleanupArgs struct{}

// Kind names the job.
func (CleanupArgs) Kind() string { return "cleanup" }

type cleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	d Deps
}

func (w *cleanupWorker) Work(ctx context.Context, job *river.Job[CleanupArgs]) error {
	CheckRates(ctx, w.d)
	if _, err := w.d.DB.DeleteExpiredSessions(ctx); err != nil {
		return err
	}
	return w.d.DB.DeleteExpiredKV(ctx)
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

// PlanGraceDays is how long an instalment may stay unpaid after its due date
// before the plan counts as broken.
const PlanGraceDays = 14

// ReviewPlansArgs completes kept plans and marks broken ones.
type ReviewPlansArgs struct{}

// Kind names the job.
func (ReviewPlansArgs) Kind() string { return "review_plans" }

type reviewPlansWorker struct {
	river.WorkerDefaults[ReviewPlansArgs]
	d Deps
}

func (w *reviewPlansWorker) Work(ctx context.Context, job *river.Job[ReviewPlansArgs]) error {
	r, err := w.d.DB.ReviewPlans(ctx, PlanGraceDays)
	if err == nil && (r.Completed > 0 || r.Broken > 0) {
		w.d.Log.Info("plans reviewed", "completed", r.Completed, "broken", r.Broken, "costs_waived", r.Waived)
	}
	return err
}

// CheckRates warns the operator when a statutory interest table does not
// reach today: interest after that date would use an outdated rate. The
// warning names the command that fixes it.
func CheckRates(ctx context.Context, d Deps) {
	today := d.DB.Today()
	for _, kind := range []string{"consumer", "commercial"} {
		rt, err := d.DB.Rates(ctx, kind)
		if err != nil {
			d.Log.Error("read interest rates", "kind", kind, "err", err)
			continue
		}
		if end := rt.CoveredThrough(); end.Before(today) {
			d.Log.Warn("the statutory interest table is out of date: add the current rate with `settle rates add`",
				"kind", kind, "covered_through", end.Format("2006-01-02"))
		}
	}
}
