package mollie

import (
	"context"
	"errors"
	"net/http"

	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/pay"
)

var _ pay.Recurring = (*Provider)(nil)

// NewCustomer creates a Mollie customer to hold the debtor's mandate.
func (p *Provider) NewCustomer(ctx context.Context, name, email, key string) (string, error) {
	c, err := p.Client.CreateCustomer(ctx, CreateCustomer{Name: name, Email: email, IdempotencyKey: key})
	if err != nil {
		return "", pay.Unavailable("mollie", err)
	}
	return c.ID, nil
}

// FirstCheckout creates an iDEAL payment with sequenceType first: once
// paid, Mollie gives the customer a SEPA direct debit mandate on the
// account it was paid from.
func (p *Provider) FirstCheckout(ctx context.Context, customerID string, req pay.CheckoutRequest) (pay.Checkout, error) {
	mp, err := p.Client.CreatePayment(ctx, CreatePayment{
		Amount:         Amount{Currency: money.EUR, Value: money.Euro(req.Amount).Decimal()},
		Description:    req.Description,
		RedirectURL:    req.ReturnURL,
		WebhookURL:     req.WebhookURL,
		Method:         "ideal",
		Metadata:       map[string]string{"settle_payment_id": req.PaymentID},
		IdempotencyKey: req.IdempotencyKey,
		SequenceType:   SequenceFirst,
		CustomerID:     customerID,
	})
	if err != nil {
		return pay.Checkout{}, pay.Unavailable("mollie", err)
	}
	return pay.Checkout{ProviderID: mp.ID, RedirectURL: mp.CheckoutURL, Status: mapStatus(mp.Status)}, nil
}

// CurrentMandate picks the customer's valid direct debit mandate, else a
// pending one, else the last invalid one.
func (p *Provider) CurrentMandate(ctx context.Context, customerID string) (pay.Mandate, error) {
	ms, err := p.Client.ListMandates(ctx, customerID)
	if err != nil {
		return pay.Mandate{}, pay.Unavailable("mollie", err)
	}
	var best pay.Mandate
	rank := map[string]int{MandateInvalid: 1, MandatePending: 2, MandateValid: 3}
	for _, m := range ms {
		if m.Method == "directdebit" && rank[m.Status] > rank[best.Status] {
			best = pay.Mandate{ID: m.ID, Status: m.Status}
		}
	}
	return best, nil
}

// Collect creates a recurring payment on the mandate. Mollie collects it
// without the debtor; the webhook reports paid or failed days later.
func (p *Provider) Collect(ctx context.Context, req pay.CollectRequest) (pay.Checkout, error) {
	mp, err := p.Client.CreatePayment(ctx, CreatePayment{
		Amount:         Amount{Currency: money.EUR, Value: money.Euro(req.Amount).Decimal()},
		Description:    req.Description,
		WebhookURL:     req.WebhookURL,
		Metadata:       map[string]string{"settle_payment_id": req.PaymentID},
		IdempotencyKey: req.IdempotencyKey,
		SequenceType:   SequenceRecurring,
		CustomerID:     req.CustomerID,
		MandateID:      req.MandateID,
	})
	if err != nil {
		return pay.Checkout{}, pay.Unavailable("mollie", err)
	}
	return pay.Checkout{ProviderID: mp.ID, Status: mapStatus(mp.Status)}, nil
}

// RevokeMandate revokes the mandate at Mollie. A mandate Mollie no longer
// knows is as good as revoked.
func (p *Provider) RevokeMandate(ctx context.Context, customerID, mandateID string) error {
	err := p.Client.RevokeMandate(ctx, customerID, mandateID)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return pay.Unavailable("mollie", err)
	}
	return nil
}
