package collect

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// EventType is what happened, as a creditor's webhook and events feed name it.
type EventType string

// The events a creditor receives. Each is born from an audit record (see
// EventOf); the audit action is the event type where the two agree.
const (
	EventPaymentBooked      EventType = "payment.booked"
	EventPaymentRefunded    EventType = "payment.refunded"
	EventPaymentChargedBack EventType = "payment.charged_back"
	EventPlanProposed       EventType = "plan.proposed"
	EventPlanApproved       EventType = "plan.approved"
	EventPlanCountered      EventType = "plan.countered"
	EventPlanBroken         EventType = "plan.broken"
	EventPlanCompleted      EventType = "plan.completed"
	EventPromiseMade        EventType = "promise.made"
	EventPromiseBroken      EventType = "promise.broken"
	EventDisputeOpened      EventType = "dispute.opened"
	EventDisputeResolved    EventType = "dispute.resolved"
	EventHardshipReported   EventType = "hardship.reported"
	EventNoticeSent         EventType = "notice.sent"
	EventMessageSent        EventType = "message.sent"
	EventSignalRaised       EventType = "signal.raised"
)

// EventTypes lists every event type, for the API document and the console.
var EventTypes = []EventType{EventPaymentBooked, EventPaymentRefunded, EventPaymentChargedBack, EventPlanProposed,
	EventPlanApproved, EventPlanCountered, EventPlanBroken, EventPlanCompleted, EventPromiseMade, EventPromiseBroken,
	EventDisputeOpened, EventDisputeResolved, EventHardshipReported, EventNoticeSent, EventMessageSent, EventSignalRaised}

// eventOfAction maps the audit actions whose name differs from their
// event's; an action named like an event type is that event.
var eventOfAction = map[string]EventType{
	"plan.approve":          EventPlanApproved,  // an agent approved the debtor's proposal
	"plan.counter":          EventPlanCountered, // an agent answered with other terms
	"plan.offered":          EventPlanCountered, // an agent's own plan, stored as a counter-offer
	"plan.counter_approved": EventPlanApproved,  // the debtor accepted a counter-offer
	"dispute.upheld":        EventDisputeResolved,
	"dispute.rejected":      EventDisputeResolved,
	"dispute.corrected":     EventDisputeResolved,
	"bank_line.confirmed":   EventPaymentBooked, // finance booked a bank line to a debtor
}

// EventOf says which event, if any, an audit record of a debtor's file
// is. A payment's record is named after its status, so a payment that
// stays paid while part of it is refunded or charged back is told apart
// by its before and after amounts: it was booked once, when it became paid.
func EventOf(action string, before, after map[string]any) (EventType, bool) {
	if t, ok := eventOfAction[action]; ok {
		return t, true
	}
	if strings.HasPrefix(action, "payment.") {
		return paymentEvent(before, after)
	}
	for _, t := range EventTypes {
		if string(t) == action && t != EventPaymentBooked && t != EventDisputeResolved {
			return t, true
		}
	}
	return "", false
}

func paymentEvent(before, after map[string]any) (EventType, bool) {
	switch {
	case number(after, "charged_back") > number(before, "charged_back"):
		return EventPaymentChargedBack, true
	case number(after, "refunded") > number(before, "refunded"):
		return EventPaymentRefunded, true
	case fmt.Sprint(after["status"]) == string(PaymentPaid) && fmt.Sprint(before["status"]) != string(PaymentPaid):
		return EventPaymentBooked, true
	}
	return "", false
}

// number reads an amount from an audit map, whatever numeric type it has
// (int64 when written, float64 when read back from JSON).
func number(m map[string]any, key string) float64 {
	switch v := m[key].(type) {
	case int64:
		return float64(v)
	case int:
		return float64(v)
	case float64:
		return v
	case string:
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	return 0
}

// privateKeys are audit fields a creditor's system does not receive: the
// debtor's words and addresses (the creditor's agents read them in the
// console, where access is checked and logged), and internal bookkeeping.
var privateKeys = map[string]bool{
	"to": true, "email": true, "phone": true, "mobile": true, "name": true, "address": true, "iban": true,
	"payer_iban": true, "body": true, "text": true, "html": true, "reason": true, "answer": true, "note": true,
	"error": true, "evidence": true, "counsellor": true, "income": true, "fixed_costs": true, "messages": true,
	"fallback": true, "suggestion": true, "source": true,
}

// EventData is an event's data: the audit record's after map without the
// private fields, plus the ids a receiver needs (the record's subject,
// such as "payment:<id>", becomes payment_id; the debtor's id).
func EventData(subject, debtorID string, after map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range after {
		if !privateKeys[k] {
			out[k] = v
		}
	}
	if kind, id, ok := strings.Cut(subject, ":"); ok && kind != "" && id != "" {
		out[kind+"_id"] = id
	}
	if debtorID != "" {
		out["debtor_id"] = debtorID
	}
	return out
}

// SignatureHeader is the header that carries a delivery's signature.
const SignatureHeader = "Settle-Signature"

// SignWebhook is the Settle-Signature value of body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>".
func SignWebhook(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + webhookMAC(secret, ts, body)
}

func webhookMAC(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks a Settle-Signature header as a receiver should: a
// v1 signature of body with the secret, stamped no further than tolerance
// from now (a replayed old delivery fails).
func VerifyWebhook(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return Errorf(EUNAUTHORIZED, SignatureHeader, "the signature header needs t=<unix seconds> and v1=<hex>")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return Errorf(EUNAUTHORIZED, SignatureHeader, "the signature is stamped %s, too far from now", time.Unix(sec, 0).UTC().Format(time.RFC3339))
	}
	want := webhookMAC(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return Errorf(EUNAUTHORIZED, SignatureHeader, "the signature does not match the body")
}

// CheckWebhookURL validates an endpoint address: an absolute https URL
// with a host and no credentials; plain http only to this machine
// (localhost, 127.0.0.1, ::1) when local is set (the demo and tests).
func CheckWebhookURL(raw string, local bool) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "", Errorf(EINVALID, "url", "give the address that receives the events")
	case len(raw) > 2000:
		return "", Errorf(EINVALID, "url", "the address is longer than 2000 characters")
	case err != nil || u.Host == "" || u.Hostname() == "":
		return "", Errorf(EINVALID, "url", "give an absolute address such as https://example.com/settle-events")
	case u.User != nil:
		return "", Errorf(EINVALID, "url", "the address may not hold a user name or password")
	case u.Fragment != "":
		return "", Errorf(EINVALID, "url", "the address may not have a #fragment")
	case u.Scheme == "https":
		return u.String(), nil
	case u.Scheme == "http" && local && isLoopback(u.Hostname()):
		return u.String(), nil
	}
	return "", Errorf(EINVALID, "url", "the address must start with https://")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Webhook retries: a delivery that does not get a 2xx is tried again
// after WebhookRetryDelay, WebhookMaxAttempts times in all, which spans
// WebhookRetrySpan (more than 24 hours: a receiver down for a day loses
// nothing).
const (
	WebhookMaxAttempts = 34
	webhookFirstDelay  = 10 * time.Second
	webhookMaxDelay    = time.Hour
)

// WebhookRetryDelay is how long to wait after the attempt-th failed try
// (1-based): 10 seconds, doubling, at most an hour.
func WebhookRetryDelay(attempt int) time.Duration {
	d := webhookFirstDelay
	for i := 1; i < attempt && d < webhookMaxDelay; i++ {
		d *= 2
	}
	return min(d, webhookMaxDelay)
}

// WebhookRetrySpan is the time from the first try to the last of attempts tries.
func WebhookRetrySpan(attempts int) time.Duration {
	var total time.Duration
	for i := 1; i < attempts; i++ {
		total += WebhookRetryDelay(i)
	}
	return total
}

// Events feed paging: GET /api/v1/events?limit=.
const (
	EventsDefaultLimit = 100
	EventsMaxLimit     = 1000
)

// EventsPage reads the feed's after cursor (an event's seq as a string;
// empty is the start) and limit (empty is EventsDefaultLimit).
func EventsPage(after, limit string) (int64, int, error) {
	var cursor int64
	if after != "" {
		c, err := strconv.ParseInt(after, 10, 64)
		if err != nil || c < 0 {
			return 0, 0, Errorf(EINVALID, "after", "after is the next_cursor of an earlier page: a whole number")
		}
		cursor = c
	}
	n := EventsDefaultLimit
	if limit != "" {
		l, err := strconv.Atoi(limit)
		if err != nil || l < 1 || l > EventsMaxLimit {
			return 0, 0, Errorf(EINVALID, "limit", "limit is a whole number from 1 to %d", EventsMaxLimit)
		}
		n = l
	}
	return cursor, n, nil
}

// Event is one event of a creditor's feed. Seq orders a creditor's
// events as they committed; Data is the JSON object EventData made.
type Event struct {
	ID         string
	Seq        int64
	CreditorID string
	DebtorID   string // "" for an event about no one debtor
	Type       EventType
	Data       json.RawMessage
	CreatedAt  time.Time
}

// EventBody is what a webhook delivery POSTs and the feed lists for one
// event: {"id", "type", "created_at", "data"}.
type EventBody struct {
	ID        string          `json:"id"`
	Type      EventType       `json:"type"`
	CreatedAt string          `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// Body is the event as delivered.
func (e Event) Body() EventBody {
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	return EventBody{ID: e.ID, Type: e.Type, CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339), Data: data}
}
