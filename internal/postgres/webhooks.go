package postgres

import (
	"context"

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
	err := db.Pool.QueryRow(ctx, `SELECT id, provider, event_id, event_type, payment_id::text, coalesce(payload::text, '')::bytea FROM webhook_events WHERE id = $1`, id).
		Scan(&ev.ID, &ev.Provider, &ev.EventID, &ev.EventType, &pid, &ev.Payload)
	ev.PaymentID = deref(pid)
	return ev, dbErr(err, "webhook event")
}
