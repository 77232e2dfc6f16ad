// Package pay is what Settle needs from a payment provider: start a hosted
// checkout, and read a payment's true state back. pay/mollie and pay/stripe
// implement it; booking the result is the job of internal/jobs.
package pay

import (
	"context"
	"errors"
	"fmt"

	"github.com/settle/settle/internal/collect"
)

// Method is how a debtor pays.
type Method string

// The methods Settle offers.
const (
	IDEAL Method = "ideal"
	Card  Method = "card"
)

// Status is our payment's status (collect.PaymentStatus); providers'
// statuses are mapped onto it.
type Status = collect.PaymentStatus

// Payment statuses, by their provider-facing names. Refunded and ChargedBack follow Paid.
const (
	StatusOpen        = collect.PaymentOpen
	StatusPending     = collect.PaymentPending
	StatusPaid        = collect.PaymentPaid
	StatusFailed      = collect.PaymentFailed
	StatusCanceled    = collect.PaymentCanceled
	StatusExpired     = collect.PaymentExpired
	StatusRefunded    = collect.PaymentRefunded
	StatusChargedBack = collect.PaymentChargedBack
)

// CheckoutRequest asks a provider for a hosted payment page.
type CheckoutRequest struct {
	PaymentID      string // our payment id, stored in the provider's metadata
	Amount         int64  // cents
	Description    string
	Method         Method
	ReturnURL      string // where the debtor lands afterwards
	WebhookURL     string // where the provider reports changes (Mollie)
	IdempotencyKey string // stable per attempt, so a retried create makes no second payment
}

// Checkout is a started provider payment.
type Checkout struct {
	ProviderID  string // tr_... or cs_...
	RedirectURL string // the hosted page to send the debtor to
	Status      Status
}

// State is what a provider says about a payment now. Refunded and ChargedBack
// are running totals in cents, so applying a state twice changes nothing.
type State struct {
	ProviderID string
	// IntentID is the Stripe PaymentIntent (pi_...) behind a session, which
	// charge and dispute events name instead of the session; "" elsewhere.
	IntentID string
	// Currency is the payment's ISO 4217 code as the provider reports it,
	// upper case; "" when the provider does not know it yet.
	Currency    string
	Status      Status
	Amount      int64
	Refunded    int64
	ChargedBack int64
}

// MovesMoney reports whether the state books or reverses money.
func (s State) MovesMoney() bool {
	return s.Status == StatusPaid || s.Status == StatusRefunded || s.Status == StatusChargedBack || s.Refunded > 0 || s.ChargedBack > 0
}

// Provider is a payment service provider.
type Provider interface {
	Name() string
	Checkout(ctx context.Context, req CheckoutRequest) (Checkout, error)
	Fetch(ctx context.Context, providerID string) (State, error)
}

// Refunder is a provider that can pay money back on a payment it took
// (a debtor's credit). key makes a retried request refund once.
type Refunder interface {
	Refund(ctx context.Context, providerID string, amount int64, key string) (refundID string, err error)
}

// ErrUnavailable means the provider could not be reached or answered with an
// error; the debtor is told to try again or use another method.
var ErrUnavailable = errors.New("payment provider unavailable")

// Unavailable wraps a provider failure so callers can tell it apart and the
// log keeps the cause.
func Unavailable(provider string, cause error) error {
	return fmt.Errorf("%s: %w: %w", provider, ErrUnavailable, cause)
}

// Next is the status a payment moves to when a provider reports incoming.
// Reports arrive late, twice and out of order, so the order only moves
// forward: a paid payment never goes back to open or failed, and a payment
// that was paid after all (a late bank confirmation) becomes paid.
func Next(current, incoming Status) Status {
	rank := func(s Status) int {
		switch s {
		case StatusOpen:
			return 0
		case StatusPending:
			return 1
		case StatusFailed, StatusCanceled, StatusExpired:
			return 2
		case StatusPaid, StatusRefunded, StatusChargedBack:
			return 3
		}
		return -1
	}
	rc, ri := rank(current), rank(incoming)
	switch {
	case ri < 0:
		return current
	case rc == 3 && ri == 3:
		return incoming // paid, refunded and charged back follow the provider's latest word
	case ri > rc:
		return incoming
	}
	return current
}
