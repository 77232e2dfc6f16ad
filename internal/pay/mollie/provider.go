package mollie

import (
	"context"
	"fmt"

	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/pay"
)

// Provider adapts the Mollie client to pay.Provider.
type Provider struct {
	Client *Client
}

// NewProvider returns a Mollie provider for one API key.
func NewProvider(baseURL, apiKey string) *Provider { return &Provider{Client: New(baseURL, apiKey)} }

// Name is "mollie".
func (p *Provider) Name() string { return "mollie" }

var methods = map[pay.Method]string{pay.IDEAL: "ideal", pay.Card: "creditcard"}

// Checkout creates a Mollie payment and returns its hosted checkout page.
func (p *Provider) Checkout(ctx context.Context, req pay.CheckoutRequest) (pay.Checkout, error) {
	method, ok := methods[req.Method]
	if !ok {
		return pay.Checkout{}, fmt.Errorf("mollie: method %q not offered", req.Method)
	}
	mp, err := p.Client.CreatePayment(ctx, CreatePayment{
		Amount:         Amount{Currency: money.EUR, Value: money.Euro(req.Amount).Decimal()},
		Description:    req.Description,
		RedirectURL:    req.ReturnURL,
		WebhookURL:     req.WebhookURL,
		Method:         method,
		Metadata:       map[string]string{"settle_payment_id": req.PaymentID},
		IdempotencyKey: req.IdempotencyKey,
	})
	if err != nil {
		return pay.Checkout{}, pay.Unavailable("mollie", err)
	}
	return pay.Checkout{ProviderID: mp.ID, RedirectURL: mp.CheckoutURL, Status: mapStatus(mp.Status)}, nil
}

// Refund pays amount back on a Mollie payment: the refund counts from the
// moment Mollie accepts it, as in Fetch.
func (p *Provider) Refund(ctx context.Context, id string, amount int64, key string) (string, error) {
	r, err := p.Client.CreateRefund(ctx, id, Amount{Currency: money.EUR, Value: money.Euro(amount).Decimal()}, "Credit paid back", key)
	if err != nil {
		return "", pay.Unavailable("mollie", err)
	}
	return r.ID, nil
}

// Fetch reads a payment back from Mollie: the only source of truth, since a
// Mollie webhook carries nothing but an id.
func (p *Provider) Fetch(ctx context.Context, id string) (pay.State, error) {
	mp, err := p.Client.GetPayment(ctx, id)
	if err != nil {
		return pay.State{}, pay.Unavailable("mollie", err)
	}
	st := pay.State{ProviderID: mp.ID, Currency: mp.Amount.Currency, Status: mapStatus(mp.Status)}
	if st.Amount, err = money.ParseDecimal(mp.Amount.Value); err != nil {
		return pay.State{}, fmt.Errorf("mollie: amount %q: %w", mp.Amount.Value, err)
	}
	// A refund counts from the moment Mollie accepts it (queued, pending or
	// refunded): the money is committed to go back. Failed or canceled ones do not.
	if mp.AmountRefunded != nil {
		refunds, err := p.Client.ListRefunds(ctx, id)
		if err != nil {
			return pay.State{}, pay.Unavailable("mollie", err)
		}
		for _, r := range refunds {
			if r.Status == "failed" || r.Status == "canceled" {
				continue
			}
			c, err := money.ParseDecimal(r.Amount.Value)
			if err != nil {
				return pay.State{}, fmt.Errorf("mollie: refund amount %q: %w", r.Amount.Value, err)
			}
			st.Refunded += c
		}
	}
	if mp.AmountChargedBack != nil {
		cbs, err := p.Client.ListChargebacks(ctx, id)
		if err != nil {
			return pay.State{}, pay.Unavailable("mollie", err)
		}
		for _, cb := range cbs {
			if cb.ReversedAt != nil {
				continue
			}
			c, err := money.ParseDecimal(cb.Amount.Value)
			if err != nil {
				return pay.State{}, fmt.Errorf("mollie: chargeback amount %q: %w", cb.Amount.Value, err)
			}
			st.ChargedBack += c
		}
	}
	if st.Status == pay.StatusPaid {
		switch {
		case st.ChargedBack > 0:
			st.Status = pay.StatusChargedBack
		case st.Refunded >= st.Amount:
			st.Status = pay.StatusRefunded
		}
	}
	return st, nil
}

func mapStatus(s string) pay.Status {
	switch s {
	case "open":
		return pay.StatusOpen
	case "pending", "authorized":
		return pay.StatusPending
	case "paid":
		return pay.StatusPaid
	case "canceled":
		return pay.StatusCanceled
	case "expired":
		return pay.StatusExpired
	default:
		return pay.StatusFailed
	}
}
