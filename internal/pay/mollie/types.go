package mollie

import (
	"bytes"
	"encoding/json"
	"time"
)

// Payment statuses as Mollie names them. Only paid means money arrived;
// canceled, expired and failed are final without money.
const (
	StatusOpen       = "open"
	StatusPending    = "pending"
	StatusAuthorized = "authorized"
	StatusPaid       = "paid"
	StatusCanceled   = "canceled"
	StatusExpired    = "expired"
	StatusFailed     = "failed"
)

// Amount is Mollie's money object. Value is a decimal string, never a float:
// two decimals for payments ("10.00"), four in settlement periods
// ("86.1000"). Converting to cents is left to the caller (internal/money).
type Amount struct {
	Currency string `json:"currency"`
	Value    string `json:"value"`
}

// Link is a HAL link object.
type Link struct {
	Href string `json:"href"`
	Type string `json:"type"`
}

// CreatePayment is the request for Client.CreatePayment.
type CreatePayment struct {
	Amount      Amount
	Description string
	// RedirectURL is where Mollie sends the debtor after checkout. Required
	// by Mollie for one-off payments.
	RedirectURL string
	// WebhookURL receives status changes (form body id=tr_...).
	WebhookURL string
	// Method selects one payment method (e.g. "ideal", "creditcard"); empty
	// lets the debtor choose on Mollie's page.
	Method   string
	Metadata map[string]string
	// SequenceType is "" (oneoff), SequenceFirst (the debtor pays by
	// iDEAL and so gives a direct debit mandate to CustomerID) or
	// SequenceRecurring (collected on the customer's mandate, no checkout).
	SequenceType string
	CustomerID   string
	// MandateID picks the mandate of a recurring payment; empty lets
	// Mollie take the customer's valid one.
	MandateID string
	// IdempotencyKey makes retries of this create safe: Mollie returns the
	// first payment again instead of creating a second one. Pass a key
	// stored with our own payment attempt; when empty the client makes a
	// random one, which only protects nothing across retries.
	IdempotencyKey string
}

// Payment is a Mollie payment as returned by the API (the fields Settle uses).
type Payment struct {
	ID                string  `json:"id"`
	Mode              string  `json:"mode"`
	Status            string  `json:"status"`
	Method            string  `json:"method"`
	Description       string  `json:"description"`
	Amount            Amount  `json:"amount"`
	AmountRefunded    *Amount `json:"amountRefunded"`
	AmountRemaining   *Amount `json:"amountRemaining"`
	AmountChargedBack *Amount `json:"amountChargedBack"`
	// SettlementAmount is set on payments listed in a settlement: what was
	// settled in the settlement currency.
	SettlementAmount *Amount `json:"settlementAmount"`
	// Metadata is kept raw: Mollie allows a string, number, object, array
	// or null here, and echoes whatever was stored.
	Metadata     json.RawMessage `json:"metadata"`
	RedirectURL  string          `json:"redirectUrl"`
	WebhookURL   string          `json:"webhookUrl"`
	ProfileID    string          `json:"profileId"`
	SequenceType string          `json:"sequenceType"`
	CustomerID   string          `json:"customerId"`
	MandateID    string          `json:"mandateId"`
	SettlementID string          `json:"settlementId"`
	CreatedAt    time.Time       `json:"createdAt"`
	AuthorizedAt *time.Time      `json:"authorizedAt"`
	PaidAt       *time.Time      `json:"paidAt"`
	CanceledAt   *time.Time      `json:"canceledAt"`
	ExpiresAt    *time.Time      `json:"expiresAt"`
	ExpiredAt    *time.Time      `json:"expiredAt"`
	FailedAt     *time.Time      `json:"failedAt"`
	// CheckoutURL is _links.checkout.href: where to send the debtor. Mollie
	// only gives it while the payment can still be paid.
	CheckoutURL string `json:"-"`
	// DashboardURL is _links.dashboard.href, handy for agents.
	DashboardURL string `json:"-"`
}

// UnmarshalJSON lifts the HAL links Settle needs into plain fields.
func (p *Payment) UnmarshalJSON(b []byte) error {
	type plain Payment // no methods, so no recursion
	var v struct {
		plain
		Links struct {
			Checkout  *Link `json:"checkout"`
			Dashboard *Link `json:"dashboard"`
		} `json:"_links"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = Payment(v.plain)
	if v.Links.Checkout != nil {
		p.CheckoutURL = v.Links.Checkout.Href
	}
	if v.Links.Dashboard != nil {
		p.DashboardURL = v.Links.Dashboard.Href
	}
	return nil
}

// MetadataValue returns metadata[key] when the metadata is a JSON object
// with a string under key (as Settle stores it), and "" otherwise.
func (p *Payment) MetadataValue(key string) string {
	var m map[string]any
	if json.Unmarshal(p.Metadata, &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}

// Refund is a refund of (part of) a payment.
type Refund struct {
	ID               string  `json:"id"`
	Mode             string  `json:"mode"`
	Description      string  `json:"description"`
	Amount           Amount  `json:"amount"`
	SettlementAmount *Amount `json:"settlementAmount"`
	// Status is queued, pending, processing, refunded, failed or canceled.
	Status       string          `json:"status"`
	PaymentID    string          `json:"paymentId"`
	SettlementID string          `json:"settlementId"`
	Metadata     json.RawMessage `json:"metadata"`
	CreatedAt    time.Time       `json:"createdAt"`
}

// Chargeback is money the debtor's bank pulled back from a paid payment.
type Chargeback struct {
	ID               string            `json:"id"`
	Amount           Amount            `json:"amount"`
	SettlementAmount *Amount           `json:"settlementAmount"`
	Reason           *ChargebackReason `json:"reason"`
	PaymentID        string            `json:"paymentId"`
	SettlementID     string            `json:"settlementId"`
	CreatedAt        time.Time         `json:"createdAt"`
	// ReversedAt is set when the chargeback was undone and the money came
	// back.
	ReversedAt *time.Time `json:"reversedAt"`
}

// ChargebackReason is the bank's reason code (e.g. "AC01") and text.
type ChargebackReason struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// Settlement is a payout by Mollie to the organization's bank account.
type Settlement struct {
	ID string `json:"id"`
	// Reference is the bank reference on the statement, e.g.
	// "1234567.2404.03": what matches the bank transfer to this settlement.
	Reference string `json:"reference"`
	// Status is open, pending, processing-at-bank, paidout or failed.
	Status    string     `json:"status"`
	Amount    Amount     `json:"amount"`
	BalanceID string     `json:"balanceId"`
	InvoiceID string     `json:"invoiceId"`
	CreatedAt *time.Time `json:"createdAt"`
	SettledAt *time.Time `json:"settledAt"`
	// Periods is year ("2024") → month ("04") → what was booked in that
	// month.
	Periods Periods `json:"periods"`
}

// Periods is a settlement's bookkeeping breakdown: year → month → Period.
type Periods map[string]map[string]Period

// UnmarshalJSON accepts an empty JSON array as no periods: Mollie's backend
// is PHP, where an empty map and an empty list are the same value and can be
// serialised as [].
func (p *Periods) UnmarshalJSON(b []byte) error {
	t := bytes.TrimSpace(b)
	if bytes.Equal(t, []byte("[]")) || bytes.Equal(t, []byte("null")) {
		*p = nil
		return nil
	}
	var m map[string]map[string]Period
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*p = m
	return nil
}

// Period holds one calendar month of a settlement.
type Period struct {
	Revenue          []PeriodRevenue `json:"revenue"`
	Costs            []PeriodCost    `json:"costs"`
	InvoiceID        string          `json:"invoiceId"`
	InvoiceReference string          `json:"invoiceReference"`
}

// PeriodRevenue is the revenue of one method in a period. Amounts have four
// decimals and are kept as strings so nothing is rounded here. Refunds and
// chargebacks appear as lines with negative amounts (method "refund",
// "chargeback").
type PeriodRevenue struct {
	Description string  `json:"description"`
	Method      string  `json:"method"`
	Count       int     `json:"count"`
	AmountNet   Amount  `json:"amountNet"`
	AmountVAT   *Amount `json:"amountVat"`
	AmountGross Amount  `json:"amountGross"`
}

// PeriodCost is the fees Mollie withheld for one method in a period.
type PeriodCost struct {
	Description string  `json:"description"`
	Method      string  `json:"method"`
	Count       int     `json:"count"`
	Rate        Rate    `json:"rate"`
	AmountNet   Amount  `json:"amountNet"`
	AmountVAT   *Amount `json:"amountVat"`
	AmountGross Amount  `json:"amountGross"`
}

// Rate is a fee rate: a fixed amount per transaction and/or a percentage
// (a decimal string such as "1.8"; empty when Mollie sends null).
type Rate struct {
	Fixed      *Amount `json:"fixed"`
	Percentage string  `json:"percentage"`
}
