package pay

import "context"

// DirectDebit is the method of payments collected on a mandate (SEPA
// direct debit), without the debtor at a checkout.
const DirectDebit Method = "directdebit"

// Mandate statuses as providers report them; MandateNone when the
// customer has none (yet).
const (
	MandateNone    = ""
	MandatePending = "pending"
	MandateValid   = "valid"
	MandateInvalid = "invalid"
)

// Mandate is a customer's direct debit mandate as the provider reports it.
type Mandate struct {
	ID     string
	Status string
}

// CollectRequest asks a provider to collect an amount on a mandate.
type CollectRequest struct {
	PaymentID   string // our payment id, stored in the provider's metadata
	Amount      int64  // cents
	Description string
	CustomerID  string
	MandateID   string
	WebhookURL  string
	// IdempotencyKey is stable per collection, so a retry after a crash
	// between the provider's answer and our store charges once.
	IdempotencyKey string
}

// Recurring is a provider that collects later payments on a direct debit
// mandate the debtor gave with a first payment (Mollie: customers,
// sequenceType first and recurring).
type Recurring interface {
	// NewCustomer creates the customer mandates belong to; key makes a
	// retry return the same customer.
	NewCustomer(ctx context.Context, name, email, key string) (customerID string, err error)
	// FirstCheckout is Checkout for a payment that also gives a mandate.
	FirstCheckout(ctx context.Context, customerID string, req CheckoutRequest) (Checkout, error)
	// CurrentMandate is the customer's usable mandate: a valid one, else
	// a pending one, else the last invalid one, else MandateNone.
	CurrentMandate(ctx context.Context, customerID string) (Mandate, error)
	Collect(ctx context.Context, req CollectRequest) (Checkout, error)
	RevokeMandate(ctx context.Context, customerID, mandateID string) error
}
