package casework

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// Outgoing webhooks: a creditor's endpoint receives its events (born from
// audit records, see postgres.Audit), signed, one debtor's in order.

// WebhookSecretPrefix starts every endpoint secret, so that one found in a
// log or a repository is recognised.
const WebhookSecretPrefix = "whsec_"

// webhookTimeout is how long a receiver has to answer one POST.
const webhookTimeout = 10 * time.Second

// webhookBatch is how many of a stream's events one delivery run reads at
// a time; a run ends after maxWebhookRun events (the dispatcher's next
// round continues the stream), so a busy stream does not hold a worker.
const (
	webhookBatch  = 100
	maxWebhookRun = 1000
)

// WebhookClient is the HTTP client deliveries go out on: a short timeout,
// and no redirects followed (a 3xx is not a 2xx, so it is retried).
var WebhookClient = &http.Client{Timeout: webhookTimeout,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// SetWebhookEndpoint registers the creditor's endpoint (or changes its
// address) with a new secret, which the caller shows once. local allows a
// plain http address on this machine (the demo, tests).
func SetWebhookEndpoint(ctx context.Context, db *postgres.DB, by, creditorID, rawURL string, local bool) (postgres.WebhookEndpoint, error) {
	u, err := collect.CheckWebhookURL(rawURL, local)
	if err != nil {
		return postgres.WebhookEndpoint{}, err
	}
	return db.SetWebhookEndpoint(ctx, by, creditorID, u, newWebhookSecret())
}

// RotateWebhookSecret gives the creditor's endpoint a new secret; the old
// one signs nothing from now on.
func RotateWebhookSecret(ctx context.Context, db *postgres.DB, by, creditorID string) (postgres.WebhookEndpoint, error) {
	e, err := db.WebhookEndpoint(ctx, creditorID)
	if err != nil {
		return e, notRegistered(err)
	}
	return db.SetWebhookEndpoint(ctx, by, creditorID, e.URL, newWebhookSecret())
}

// WebhookEndpointOf is the creditor's endpoint.
func WebhookEndpointOf(ctx context.Context, db *postgres.DB, creditorID string) (postgres.WebhookEndpoint, error) {
	e, err := db.WebhookEndpoint(ctx, creditorID)
	return e, notRegistered(err)
}

// DeleteWebhookEndpoint stops the creditor's webhooks.
func DeleteWebhookEndpoint(ctx context.Context, db *postgres.DB, by, creditorID string) error {
	return notRegistered(db.DeleteWebhookEndpoint(ctx, by, creditorID))
}

func notRegistered(err error) error {
	if collect.IsNotFound(err) {
		return collect.Errorf(collect.ENOTFOUND, "", "no webhook endpoint is registered: PUT /api/v1/webhook-endpoint with {\"url\"}")
	}
	return err
}

func newWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return WebhookSecretPrefix + hex.EncodeToString(b)
}

// EventsPage is one page of a creditor's events feed.
type EventsPage struct {
	Events []collect.Event
	// Next is the cursor for the next page: the last event's seq, or the
	// cursor asked with when there was nothing new.
	Next int64
}

// EventsFeed answers GET /api/v1/events: the creditor's events after the
// cursor after, at most limit (collect.EventsPage checks both).
func EventsFeed(ctx context.Context, db *postgres.DB, creditorID, after, limit string) (EventsPage, error) {
	cursor, n, err := collect.EventsPage(after, limit)
	if err != nil {
		return EventsPage{}, err
	}
	es, err := db.Events(ctx, creditorID, cursor, n)
	if err != nil {
		return EventsPage{}, err
	}
	p := EventsPage{Events: es, Next: cursor}
	if len(es) > 0 {
		p.Next = es[len(es)-1].Seq
	}
	return p, nil
}

// WebhookStreams lists the (endpoint, debtor) streams with events to
// deliver; the dispatcher job starts one delivery job for each.
func WebhookStreams(ctx context.Context, db *postgres.DB) ([]postgres.WebhookStream, error) {
	return db.WebhookStreams(ctx)
}

// ErrWebhookRefused is a delivery the receiver did not answer with a 2xx.
var ErrWebhookRefused = errors.New("the receiver did not accept the event")

// DeliverWebhooks POSTs a stream's undelivered events in seq order, each
// signed at now, and stops at the first that is not answered with a 2xx
// (the job retries the stream later, from that event: one debtor's
// events arrive in order). An event is marked delivered in its own
// transaction after the 2xx: a crash between the two sends it again, so
// receivers dedupe on the event id. lastTry gives the failing event up
// (the retries have run out), so the stream moves on at the next round.
// It reports how many events were delivered.
func DeliverWebhooks(ctx context.Context, db *postgres.DB, hc *http.Client, s postgres.WebhookStream, now time.Time, lastTry bool) (int, error) {
	ep, err := db.WebhookEndpointByID(ctx, s.EndpointID)
	if collect.IsNotFound(err) {
		return 0, nil // deleted since: nothing more goes out
	}
	if err != nil {
		return 0, err
	}
	delivered := 0
	for delivered < maxWebhookRun {
		es, err := db.UndeliveredEvents(ctx, s, webhookBatch)
		if err != nil || len(es) == 0 {
			return delivered, err
		}
		for _, e := range es {
			a := postWebhook(ctx, hc, ep, e, now)
			a.GiveUp = !a.Delivered && lastTry
			if err := db.RecordWebhookAttempt(ctx, a); err != nil {
				return delivered, err
			}
			if !a.Delivered {
				return delivered, fmt.Errorf("%w: event %s: %s", ErrWebhookRefused, e.ID, a.Error)
			}
			delivered++
		}
	}
	return delivered, nil
}

// DeliverWebhookStream is DeliverWebhooks on WebhookClient at the store's
// clock, for the delivery job.
func DeliverWebhookStream(ctx context.Context, db *postgres.DB, s postgres.WebhookStream, lastTry bool) error {
	_, err := DeliverWebhooks(ctx, db, WebhookClient, s, db.Now(), lastTry)
	return err
}

// postWebhook POSTs one event, signed at now, and says how it went.
func postWebhook(ctx context.Context, hc *http.Client, ep postgres.WebhookEndpoint, e collect.Event, now time.Time) postgres.WebhookAttempt {
	a := postgres.WebhookAttempt{EndpointID: ep.ID, EventID: e.ID, At: now}
	body, _ := json.Marshal(e.Body())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Settle-Webhooks/1")
	req.Header.Set(collect.SignatureHeader, collect.SignWebhook(ep.Secret, now, body))
	res, err := hc.Do(req)
	if err != nil {
		a.Error = shorten(err.Error())
		return a
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	a.Status = res.StatusCode
	a.Delivered = res.StatusCode >= 200 && res.StatusCode < 300
	if !a.Delivered {
		a.Error = "HTTP " + strconv.Itoa(res.StatusCode)
	}
	return a
}

func shorten(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// WebhookConsole is what the console's webhooks page shows for a creditor.
type WebhookConsole struct {
	Endpoint   *postgres.WebhookEndpoint // nil when none is registered
	Deliveries []postgres.WebhookDelivery
}

// consoleDeliveries is how many recent events the console lists.
const consoleDeliveries = 50

// WebhookPage is the creditor's endpoint and its latest deliveries.
func WebhookPage(ctx context.Context, db *postgres.DB, creditorID string) (WebhookConsole, error) {
	var out WebhookConsole
	ep, err := db.WebhookEndpoint(ctx, creditorID)
	if collect.IsNotFound(err) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.Endpoint = &ep
	out.Deliveries, err = db.WebhookDeliveries(ctx, creditorID, consoleDeliveries)
	return out, err
}

// ReplayWebhook sends one of the creditor's events to its endpoint again
// now, at an agent's request (audited as webhook.replayed), whatever
// became of it before; it reports the attempt. A receiver that dedupes
// on the event id ignores a replay of an event it already has.
func ReplayWebhook(ctx context.Context, db *postgres.DB, hc *http.Client, agentID, creditorID, eventID string, now time.Time) (postgres.WebhookAttempt, error) {
	ep, err := db.WebhookEndpoint(ctx, creditorID)
	if err != nil {
		return postgres.WebhookAttempt{}, notRegistered(err)
	}
	d, err := db.WebhookDeliveryOf(ctx, creditorID, eventID)
	if err != nil {
		return postgres.WebhookAttempt{}, err
	}
	a := postWebhook(ctx, hc, ep, d.Event, now)
	a.ReplayedBy = "agent:" + agentID
	return a, db.RecordWebhookAttempt(ctx, a)
}
