package casework

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// Queue puts the job that follows a provider's report into the transaction
// that stores the report, so the report is never kept without its job
// (jobs.Client is one).
type Queue interface {
	EnqueueSyncTx(ctx context.Context, tx pgx.Tx, paymentID string) error
	// EnqueueStripeEventsTx asks for stored Stripe events to be applied, in
	// one statement (StripeInbox's group commit).
	EnqueueStripeEventsTx(ctx context.Context, tx pgx.Tx, eventRowIDs []int64) error
}

// Why a provider's report is not taken; the webhook answers 400 to both.
var (
	ErrUnknownPayment = collect.Errorf(collect.EINVALID, "", "unknown payment")
	ErrEventRefused   = collect.Errorf(collect.EINVALID, "", "event refused")
)

// ReceiveMollieEvent takes Mollie's report that one of its payments
// changed. The report proves nothing, so it only stores the delivery and,
// in the same transaction, asks for a sync that re-fetches the payment from
// Mollie. Mollie sends the same id for every change, so every delivery asks
// for a sync; while one waits, further deliveries add nothing. A payment
// that is not ours is ErrUnknownPayment.
func ReceiveMollieEvent(ctx context.Context, db *postgres.DB, q Queue, molliePaymentID string) error {
	p, err := db.PaymentByProviderID(ctx, "mollie", molliePaymentID)
	if collect.IsNotFound(err) {
		return ErrUnknownPayment
	}
	if err != nil {
		return err
	}
	return db.StoreWebhookEvent(ctx, postgres.WebhookEvent{Provider: "mollie", EventID: molliePaymentID, EventType: "payment", PaymentID: p.ID},
		func(tx pgx.Tx, _ int64, _ bool) error { return q.EnqueueSyncTx(ctx, tx, p.ID) })
}

// StripeEvent is a Stripe event whose signature the webhook verified.
type StripeEvent struct {
	ID         string
	Type       string
	PaymentID  string // our payment id; "" for a dispute, which names only ProviderID
	ProviderID string // the checkout session (cs_...) or PaymentIntent (pi_...)
	Payload    []byte
}

// StripeInbox takes verified Stripe events: each is stored once under its
// id and, in the same transaction, a job asks for it to be applied. An
// event about a payment that is not ours is ErrUnknownPayment; one about a
// payment of ours it has no say over (another provider's, another
// session's) is refused before anything is stored, the refusal recorded
// for finance, and is ErrEventRefused. ResolveIntent finds our payment of
// a PaymentIntent (nil: none can be found). It commits in groups: the
// events that come in while one transaction stores earlier ones are checked against their
// payments with one query, then stored, and their jobs enqueued, together
// in the next transaction, so at thousands of events a second a post costs
// a share of one commit instead of its own. Each post still answers only
// after its event and job are committed. The zero value is not usable; set
// the fields and keep the inbox for the process.
type StripeInbox struct {
	DB            *postgres.DB
	Queue         Queue
	Log           *slog.Logger
	ResolveIntent func(ctx context.Context, paymentIntentID string) (string, error)

	once sync.Once
	in   chan inboxItem
}

type inboxItem struct {
	ev         postgres.WebhookEvent
	providerID string // the event's session or PaymentIntent, for RefuseForeignStripeEvent
	done       chan error
}

// inboxBatch is the most events one transaction stores: enough to take a
// burst of concurrent posts at once, few enough to keep the statement short.
const inboxBatch = 256

// Receive takes one verified Stripe event, with the answers above, and returns once it is stored (or found to be a
// redelivery) and its job enqueued in the same transaction.
func (in *StripeInbox) Receive(ctx context.Context, ev StripeEvent) error {
	if ev.PaymentID == "" && ev.ProviderID != "" && in.ResolveIntent != nil {
		var err error
		if ev.PaymentID, err = in.ResolveIntent(ctx, ev.ProviderID); err != nil {
			in.Log.Warn("stripe webhook: intent not ours", "event_id", ev.ID, "err", err)
			return ErrUnknownPayment
		}
	}
	in.once.Do(func() {
		in.in = make(chan inboxItem, inboxBatch)
		go in.run()
	})
	item := inboxItem{ev: postgres.WebhookEvent{Provider: "stripe", EventID: ev.ID, EventType: ev.Type, PaymentID: ev.PaymentID, Payload: ev.Payload},
		providerID: ev.ProviderID, done: make(chan error, 1)}
	select {
	case in.in <- item:
	case <-ctx.Done():
		return ctx.Err()
	}
	// The batch's transaction runs on its own: a post that gives up waiting
	// (its sender hung up) answers nothing, and the provider sends again.
	select {
	case err := <-item.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run stores what came in as batches, one transaction at a time, for as
// long as the process lives.
func (in *StripeInbox) run() {
	batch := make([]inboxItem, 0, inboxBatch)
	for first := range in.in {
		batch = append(batch[:0], first)
	more:
		for len(batch) < inboxBatch {
			select {
			case it := <-in.in:
				batch = append(batch, it)
			default:
				break more
			}
		}
		in.store(batch)
	}
}

// store answers every item of batch: an event about no payment of ours is
// ErrUnknownPayment, one about a payment it has no say over is refused
// (and recorded), and the rest are stored with their jobs in one
// transaction.
func (in *StripeInbox) store(batch []inboxItem) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ids := make([]string, len(batch))
	for i, it := range batch {
		ids[i] = it.ev.PaymentID
	}
	pays, err := in.DB.PaymentsToCheck(ctx, ids)
	if err != nil {
		for _, it := range batch {
			it.done <- err
		}
		return
	}
	keep := batch[:0:0]
	for _, it := range batch {
		p, ok := pays[it.ev.PaymentID]
		if !ok {
			it.done <- ErrUnknownPayment
			continue
		}
		if refused, err := RefuseForeignStripeEvent(ctx, in.DB, in.Log, p, it.providerID, it.ev.EventID, it.ev.EventType); err != nil {
			it.done <- err
			continue
		} else if refused {
			it.done <- ErrEventRefused
			continue
		}
		keep = append(keep, it)
	}
	if len(keep) == 0 {
		return
	}
	evs := make([]postgres.WebhookEvent, len(keep))
	for i, it := range keep {
		evs[i] = it.ev
	}
	err = in.DB.StoreWebhookEvents(ctx, evs, func(tx pgx.Tx, stored []postgres.StoredEvent) error {
		fresh := make([]int64, 0, len(stored))
		for _, s := range stored {
			if s.Fresh { // a redelivery's job was enqueued with the first
				fresh = append(fresh, s.RowID)
			}
		}
		return in.Queue.EnqueueStripeEventsTx(ctx, tx, fresh)
	})
	for _, it := range keep {
		it.done <- err
	}
}
