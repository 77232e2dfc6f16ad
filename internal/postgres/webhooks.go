package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
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

// StoredEvent is what StoreWebhookEvents did with one event: its row, and
// whether this call stored it first (false for a redelivery, also of an
// event that came twice in the same batch).
type StoredEvent struct {
	RowID int64
	Fresh bool
}

// StoreWebhookEvents is StoreWebhookEvent for many events in one
// transaction and one statement (the webhook's group commit): each event is
// stored once under (provider, event id), a repeat only counts its
// delivery, and then, in the same transaction, gets what happened to each
// event, in the order given, to enqueue the follow-up jobs. An error in
// then stores none of them.
func (db *DB) StoreWebhookEvents(ctx context.Context, evs []WebhookEvent, then func(tx pgx.Tx, stored []StoredEvent) error) error {
	type key struct{ provider, eventID string }
	first := make(map[key]int, len(evs)) // event key -> index in the unique lists
	of := make([]int, len(evs))
	var provider, eventID, eventType []string
	var paymentID, payload []*string
	var deliveries []int32
	for i, ev := range evs {
		k := key{ev.Provider, ev.EventID}
		if j, ok := first[k]; ok {
			of[i] = j
			deliveries[j]++
			continue
		}
		first[k], of[i] = len(provider), len(provider)
		provider, eventID, eventType = append(provider, ev.Provider), append(eventID, ev.EventID), append(eventType, ev.EventType)
		var pid, body *string
		if ev.PaymentID != "" {
			pid = &ev.PaymentID
		}
		if ev.Payload != nil {
			s := string(ev.Payload)
			body = &s
		}
		paymentID, payload, deliveries = append(paymentID, pid), append(payload, body), append(deliveries, 1)
	}
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		// In key order, so that two batches storing the same events never
		// wait for each other's rows in opposite orders.
		rows, err := tx.Query(ctx, `INSERT INTO webhook_events AS w (provider, event_id, event_type, payment_id, payload, deliveries)
			SELECT provider, event_id, event_type, payment_id::uuid, payload::jsonb, deliveries
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[]) AS e (provider, event_id, event_type, payment_id, payload, deliveries)
			ORDER BY provider, event_id
			ON CONFLICT (provider, event_id) DO UPDATE SET deliveries = w.deliveries + EXCLUDED.deliveries
			RETURNING w.provider, w.event_id, w.id, (w.xmax = 0)`, provider, eventID, eventType, paymentID, payload, deliveries)
		if err != nil {
			return dbErr(err, "store webhook events")
		}
		got := make([]StoredEvent, len(provider))
		_, err = collectRows(rows, func(r pgx.Row) (struct{}, error) {
			var k key
			var s StoredEvent
			if err := r.Scan(&k.provider, &k.eventID, &s.RowID, &s.Fresh); err != nil {
				return struct{}{}, err
			}
			got[first[k]] = s
			return struct{}{}, nil
		}, "store webhook events")
		if err != nil {
			return err
		}
		stored := make([]StoredEvent, len(evs))
		seen := make([]bool, len(provider))
		for i, j := range of {
			stored[i] = StoredEvent{RowID: got[j].RowID, Fresh: got[j].Fresh && !seen[j]}
			seen[j] = true
		}
		return then(tx, stored)
	})
}

// PaymentsToCheck loads, in one query, what the webhook's group commit
// checks a batch of events against: of each payment only its id, creditor,
// provider and provider id are set (a third of the scanning that the whole
// payment cost, for every event accepted). An id that is malformed or not a
// payment is missing from the map.
func (db *DB) PaymentsToCheck(ctx context.Context, ids []string) (map[string]collect.Payment, error) {
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if validUUID(id) {
			valid = append(valid, id)
		}
	}
	out := make(map[string]collect.Payment, len(valid))
	if len(valid) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id, creditor_id, provider, coalesce(provider_id, '') FROM payments WHERE id = ANY($1::uuid[])`, valid)
	if err != nil {
		return nil, dbErr(err, "payments to check")
	}
	ps, err := collectRows(rows, func(r pgx.Row) (collect.Payment, error) {
		var p collect.Payment
		return p, r.Scan(&p.ID, &p.CreditorID, &p.Provider, &p.ProviderID)
	}, "payments to check")
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, err
}

// WebhookEvent loads a stored event.
func (db *DB) WebhookEvent(ctx context.Context, id int64) (WebhookEvent, error) {
	ev, err := scanWebhookEvent(db.pool.QueryRow(ctx, webhookEventSQL, id))
	return ev, dbErr(err, "webhook event")
}

const webhookEventSQL = `SELECT id, provider, event_id, event_type, payment_id::text, coalesce(payload::text, '')::bytea FROM webhook_events WHERE id = $1`

func scanWebhookEvent(r pgx.Row) (WebhookEvent, error) {
	var ev WebhookEvent
	var pid *string
	err := r.Scan(&ev.ID, &ev.Provider, &ev.EventID, &ev.EventType, &pid, &ev.Payload)
	ev.PaymentID = deref(pid)
	return ev, err
}

// WebhookEventToFetch loads a stored event and, in the same round trip,
// the payment it was stored for as PaymentToFetch (its creditor and a
// fresh fetch number). found is false when the event was stored for no
// payment or that payment is gone; the event is loaded all the same.
func (db *DB) WebhookEventToFetch(ctx context.Context, id int64) (ev WebhookEvent, f PaymentToFetch, found bool, err error) {
	b := &pgx.Batch{}
	b.Queue(webhookEventSQL, id)
	queuePaymentToFetch(b, `SELECT payment_id FROM webhook_events WHERE id = $1`, id)
	br := db.pool.SendBatch(ctx, b)
	defer br.Close()
	if ev, err = scanWebhookEvent(br.QueryRow()); err != nil {
		return ev, f, false, dbErr(err, "webhook event")
	}
	f, err = readPaymentToFetch(br)
	if collect.IsNotFound(err) {
		return ev, f, false, nil
	}
	if err != nil {
		return ev, f, false, err
	}
	return ev, f, true, dbErr(br.Close(), "webhook event")
}

// EventToFetch is a stored event with the payment it was stored for, as
// WebhookEventToFetch gives them; Found is false when the event was stored
// for no payment or that payment is gone.
type EventToFetch struct {
	Event WebhookEvent
	Fetch PaymentToFetch
	Found bool
}

// WebhookEventsToFetch is WebhookEventToFetch for many events in one round
// trip, in the order of their row ids, each with its own fetch number
// (drawn in that order). An id that is no stored event is left out.
func (db *DB) WebhookEventsToFetch(ctx context.Context, ids []int64) ([]EventToFetch, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT id, provider, event_id, event_type, payment_id::text, coalesce(payload::text, '')::bytea FROM webhook_events
		WHERE id = ANY($1::bigint[]) ORDER BY id`, ids)
	// nextval in the outer query runs in the inner query's order.
	b.Queue(`SELECT `+paymentCols+`, nextval('provider_fetch_seq'), event_row FROM (
			SELECT w.id AS event_row, p.* FROM webhook_events w JOIN payments p ON p.id = w.payment_id
			WHERE w.id = ANY($1::bigint[]) ORDER BY w.id) AS s`, ids)
	b.Queue(`SELECT `+creditorCols+` FROM creditors WHERE id IN (
			SELECT p.creditor_id FROM webhook_events w JOIN payments p ON p.id = w.payment_id WHERE w.id = ANY($1::bigint[]))`, ids)
	br := db.pool.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, dbErr(err, "webhook events")
	}
	evs, err := collectRows(rows, scanWebhookEvent, "webhook events")
	if err != nil {
		return nil, err
	}
	out := make([]EventToFetch, len(evs))
	at := make(map[int64]int, len(evs))
	for i, ev := range evs {
		out[i].Event, at[ev.ID] = ev, i
	}
	if rows, err = br.Query(); err != nil {
		return nil, dbErr(err, "payments to fetch")
	}
	_, err = collectRows(rows, func(r pgx.Row) (struct{}, error) {
		var f PaymentToFetch
		var row int64
		var err error
		if f.Payment, err = scanPaymentAnd(r, &f.Seq, &row); err == nil {
			if i, ok := at[row]; ok {
				out[i].Fetch, out[i].Found = f, true
			}
		}
		return struct{}{}, err
	}, "payments to fetch")
	if err != nil {
		return nil, err
	}
	if rows, err = br.Query(); err != nil {
		return nil, dbErr(err, "creditors")
	}
	cs, err := collectRows(rows, scanCreditor, "creditors")
	if err != nil {
		return nil, err
	}
	for i := range out {
		if !out[i].Found {
			continue
		}
		if j := slices.IndexFunc(cs, func(c collect.Creditor) bool { return c.ID == out[i].Fetch.Payment.CreditorID }); j >= 0 {
			out[i].Fetch.Creditor = cs[j]
		} else {
			out[i].Found = false
		}
	}
	return out, dbErr(br.Close(), "webhook events")
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
