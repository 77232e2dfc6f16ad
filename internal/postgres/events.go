package postgres

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// clockTx is a transaction that knows the store's clock, so that what
// Audit derives from a record (an event) is stamped with the time the
// use case ran at, also under a test's or the demo's clock.
type clockTx struct {
	pgx.Tx
	now func() time.Time
}

func (t clockTx) clock() time.Time {
	if t.now == nil {
		return time.Now()
	}
	return t.now()
}

// txNow is the store's time in a transaction begun by WithTx; in another
// transaction (a bank import's) it is the wall clock.
func txNow(tx pgx.Tx) time.Time {
	if c, ok := tx.(interface{ clock() time.Time }); ok {
		return c.clock()
	}
	return time.Now()
}

// recordEvent inserts the event an audit record is, if it is one
// (collect.EventOf), in the audit record's transaction.
func recordEvent(ctx context.Context, tx pgx.Tx, action, creditorID, debtorID, subject string, before, after []byte) error {
	t, data, ok := eventOf(action, creditorID, debtorID, subject, before, after)
	if !ok {
		return nil
	}
	if err := lockEvents(ctx, tx, creditorID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, insertEventSQL, creditorID, nullable(debtorID), t, data, txNow(tx))
	return dbErr(err, "event")
}

const insertEventSQL = `INSERT INTO events (creditor_id, debtor_id, type, data, created_at) VALUES ($1, $2, $3, $4, $5)`

// eventOf is the type and data of the event an audit record is, if it is one.
func eventOf(action, creditorID, debtorID, subject string, before, after []byte) (collect.EventType, []byte, bool) {
	if creditorID == "" {
		return "", nil, false
	}
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	t, ok := collect.EventOf(action, b, a)
	if !ok {
		return "", nil, false
	}
	data, _ := json.Marshal(collect.EventData(subject, debtorID, a))
	return t, data, true
}

// queueAudit is Audit queued in b, for a caller that sends its last
// statements in one round trip: the audit record and, if it is an event,
// the events lock and the event, in that order. Send b in tx.
func queueAudit(b *pgx.Batch, tx pgx.Tx, actor, action, creditorID, debtorID, subject string, before, after map[string]any) {
	var bj, aj []byte
	if before != nil {
		bj, _ = json.Marshal(before)
	}
	if after != nil {
		aj, _ = json.Marshal(after)
	}
	b.Queue(insertAuditSQL, actor, action, nullable(creditorID), nullable(debtorID), subject, bj, aj)
	t, data, ok := eventOf(action, creditorID, debtorID, subject, bj, aj)
	if !ok {
		return
	}
	b.Queue(lockEventsSQL, []string{creditorID})
	b.Queue(insertEventSQL, creditorID, nullable(debtorID), t, data, txNow(tx))
}

// lockEvents takes, until commit, the lock under which a creditor's
// events are inserted: seq then follows commit order, so a reader that
// saw seq n will never later find an event below n (the feed's cursor and
// the dispatcher's scan_from rely on it). Events are written last in a
// transaction, so the lock is held briefly.
func lockEvents(ctx context.Context, tx pgx.Tx, creditorIDs ...string) error {
	ids := slices.Clone(creditorIDs)
	slices.Sort(ids)
	_, err := tx.Exec(ctx, lockEventsSQL, slices.Compact(ids))
	return dbErr(err, "lock events")
}

const lockEventsSQL = `SELECT count(pg_advisory_xact_lock(hashtextextended('events:' || c, 0)))
		FROM (SELECT DISTINCT c FROM unnest($1::text[]) AS c ORDER BY c) AS s`

const (
	eventCols  = `id::text, seq, creditor_id::text, coalesce(debtor_id::text, ''), type, data, created_at`
	eventColsE = `e.id::text, e.seq, e.creditor_id::text, coalesce(e.debtor_id::text, ''), e.type, e.data, e.created_at`
)

func scanEvent(r pgx.Row) (collect.Event, error) {
	var e collect.Event
	var data []byte
	err := r.Scan(&e.ID, &e.Seq, &e.CreditorID, &e.DebtorID, &e.Type, &data, &e.CreatedAt)
	e.Data = data
	return e, err
}

// Events lists a creditor's events after the cursor seq, oldest first.
func (db *DB) Events(ctx context.Context, creditorID string, after int64, limit int) ([]collect.Event, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+eventCols+` FROM events WHERE creditor_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		creditorID, after, limit)
	if err != nil {
		return nil, dbErr(err, "events")
	}
	return collectRows(rows, scanEvent, "events")
}

// WebhookEndpoint is a creditor's endpoint. Secret signs the deliveries.
type WebhookEndpoint struct {
	ID         string
	CreditorID string
	URL        string
	Secret     string
	FromSeq    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const endpointCols = `id::text, creditor_id::text, url, secret, from_seq, created_at, updated_at`

func scanEndpoint(r pgx.Row) (WebhookEndpoint, error) {
	var e WebhookEndpoint
	err := r.Scan(&e.ID, &e.CreditorID, &e.URL, &e.Secret, &e.FromSeq, &e.CreatedAt, &e.UpdatedAt)
	return e, err
}

// SetWebhookEndpoint registers the creditor's endpoint or changes its
// address, always with the new secret given. A new endpoint receives the
// events from now on; a changed one keeps its undelivered events, which
// go to the new address. by is the actor of the audit record.
func (db *DB) SetWebhookEndpoint(ctx context.Context, by, creditorID, url, secret string) (WebhookEndpoint, error) {
	var out WebhookEndpoint
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		now := db.Now()
		// Under the events lock: from_seq is then the last event that
		// committed, and every later one counts.
		if err := lockEvents(ctx, tx, creditorID); err != nil {
			return err
		}
		var err error
		out, err = scanEndpoint(tx.QueryRow(ctx, `INSERT INTO webhook_endpoints (creditor_id, url, secret, from_seq, scan_from, created_at, updated_at)
			SELECT $1, $2, $3, s, s, $4, $4 FROM (SELECT coalesce(max(seq), 0) AS s FROM events WHERE creditor_id = $1) m
			ON CONFLICT (creditor_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret, updated_at = EXCLUDED.updated_at
			RETURNING `+endpointCols, creditorID, url, secret, now))
		if err != nil {
			return dbErr(err, "webhook endpoint")
		}
		return Audit(ctx, tx, by, "webhook_endpoint.set", creditorID, "", "webhook_endpoint:"+out.ID, nil,
			map[string]any{"url": url, "secret": "new"})
	})
	return out, err
}

// WebhookEndpoint loads the creditor's endpoint.
func (db *DB) WebhookEndpoint(ctx context.Context, creditorID string) (WebhookEndpoint, error) {
	e, err := scanEndpoint(db.pool.QueryRow(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE creditor_id = $1`, creditorID))
	return e, dbErr(err, "webhook endpoint")
}

// WebhookEndpointByID loads an endpoint by its id.
func (db *DB) WebhookEndpointByID(ctx context.Context, id string) (WebhookEndpoint, error) {
	e, err := scanEndpoint(db.pool.QueryRow(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id = $1`, id))
	return e, dbErr(err, "webhook endpoint")
}

// DeleteWebhookEndpoint removes the creditor's endpoint and its
// delivery records; nothing more is sent. The events stay in the feed.
func (db *DB) DeleteWebhookEndpoint(ctx context.Context, by, creditorID string) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var id, url string
		if err := tx.QueryRow(ctx, `DELETE FROM webhook_endpoints WHERE creditor_id = $1 RETURNING id::text, url`, creditorID).Scan(&id, &url); err != nil {
			return dbErr(err, "webhook endpoint")
		}
		return Audit(ctx, tx, by, "webhook_endpoint.deleted", creditorID, "", "webhook_endpoint:"+id, map[string]any{"url": url}, nil)
	})
}

// WebhookStream is the events of one debtor (DebtorID "" for events about
// no one debtor) for one endpoint: delivered one at a time, in seq order.
type WebhookStream struct {
	EndpointID string `json:"endpoint_id"`
	DebtorID   string `json:"debtor_id"`
}

// WebhookStreams lists the streams with an event that is neither
// delivered nor given up, and moves each endpoint's scan_from up to just
// before its first such event, so the next call reads only newer ones.
func (db *DB) WebhookStreams(ctx context.Context) ([]WebhookStream, error) {
	var out []WebhookStream
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `WITH open AS (
				SELECT w.id AS endpoint_id, coalesce(e.debtor_id::text, '') AS debtor_id, e.seq
				FROM webhook_endpoints w JOIN events e ON e.creditor_id = w.creditor_id AND e.seq > w.scan_from
				LEFT JOIN webhook_deliveries d ON d.endpoint_id = w.id AND d.event_id = e.id
				WHERE d.delivered_at IS NULL AND d.gave_up_at IS NULL),
			moved AS (
				UPDATE webhook_endpoints w SET scan_from = coalesce(
					(SELECT min(seq) - 1 FROM open o WHERE o.endpoint_id = w.id),
					(SELECT max(seq) FROM events e WHERE e.creditor_id = w.creditor_id), w.scan_from)
				WHERE w.scan_from < coalesce((SELECT max(seq) FROM events e WHERE e.creditor_id = w.creditor_id), 0))
			SELECT endpoint_id::text, debtor_id, min(seq) FROM open GROUP BY endpoint_id, debtor_id ORDER BY min(seq)`)
		if err != nil {
			return dbErr(err, "webhook streams")
		}
		out, err = collectRows(rows, func(r pgx.Row) (WebhookStream, error) {
			var s WebhookStream
			var first int64
			return s, r.Scan(&s.EndpointID, &s.DebtorID, &first)
		}, "webhook streams")
		return err
	})
	return out, err
}

// UndeliveredEvents lists a stream's next events, oldest first: those
// after the endpoint's start that are neither delivered nor given up.
func (db *DB) UndeliveredEvents(ctx context.Context, s WebhookStream, limit int) ([]collect.Event, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+eventColsE+` FROM webhook_endpoints w
		JOIN events e ON e.creditor_id = w.creditor_id AND e.seq > w.scan_from
		LEFT JOIN webhook_deliveries d ON d.endpoint_id = w.id AND d.event_id = e.id
		WHERE w.id = $1 AND coalesce(e.debtor_id::text, '') = $2 AND d.delivered_at IS NULL AND d.gave_up_at IS NULL
		ORDER BY e.seq LIMIT $3`, s.EndpointID, s.DebtorID, limit)
	if err != nil {
		return nil, dbErr(err, "undelivered events")
	}
	return collectRows(rows, scanEvent, "undelivered events")
}

// WebhookAttempt is the outcome of one POST of an event to an endpoint.
type WebhookAttempt struct {
	EndpointID string
	EventID    string
	At         time.Time
	Status     int    // the HTTP status; 0 when no answer came
	Error      string // why it failed, short
	Delivered  bool   // a 2xx
	GiveUp     bool   // the last retry failed: the stream moves on
	// ReplayedBy is the agent who replayed the delivery from the console;
	// "" for the delivery job. A replay is audited.
	ReplayedBy string
}

// RecordWebhookAttempt counts an attempt and keeps its answer; a 2xx
// marks the event delivered (once: a later replay keeps the first time).
func (db *DB) RecordWebhookAttempt(ctx context.Context, a WebhookAttempt) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var creditorID, debtorID string
		err := tx.QueryRow(ctx, `INSERT INTO webhook_deliveries AS d (endpoint_id, event_id, attempts, last_status, last_error, last_attempt_at, delivered_at, gave_up_at)
			VALUES ($1, $2, 1, $3, $4, $5, CASE WHEN $6::boolean THEN $5::timestamptz END, CASE WHEN $7::boolean THEN $5::timestamptz END)
			ON CONFLICT (endpoint_id, event_id) DO UPDATE SET attempts = d.attempts + 1, last_status = EXCLUDED.last_status,
				last_error = EXCLUDED.last_error, last_attempt_at = EXCLUDED.last_attempt_at,
				delivered_at = coalesce(d.delivered_at, EXCLUDED.delivered_at), gave_up_at = coalesce(d.gave_up_at, EXCLUDED.gave_up_at)
			RETURNING (SELECT creditor_id::text FROM events WHERE id = $2), (SELECT coalesce(debtor_id::text, '') FROM events WHERE id = $2)`,
			a.EndpointID, a.EventID, a.Status, a.Error, a.At, a.Delivered, a.GiveUp).Scan(&creditorID, &debtorID)
		if err != nil || a.ReplayedBy == "" {
			return dbErr(err, "webhook delivery")
		}
		return Audit(ctx, tx, a.ReplayedBy, "webhook.replayed", creditorID, debtorID, "event:"+a.EventID, nil,
			map[string]any{"status": a.Status, "delivered": a.Delivered, "error": a.Error})
	})
}

// WebhookDelivery is one event's delivery to the creditor's endpoint, as
// the console lists it.
type WebhookDelivery struct {
	Event         collect.Event
	Attempts      int
	LastStatus    int
	LastError     string
	LastAttemptAt *time.Time
	DeliveredAt   *time.Time
	GaveUpAt      *time.Time
}

const deliveryQuery = `SELECT ` + eventColsE + `,
	coalesce(d.attempts, 0), coalesce(d.last_status, 0), coalesce(d.last_error, ''), d.last_attempt_at, d.delivered_at, d.gave_up_at
	FROM webhook_endpoints w JOIN events e ON e.creditor_id = w.creditor_id AND e.seq > w.from_seq
	LEFT JOIN webhook_deliveries d ON d.endpoint_id = w.id AND d.event_id = e.id
	WHERE w.creditor_id = $1`

func scanDelivery(r pgx.Row) (WebhookDelivery, error) {
	var d WebhookDelivery
	var data []byte
	err := r.Scan(&d.Event.ID, &d.Event.Seq, &d.Event.CreditorID, &d.Event.DebtorID, &d.Event.Type, &data, &d.Event.CreatedAt,
		&d.Attempts, &d.LastStatus, &d.LastError, &d.LastAttemptAt, &d.DeliveredAt, &d.GaveUpAt)
	d.Event.Data = data
	return d, err
}

// WebhookDeliveries lists the deliveries of the creditor's latest events
// to its endpoint, newest first (an event not yet tried is listed too).
func (db *DB) WebhookDeliveries(ctx context.Context, creditorID string, limit int) ([]WebhookDelivery, error) {
	rows, err := db.pool.Query(ctx, deliveryQuery+` ORDER BY e.seq DESC LIMIT $2`, creditorID, limit)
	if err != nil {
		return nil, dbErr(err, "webhook deliveries")
	}
	return collectRows(rows, scanDelivery, "webhook deliveries")
}

// WebhookDeliveryOf loads the delivery of one of the creditor's events.
func (db *DB) WebhookDeliveryOf(ctx context.Context, creditorID, eventID string) (WebhookDelivery, error) {
	d, err := scanDelivery(db.pool.QueryRow(ctx, deliveryQuery+` AND e.id::text = $2`, creditorID, eventID))
	return d, dbErr(err, "webhook delivery")
}
