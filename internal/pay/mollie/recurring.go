package mollie

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Sequence types of a payment: a first payment gives a mandate, recurring
// ones are collected on it without the debtor.
const (
	SequenceOneOff    = "oneoff"
	SequenceFirst     = "first"
	SequenceRecurring = "recurring"
)

// Mandate statuses: pending until the first payment is final, valid once
// it paid, invalid when revoked or never completed.
const (
	MandateValid   = "valid"
	MandatePending = "pending"
	MandateInvalid = "invalid"
)

// Customer is a Mollie customer: the holder of mandates.
type Customer struct {
	ID        string          `json:"id"`
	Mode      string          `json:"mode"`
	Name      string          `json:"name"`
	Email     string          `json:"email"`
	Metadata  json.RawMessage `json:"metadata"`
	CreatedAt time.Time       `json:"createdAt"`
}

// CreateCustomer is the request for Client.CreateCustomer.
type CreateCustomer struct {
	Name     string
	Email    string
	Metadata map[string]string
	// IdempotencyKey makes a retried create return the first customer.
	IdempotencyKey string
}

// Mandate is a customer's permission to collect payments (for Settle: a
// SEPA direct debit mandate given by an iDEAL first payment).
type Mandate struct {
	ID               string         `json:"id"`
	Mode             string         `json:"mode"`
	Status           string         `json:"status"`
	Method           string         `json:"method"`
	CustomerID       string         `json:"customerId"`
	MandateReference *string        `json:"mandateReference"`
	SignatureDate    *string        `json:"signatureDate"`
	Details          MandateDetails `json:"details"`
	CreatedAt        time.Time      `json:"createdAt"`
}

// MandateDetails names the account a direct debit mandate collects from.
type MandateDetails struct {
	ConsumerName    *string `json:"consumerName"`
	ConsumerAccount *string `json:"consumerAccount"`
	ConsumerBic     *string `json:"consumerBic"`
}

// CreateCustomer creates a customer (POST /v2/customers).
func (c *Client) CreateCustomer(ctx context.Context, req CreateCustomer) (*Customer, error) {
	b, err := json.Marshal(struct {
		Name     string            `json:"name,omitempty"`
		Email    string            `json:"email,omitempty"`
		Metadata map[string]string `json:"metadata,omitempty"`
	}{req.Name, req.Email, req.Metadata})
	if err != nil {
		return nil, fmt.Errorf("mollie: encode customer: %w", err)
	}
	key := req.IdempotencyKey
	if key == "" {
		key = randomKey()
	}
	var cu Customer
	if err := c.do(ctx, http.MethodPost, c.url("/v2/customers"), b, key, &cu); err != nil {
		return nil, err
	}
	return &cu, nil
}

// ListMandates returns all mandates of a customer, following pagination.
func (c *Client) ListMandates(ctx context.Context, customerID string) ([]Mandate, error) {
	u, err := c.idURL("/v2/customers/", customerID, "/mandates")
	if err != nil {
		return nil, err
	}
	return list[Mandate](ctx, c, u, "mandates")
}

// GetMandate fetches one mandate of a customer.
func (c *Client) GetMandate(ctx context.Context, customerID, mandateID string) (*Mandate, error) {
	u, err := c.mandateURL(customerID, mandateID)
	if err != nil {
		return nil, err
	}
	var m Mandate
	if err := c.do(ctx, http.MethodGet, u, nil, "", &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// mandateURL is /v2/customers/{customerID}/mandates/{mandateID}, refusing
// an empty id of either (that would be another endpoint).
func (c *Client) mandateURL(customerID, mandateID string) (string, error) {
	u, err := c.idURL("/v2/customers/", customerID, "/mandates/")
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(mandateID) == "" {
		return "", errors.New("mollie: empty id")
	}
	return u + url.PathEscape(mandateID), nil
}

// RevokeMandate revokes a mandate (DELETE
// /v2/customers/{id}/mandates/{id}): no payment can be collected on it
// afterwards. Mollie answers 204.
func (c *Client) RevokeMandate(ctx context.Context, customerID, mandateID string) error {
	u, err := c.mandateURL(customerID, mandateID)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, u, nil, "", nil)
}
