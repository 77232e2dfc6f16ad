package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// WebhookEvent is a provider event as stored.
type WebhookEvent struct {
	ID        int64
	Provider  string
	EventID   string
	EventType string
	PaymentID string
	Payload   []byte
}

// StoreWebhookEvent stores an event once under (provider, event id) and, in
// the same transaction, lets then enqueue the follow-up job. A repeated event
// only counts the delivery; then is called with fresh=false.
func (db *DB) StoreWebhookEvent(ctx context.Context, ev WebhookEvent, then func(tx pgx.Tx, rowID int64, fresh bool) error) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var id int64
		var fresh bool
		err := tx.QueryRow(ctx, `INSERT INTO webhook_events (provider, event_id, event_type, payment_id, payload) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (provider, event_id) DO UPDATE SET deliveries = webhook_events.deliveries + 1
			RETURNING id, (xmax = 0)`, ev.Provider, ev.EventID, ev.EventType, nullable(ev.PaymentID), ev.Payload).Scan(&id, &fresh)
		if err != nil {
			return dbErr(err, "store webhook event")
		}
		return then(tx, id, fresh)
	})
}

// WebhookEvent loads a stored event.
func (db *DB) WebhookEvent(ctx context.Context, id int64) (WebhookEvent, error) {
	var ev WebhookEvent
	var pid *string
	err := db.pool.QueryRow(ctx, `SELECT id, provider, event_id, event_type, payment_id::text, coalesce(payload::text, '')::bytea FROM webhook_events WHERE id = $1`, id).
		Scan(&ev.ID, &ev.Provider, &ev.EventID, &ev.EventType, &pid, &ev.Payload)
	ev.PaymentID = deref(pid)
	return ev, dbErr(err, "webhook event")
}

// RefusedEvent is a provider event Settle refused to book: it claimed a
// payment of ours that the provider's own word does not back.
type RefusedEvent struct {
	CreditorID string
	PaymentID  string
	Provider   string // the provider that sent the event
	EventID    string // evt_... for Stripe; the tr_ id for Mollie
	EventType  string
	Reason     string // why, for finance; never a secret
	Deliveries int
	FirstAt    time.Time
	LastAt     time.Time
}

// RecordRefusedEvent keeps a refused event for finance. A redelivery of the
// same event for the same payment counts once more and keeps the latest reason.
func (db *DB) RecordRefusedEvent(ctx context.Context, ev RefusedEvent) error {
	now := db.Now()
	_, err := db.pool.Exec(ctx, `INSERT INTO refused_provider_events (creditor_id, payment_id, provider, event_id, event_type, reason, first_at, last_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
		ON CONFLICT (provider, event_id, payment_id) DO UPDATE SET deliveries = refused_provider_events.deliveries + 1,
			reason = EXCLUDED.reason, last_at = EXCLUDED.last_at`,
		ev.CreditorID, ev.PaymentID, ev.Provider, ev.EventID, ev.EventType, ev.Reason, now)
	return dbErr(err, "record refused event")
}

// RefusedEvents lists a creditor's refused provider events, latest first.
func (db *DB) RefusedEvents(ctx context.Context, creditorID string, limit int) ([]RefusedEvent, error) {
	rows, err := db.pool.Query(ctx, `SELECT creditor_id::text, payment_id::text, provider, event_id, event_type, reason, deliveries, first_at, last_at
		FROM refused_provider_events WHERE creditor_id = $1 ORDER BY last_at DESC, id DESC LIMIT $2`, creditorID, limit)
	if err != nil {
		return nil, dbErr(err, "refused events")
	}
	return collectRows(rows, func(r pgx.Row) (RefusedEvent, error) {
		var ev RefusedEvent
		err := r.Scan(&ev.CreditorID, &ev.PaymentID, &ev.Provider, &ev.EventID, &ev.EventType, &ev.Reason, &ev.Deliveries, &ev.FirstAt, &ev.LastAt)
		return ev, err
	}, "refused events")
}
