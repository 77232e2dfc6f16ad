package molliefake

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Customer is a fake Mollie customer, the holder of mandates.
type Customer struct {
	ID        string          `json:"id"`
	Mode      string          `json:"mode"`
	Name      string          `json:"name"`
	Email     string          `json:"email"`
	Metadata  json.RawMessage `json:"metadata"`
	CreatedAt time.Time       `json:"created_at"`
}

// Mandate is a fake SEPA direct debit mandate. Like at Mollie, a paid
// first payment (iDEAL, sequenceType first) creates a valid one for its
// customer; revoking it makes it invalid.
type Mandate struct {
	ID              string    `json:"id"`
	Mode            string    `json:"mode"`
	CustomerID      string    `json:"customer_id"`
	Status          string    `json:"status"` // valid, pending or invalid
	ConsumerName    string    `json:"consumer_name"`
	ConsumerAccount string    `json:"consumer_account"`
	ConsumerBIC     string    `json:"consumer_bic"`
	Reference       string    `json:"reference"`
	SignatureDate   string    `json:"signature_date"`
	CreatedAt       time.Time `json:"created_at"`
}

// Customers returns a snapshot of the customers, in no particular order.
func (f *Fake) Customers() []Customer {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Customer, 0, len(f.customers))
	for _, c := range f.customers {
		out = append(out, *c)
	}
	return out
}

// Mandates returns a snapshot of a customer's mandates, oldest first.
func (f *Fake) Mandates(customerID string) []Mandate {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Mandate
	for _, id := range f.mandateIDs {
		if m := f.mandates[id]; m.CustomerID == customerID {
			out = append(out, *m)
		}
	}
	return out
}

// newMandateLocked gives p's customer the direct debit mandate a paid
// first payment creates, signed today, and returns its id. The account is
// the fake bank's, as Mollie's test mode uses a fixed test IBAN.
func (f *Fake) newMandateLocked(p *payment, now time.Time) string {
	name := "T. Tester"
	if c, ok := f.customers[p.CustomerID]; ok && c.Name != "" {
		name = c.Name
	}
	m := &Mandate{
		ID: newID("mdt_"), Mode: p.Mode, CustomerID: p.CustomerID, Status: "valid",
		ConsumerName: name, ConsumerAccount: "NL55INGB0000000000", ConsumerBIC: "INGBNL2A",
		Reference: "SETTLE-" + p.ID, SignatureDate: now.UTC().Format(time.DateOnly), CreatedAt: now,
	}
	f.mandates[m.ID] = m
	f.mandateIDs = append(f.mandateIDs, m.ID)
	return m.ID
}

func sequenceOf(p *payment) string {
	if p.SequenceType == "" {
		return "oneoff"
	}
	return p.SequenceType
}

// sequenceLocked checks a payment's customer and mandate as Mollie does and
// returns its first status and mandate: a first payment needs a customer
// of the key's mode; a recurring one also a valid mandate of that customer
// (the named one, or any valid one), and is collected at once, so it
// starts pending, not open. problem is the error to answer, naming field.
func (f *Fake) sequenceLocked(in createBody, mode string) (status, mandateID, field, problem string) {
	if in.Sequence == "oneoff" {
		if in.CustomerID != "" && !f.customerVisibleLocked(in.CustomerID, mode) {
			return "", "", "customerId", "The customer id is invalid"
		}
		return "open", "", "", ""
	}
	if in.CustomerID == "" {
		return "", "", "customerId", "The 'customerId' field is missing; it is required for this sequence type"
	}
	if !f.customerVisibleLocked(in.CustomerID, mode) {
		return "", "", "customerId", "The customer id is invalid"
	}
	if in.Sequence == "first" {
		return "open", "", "", ""
	}
	if in.MandateID != "" {
		m, ok := f.mandates[in.MandateID]
		if !ok || m.CustomerID != in.CustomerID {
			return "", "", "mandateId", "The mandate id is invalid"
		}
		if m.Status != "valid" {
			return "", "", "mandateId", "The mandate is not valid"
		}
		return "pending", m.ID, "", ""
	}
	for _, id := range f.mandateIDs {
		if m := f.mandates[id]; m.CustomerID == in.CustomerID && m.Status == "valid" {
			return "pending", m.ID, "", ""
		}
	}
	return "", "", "customerId", "The customer does not have a valid mandate"
}

func (f *Fake) customerVisibleLocked(id, mode string) bool {
	c, ok := f.customers[id]
	return ok && c.Mode == mode
}

// customerKey is the idempotency entry of a POST /v2/customers: apart from
// payments', so one key used for both creates never mixes them.
func customerKey(mode, key string) string { return mode + "\x00customers\x00" + key }

func (f *Fake) createCustomer(w http.ResponseWriter, r *http.Request, mode string) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "Could not read the request body", "")
		return
	}
	var in struct {
		Name     *string         `json:"name"`
		Email    *string         `json:"email"`
		Metadata json.RawMessage `json:"metadata"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &in); err != nil {
			writeError(w, http.StatusBadRequest, "Bad Request", "The request body is not valid JSON", "")
			return
		}
	}
	key := r.Header.Get("Idempotency-Key")
	hash := fmt.Sprintf("%x", sha256.Sum256(raw))
	f.mu.Lock()
	if key != "" {
		if e, ok := f.idem[customerKey(mode, key)]; ok {
			if e.body != hash {
				f.mu.Unlock()
				unprocessable(w, "The Idempotency-Key was already used for a request with a different body", "")
				return
			}
			body := customerJSON(f.customers[e.paymentID], r)
			f.mu.Unlock()
			writeJSON(w, http.StatusCreated, body)
			return
		}
	}
	c := &Customer{ID: newID("cst_"), Mode: mode, CreatedAt: f.now()}
	if in.Name != nil {
		c.Name = *in.Name
	}
	if in.Email != nil {
		c.Email = *in.Email
	}
	if len(in.Metadata) > 0 && string(in.Metadata) != "null" {
		c.Metadata = in.Metadata
	}
	f.customers[c.ID] = c
	if key != "" {
		f.idem[customerKey(mode, key)] = idemEntry{body: hash, paymentID: c.ID}
	}
	body := customerJSON(c, r)
	f.mu.Unlock()
	writeJSON(w, http.StatusCreated, body)
}

// visibleCustomerLocked finds a customer the caller's key may see, or
// writes Mollie's 404.
func (f *Fake) visibleCustomerLocked(w http.ResponseWriter, id, mode string) (*Customer, bool) {
	if !f.customerVisibleLocked(id, mode) {
		writeError(w, http.StatusNotFound, "Not Found", "No customer exists with token "+id+".", "")
		return nil, false
	}
	return f.customers[id], true
}

func (f *Fake) getCustomer(w http.ResponseWriter, r *http.Request, mode string) {
	f.mu.Lock()
	c, ok := f.visibleCustomerLocked(w, r.PathValue("id"), mode)
	if !ok {
		f.mu.Unlock()
		return
	}
	body := customerJSON(c, r)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

func (f *Fake) listMandates(w http.ResponseWriter, r *http.Request, mode string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.visibleCustomerLocked(w, r.PathValue("id"), mode)
	if !ok {
		return
	}
	var items []item
	for _, id := range f.mandateIDs {
		if m := f.mandates[id]; m.CustomerID == c.ID {
			items = append(items, item{m.ID, mandateJSON(m, r)})
		}
	}
	writeList(w, r, "mandates", items)
}

// mandateOfLocked finds the mandate in the path, of a customer the key may
// see, or writes Mollie's 404.
func (f *Fake) mandateOfLocked(w http.ResponseWriter, r *http.Request, mode string) (*Mandate, bool) {
	c, ok := f.visibleCustomerLocked(w, r.PathValue("id"), mode)
	if !ok {
		return nil, false
	}
	m, ok := f.mandates[r.PathValue("mid")]
	if !ok || m.CustomerID != c.ID {
		writeError(w, http.StatusNotFound, "Not Found", "No mandate exists with token "+r.PathValue("mid")+".", "")
		return nil, false
	}
	return m, true
}

func (f *Fake) getMandate(w http.ResponseWriter, r *http.Request, mode string) {
	f.mu.Lock()
	m, ok := f.mandateOfLocked(w, r, mode)
	if !ok {
		f.mu.Unlock()
		return
	}
	body := mandateJSON(m, r)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// revokeMandate answers 204 and makes the mandate invalid: no recurring
// payment can be created on it afterwards. Revoking twice is no error.
func (f *Fake) revokeMandate(w http.ResponseWriter, r *http.Request, mode string) {
	f.mu.Lock()
	m, ok := f.mandateOfLocked(w, r, mode)
	if ok {
		m.Status = "invalid"
	}
	f.mu.Unlock()
	if ok {
		w.WriteHeader(http.StatusNoContent)
	}
}

func customerJSON(c *Customer, r *http.Request) map[string]any {
	api := apiBase(r)
	m := map[string]any{
		"resource":  "customer",
		"id":        c.ID,
		"mode":      c.Mode,
		"name":      nil,
		"email":     nil,
		"locale":    nil,
		"metadata":  nil,
		"createdAt": ts(c.CreatedAt),
		"_links": map[string]any{
			"self":          link(api+"/v2/customers/"+c.ID, "application/hal+json"),
			"dashboard":     link("https://my.mollie.com/dashboard/org_1234567/customers/"+c.ID, "text/html"),
			"documentation": link("https://docs.mollie.com/reference/get-customer", "text/html"),
		},
	}
	if c.Name != "" {
		m["name"] = c.Name
	}
	if c.Email != "" {
		m["email"] = c.Email
	}
	if c.Metadata != nil {
		m["metadata"] = c.Metadata
	}
	return m
}

func mandateJSON(md *Mandate, r *http.Request) map[string]any {
	api := apiBase(r)
	return map[string]any{
		"resource": "mandate",
		"id":       md.ID,
		"mode":     md.Mode,
		"status":   md.Status,
		"method":   "directdebit",
		"details": map[string]any{
			"consumerName": md.ConsumerName, "consumerAccount": md.ConsumerAccount, "consumerBic": md.ConsumerBIC,
		},
		"customerId":       md.CustomerID,
		"mandateReference": md.Reference,
		"signatureDate":    md.SignatureDate,
		"createdAt":        ts(md.CreatedAt),
		"_links": map[string]any{
			"self":          link(api+"/v2/customers/"+md.CustomerID+"/mandates/"+md.ID, "application/hal+json"),
			"customer":      link(api+"/v2/customers/"+md.CustomerID, "application/hal+json"),
			"documentation": link("https://docs.mollie.com/reference/get-mandate", "text/html"),
		},
	}
}
