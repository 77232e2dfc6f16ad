package molliefake

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// profileID is the one website profile the fake has.
const profileID = "pfl_FakeProfile1"

// docsURL is what Mollie puts in _links.documentation of error bodies.
const docsURL = "https://docs.mollie.com/overview/handling-errors"

// methods are the values the spec allows for a payment's method. Real Mollie
// also rejects methods not enabled on the profile; the fake enables all.
var methods = []string{
	"alma", "applepay", "bacs", "bancomatpay", "bancontact", "banktransfer", "belfius", "billie",
	"bizum", "blik", "creditcard", "directdebit", "eps", "giftcard", "ideal", "in3", "kbc",
	"klarna", "mbway", "mobilepay", "multibanco", "mybank", "paybybank", "paypal",
	"paysafecard", "pointofsale", "przelewy24", "riverty", "satispay", "swish", "trustly",
	"twint", "vipps", "voucher",
}

// Handler serves the fake API under /v2/ and the test checkout page under
// /checkout/{id}.
func (f *Fake) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/payments", f.apiKey(f.createPayment))
	mux.HandleFunc("GET /v2/payments/{id}", f.apiKey(f.getPayment))
	paymentOf := func(w http.ResponseWriter, r *http.Request, mode string) (*payment, bool) {
		return f.visiblePaymentLocked(w, r.PathValue("id"), mode)
	}
	settlementOf := func(w http.ResponseWriter, r *http.Request, _ string) (*settlement, bool) {
		return f.findSettlementLocked(w, r.PathValue("id"))
	}
	mux.HandleFunc("POST /v2/payments/{id}/refunds", f.apiKey(f.createRefund))
	mux.HandleFunc("GET /v2/payments/{id}/refunds", f.apiKey(listOf(f, "refunds", paymentOf,
		func(p *payment) []string { return p.refundIDs }, f.refundItemLocked)))
	mux.HandleFunc("GET /v2/payments/{id}/chargebacks", f.apiKey(listOf(f, "chargebacks", paymentOf,
		func(p *payment) []string { return p.chargeIDs }, f.chargebackItemLocked)))
	mux.HandleFunc("GET /v2/settlements", f.orgToken(f.listSettlements))
	mux.HandleFunc("GET /v2/settlements/{id}", f.orgToken(f.getSettlement))
	mux.HandleFunc("GET /v2/settlements/{id}/payments", f.orgToken(listOf(f, "payments", settlementOf,
		func(s *settlement) []string { return s.paymentIDs }, f.paymentItemLocked)))
	mux.HandleFunc("GET /v2/settlements/{id}/refunds", f.orgToken(listOf(f, "refunds", settlementOf,
		func(s *settlement) []string { return s.refundIDs }, f.refundItemLocked)))
	mux.HandleFunc("GET /v2/settlements/{id}/chargebacks", f.orgToken(listOf(f, "chargebacks", settlementOf,
		func(s *settlement) []string { return s.chargebackIDs }, f.chargebackItemLocked)))
	mux.HandleFunc("POST /v2/customers", f.apiKey(f.createCustomer))
	mux.HandleFunc("GET /v2/customers/{id}", f.apiKey(f.getCustomer))
	mux.HandleFunc("GET /v2/customers/{id}/mandates", f.apiKey(f.listMandates))
	mux.HandleFunc("GET /v2/customers/{id}/mandates/{mid}", f.apiKey(f.getMandate))
	mux.HandleFunc("DELETE /v2/customers/{id}/mandates/{mid}", f.apiKey(f.revokeMandate))
	mux.HandleFunc("/v2/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not Found", "The resource does not exist", "")
	})
	mux.HandleFunc("GET /checkout/{id}", f.checkoutPage)
	mux.HandleFunc("POST /checkout/{id}", f.checkoutSubmit)
	return mux
}

// writeError writes Mollie's error body (application/hal+json with status,
// title, detail, optional field and _links.documentation).
func writeError(w http.ResponseWriter, status int, title, detail, field string) {
	body := map[string]any{
		"status": status,
		"title":  title,
		"detail": detail,
		"_links": map[string]any{"documentation": link(docsURL, "text/html")},
	}
	if field != "" {
		body["field"] = field
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/hal+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func link(href, typ string) map[string]string { return map[string]string{"href": href, "type": typ} }

type handler func(w http.ResponseWriter, r *http.Request, mode string)

// bearer returns the Bearer token of r, or "".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "Bearer ") {
		return ""
	}
	return strings.TrimSpace(h[7:])
}

func unauthorized(w http.ResponseWriter) {
	// Mollie's own wording for a missing or wrong credential.
	writeError(w, http.StatusUnauthorized, "Unauthorized Request", "Missing authentication, or failed to authenticate", "")
}

// apiKey guards the payment endpoints: they take a website profile API key,
// test_... or live_..., and the key's mode decides which payments are
// visible (a test key never sees live payments, and the reverse).
func (f *Fake) apiKey(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		var mode string
		switch {
		case strings.HasPrefix(tok, "test_") && len(tok) > len("test_"):
			mode = "test"
		case strings.HasPrefix(tok, "live_") && len(tok) > len("live_"):
			mode = "live"
		default:
			unauthorized(w)
			return
		}
		h(w, r, mode)
	}
}

// orgToken guards the Settlements API, which per the spec accepts only
// organization access tokens (access_...) or OAuth, not API keys.
func (f *Fake) orgToken(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		switch {
		case strings.HasPrefix(tok, "access_") && len(tok) > len("access_"):
			h(w, r, "")
		case strings.HasPrefix(tok, "test_") || strings.HasPrefix(tok, "live_"):
			writeError(w, http.StatusForbidden, "Forbidden",
				"The Settlements API requires an organization access token or OAuth; API keys are not allowed", "")
		default:
			unauthorized(w)
		}
	}
}

var valueRE = regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)

type createBody struct {
	Amount *struct {
		Currency string `json:"currency"`
		Value    string `json:"value"`
	} `json:"amount"`
	Description string          `json:"description"`
	RedirectURL string          `json:"redirectUrl"`
	WebhookURL  string          `json:"webhookUrl"`
	Method      json.RawMessage `json:"method"`
	Metadata    json.RawMessage `json:"metadata"`
	Sequence    string          `json:"sequenceType"`
	CustomerID  string          `json:"customerId"`
	MandateID   string          `json:"mandateId"`
}

func (f *Fake) createPayment(w http.ResponseWriter, r *http.Request, mode string) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "Could not read the request body", "")
		return
	}
	var in createBody
	if err := json.Unmarshal(raw, &in); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "The request body is not valid JSON", "")
		return
	}
	// Validation order and wording follow Mollie's answers: one error at a
	// time, naming the field.
	if in.Amount == nil {
		unprocessable(w, "The 'amount' field is missing", "amount")
		return
	}
	if in.Amount.Currency == "" {
		unprocessable(w, "The 'amount.currency' field is missing", "amount.currency")
		return
	}
	if in.Amount.Currency != "EUR" {
		unprocessable(w, "The currency is not supported", "amount.currency")
		return
	}
	if in.Amount.Value == "" {
		unprocessable(w, "The 'amount.value' field is missing", "amount.value")
		return
	}
	cents, ok := parseCents(in.Amount.Value)
	if !ok {
		unprocessable(w, "The amount contains an invalid value: it needs exactly two decimals", "amount.value")
		return
	}
	if cents <= 0 {
		unprocessable(w, "The amount is lower than the minimum", "amount.value")
		return
	}
	if strings.TrimSpace(in.Description) == "" {
		unprocessable(w, "The 'description' field is missing", "description")
		return
	}
	if in.Sequence == "" {
		in.Sequence = "oneoff"
	}
	if !slices.Contains([]string{"oneoff", "first", "recurring"}, in.Sequence) {
		unprocessable(w, "The sequence type is invalid", "sequenceType")
		return
	}
	// A recurring payment has no checkout, so nowhere to send anyone back.
	if in.RedirectURL == "" && in.Sequence != "recurring" {
		unprocessable(w, "The 'redirectUrl' field is missing", "redirectUrl")
		return
	}
	if in.RedirectURL != "" && !absURL(in.RedirectURL) {
		unprocessable(w, "The redirect URL is invalid", "redirectUrl")
		return
	}
	if in.WebhookURL != "" && !absURL(in.WebhookURL) {
		unprocessable(w, "The webhook URL is invalid", "webhookUrl")
		return
	}
	method, ok := parseMethod(in.Method)
	if !ok {
		unprocessable(w, "The payment method is invalid", "method")
		return
	}
	metadata := in.Metadata
	if len(metadata) == 0 || string(metadata) == "null" {
		metadata = nil
	}

	key := r.Header.Get("Idempotency-Key")
	hash := fmt.Sprintf("%x", sha256.Sum256(raw))
	f.mu.Lock()
	if key != "" {
		// Keyed per mode too: a test key and a live key are different
		// accounts as far as Mollie is concerned.
		if e, ok := f.idem[mode+"\x00"+key]; ok {
			if e.body != hash {
				f.mu.Unlock()
				unprocessable(w, "The Idempotency-Key was already used for a request with a different body", "")
				return
			}
			body := f.paymentJSONLocked(f.payments[e.paymentID], r)
			f.mu.Unlock()
			writeJSON(w, http.StatusCreated, body)
			return
		}
	}
	status, mandateID, field, problem := f.sequenceLocked(in, mode)
	if problem != "" {
		f.mu.Unlock()
		unprocessable(w, problem, field)
		return
	}
	if in.Sequence == "recurring" {
		method = "directdebit"
	}
	now := f.now()
	p := &payment{
		Payment: Payment{
			ID: newID("tr_"), Mode: mode, Status: status, Method: method,
			Description: in.Description, Currency: in.Amount.Currency, AmountCents: cents,
			Metadata: metadata, RedirectURL: in.RedirectURL, WebhookURL: in.WebhookURL,
			IdempotencyKey: key, CreatedAt: now,
			SequenceType: in.Sequence, CustomerID: in.CustomerID, MandateID: mandateID,
		},
		profileID: profileID,
		// Mollie gives most methods 15 minutes (banktransfer: days).
		expiresAt: now.Add(15 * time.Minute),
	}
	f.payments[p.ID] = p
	f.order = append(f.order, p.ID)
	if key != "" {
		f.idem[mode+"\x00"+key] = idemEntry{body: hash, paymentID: p.ID}
	}
	body := f.paymentJSONLocked(p, r)
	f.mu.Unlock()
	writeJSON(w, http.StatusCreated, body)
}

func unprocessable(w http.ResponseWriter, detail, field string) {
	writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", detail, field)
}

// parseMethod accepts null, one method, or a list of methods (Mollie lets
// the debtor choose among a list); it returns the method to store (only a
// single one is fixed on the payment).
func parseMethod(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one, slices.Contains(methods, one)
	}
	var many []string
	if json.Unmarshal(raw, &many) != nil || len(many) == 0 {
		return "", false
	}
	for _, m := range many {
		if !slices.Contains(methods, m) {
			return "", false
		}
	}
	if len(many) == 1 {
		return many[0], true
	}
	return "", true
}

func absURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// parseCents parses a value with exactly two decimals ("10.00") into cents.
func parseCents(v string) (int64, bool) {
	if !valueRE.MatchString(v) {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.Replace(v, ".", "", 1), 10, 64)
	return n, err == nil
}

// formatCents formats cents as Mollie's two-decimal value; negative for
// amounts taken back.
func formatCents(c int64) string { return formatDecimal(c, 2) }

// formatDecimal formats v, a whole number of 10^-places units, with places
// decimals and a leading minus when negative, as Mollie writes amounts.
func formatDecimal(v int64, places int) string {
	unit := int64(1)
	for range places {
		unit *= 10
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%0*d", sign, v/unit, places, v%unit)
}

func amount(currency string, cents int64) map[string]string {
	return map[string]string{"currency": currency, "value": formatCents(cents)}
}

// timeFormat is how Mollie writes times: ISO 8601 with a numeric offset
// ("+00:00", not "Z").
const timeFormat = "2006-01-02T15:04:05-07:00"

func ts(t time.Time) string { return t.UTC().Format(timeFormat) }

// apiBase is the origin the client called, so HAL links (self, next) are
// usable by that same client.
func apiBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// publicBaseLocked is where browsers reach the fake (checkout links).
func (f *Fake) publicBaseLocked(r *http.Request) string {
	if f.baseURL != "" {
		return f.baseURL
	}
	return apiBase(r)
}

func (f *Fake) paymentJSONLocked(p *payment, r *http.Request) map[string]any {
	api := apiBase(r)
	m := map[string]any{
		"resource":     "payment",
		"id":           p.ID,
		"mode":         p.Mode,
		"createdAt":    ts(p.CreatedAt),
		"amount":       amount(p.Currency, p.AmountCents),
		"description":  p.Description,
		"method":       nil,
		"metadata":     nil,
		"status":       p.Status,
		"profileId":    p.profileID,
		"sequenceType": sequenceOf(p),
	}
	if p.RedirectURL != "" {
		m["redirectUrl"] = p.RedirectURL
	}
	if p.CustomerID != "" {
		m["customerId"] = p.CustomerID
	}
	if p.MandateID != "" {
		m["mandateId"] = p.MandateID
	}
	if p.Method != "" {
		m["method"] = p.Method
	}
	if p.Metadata != nil {
		m["metadata"] = p.Metadata
	}
	if p.WebhookURL != "" {
		m["webhookUrl"] = p.WebhookURL
	}
	links := map[string]any{
		"self":          link(api+"/v2/payments/"+p.ID, "application/hal+json"),
		"dashboard":     link("https://my.mollie.com/dashboard/org_1234567/payments/"+p.ID, "text/html"),
		"documentation": link("https://docs.mollie.com/reference/get-payment", "text/html"),
	}
	if p.CustomerID != "" {
		links["customer"] = link(api+"/v2/customers/"+p.CustomerID, "application/hal+json")
	}
	if p.MandateID != "" {
		links["mandate"] = link(api+"/v2/customers/"+p.CustomerID+"/mandates/"+p.MandateID, "application/hal+json")
	}
	switch p.Status {
	case "open":
		// Mollie omits isCancelable once final, and only offers a checkout
		// link while the payment can still be paid.
		m["isCancelable"] = false
		m["expiresAt"] = ts(p.expiresAt)
		links["checkout"] = link(f.publicBaseLocked(r)+"/checkout/"+p.ID, "text/html")
	case "pending", "authorized":
		m["isCancelable"] = false
	}
	for k, t := range map[string]*time.Time{
		"paidAt": p.PaidAt, "authorizedAt": p.authorizedAt, "canceledAt": p.canceledAt,
		"expiredAt": p.expiredAt, "failedAt": p.failedAt,
	} {
		if t != nil {
			m[k] = ts(*t)
		}
	}
	if p.Status == "paid" {
		// Refund amounts are only shown when refunds are possible.
		m["amountRefunded"] = amount(p.Currency, p.RefundedCents)
		m["amountRemaining"] = amount(p.Currency, p.AmountCents-p.RefundedCents)
	}
	if p.ChargedBackCents != 0 {
		m["amountChargedBack"] = amount(p.Currency, p.ChargedBackCents)
	}
	if len(p.refundIDs) > 0 {
		links["refunds"] = link(api+"/v2/payments/"+p.ID+"/refunds", "application/hal+json")
	}
	if len(p.chargeIDs) > 0 {
		links["chargebacks"] = link(api+"/v2/payments/"+p.ID+"/chargebacks", "application/hal+json")
	}
	if p.SettlementID != "" {
		m["settlementId"] = p.SettlementID
		m["settlementAmount"] = amount(p.Currency, p.AmountCents)
		links["settlement"] = link(api+"/v2/settlements/"+p.SettlementID, "application/hal+json")
	}
	m["_links"] = links
	return m
}

func (f *Fake) refundJSONLocked(rf *refund, r *http.Request) map[string]any {
	api := apiBase(r)
	m := map[string]any{
		"resource":    "refund",
		"id":          rf.id,
		"mode":        rf.mode,
		"description": rf.description,
		"amount":      amount(rf.currency, rf.cents),
		"status":      rf.status,
		"metadata":    nil,
		"paymentId":   rf.paymentID,
		"createdAt":   ts(rf.createdAt),
		"_links": map[string]any{
			"self":          link(api+"/v2/payments/"+rf.paymentID+"/refunds/"+rf.id, "application/hal+json"),
			"payment":       link(api+"/v2/payments/"+rf.paymentID, "application/hal+json"),
			"documentation": link("https://docs.mollie.com/reference/get-refund", "text/html"),
		},
	}
	if rf.settlementID != "" {
		m["settlementId"] = rf.settlementID
		m["settlementAmount"] = amount(rf.currency, -rf.cents)
		m["_links"].(map[string]any)["settlement"] = link(api+"/v2/settlements/"+rf.settlementID, "application/hal+json")
	}
	return m
}

func (f *Fake) chargebackJSONLocked(c *chargeback, r *http.Request) map[string]any {
	api := apiBase(r)
	m := map[string]any{
		"resource":   "chargeback",
		"id":         c.id,
		"amount":     amount(c.currency, c.cents),
		"reason":     map[string]string{"code": "AC01", "description": "Account identifier incorrect (i.e. invalid IBAN)"},
		"paymentId":  c.paymentID,
		"createdAt":  ts(c.createdAt),
		"reversedAt": nil,
		"_links": map[string]any{
			"self":          link(api+"/v2/payments/"+c.paymentID+"/chargebacks/"+c.id, "application/hal+json"),
			"payment":       link(api+"/v2/payments/"+c.paymentID, "application/hal+json"),
			"documentation": link("https://docs.mollie.com/reference/get-chargeback", "text/html"),
		},
	}
	if c.reversedAt != nil {
		m["reversedAt"] = ts(*c.reversedAt)
	}
	if c.settlementID != "" {
		m["settlementId"] = c.settlementID
		m["settlementAmount"] = amount(c.currency, -c.cents)
		m["_links"].(map[string]any)["settlement"] = link(api+"/v2/settlements/"+c.settlementID, "application/hal+json")
	}
	return m
}

// visiblePaymentLocked finds a payment the caller's key may see, or writes
// Mollie's 404.
func (f *Fake) visiblePaymentLocked(w http.ResponseWriter, id, mode string) (*payment, bool) {
	p, ok := f.payments[id]
	if !ok || p.Mode != mode {
		writeError(w, http.StatusNotFound, "Not Found", "No payment exists with token "+id+".", "")
		return nil, false
	}
	return p, true
}

func (f *Fake) getPayment(w http.ResponseWriter, r *http.Request, mode string) {
	f.mu.Lock()
	p, ok := f.visiblePaymentLocked(w, r.PathValue("id"), mode)
	if !ok {
		f.mu.Unlock()
		return
	}
	if f.fetches == nil {
		f.fetches = map[string]int{}
	}
	f.fetches[p.ID]++
	body := f.paymentJSONLocked(p, r)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// listOf serves the list of what belongs to one parent (a payment's
// refunds, a settlement's payments): find looks the parent up or writes
// Mollie's 404, ids picks the children and render gives each one's body.
func listOf[P any](f *Fake, name string, find func(http.ResponseWriter, *http.Request, string) (P, bool),
	ids func(P) []string, render func(id string, r *http.Request) map[string]any) handler {
	return func(w http.ResponseWriter, r *http.Request, mode string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		parent, ok := find(w, r, mode)
		if !ok {
			return
		}
		children := ids(parent)
		items := make([]item, 0, len(children))
		for _, id := range children {
			items = append(items, item{id, render(id, r)})
		}
		writeList(w, r, name, items)
	}
}

// paymentItemLocked, refundItemLocked and chargebackItemLocked render a
// list item by id, for listOf.
func (f *Fake) paymentItemLocked(id string, r *http.Request) map[string]any {
	return f.paymentJSONLocked(f.payments[id], r)
}

func (f *Fake) refundItemLocked(id string, r *http.Request) map[string]any {
	return f.refundJSONLocked(f.refunds[id], r)
}

func (f *Fake) chargebackItemLocked(id string, r *http.Request) map[string]any {
	return f.chargebackJSONLocked(f.chargebacks[id], r)
}

type item struct {
	id   string
	body map[string]any
}

// writeList writes a HAL list page. items come oldest first; Mollie lists
// newest first and pages by cursor: from=<id of the first item of the page>
// and limit (1..250, default 50). _links.previous and _links.next are null
// when there is no such page, as list-links requires them present.
func writeList(w http.ResponseWriter, r *http.Request, name string, items []item) {
	items = slices.Clone(items)
	slices.Reverse(items)
	q := r.URL.Query()
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 250 {
			writeError(w, http.StatusBadRequest, "Bad Request", "Invalid limit value; it must be between 1 and 250", "limit")
			return
		}
		limit = n
	}
	start := 0
	if from := q.Get("from"); from != "" {
		start = slices.IndexFunc(items, func(it item) bool { return it.id == from })
		if start < 0 {
			writeError(w, http.StatusBadRequest, "Bad Request", "Invalid cursor value", "from")
			return
		}
	}
	end := min(start+limit, len(items))
	page := make([]map[string]any, 0, end-start)
	for _, it := range items[start:end] {
		page = append(page, it.body)
	}
	base := apiBase(r) + r.URL.Path
	pageURL := func(from string) string {
		v := url.Values{}
		v.Set("from", from)
		v.Set("limit", strconv.Itoa(limit))
		return base + "?" + v.Encode()
	}
	self := base
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	links := map[string]any{
		"self":          link(self, "application/hal+json"),
		"previous":      nil,
		"next":          nil,
		"documentation": link("https://docs.mollie.com/reference/pagination", "text/html"),
	}
	if end < len(items) {
		links["next"] = link(pageURL(items[end].id), "application/hal+json")
	}
	if start > 0 {
		links["previous"] = link(pageURL(items[max(0, start-limit)].id), "application/hal+json")
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"count":     len(page),
		"_embedded": map[string]any{name: page},
		"_links":    links,
	})
}
