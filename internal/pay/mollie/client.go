package mollie

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is Mollie's production API host. Test mode is chosen by the
// key (test_...), not by the host.
const DefaultBaseURL = "https://api.mollie.com"

// Limits on what we read from a response, so a misbehaving server or proxy
// cannot make us buffer without bound.
const (
	maxBody      = 8 << 20
	maxErrorBody = 64 << 10
	// listLimit is the page size asked for; 250 is Mollie's maximum.
	listLimit = 250
	// maxPages stops a pagination loop whose next link never ends (a bug
	// on either side) instead of running forever.
	maxPages = 10000
)

// Client calls the Mollie API v2. The zero value is not usable; use New. A
// Client is safe for concurrent use once configured.
type Client struct {
	// BaseURL is the API host without /v2, default DefaultBaseURL. Tests
	// point it at molliefake.
	BaseURL string
	// APIKey is the Bearer credential: an API key (test_/live_) for
	// payments, an organization access token (access_) for settlements.
	APIKey string
	// HTTP is the client used; New gives it a 15 s timeout so a hanging
	// Mollie never blocks a webhook job for long.
	HTTP *http.Client
}

// New returns a Client for baseURL (DefaultBaseURL when empty) and apiKey.
func New(baseURL, apiKey string) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	return &Client{
		BaseURL: strings.TrimRight(baseURL, "/"),
		APIKey:  apiKey,
		HTTP:    &http.Client{Timeout: 15 * time.Second},
	}
}

// CreatePayment creates a payment (POST /v2/payments). Send the debtor to
// the returned CheckoutURL.
func (c *Client) CreatePayment(ctx context.Context, req CreatePayment) (*Payment, error) {
	body := struct {
		Amount      Amount            `json:"amount"`
		Description string            `json:"description"`
		RedirectURL string            `json:"redirectUrl,omitempty"`
		WebhookURL  string            `json:"webhookUrl,omitempty"`
		Method      string            `json:"method,omitempty"`
		Metadata    map[string]string `json:"metadata,omitempty"`
		Sequence    string            `json:"sequenceType,omitempty"`
		CustomerID  string            `json:"customerId,omitempty"`
		MandateID   string            `json:"mandateId,omitempty"`
	}{req.Amount, req.Description, req.RedirectURL, req.WebhookURL, req.Method, req.Metadata, req.SequenceType, req.CustomerID, req.MandateID}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("mollie: encode payment: %w", err)
	}
	key := req.IdempotencyKey
	if key == "" {
		key = randomKey()
	}
	var p Payment
	if err := c.do(ctx, http.MethodPost, c.url("/v2/payments"), b, key, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// GetPayment fetches a payment (GET /v2/payments/{id}). This is the only
// trustworthy source of a payment's status: webhooks carry just the id.
func (c *Client) GetPayment(ctx context.Context, id string) (*Payment, error) {
	u, err := c.idURL("/v2/payments/", id, "")
	if err != nil {
		return nil, err
	}
	var p Payment
	if err := c.do(ctx, http.MethodGet, u, nil, "", &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// CreateRefund refunds amount of a paid payment (POST
// /v2/payments/{id}/refunds); idempotencyKey makes a retry refund once.
func (c *Client) CreateRefund(ctx context.Context, paymentID string, amount Amount, description, idempotencyKey string) (*Refund, error) {
	u, err := c.idURL("/v2/payments/", paymentID, "/refunds")
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(struct {
		Amount      Amount `json:"amount"`
		Description string `json:"description,omitempty"`
	}{amount, description})
	if err != nil {
		return nil, fmt.Errorf("mollie: encode refund: %w", err)
	}
	var r Refund
	if err := c.do(ctx, http.MethodPost, u, b, idempotencyKey, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ListRefunds returns all refunds of a payment, following pagination.
func (c *Client) ListRefunds(ctx context.Context, paymentID string) ([]Refund, error) {
	u, err := c.idURL("/v2/payments/", paymentID, "/refunds")
	if err != nil {
		return nil, err
	}
	return list[Refund](ctx, c, u, "refunds")
}

// ListChargebacks returns all chargebacks of a payment, following pagination.
func (c *Client) ListChargebacks(ctx context.Context, paymentID string) ([]Chargeback, error) {
	u, err := c.idURL("/v2/payments/", paymentID, "/chargebacks")
	if err != nil {
		return nil, err
	}
	return list[Chargeback](ctx, c, u, "chargebacks")
}

// ListSettlements returns all settlements, newest first as Mollie orders
// them. Needs an organization access token.
func (c *Client) ListSettlements(ctx context.Context) ([]Settlement, error) {
	return list[Settlement](ctx, c, c.url("/v2/settlements"), "settlements")
}

// GetSettlement fetches one settlement (GET /v2/settlements/{id}).
func (c *Client) GetSettlement(ctx context.Context, id string) (*Settlement, error) {
	u, err := c.idURL("/v2/settlements/", id, "")
	if err != nil {
		return nil, err
	}
	var s Settlement
	if err := c.do(ctx, http.MethodGet, u, nil, "", &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// SettlementPayments returns the payments paid out in a settlement.
func (c *Client) SettlementPayments(ctx context.Context, settlementID string) ([]Payment, error) {
	u, err := c.idURL("/v2/settlements/", settlementID, "/payments")
	if err != nil {
		return nil, err
	}
	return list[Payment](ctx, c, u, "payments")
}

// SettlementRefunds returns the refunds deducted in a settlement.
func (c *Client) SettlementRefunds(ctx context.Context, settlementID string) ([]Refund, error) {
	u, err := c.idURL("/v2/settlements/", settlementID, "/refunds")
	if err != nil {
		return nil, err
	}
	return list[Refund](ctx, c, u, "refunds")
}

// SettlementChargebacks returns the chargebacks deducted in a settlement.
func (c *Client) SettlementChargebacks(ctx context.Context, settlementID string) ([]Chargeback, error) {
	u, err := c.idURL("/v2/settlements/", settlementID, "/chargebacks")
	if err != nil {
		return nil, err
	}
	return list[Chargeback](ctx, c, u, "chargebacks")
}

func (c *Client) base() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c *Client) url(path string) string { return c.base() + path }

// idURL builds prefix+id+suffix, refusing an empty id: "/v2/payments/" with
// no id is the list endpoint and would answer something else entirely.
func (c *Client) idURL(prefix, id, suffix string) (string, error) {
	if strings.TrimSpace(id) == "" {
		return "", errors.New("mollie: empty id")
	}
	return c.base() + prefix + url.PathEscape(id) + suffix, nil
}

// list fetches a HAL list and every following page. Mollie paginates by
// cursor: _links.next.href is the complete URL of the next page, or null.
func list[T any](ctx context.Context, c *Client, first, embedded string) ([]T, error) {
	u, err := url.Parse(first)
	if err != nil {
		return nil, fmt.Errorf("mollie: bad url: %w", err)
	}
	q := u.Query()
	q.Set("limit", fmt.Sprint(listLimit))
	u.RawQuery = q.Encode()
	next := u.String()

	var all []T
	for page := 0; next != ""; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("mollie: more than %d pages at %s", maxPages, first)
		}
		var body struct {
			Count    int                        `json:"count"`
			Embedded map[string]json.RawMessage `json:"_embedded"`
			Links    struct {
				Next *Link `json:"next"`
			} `json:"_links"`
		}
		if err := c.do(ctx, http.MethodGet, next, nil, "", &body); err != nil {
			return nil, err
		}
		if raw, ok := body.Embedded[embedded]; ok {
			var items []T
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, fmt.Errorf("mollie: decode %s: %w", embedded, err)
			}
			all = append(all, items...)
		}
		next = ""
		if body.Links.Next != nil && body.Links.Next.Href != "" {
			if err := c.sameOrigin(body.Links.Next.Href); err != nil {
				return nil, err
			}
			next = body.Links.Next.Href
		}
	}
	return all, nil
}

// sameOrigin refuses a next link to another host: following it would send
// our Bearer credential there.
func (c *Client) sameOrigin(href string) error {
	n, err := url.Parse(href)
	if err != nil {
		return fmt.Errorf("mollie: bad next link: %w", err)
	}
	b, err := url.Parse(c.base())
	if err != nil {
		return fmt.Errorf("mollie: bad base url: %w", err)
	}
	if n.Scheme != b.Scheme || n.Host != b.Host {
		return fmt.Errorf("mollie: next link points to another origin (%s://%s)", n.Scheme, n.Host)
	}
	return nil
}

// do sends one request and decodes a 2xx JSON answer into out, or turns a
// 4xx/5xx into *Error.
func (c *Client) do(ctx context.Context, method, u string, body []byte, idempotencyKey string, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("mollie: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.APIKey)
	req.Header.Set("Accept", "application/hal+json")
	req.Header.Set("User-Agent", "settle-mollie/1")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		// *url.Error names the method and URL, never headers, so the key
		// stays out of the message.
		return &transportError{op: method + " " + pathOf(u), err: err}
	}
	defer resp.Body.Close()

	if resp.StatusCode >= 400 {
		return decodeError(resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		// The connection broke mid-body: as temporary as a failed dial.
		return &transportError{op: "read " + pathOf(u), err: err}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("mollie: decode %s %s (HTTP %d): %w", method, pathOf(u), resp.StatusCode, err)
	}
	return nil
}

// decodeError reads Mollie's error body ({status,title,detail,field,_links})
// and falls back to the status text when the body is not that JSON, e.g. a
// load balancer's HTML 502 page.
func decodeError(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{Status: resp.StatusCode}
	var body struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Field  string `json:"field"`
		Links  struct {
			Documentation *Link `json:"documentation"`
		} `json:"_links"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Title, e.Detail, e.Field = body.Title, body.Detail, body.Field
		if body.Links.Documentation != nil {
			e.DocumentationURL = body.Links.Documentation.Href
		}
	}
	if e.Title == "" {
		e.Title = http.StatusText(resp.StatusCode)
	}
	return e
}

// pathOf strips scheme, host and query from u for error messages.
func pathOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "?"
	}
	return p.Path
}

// randomKey returns a random idempotency key (UUID v4 format, as Mollie
// recommends).
func randomKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
