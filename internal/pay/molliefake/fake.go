// Package molliefake is an in-memory fake of the parts of the Mollie API v2
// that Settle uses, for tests and for `settle demo`.
//
// It keeps state (unlike a mock that answers every call with canned shapes),
// so whole flows can be run: create a payment, open its checkout page, pick
// an outcome, receive the webhook, fetch the payment, refund it, settle it.
// Paths, JSON shapes, statuses, validation and error bodies follow Mollie's
// OpenAPI description; the conformance test checks the response shapes
// against it when MOLLIE_OPENAPI is set.
//
// It deliberately does not share types with package mollie: the fake writes
// the wire format on its own, so a mistake in the client's types cannot be
// hidden by the same mistake in the fake.
package molliefake

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Payment is a snapshot of a fake payment, for test assertions.
type Payment struct {
	ID          string
	Mode        string // "test" or "live", from the key that created it
	Status      string
	Method      string // "" until chosen
	Description string
	Currency    string
	// AmountCents is the payment amount in cents.
	AmountCents      int64
	RefundedCents    int64
	ChargedBackCents int64
	Metadata         json.RawMessage
	RedirectURL      string
	WebhookURL       string
	IdempotencyKey   string
	SettlementID     string
	CreatedAt        time.Time
	PaidAt           *time.Time
	// SequenceType is "oneoff", "first" (gives a mandate once paid) or
	// "recurring" (collected on a mandate, no checkout).
	SequenceType string
	CustomerID   string
	MandateID    string
}

// Delivery records one webhook delivery (all its attempts), so tests can
// assert that a webhook was sent, retried or lost.
type Delivery struct {
	URL       string
	PaymentID string
	Attempts  int
	// Status is the HTTP status of the last attempt (0 if it never got an
	// answer, or if webhooks were disabled).
	Status    int
	Delivered bool
	Disabled  bool
	Err       string
}

// Fake is the fake Mollie API. Create it with New; all methods are safe for
// concurrent use.
type Fake struct {
	// WebhookDisabled simulates a lost webhook: statuses still change but
	// nothing is POSTed, so tests can prove the periodic re-fetch works.
	WebhookDisabled atomic.Bool

	mu          stateMutex // saves the state on Unlock once Persist is called
	baseURL     string
	payments    map[string]*payment
	order       []string // payment ids in creation order
	refunds     map[string]*refund
	chargebacks map[string]*chargeback
	settlements []*settlement // in creation order
	idem        map[string]idemEntry
	customers   map[string]*Customer
	mandates    map[string]*Mandate
	mandateIDs  []string // mandate ids in creation order
	deliveries  []*Delivery
	now         func() time.Time
	retryDelays []time.Duration
	client      *http.Client
	wg          sync.WaitGroup
	refSeq      map[string]int // yymm → last settlement sequence number
	fetches     map[string]int // GET /v2/payments/{id} answered, by id
}

type idemEntry struct {
	body string
	// paymentID is the id of what the first request created: a payment,
	// or a customer for POST /v2/customers (keys of the two never meet,
	// customerKey keeps them apart).
	paymentID string
}

type payment struct {
	Payment
	profileID    string
	authorizedAt *time.Time
	canceledAt   *time.Time
	expiresAt    time.Time
	expiredAt    *time.Time
	failedAt     *time.Time
	refundIDs    []string
	chargeIDs    []string
}

type refund struct {
	id           string
	mode         string
	paymentID    string
	cents        int64
	currency     string
	description  string
	status       string
	settlementID string
	createdAt    time.Time
}

type chargeback struct {
	id           string
	paymentID    string
	cents        int64
	currency     string
	settlementID string
	createdAt    time.Time
	reversedAt   *time.Time // set when the chargeback was undone
}

// New returns an empty fake. publicBaseURL is where the fake is reachable
// from a browser (checkout links point there); it may be "" and set later
// with SetBaseURL, e.g. once an httptest.Server has its address.
func New(publicBaseURL string) *Fake {
	return &Fake{
		baseURL:     strings.TrimRight(publicBaseURL, "/"),
		payments:    map[string]*payment{},
		refunds:     map[string]*refund{},
		chargebacks: map[string]*chargeback{},
		idem:        map[string]idemEntry{},
		customers:   map[string]*Customer{},
		mandates:    map[string]*Mandate{},
		refSeq:      map[string]int{},
		now:         func() time.Time { return time.Now().UTC().Truncate(time.Second) },
		// Mollie retries a failed webhook for about a day; the fake keeps
		// the idea (a few retries with growing pauses) at test speed.
		retryDelays: []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, time.Second},
		client:      &http.Client{Timeout: 10 * time.Second},
	}
}

// SetBaseURL sets the public base URL used for checkout links.
func (f *Fake) SetBaseURL(u string) {
	f.mu.Lock()
	f.baseURL = strings.TrimRight(u, "/")
	f.mu.Unlock()
}

// SetRetryDelays sets the pauses between webhook attempts; the number of
// attempts is len(d)+1. Tests of a failing endpoint use tiny delays.
func (f *Fake) SetRetryDelays(d ...time.Duration) {
	f.mu.Lock()
	f.retryDelays = slices.Clone(d)
	f.mu.Unlock()
}

// SetClock replaces the clock, for tests about dates and periods.
func (f *Fake) SetClock(now func() time.Time) {
	f.mu.Lock()
	f.now = now
	f.mu.Unlock()
}

// Payments returns a snapshot of all payments in creation order.
func (f *Fake) Payments() []Payment {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Payment, 0, len(f.order))
	for _, id := range f.order {
		out = append(out, f.payments[id].Payment)
	}
	return out
}

// Payment returns a snapshot of one payment.
func (f *Fake) Payment(id string) (Payment, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.payments[id]
	if !ok {
		return Payment{}, false
	}
	return p.Payment, true
}

// Deliveries returns a snapshot of the webhook deliveries so far, including
// ones still retrying.
func (f *Fake) Deliveries() []Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Delivery, len(f.deliveries))
	for i, d := range f.deliveries {
		out[i] = *d
	}
	return out
}

// WaitWebhooks blocks until every webhook started so far (including the
// ones the checkout page sends in the background) is delivered or given up.
func (f *Fake) WaitWebhooks() { f.wg.Wait() }

// ErrNotFound is returned for an unknown payment, refund or settlement id.
var ErrNotFound = errors.New("molliefake: not found")

var paymentStatuses = []string{"open", "pending", "authorized", "paid", "canceled", "expired", "failed"}

// SetStatus sets a payment's status, as the test-mode checkout page or
// Mollie's own processing would, and POSTs the webhook (form body id=tr_...)
// to its webhookUrl. It returns after the delivery (with retries) is done,
// so a test can assert on its effects right away.
func (f *Fake) SetStatus(id, status string) error {
	if !slices.Contains(paymentStatuses, status) {
		return fmt.Errorf("molliefake: unknown payment status %q", status)
	}
	f.mu.Lock()
	p, ok := f.payments[id]
	if !ok {
		f.mu.Unlock()
		return fmt.Errorf("%w: payment %s", ErrNotFound, id)
	}
	f.setStatusLocked(p, status)
	f.notifyUnlock(p)
	return nil
}

func (f *Fake) setStatusLocked(p *payment, status string) {
	now := f.now()
	p.Status = status
	switch status {
	case "paid":
		p.PaidAt = &now
		if p.Method == "" {
			// A paid payment always has a method; the checkout page is
			// where the debtor would have picked it.
			p.Method = "ideal"
		}
		if p.SequenceType == "first" && p.MandateID == "" {
			p.MandateID = f.newMandateLocked(p, now)
		}
	case "authorized":
		p.authorizedAt = &now
	case "canceled":
		p.canceledAt = &now
	case "expired":
		p.expiredAt = &now
	case "failed":
		p.failedAt = &now
	}
}

// Refund creates a refund of cents on a paid payment and calls its webhook,
// as Mollie does for refunds. The refund starts as "pending" (use
// SetRefundStatus to move it on).
func (f *Fake) Refund(paymentID string, cents int64) (string, error) {
	f.mu.Lock()
	p, err := f.paidPaymentLocked(paymentID, "refunded")
	if err == nil && (cents <= 0 || cents > p.AmountCents-p.RefundedCents) {
		err = fmt.Errorf("molliefake: refund of %d cents exceeds the remaining %d", cents, p.AmountCents-p.RefundedCents)
	}
	if err != nil {
		f.mu.Unlock()
		return "", err
	}
	r := &refund{
		id: newID("re_"), mode: p.Mode, paymentID: p.ID, cents: cents, currency: p.Currency,
		description: p.Description, status: "pending", createdAt: f.now(),
	}
	f.refunds[r.id] = r
	p.refundIDs = append(p.refundIDs, r.id)
	p.RefundedCents += cents
	f.notifyUnlock(p)
	return r.id, nil
}

var refundStatuses = []string{"queued", "pending", "processing", "refunded", "failed", "canceled"}

// SetRefundStatus moves a refund to another status (e.g. "refunded"). A
// failed or canceled refund gives its amount back to the payment. Mollie
// calls the payment's webhook when a refund's status changes.
func (f *Fake) SetRefundStatus(refundID, status string) error {
	if !slices.Contains(refundStatuses, status) {
		return fmt.Errorf("molliefake: unknown refund status %q", status)
	}
	f.mu.Lock()
	r, ok := f.refunds[refundID]
	if !ok {
		f.mu.Unlock()
		return fmt.Errorf("%w: refund %s", ErrNotFound, refundID)
	}
	if r.status == status {
		f.mu.Unlock()
		return nil
	}
	undone := func(s string) bool { return s == "failed" || s == "canceled" }
	if undone(status) && !undone(r.status) {
		f.payments[r.paymentID].RefundedCents -= r.cents
	} else if !undone(status) && undone(r.status) {
		f.payments[r.paymentID].RefundedCents += r.cents
	}
	r.status = status
	f.notifyUnlock(f.payments[r.paymentID])
	return nil
}

// Chargeback records a chargeback of cents on a paid payment and calls its
// webhook. The payment stays "paid", as at Mollie; amountChargedBack shows
// the loss.
func (f *Fake) Chargeback(paymentID string, cents int64) (string, error) {
	f.mu.Lock()
	p, err := f.paidPaymentLocked(paymentID, "charged back")
	if err == nil && (cents <= 0 || cents > p.AmountCents-p.ChargedBackCents) {
		err = fmt.Errorf("molliefake: chargeback of %d cents exceeds the %d not yet charged back", cents, p.AmountCents-p.ChargedBackCents)
	}
	if err != nil {
		f.mu.Unlock()
		return "", err
	}
	c := &chargeback{id: newID("chb_"), paymentID: p.ID, cents: cents, currency: p.Currency, createdAt: f.now()}
	f.chargebacks[c.id] = c
	p.chargeIDs = append(p.chargeIDs, c.id)
	p.ChargedBackCents += cents
	f.notifyUnlock(p)
	return c.id, nil
}

// ReverseChargeback undoes a chargeback, as Mollie reports when the bank
// returns the money: the chargeback gets reversedAt, the payment's
// amountChargedBack drops by its amount, and the payment's webhook is called.
func (f *Fake) ReverseChargeback(chargebackID string) error {
	f.mu.Lock()
	c, ok := f.chargebacks[chargebackID]
	if !ok {
		f.mu.Unlock()
		return fmt.Errorf("%w: chargeback %s", ErrNotFound, chargebackID)
	}
	if c.reversedAt != nil {
		f.mu.Unlock()
		return fmt.Errorf("molliefake: chargeback %s is already reversed", chargebackID)
	}
	now := f.now()
	c.reversedAt = &now
	p := f.payments[c.paymentID]
	p.ChargedBackCents -= c.cents
	f.notifyUnlock(p)
	return nil
}

// Fetches counts how often the API answered GET /v2/payments/{id} for id,
// so tests can see what a storm of webhooks cost.
func (f *Fake) Fetches(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches[id]
}

// paidPaymentLocked finds a payment that money can leave again (by refund
// or chargeback): only a paid one, as at Mollie. verb names the action in
// the error.
func (f *Fake) paidPaymentLocked(id, verb string) (*payment, error) {
	p, ok := f.payments[id]
	if !ok {
		return nil, fmt.Errorf("%w: payment %s", ErrNotFound, id)
	}
	if p.Status != "paid" {
		return nil, fmt.Errorf("molliefake: payment %s is %s, only paid payments can be %s", id, p.Status, verb)
	}
	return p, nil
}

// notifyUnlock calls p's webhook for a change made under f.mu, which it
// releases first: the delivery must not hold the lock while the app's
// handler fetches the payment back from this fake.
func (f *Fake) notifyUnlock(p *payment) {
	d := f.newDeliveryLocked(p)
	f.mu.Unlock()
	f.wg.Add(1)
	f.deliver(d)
}

// newDeliveryLocked registers a webhook delivery for p, or returns nil when
// p has no webhookUrl. The caller must call f.wg.Add(1) and f.deliver.
func (f *Fake) newDeliveryLocked(p *payment) *Delivery {
	if p.WebhookURL == "" {
		return nil
	}
	d := &Delivery{URL: p.WebhookURL, PaymentID: p.ID}
	f.deliveries = append(f.deliveries, d)
	return d
}

// deliver POSTs id=... to the webhook like Mollie: form-encoded, no
// signature, retried on anything but a 2xx. It calls f.wg.Done when done.
func (f *Fake) deliver(d *Delivery) {
	defer f.wg.Done()
	if d == nil {
		return
	}
	if f.WebhookDisabled.Load() {
		f.mu.Lock()
		d.Disabled = true
		f.mu.Unlock()
		return
	}
	f.mu.Lock()
	delays := slices.Clone(f.retryDelays)
	client := f.client
	f.mu.Unlock()
	for attempt := 0; ; attempt++ {
		status, err := post(client, d.URL, d.PaymentID)
		f.mu.Lock()
		d.Attempts = attempt + 1
		d.Status = status
		d.Err = ""
		if err != nil {
			d.Err = err.Error()
		}
		d.Delivered = err == nil && status >= 200 && status < 300
		done := d.Delivered
		f.mu.Unlock()
		if done || attempt >= len(delays) {
			return
		}
		time.Sleep(delays[attempt])
	}
}

func post(client *http.Client, u, id string) (int, error) {
	resp, err := client.PostForm(u, map[string][]string{"id": {id}})
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newID returns prefix plus 10 random alphanumerics, like Mollie's
// tr_WDqYK6vllg.
func newID(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return prefix + string(b)
}
