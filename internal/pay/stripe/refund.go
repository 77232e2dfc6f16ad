package stripe

import (
	"context"
	"errors"

	stripego "github.com/stripe/stripe-go/v79"
)

// Refund pays amount back on the PaymentIntent behind Checkout Session
// sessionID; key is Stripe's idempotency key, so a retry refunds once.
func (p *Provider) Refund(ctx context.Context, sessionID string, amount int64, key string) (string, error) {
	sp := &stripego.CheckoutSessionParams{}
	sp.Context = ctx
	s, err := p.api.CheckoutSessions.Get(sessionID, sp)
	if err != nil {
		return "", p.unavailable(err)
	}
	if s.PaymentIntent == nil || s.PaymentIntent.ID == "" {
		return "", p.unavailable(errors.New("checkout session without a payment intent to refund"))
	}
	params := &stripego.RefundParams{PaymentIntent: stripego.String(s.PaymentIntent.ID), Amount: stripego.Int64(amount),
		Reason: stripego.String(string(stripego.RefundReasonRequestedByCustomer))}
	params.Context = ctx
	if key != "" {
		params.SetIdempotencyKey(key)
	}
	r, err := p.api.Refunds.New(params)
	if err != nil {
		return "", p.unavailable(err)
	}
	return r.ID, nil
}
