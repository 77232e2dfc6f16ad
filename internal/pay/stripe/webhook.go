package stripe

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v79"
	"github.com/stripe/stripe-go/v79/webhook"

	"github.com/settle/settle/internal/pay"
)

// Errors from ParseWebhook. Each means "answer 400 and change nothing".
var (
	// ErrForged: the Stripe-Signature header is missing, malformed, does
	// not match the raw body under our secret, or is older than the
	// tolerance (a replay); or no webhook secret is configured.
	ErrForged = errors.New("stripe webhook: signature not valid")
	// ErrUnknownPayment: a handled event whose object names no payment of
	// ours (no settle_payment_id, client_reference_id or PaymentIntent).
	ErrUnknownPayment = errors.New("stripe webhook: event names no Settle payment")
	// ErrMalformed: correctly signed, but not an event, or a handled
	// event whose object lacks a field we read. Under our API-version
	// policy this is how a breaking change in Stripe's shapes shows up.
	ErrMalformed = errors.New("stripe webhook: event lacks required fields")
)

// The event types ParseWebhook maps to a state.
const (
	EventSessionCompleted      = "checkout.session.completed"
	EventSessionAsyncSucceeded = "checkout.session.async_payment_succeeded"
	EventSessionAsyncFailed    = "checkout.session.async_payment_failed"
	EventSessionExpired        = "checkout.session.expired"
	EventChargeRefunded        = "charge.refunded"
	EventDisputeCreated        = "charge.dispute.created"
	EventDisputeClosed         = "charge.dispute.closed"
)

// Event is a verified Stripe webhook event, reduced to what Settle uses.
type Event struct {
	ID   string // evt_...; store under (stripe, ID) to drop redeliveries
	Type string
	// PaymentID is our payment id. It is empty only for a dispute event,
	// because Stripe copies no metadata onto disputes: then resolve
	// ProviderID with Provider.PaymentIDForIntent.
	PaymentID string
	// ProviderID is the session id (cs_...) for session events and the
	// PaymentIntent id (pi_...) for charge and dispute events.
	ProviderID string
	// State is what the event says, or nil when it says nothing that moves
	// money (an unhandled type, or a dispute that is only an inquiry).
	// Fields the object cannot know are zero: a refund event knows no
	// disputes and a dispute event no refunds. The booking job should
	// treat State as a hint and Fetch the session for running totals.
	State *pay.State
	// Handled is false for types Settle does not act on; the caller stores
	// and ignores them.
	Handled bool
}

// ParseWebhook verifies a Stripe webhook delivery and maps it to an Event.
// payload must be the raw request body, byte for byte: the signature covers
// exactly those bytes.
//
// API versions: events whose api_version differs from stripe-go's pinned
// stripe.APIVersion are accepted. Stripe renders an event in the endpoint's
// (or account's) API version, which Stripe's dashboard upgrades independently
// of our deploys; refusing a mismatch would turn an upgrade on either side
// into every webhook being answered 400, retried for days and then lost. That
// is safe because we do not decode events into stripe-go's version-specific
// structs: we read only a few fields that have been stable for years (id,
// type, data.object.id, metadata, client_reference_id, status,
// payment_status, amount, amount_total, amount_refunded, refunded,
// payment_intent), ignore all others, and refuse (ErrMalformed) a handled
// event whose object lacks one of them, so a breaking change is loud rather
// than misread.
func ParseWebhook(payload []byte, sigHeader, secret string) (Event, error) {
	if secret == "" {
		// An empty HMAC key would let anyone sign events.
		return Event{}, fmt.Errorf("%w: no webhook secret configured", ErrForged)
	}
	if err := webhook.ValidatePayloadWithTolerance(payload, sigHeader, secret, webhook.DefaultTolerance); err != nil {
		if isSignatureError(err) {
			return Event{}, fmt.Errorf("%w: %w", ErrForged, err)
		}
		return Event{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return parseEvent(payload)
}

// envelope is the part of an event that mapEvent reads, decoded in one
// pass. Decoding the whole event into stripe-go's Event also decodes
// data.object into a map, which cost a fifth of the webhook's CPU and is
// never read; decoding the envelope and then its object again cost a fifth
// of what was left.
type envelope struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data *struct {
		Object *eventObject `json:"object"`
	} `json:"data"`
}

// rawEnvelope is envelope with data.object undecoded, for the events that
// envelope cannot take (see parseEvent).
type rawEnvelope struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data *struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// parseEvent decodes an event and maps it (mapEvent). Nearly every event
// decodes into envelope at once. The rest take a second, stricter look:
// one whose data.object is missing or null, not a JSON object (refused,
// like stripe-go's Event), or an unhandled type's object with a field of
// another type than ours (the event is still only unhandled).
func parseEvent(payload []byte) (Event, error) {
	var ev envelope
	if json.Unmarshal(payload, &ev) == nil && (ev.Data == nil || ev.Data.Object != nil) {
		return mapEvent(ev)
	}
	var raw rawEnvelope
	if err := json.Unmarshal(payload, &raw); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	ev = envelope{ID: raw.ID, Type: raw.Type}
	if raw.Data != nil {
		o := bytes.TrimSpace(raw.Data.Object)
		if len(o) == 0 || (o[0] != '{' && !bytes.Equal(o, []byte("null"))) {
			return Event{}, fmt.Errorf("%w: data.object is not an object", ErrMalformed)
		}
		obj := &eventObject{}
		if handledType(raw.Type) {
			if err := json.Unmarshal(o, obj); err != nil {
				return Event{}, fmt.Errorf("event %s (%s): %w: %v", raw.ID, raw.Type, ErrMalformed, err)
			}
		}
		ev.Data = &struct {
			Object *eventObject `json:"object"`
		}{obj}
	}
	return mapEvent(ev)
}

// handledType tells the event types mapEvent reads an object of.
func handledType(typ string) bool {
	switch typ {
	case EventSessionCompleted, EventSessionAsyncSucceeded, EventSessionAsyncFailed, EventSessionExpired,
		EventChargeRefunded, EventDisputeCreated, EventDisputeClosed:
		return true
	}
	return false
}

// ParseStored maps an event payload that ParseWebhook already verified and
// the webhook stored, for the booking job. It checks no signature (the
// timestamp is long past the tolerance by then), so it must only ever see
// stored payloads. Unhandled types give a nil state; so does a dispute that
// is only an inquiry. paymentID is empty for a dispute without our id (see
// Event.PaymentID).
func ParseStored(payload []byte) (paymentID string, st *pay.State, err error) {
	out, err := parseEvent(payload)
	if err != nil {
		return "", nil, err
	}
	return out.PaymentID, out.State, nil
}

// mapEvent reduces a parsed event to an Event; see ParseWebhook.
func mapEvent(ev envelope) (Event, error) {
	if ev.ID == "" || ev.Type == "" || ev.Data == nil {
		return Event{}, fmt.Errorf("%w: no id, type or data", ErrMalformed)
	}
	out := Event{ID: ev.ID, Type: ev.Type}
	var err error
	switch out.Type {
	case EventSessionCompleted, EventSessionAsyncSucceeded, EventSessionAsyncFailed, EventSessionExpired:
		err = out.fromSession(ev.Data.Object)
	case EventChargeRefunded:
		err = out.fromCharge(ev.Data.Object)
	case EventDisputeCreated, EventDisputeClosed:
		err = out.fromDispute(ev.Data.Object)
	default:
		return out, nil
	}
	if err != nil {
		return Event{}, fmt.Errorf("event %s (%s): %w", out.ID, out.Type, err)
	}
	out.Handled = true
	return out, nil
}

func isSignatureError(err error) bool {
	return errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrInvalidHeader) ||
		errors.Is(err, webhook.ErrNoValidSignature) || errors.Is(err, webhook.ErrTooOld)
}

// eventObject holds the fields we read of the objects of the handled
// events: a checkout session, a charge, a dispute. Pointers tell a missing
// field from a zero one. One type for all three lets the envelope decode
// its object in the same pass, before the type is known; the objects share
// no field name with different types.
type eventObject struct {
	ID                *string           `json:"id"`
	Object            string            `json:"object"`
	Metadata          map[string]string `json:"metadata"`
	ClientReferenceID *string           `json:"client_reference_id"` // session
	PaymentStatus     *string           `json:"payment_status"`      // session
	AmountTotal       *int64            `json:"amount_total"`        // session
	PaymentIntent     expandable        `json:"payment_intent"`      // charge, dispute
	Amount            *int64            `json:"amount"`              // charge, dispute
	AmountRefunded    *int64            `json:"amount_refunded"`     // charge
	Refunded          *bool             `json:"refunded"`            // charge
	Status            *string           `json:"status"`              // dispute (a session's is not read)
}

// expandable is a reference Stripe renders as an id or, when expanded, as an
// object with an id.
type expandable string

func (e *expandable) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*e = expandable(s)
		return nil
	}
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*e = expandable(o.ID)
	return nil
}

// checkObject makes sure o is a wantObject with an id.
func checkObject(o *eventObject, wantObject string) error {
	if o.Object != wantObject {
		return fmt.Errorf("%w: data.object is %q, want %q", ErrMalformed, o.Object, wantObject)
	}
	if o.ID == nil || *o.ID == "" {
		return fmt.Errorf("%w: data.object.id", ErrMalformed)
	}
	return nil
}

func missing(field string) error { return fmt.Errorf("%w: data.object.%s", ErrMalformed, field) }

func (e *Event) fromSession(s *eventObject) error {
	if err := checkObject(s, "checkout.session"); err != nil {
		return err
	}
	e.ProviderID = *s.ID
	e.PaymentID = s.Metadata[MetadataKey]
	if e.PaymentID == "" && s.ClientReferenceID != nil {
		e.PaymentID = *s.ClientReferenceID
	}
	if e.PaymentID == "" {
		return ErrUnknownPayment
	}
	if s.AmountTotal == nil {
		return missing("amount_total")
	}
	st := &pay.State{ProviderID: *s.ID, Amount: *s.AmountTotal}
	switch e.Type {
	case EventSessionCompleted:
		if s.PaymentStatus == nil {
			return missing("payment_status")
		}
		st.Status = pay.StatusPending
		if *s.PaymentStatus == "paid" || *s.PaymentStatus == "no_payment_required" {
			st.Status = pay.StatusPaid
		}
	case EventSessionAsyncSucceeded:
		st.Status = pay.StatusPaid
	case EventSessionAsyncFailed:
		st.Status = pay.StatusFailed
	case EventSessionExpired:
		st.Status = pay.StatusExpired
	}
	e.State = st
	return nil
}

func (e *Event) fromCharge(c *eventObject) error {
	if err := checkObject(c, "charge"); err != nil {
		return err
	}
	e.ProviderID = string(c.PaymentIntent)
	e.PaymentID = c.Metadata[MetadataKey]
	if e.PaymentID == "" {
		// Charges made through our sessions always carry the id copied
		// from the PaymentIntent; one without it is not ours.
		return ErrUnknownPayment
	}
	if c.Amount == nil {
		return missing("amount")
	}
	if c.AmountRefunded == nil {
		return missing("amount_refunded")
	}
	st := &pay.State{ProviderID: e.ProviderID, Amount: *c.Amount, Refunded: *c.AmountRefunded, Status: pay.StatusPaid}
	if (c.Refunded != nil && *c.Refunded) || *c.AmountRefunded >= *c.Amount {
		st.Status = pay.StatusRefunded
	}
	e.State = st
	return nil
}

func (e *Event) fromDispute(d *eventObject) error {
	if err := checkObject(d, "dispute"); err != nil {
		return err
	}
	e.ProviderID = string(d.PaymentIntent)
	// Disputes get no metadata from the charge; our id is there only if
	// someone put it there (our tests do). Otherwise the PaymentIntent
	// leads to it.
	e.PaymentID = d.Metadata[MetadataKey]
	if e.PaymentID == "" && e.ProviderID == "" {
		return ErrUnknownPayment
	}
	if d.Amount == nil {
		return missing("amount")
	}
	if d.Status == nil {
		return missing("status")
	}
	status := stripego.DisputeStatus(*d.Status)
	if strings.HasPrefix(*d.Status, "warning_") {
		// An inquiry: Stripe takes no money unless it becomes a dispute,
		// which arrives as its own charge.dispute.created.
		return nil
	}
	// Amount stays 0 ("not known"): the disputed amount is not what was
	// paid, and the booking job takes a nonzero Amount as money received.
	st := &pay.State{ProviderID: e.ProviderID}
	switch {
	case status == stripego.DisputeStatusWon:
		st.Status = pay.StatusPaid
	case disputeHoldsMoney(status):
		st.Status = pay.StatusChargedBack
		st.ChargedBack = *d.Amount
	default:
		// charge_refunded and future statuses: say nothing rather than
		// guess; the booking job's Fetch has the totals.
		return nil
	}
	e.State = st
	return nil
}

// SignedEvent builds a Stripe event of type typ around object, pinned to
// stripe-go's API version and created now, and signs it with secret as Stripe
// would. It is for tests and the webhook benchmark, which drive flows that
// stripe-mock cannot (it keeps no state).
func SignedEvent(secret string, typ string, object map[string]any) (payload []byte, header string) {
	var id [12]byte
	_, _ = rand.Read(id[:]) // never fails (crypto/rand panics instead)
	now := time.Now()
	ev := map[string]any{
		"id":               "evt_" + hex.EncodeToString(id[:]),
		"object":           "event",
		"api_version":      stripego.APIVersion,
		"created":          now.Unix(),
		"livemode":         false,
		"pending_webhooks": 1,
		"request":          map[string]any{"id": nil, "idempotency_key": nil},
		"type":             typ,
		"data":             map[string]any{"object": object},
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("stripe.SignedEvent: object does not marshal: %v", err))
	}
	return payload, Sign(secret, payload, now)
}

// Sign returns a Stripe-Signature header for payload signed with secret at
// time at: "t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<payload>">".
func Sign(secret string, payload []byte, at time.Time) string {
	t := fmt.Sprint(at.Unix())
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(t))
	mac.Write([]byte("."))
	mac.Write(payload)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
