// Package stripe is Settle's pay.Provider for Stripe (stripe-go v79): hosted
// Checkout Sessions, reading a session's true state back, and verifying and
// mapping Stripe's webhook events.
//
// The debtor pays on Stripe's hosted page, so card data never touches Settle
// (PCI DSS SAQ A). Our payment id travels in the session's metadata and
// client_reference_id, and in the PaymentIntent's metadata, which Stripe copies
// onto the charge; that is how refunds and disputes find their way back.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v79"
	"github.com/stripe/stripe-go/v79/client"

	"github.com/settle/settle/internal/pay"
)

// DefaultAPIURL is Stripe's API; STRIPE_API_URL replaces it with stripe-mock
// or a proxy.
const DefaultAPIURL = "https://api.stripe.com"

// MetadataKey is the metadata key that carries our payment id on sessions,
// PaymentIntents and (copied by Stripe) charges.
const MetadataKey = "settle_payment_id"

// requestTimeout bounds one HTTP round trip. A debtor is waiting for the
// redirect, so a hanging Stripe must turn into "try again" quickly.
const requestTimeout = 15 * time.Second

// Provider is the Stripe pay.Provider. It is safe for concurrent use.
type Provider struct {
	api *client.API
	key string // kept only to scrub it from error text
}

var _ pay.Provider = (*Provider)(nil)

// New returns a Provider that talks to apiURL (DefaultAPIURL when empty) with
// secretKey. Every backend points at apiURL so that stripe-mock or a proxy can
// stand in for all of Stripe, not just for the main API.
func New(apiURL, secretKey string) *Provider {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	apiURL = strings.TrimRight(apiURL, "/")
	cfg := &stripego.BackendConfig{
		URL:        stripego.String(apiURL),
		HTTPClient: &http.Client{Timeout: requestTimeout, Transport: transport()},
		// stripe-go retries network errors and 409/5xx; POSTs carry our
		// idempotency key, so a retry never creates a second session.
		MaxNetworkRetries: stripego.Int64(2),
		// We return every error to the caller, who logs it structured;
		// stripe-go's own stderr lines would only duplicate it.
		LeveledLogger: &stripego.LeveledLogger{Level: stripego.LevelNull},
	}
	backends := &stripego.Backends{
		API:     stripego.GetBackendWithConfig(stripego.APIBackend, cfg),
		Connect: stripego.GetBackendWithConfig(stripego.ConnectBackend, cfg),
		Uploads: stripego.GetBackendWithConfig(stripego.UploadsBackend, cfg),
	}
	return &Provider{api: client.New(secretKey, backends), key: secretKey}
}

// idleConns is how many idle connections to Stripe the client keeps. The
// webhook's booking jobs fetch many sessions at once (8 per batch, a batch
// per worker); with net/http's default of 2 idle connections per host every
// fetch beyond the second would dial, and shake hands, anew.
const idleConns = 64

func transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = idleConns, idleConns
	return t
}

// Name is the provider's name in configuration and in our payment records.
func (p *Provider) Name() string { return "stripe" }

// Checkout creates a hosted Checkout Session for req and returns where to
// send the debtor.
func (p *Provider) Checkout(ctx context.Context, req pay.CheckoutRequest) (pay.Checkout, error) {
	name := req.Description
	if name == "" {
		// Stripe requires a product name and shows it on the hosted page.
		name = "Betaling"
	}
	meta := map[string]string{MetadataKey: req.PaymentID}
	params := &stripego.CheckoutSessionParams{
		Mode: stripego.String(string(stripego.CheckoutSessionModePayment)),
		// Exactly one method, chosen by the debtor in Settle. Unknown
		// methods are passed through so that Stripe, not we, decides what
		// exists; it answers 400, which becomes pay.ErrUnavailable.
		PaymentMethodTypes: []*string{stripego.String(string(req.Method))},
		LineItems: []*stripego.CheckoutSessionLineItemParams{{
			Quantity: stripego.Int64(1),
			PriceData: &stripego.CheckoutSessionLineItemPriceDataParams{
				Currency:    stripego.String(string(stripego.CurrencyEUR)),
				UnitAmount:  stripego.Int64(req.Amount),
				ProductData: &stripego.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripego.String(name)},
			},
		}},
		// Both land on the return page, which fetches the true state: a
		// cancel is just a session that is still open or expired.
		SuccessURL:        stripego.String(req.ReturnURL),
		CancelURL:         stripego.String(req.ReturnURL),
		ClientReferenceID: stripego.String(req.PaymentID),
		Metadata:          meta,
		// Session metadata stays on the session; the PaymentIntent's is
		// copied to the charge, so refund and dispute events carry our id.
		PaymentIntentData: &stripego.CheckoutSessionPaymentIntentDataParams{
			Description: stripego.String(name),
			Metadata:    meta,
		},
	}
	params.Context = ctx
	if req.IdempotencyKey != "" {
		params.SetIdempotencyKey(req.IdempotencyKey)
	}
	s, err := p.api.CheckoutSessions.New(params)
	if err != nil {
		return pay.Checkout{}, p.unavailable(err)
	}
	if s.ID == "" || s.URL == "" {
		return pay.Checkout{}, p.unavailable(errors.New("checkout session without id or url"))
	}
	return pay.Checkout{ProviderID: s.ID, RedirectURL: s.URL, Status: pay.StatusOpen}, nil
}

// Fetch reads Checkout Session sessionID (cs_...) and maps it to our status.
// Refunded comes from the charge's amount_refunded; ChargedBack sums the
// charge's disputes that took or still hold the money (all zero before
// payment).
func (p *Provider) Fetch(ctx context.Context, sessionID string) (pay.State, error) {
	params := &stripego.CheckoutSessionParams{}
	params.Context = ctx
	// One round trip for session, PaymentIntent and its charge.
	params.AddExpand("payment_intent.latest_charge")
	s, err := p.api.CheckoutSessions.Get(sessionID, params)
	if err != nil {
		return pay.State{}, p.unavailable(err)
	}
	st := pay.State{ProviderID: s.ID, Amount: s.AmountTotal, Currency: strings.ToUpper(string(s.Currency))}
	pi := s.PaymentIntent
	if pi != nil {
		st.IntentID = pi.ID
	}
	switch s.Status {
	case stripego.CheckoutSessionStatusOpen:
		st.Status = pay.StatusOpen
	case stripego.CheckoutSessionStatusExpired:
		st.Status = pay.StatusExpired
	case stripego.CheckoutSessionStatusComplete:
		switch s.PaymentStatus {
		case stripego.CheckoutSessionPaymentStatusPaid, stripego.CheckoutSessionPaymentStatusNoPaymentRequired:
			st.Status = pay.StatusPaid
		default:
			// Completed but unpaid: an async method is still settling.
			// Once it fails the PaymentIntent wants a new payment method
			// (or was canceled), which is how a sweeper that missed the
			// async_payment_failed webhook still learns of it.
			st.Status = pay.StatusPending
			if pi != nil && (pi.Status == stripego.PaymentIntentStatusRequiresPaymentMethod || pi.Status == stripego.PaymentIntentStatusCanceled) {
				st.Status = pay.StatusFailed
			}
		}
	default:
		return pay.State{}, p.unavailable(fmt.Errorf("checkout session %s has unknown status %q", s.ID, s.Status))
	}
	if st.Status != pay.StatusPaid || pi == nil || pi.LatestCharge == nil {
		return st, nil
	}
	ch := pi.LatestCharge
	st.Refunded = ch.AmountRefunded
	if ch.Disputed {
		st.ChargedBack, err = p.chargedBack(ctx, pi.ID)
		if err != nil {
			return pay.State{}, err
		}
	}
	switch {
	case st.ChargedBack > 0:
		st.Status = pay.StatusChargedBack
	case st.Refunded > 0 && st.Refunded >= st.Amount:
		st.Status = pay.StatusRefunded
	}
	return st, nil
}

// chargedBack sums the disputes on a PaymentIntent whose money Stripe has
// withdrawn and not returned. Inquiries (warning_*) never move money, and a
// won dispute returns it.
func (p *Provider) chargedBack(ctx context.Context, paymentIntentID string) (int64, error) {
	params := &stripego.DisputeListParams{PaymentIntent: stripego.String(paymentIntentID)}
	params.Context = ctx
	var sum int64
	it := p.api.Disputes.List(params)
	for it.Next() {
		if d := it.Dispute(); disputeHoldsMoney(d.Status) {
			sum += d.Amount
		}
	}
	if err := it.Err(); err != nil {
		return 0, p.unavailable(err)
	}
	return sum, nil
}

// disputeHoldsMoney reports whether a dispute in this status has taken the
// disputed amount from us.
func disputeHoldsMoney(s stripego.DisputeStatus) bool {
	switch s {
	case stripego.DisputeStatusNeedsResponse, stripego.DisputeStatusUnderReview, stripego.DisputeStatusLost:
		return true
	}
	return false
}

// PaymentIDForIntent returns our payment id from a PaymentIntent's metadata.
// Dispute events need it: Stripe does not copy metadata onto disputes, so a
// charge.dispute.* event names only the PaymentIntent (Event.ProviderID).
func (p *Provider) PaymentIDForIntent(ctx context.Context, paymentIntentID string) (string, error) {
	params := &stripego.PaymentIntentParams{}
	params.Context = ctx
	pi, err := p.api.PaymentIntents.Get(paymentIntentID, params)
	if err != nil {
		return "", p.unavailable(err)
	}
	id := pi.Metadata[MetadataKey]
	if id == "" {
		return "", fmt.Errorf("payment intent %s: %w", paymentIntentID, ErrUnknownPayment)
	}
	return id, nil
}

// APIError is a Stripe error answer with the fields worth logging. It stands
// in for *stripe.Error, whose text includes whole request details, so that no
// error from this package can carry the secret key into a log line.
type APIError struct {
	HTTPStatus int
	Type       string // api_error, card_error, invalid_request_error, ...
	Code       string
	Param      string
	Message    string
	RequestID  string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stripe answered %d %s", e.HTTPStatus, e.Type)
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Param != "" {
		fmt.Fprintf(&b, " param %s", e.Param)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

// unavailable turns any failure into pay.Unavailable with the key scrubbed.
func (p *Provider) unavailable(err error) error {
	var se *stripego.Error
	if errors.As(err, &se) {
		err = &APIError{
			HTTPStatus: se.HTTPStatusCode,
			Type:       string(se.Type),
			Code:       string(se.Code),
			Param:      se.Param,
			Message:    p.scrub(se.Msg),
			RequestID:  se.RequestID,
		}
	} else {
		// Network and decoding errors: keep the text, never the chain,
		// since a wrapped error could still print the key.
		err = errors.New(p.scrub(err.Error()))
	}
	return pay.Unavailable("stripe", err)
}

func (p *Provider) scrub(s string) string {
	if p.key == "" {
		return s
	}
	return strings.ReplaceAll(s, p.key, "[secret key]")
}
