package stripe

import (
	"context"
	"net/http"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v79"
	"github.com/stripe/stripe-go/v79/client"
)

// Payouts reads what Stripe paid out: the payouts, the balance transactions
// each one paid and the PaymentIntents they name. Payout reconciliation
// (package reconcile) explains them, as it does Mollie's settlements.
type Payouts struct{ api *client.API }

// NewPayouts returns a Payouts client that talks to apiURL (DefaultAPIURL
// when empty; stripe-mock or a test server in tests) with secretKey.
func NewPayouts(apiURL, secretKey string) *Payouts {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	cfg := &stripego.BackendConfig{
		URL:               stripego.String(strings.TrimRight(apiURL, "/")),
		HTTPClient:        &http.Client{Timeout: 30 * time.Second},
		MaxNetworkRetries: stripego.Int64(2), // only GETs here: always safe to retry
		LeveledLogger:     &stripego.LeveledLogger{Level: stripego.LevelNull},
	}
	backends := &stripego.Backends{
		API:     stripego.GetBackendWithConfig(stripego.APIBackend, cfg),
		Connect: stripego.GetBackendWithConfig(stripego.ConnectBackend, cfg),
		Uploads: stripego.GetBackendWithConfig(stripego.UploadsBackend, cfg),
	}
	return &Payouts{api: client.New(secretKey, backends)}
}

// ListPayouts lists every payout (GET /v1/payouts, all pages).
func (s *Payouts) ListPayouts(ctx context.Context) ([]*stripego.Payout, error) {
	params := &stripego.PayoutListParams{}
	params.Context = ctx
	params.Limit = stripego.Int64(100)
	var out []*stripego.Payout
	it := s.api.Payouts.List(params)
	for it.Next() {
		out = append(out, it.Payout())
	}
	return out, it.Err()
}

// ListBalanceTransactions lists what a payout paid out
// (GET /v1/balance_transactions?payout=po_..., all pages), with each
// transaction's source (the charge, refund or dispute) expanded.
func (s *Payouts) ListBalanceTransactions(ctx context.Context, payoutID string) ([]*stripego.BalanceTransaction, error) {
	params := &stripego.BalanceTransactionListParams{Payout: stripego.String(payoutID)}
	params.Context = ctx
	params.Limit = stripego.Int64(100)
	params.AddExpand("data.source")
	var out []*stripego.BalanceTransaction
	it := s.api.BalanceTransactions.List(params)
	for it.Next() {
		out = append(out, it.BalanceTransaction())
	}
	return out, it.Err()
}

// PaymentIntent fetches one PaymentIntent (for its metadata).
func (s *Payouts) PaymentIntent(ctx context.Context, id string) (*stripego.PaymentIntent, error) {
	params := &stripego.PaymentIntentParams{}
	params.Context = ctx
	return s.api.PaymentIntents.Get(id, params)
}
