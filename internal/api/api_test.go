package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/api"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
	"github.com/settle/settle/internal/server"
)

func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }

const baseURL = "https://settle.test"

var amsterdam = apptest.Amsterdam

// now is the fixed clock of every API test: Monday 23 November 2026, noon in
// Amsterdam (11:00 UTC). No test depends on the day it runs.
var now = time.Date(2026, 11, 23, 12, 0, 0, 0, amsterdam)

type creditor struct {
	ID  string
	Key string
}

// bundle is one test's app on its own database with two creditors, A and B.
type bundle struct {
	db     *postgres.DB
	app    *fiber.App
	signer *access.Signer
	A, B   creditor
}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	db, _ := apptest.NewDB(t, nil)
	db.Now = func() time.Time { return now }
	log := slog.New(slog.DiscardHandler)
	signer := access.NewSigner([]byte("test-signing-key-of-at-least-32-bytes!"), db.Now)
	a := &api.API{DB: db, Signer: signer, BaseURL: baseURL, Log: log}
	app := server.New(server.Deps{DB: db, Log: log, API: a.Register, APIError: a.WriteError, Uploads: []server.Upload{api.StatementUpload}})
	b := &bundle{db: db, app: app, signer: signer}
	for _, c := range []struct {
		name string
		dst  *creditor
	}{{"Energie Noord B.V.", &b.A}, {"Groothandel Zuid B.V.", &b.B}} {
		cr, key, err := db.CreateCreditor(ctx, collect.Creditor{Name: c.name})
		if err != nil {
			t.Fatal(err)
		}
		*c.dst = creditor{ID: cr.ID, Key: key}
	}
	return b
}

// response is an answer of the app, read completely.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// call sends one request. body is sent as is when it is a string or []byte,
// otherwise as JSON; nil sends no body. key "" sends no Authorization header.
func (b *bundle) call(t *testing.T, method, path, key string, body any) response {
	t.Helper()
	var r io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(v)
	case []byte:
		r = bytes.NewReader(v)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := b.test(t, req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// object decodes the body as a JSON object, keeping numbers exact.
func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// want fails unless the answer has the status, and returns its JSON object.
func (r response) want(t *testing.T, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if status == http.StatusNoContent {
		if len(r.Body) != 0 {
			t.Fatalf("204 with a body: %s", r.Body)
		}
		return nil
	}
	return r.object(t)
}

// wantError checks the status and the error shape {"error": {"code",
// "message", "field"}}; code and field are checked when not "-".
func (r response) wantError(t *testing.T, status int, code, field string) {
	t.Helper()
	m := r.want(t, status)
	conforms(t, "Error", m)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q, want application/json", ct)
	}
	if len(m) != 1 {
		t.Errorf("error body has keys other than error: %s", r.Body)
	}
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %s", r.Body)
	}
	for _, k := range []string{"code", "message", "field"} {
		if _, ok := e[k].(string); !ok {
			t.Errorf("error.%s missing or not a string: %s", k, r.Body)
		}
	}
	if msg, _ := e["message"].(string); msg == "" {
		t.Errorf("empty error message: %s", r.Body)
	}
	if code != "-" && e["code"] != code {
		t.Errorf("error.code %v, want %q: %s", e["code"], code, r.Body)
	}
	if field != "-" && e["field"] != field {
		t.Errorf("error.field %v, want %q: %s", e["field"], field, r.Body)
	}
}

// num reads a JSON integer; a float or a string fails the test.
func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a JSON number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%v is not an integer: %v", v, err)
	}
	return i
}

func str(t *testing.T, v any) string {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%v (%T) is not a JSON string", v, v)
	}
	return s
}

type obj = map[string]any

// debtor creates a debtor through the API and returns its id.
func (b *bundle) debtor(t *testing.T, key string, body obj) string {
	t.Helper()
	m := b.call(t, "POST", "/api/v1/debtors", key, body).want(t, http.StatusCreated)
	return str(t, m["id"])
}

// invoice creates an invoice through the API and returns its id.
func (b *bundle) invoice(t *testing.T, key, debtorID, number, issue, due string, amount int64) string {
	t.Helper()
	m := b.call(t, "POST", "/api/v1/invoices", key, obj{
		"debtor_id": debtorID, "number": number, "description": "levering " + number,
		"issue_date": issue, "due_date": due, "amount": amount, "currency": "EUR",
	}).want(t, http.StatusCreated)
	return str(t, m["id"])
}

func (b *bundle) notice(t *testing.T, key, debtorID, channel, sentOn string, invoiceIDs ...string) map[string]any {
	t.Helper()
	m := b.call(t, "POST", "/api/v1/debtors/"+debtorID+"/notices", key, obj{
		"invoice_ids": invoiceIDs, "sent_on": sentOn, "channel": channel,
	}).want(t, http.StatusCreated)
	conforms(t, "Notice", m)
	return m
}

func consumer(ref, name string) obj {
	return obj{
		"external_ref": ref, "name": name, "email": strings.ToLower(strings.Fields(name)[0]) + "@example.nl",
		"phone": "+31612345678", "address": obj{"street": "Dorpsstraat", "house_number": "12a", "postcode": "1234 AB", "city": "Utrecht"},
	}
}

func TestUpsertDebtor(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	body := consumer("K-1001", "Jan Jansen")
	body["birth_date"] = "1980-02-29"
	m := b.call(t, "POST", "/api/v1/debtors", b.A.Key, body).want(t, http.StatusCreated)
	conforms(t, "DebtorUpserted", m)
	id := str(t, m["id"])
	if m["external_ref"] != "K-1001" || m["created"] != true {
		t.Errorf("create answer %v", m)
	}
	d, err := b.db.Debtor(ctx, b.A.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != collect.Consumer || d.Language != "nl" || d.Address.Postcode != "1234 AB" || d.BirthDate == nil || d.BirthDate.Format(time.DateOnly) != "1980-02-29" {
		t.Errorf("stored debtor %+v: want the defaults consumer and nl, the address and the birth date", d)
	}

	// The same external_ref updates the same debtor and answers 200.
	body["name"] = "Jan de Jong"
	body["language"] = "en"
	m = b.call(t, "POST", "/api/v1/debtors", b.A.Key, body).want(t, http.StatusOK)
	if str(t, m["id"]) != id || m["created"] != false {
		t.Errorf("update answer %v, want id %s and created false", m, id)
	}
	if d, _ = b.db.Debtor(ctx, b.A.ID, id); d.Name != "Jan de Jong" || d.Language != "en" {
		t.Errorf("after update: %+v", d)
	}

	// external_ref is unique per creditor, not across creditors.
	other := str(t, b.call(t, "POST", "/api/v1/debtors", b.B.Key, consumer("K-1001", "Piet Pieters")).want(t, http.StatusCreated)["id"])
	if other == id {
		t.Fatal("creditor B's debtor got creditor A's id")
	}
	if d, _ = b.db.Debtor(ctx, b.A.ID, id); d.Name != "Jan de Jong" {
		t.Errorf("creditor B's upsert changed creditor A's debtor: %+v", d)
	}

	business := obj{"external_ref": "Z-1", "kind": "business", "name": "Bakkerij De Korf B.V.", "language": "nl"}
	if id := b.debtor(t, b.B.Key, business); id == "" {
		t.Fatal("no id")
	}

	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"missing name", obj{"external_ref": "X-1"}, 422, "invalid", "name"},
		{"blank name", obj{"external_ref": "X-1", "name": "   "}, 422, "invalid", "name"},
		{"missing external_ref", obj{"name": "Jan"}, 422, "invalid", "external_ref"},
		{"bad kind", obj{"external_ref": "X-1", "name": "Jan", "kind": "person"}, 422, "invalid", "kind"},
		{"bad language", obj{"external_ref": "X-1", "name": "Jan", "language": "de"}, 422, "invalid", "language"},
		{"bad birth_date", obj{"external_ref": "X-1", "name": "Jan", "birth_date": "1980-13-01"}, 422, "invalid", "birth_date"},
		{"birth_date not YYYY-MM-DD", obj{"external_ref": "X-1", "name": "Jan", "birth_date": "01-02-1980"}, 422, "invalid", "birth_date"},
		{"bad email", obj{"external_ref": "X-1", "name": "Jan", "email": "jan.example.nl"}, 422, "invalid", "email"},
		{"name of the wrong type", obj{"external_ref": "X-1", "name": 42}, 422, "invalid", "name"},
		{"address of the wrong type", obj{"external_ref": "X-1", "name": "Jan", "address": "Dorpsstraat 1"}, 422, "invalid", "address"},
		{"malformed JSON", `{"external_ref": "X-1", "name": `, 400, "malformed", ""},
		{"not an object", `["X-1"]`, 400, "malformed", ""},
		{"empty body", "", 400, "malformed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.call(t, "POST", "/api/v1/debtors", b.A.Key, tc.body).wantError(t, tc.status, tc.code, tc.field)
		})
	}
	if _, err := b.db.DebtorByExternalRef(ctx, b.A.ID, "X-1"); !collect.IsNotFound(err) {
		t.Errorf("a refused request stored a debtor: %v", err)
	}
}

func TestCreateInvoice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	debtorA := b.debtor(t, b.A.Key, consumer("K-1", "Jan Jansen"))
	debtorB := b.debtor(t, b.B.Key, consumer("K-1", "Piet Pieters"))

	valid := func() obj {
		return obj{"debtor_id": debtorA, "number": "F-2026-001", "description": "Stroom oktober", "issue_date": "2026-10-01",
			"due_date": "2026-10-15", "amount": 12500, "currency": "EUR"}
	}
	m := b.call(t, "POST", "/api/v1/invoices", b.A.Key, valid()).want(t, http.StatusCreated)
	conforms(t, "InvoiceCreated", m)
	invID := str(t, m["id"])
	ref := str(t, m["payment_reference"])
	if !collect.ValidRF(ref) {
		t.Errorf("payment_reference %q is not a valid RF reference", ref)
	}
	if m["debtor_id"] != debtorA {
		t.Errorf("debtor_id %v, want %s", m["debtor_id"], debtorA)
	}
	entries, err := b.db.Entries(ctx, b.A.ID, debtorA)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].InvoiceID != invID || entries[0].Account != collect.AccountPrincipal || entries[0].Amount != 12500 {
		t.Errorf("ledger after the invoice: %+v, want one principal entry of 12500", entries)
	}

	// By the creditor's own reference, and without currency (EUR is the default).
	m = b.call(t, "POST", "/api/v1/invoices", b.A.Key, obj{"debtor_external_ref": "K-1", "number": "F-2026-002",
		"issue_date": "2026-11-01", "due_date": "2026-11-15", "amount": 1}).want(t, http.StatusCreated)
	if ref2 := str(t, m["payment_reference"]); !collect.ValidRF(ref2) || ref2 == ref {
		t.Errorf("second payment_reference %q (first %q)", ref2, ref)
	}

	// A duplicate number is a conflict at the same creditor, fine at another.
	b.call(t, "POST", "/api/v1/invoices", b.A.Key, valid()).wantError(t, http.StatusConflict, "conflict", "number")
	other := valid()
	other["debtor_id"] = debtorB
	b.call(t, "POST", "/api/v1/invoices", b.B.Key, other).want(t, http.StatusCreated)

	with := func(k string, v any) obj {
		o := valid()
		o["number"] = "F-NEW"
		if v == nil {
			delete(o, k)
		} else {
			o[k] = v
		}
		return o
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"float amount", with("amount", 12.5), 422, "invalid", "amount"},
		{"float amount with zero fraction", `{"debtor_id":"` + debtorA + `","number":"F-NEW","issue_date":"2026-10-01","due_date":"2026-10-15","amount":1250.0}`, 422, "invalid", "amount"},
		{"exponent amount", `{"debtor_id":"` + debtorA + `","number":"F-NEW","issue_date":"2026-10-01","due_date":"2026-10-15","amount":1e3}`, 422, "invalid", "amount"},
		{"string amount", with("amount", "1250"), 422, "invalid", "amount"},
		{"zero amount", with("amount", 0), 422, "invalid", "amount"},
		{"negative amount", with("amount", -500), 422, "invalid", "amount"},
		{"missing amount", with("amount", nil), 422, "invalid", "amount"},
		{"currency USD", with("currency", "USD"), 422, "invalid", "currency"},
		{"missing number", with("number", ""), 422, "invalid", "number"},
		{"bad issue_date", with("issue_date", "2026-02-30"), 422, "invalid", "issue_date"},
		{"missing due_date", with("due_date", nil), 422, "invalid", "due_date"},
		{"due before issue", with("due_date", "2026-09-30"), 422, "invalid", "due_date"},
		{"no debtor", with("debtor_id", nil), 422, "invalid", "debtor_id"},
		{"number of the wrong type", with("number", 7), 422, "invalid", "number"},
		{"another creditor's debtor", with("debtor_id", debtorB), 404, "not_found", "-"},
		{"unknown debtor_external_ref", obj{"debtor_external_ref": "NOPE", "number": "F-NEW", "issue_date": "2026-10-01", "due_date": "2026-10-15", "amount": 100}, 404, "not_found", "-"},
		{"debtor_id not a uuid", with("debtor_id", "42"), 404, "not_found", "-"},
		{"malformed JSON", `{"number": "F-NEW", "amount": 12`, 400, "malformed", ""},
		{"trailing comma", `{"number": "F-NEW",}`, 400, "malformed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.call(t, "POST", "/api/v1/invoices", b.A.Key, tc.body).wantError(t, tc.status, tc.code, tc.field)
		})
	}
	invs, err := b.db.Invoices(ctx, b.A.ID, debtorA)
	if err != nil {
		t.Fatal(err)
	}
	if len(invs) != 2 {
		t.Errorf("creditor A has %d invoices, want 2: refused requests must store nothing", len(invs))
	}
	// Creditor B's key does not reach A's debtor by external_ref either: it finds B's own K-1.
	m = b.call(t, "POST", "/api/v1/invoices", b.B.Key, obj{"debtor_external_ref": "K-1", "number": "B-9",
		"issue_date": "2026-10-01", "due_date": "2026-10-15", "amount": 100}).want(t, http.StatusCreated)
	if m["debtor_id"] != debtorB {
		t.Errorf("creditor B's K-1 resolved to %v, want B's own debtor %s", m["debtor_id"], debtorB)
	}
}

func TestCreateNotice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	debtor := b.debtor(t, b.A.Key, consumer("K-1", "Jan Jansen"))
	small := b.invoice(t, b.A.Key, debtor, "F-1", "2026-04-01", "2026-04-15", 10000)
	large := b.invoice(t, b.A.Key, debtor, "F-2", "2026-10-01", "2026-10-15", 100000)

	// Sent by email on Thursday 30 April 2026: day 14 is Ascension Day (14
	// May), 15 May is equated with a holiday, then a weekend: Monday 18 May.
	m := b.notice(t, b.A.Key, debtor, "email", "2026-04-30", small)
	if m["deadline"] != "2026-05-18" || num(t, m["costs"]) != 4000 || m["received_on"] != "2026-04-30" || m["costs_due_from"] != "2026-05-19" {
		t.Errorf("email notice of 30 April: %v, want deadline 2026-05-18, costs 4000", m)
	}
	if num(t, m["principal"]) != 10000 || m["waived"] != false || str(t, m["id"]) == "" {
		t.Errorf("email notice: %v", m)
	}

	// By post on Monday 2 November: received Wednesday 4 November (2 days
	// assumed), deadline 14 days later, Wednesday 18 November. The costs are
	// due once for the claim: the scale over 100 + 1,000 euro collected
	// together is 165, of which the first notice's 40 are already due.
	m = b.notice(t, b.A.Key, debtor, "post", "2026-11-02", large)
	if m["received_on"] != "2026-11-04" || m["deadline"] != "2026-11-18" || num(t, m["costs"]) != 12500 {
		t.Errorf("post notice of 2 November: %v, want received 2026-11-04, deadline 2026-11-18, costs 12500", m)
	}
	// The same invoice again while that notice runs is that notice.
	again := b.call(t, "POST", "/api/v1/debtors/"+debtor+"/notices", b.A.Key, obj{"invoice_ids": []string{large}, "sent_on": "2026-11-02", "channel": "sms"}).want(t, http.StatusOK)
	if again["id"] != m["id"] || again["deadline"] != "2026-11-18" || num(t, again["costs"]) != 12500 {
		t.Errorf("sms notice for an invoice under a running notice: %v, want that notice %v", again, m)
	}
	// By sms the same day: no delivery days, Monday 16 November. 1,150 euro
	// together bring 172.50, so 7.50 is left for this invoice of 50.
	extra := b.invoice(t, b.A.Key, debtor, "F-3", "2026-10-01", "2026-10-15", 5000)
	m = b.notice(t, b.A.Key, debtor, "sms", "2026-11-02", extra)
	if m["received_on"] != "2026-11-02" || m["deadline"] != "2026-11-16" || num(t, m["costs"]) != 750 {
		t.Errorf("sms notice of 2 November: %v, want deadline 2026-11-16, costs 750", m)
	}
	// One notice for both invoices: the WIK scale runs over their sum (1100
	// euro), and the earlier notices already announced all of it.
	m = b.notice(t, b.A.Key, debtor, "email", "2026-11-02", small, large)
	if num(t, m["principal"]) != 110000 || num(t, m["costs"]) != 0 {
		t.Errorf("notice for both invoices: %v, want principal 110000 and costs 0", m)
	}

	debtorB := b.debtor(t, b.B.Key, consumer("K-1", "Piet Pieters"))
	invB := b.invoice(t, b.B.Key, debtorB, "F-1", "2026-10-01", "2026-10-15", 5000)
	path := "/api/v1/debtors/" + debtor + "/notices"
	for _, tc := range []struct {
		name   string
		path   string
		key    string
		body   any
		status int
		code   string
		field  string
	}{
		{"bad channel", path, b.A.Key, obj{"invoice_ids": []string{small}, "sent_on": "2026-11-02", "channel": "fax"}, 422, "invalid", "channel"},
		{"missing channel", path, b.A.Key, obj{"invoice_ids": []string{small}, "sent_on": "2026-11-02"}, 422, "invalid", "channel"},
		{"bad sent_on", path, b.A.Key, obj{"invoice_ids": []string{small}, "sent_on": "2 november", "channel": "post"}, 422, "invalid", "sent_on"},
		{"no invoices", path, b.A.Key, obj{"invoice_ids": []string{}, "sent_on": "2026-11-02", "channel": "post"}, 422, "invalid", "invoice_ids"},
		{"invoice_ids not a list", path, b.A.Key, obj{"invoice_ids": small, "sent_on": "2026-11-02", "channel": "post"}, 422, "invalid", "invoice_ids"},
		{"another creditor's invoice", path, b.A.Key, obj{"invoice_ids": []string{invB}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"own and another creditor's invoice", path, b.A.Key, obj{"invoice_ids": []string{small, invB}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"invoice id not a uuid", path, b.A.Key, obj{"invoice_ids": []string{"F-1"}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"another creditor's debtor", path, b.B.Key, obj{"invoice_ids": []string{small}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"another creditor's debtor with its own invoice", path, b.B.Key, obj{"invoice_ids": []string{invB}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"debtor id not a uuid", "/api/v1/debtors/K-1/notices", b.A.Key, obj{"invoice_ids": []string{small}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"malformed JSON", path, b.A.Key, `{"channel": post}`, 400, "malformed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.call(t, "POST", tc.path, tc.key, tc.body).wantError(t, tc.status, tc.code, tc.field)
		})
	}
	f, err := b.db.Facts(ctx, b.B.ID, debtorB)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Notices) != 0 {
		t.Errorf("creditor B's debtor has %d notices after creditor A's attempts", len(f.Notices))
	}
	if f, _ = b.db.Facts(ctx, b.A.ID, debtor); len(f.Notices) != 4 {
		t.Errorf("creditor A's debtor has %d notices, want 4", len(f.Notices))
	}
}

func TestLinks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	debtor := b.debtor(t, b.A.Key, consumer("K-1", "Jan Jansen"))
	path := "/api/v1/debtors/" + debtor + "/links"

	link := func(body obj, wantExpiry string) string {
		t.Helper()
		m := b.call(t, "POST", path, b.A.Key, body).want(t, http.StatusCreated)
		conforms(t, "Link", m)
		if m["expires_at"] != wantExpiry {
			t.Errorf("%v: expires_at %v, want %s", body, m["expires_at"], wantExpiry)
		}
		url := str(t, m["url"])
		token, ok := strings.CutPrefix(url, baseURL+"/l/")
		if !ok {
			t.Fatalf("url %q does not start with %s/l/", url, baseURL)
		}
		claims, err := b.signer.Verify(token)
		if err != nil {
			t.Fatalf("the link's token does not verify: %v", err)
		}
		id := str(t, m["id"])
		if claims.ID != id || claims.DebtorID != debtor || claims.CreditorID != b.A.ID || claims.Channel != body["channel"] {
			t.Errorf("claims %+v, want jti %s, debtor %s, creditor %s", claims, id, debtor, b.A.ID)
		}
		l, err := b.db.LinkByJTI(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if l.RevokedAt != nil || l.ExpiresAt.UTC().Format(time.RFC3339) != wantExpiry {
			t.Errorf("stored link %+v", l)
		}
		return id
	}
	// The clock is 2026-11-23 11:00 UTC: a letter lasts 60 days, an SMS or email 14.
	letter1 := link(obj{"channel": "letter"}, "2027-01-22T11:00:00Z")
	sms := link(obj{"channel": "sms"}, "2026-12-07T11:00:00Z")
	email := link(obj{"channel": "email"}, "2026-12-07T11:00:00Z")
	letter2 := link(obj{"channel": "letter", "ttl_days": 30}, "2026-12-23T11:00:00Z")
	link(obj{"channel": "sms", "ttl_days": nil}, "2026-12-07T11:00:00Z")

	// The new letter link revoked the old letter link, not the others.
	revoked := func(jti string) bool {
		t.Helper()
		l, err := b.db.LinkByJTI(ctx, jti)
		if err != nil {
			t.Fatal(err)
		}
		return l.RevokedAt != nil
	}
	if !revoked(letter1) {
		t.Error("the first letter link is still valid after a new letter link")
	}
	if revoked(letter2) || revoked(sms) || revoked(email) {
		t.Error("a new letter link revoked a link it should not")
	}

	for _, tc := range []struct {
		name   string
		path   string
		key    string
		body   any
		status int
		code   string
		field  string
	}{
		{"bad channel", path, b.A.Key, obj{"channel": "post"}, 422, "invalid", "channel"},
		{"missing channel", path, b.A.Key, obj{}, 422, "invalid", "channel"},
		{"ttl_days zero", path, b.A.Key, obj{"channel": "sms", "ttl_days": 0}, 422, "invalid", "ttl_days"},
		{"ttl_days too long", path, b.A.Key, obj{"channel": "sms", "ttl_days": 366}, 422, "invalid", "ttl_days"},
		{"ttl_days fraction", path, b.A.Key, obj{"channel": "sms", "ttl_days": 1.5}, 422, "invalid", "ttl_days"},
		{"ttl_days string", path, b.A.Key, obj{"channel": "sms", "ttl_days": "7"}, 422, "invalid", "ttl_days"},
		{"another creditor's debtor", path, b.B.Key, obj{"channel": "letter"}, 404, "not_found", "-"},
		{"debtor id not a uuid", "/api/v1/debtors/nope/links", b.A.Key, obj{"channel": "letter"}, 404, "not_found", "-"},
		{"malformed JSON", path, b.A.Key, `{"channel"}`, 400, "malformed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.call(t, "POST", tc.path, tc.key, tc.body).wantError(t, tc.status, tc.code, tc.field)
		})
	}
	if revoked(letter2) {
		t.Error("creditor B's attempt revoked creditor A's letter link")
	}

	// DELETE /links/{id}: another creditor gets 404 and changes nothing.
	b.call(t, "DELETE", "/api/v1/links/"+sms, b.B.Key, nil).wantError(t, http.StatusNotFound, "not_found", "-")
	if revoked(sms) {
		t.Fatal("creditor B revoked creditor A's link")
	}
	b.call(t, "DELETE", "/api/v1/links/"+sms, b.A.Key, nil).want(t, http.StatusNoContent)
	if !revoked(sms) {
		t.Error("the SMS link is not revoked after DELETE")
	}
	b.call(t, "DELETE", "/api/v1/links/"+sms, b.A.Key, nil).want(t, http.StatusNoContent)
	b.call(t, "DELETE", "/api/v1/links/"+sms, b.B.Key, nil).wantError(t, http.StatusNotFound, "not_found", "-")
	b.call(t, "DELETE", "/api/v1/links/not-a-uuid", b.A.Key, nil).wantError(t, http.StatusNotFound, "not_found", "-")
	b.call(t, "DELETE", "/api/v1/links/"+debtor, b.A.Key, nil).wantError(t, http.StatusNotFound, "not_found", "-")

	// DELETE /debtors/{id}/links ends every live link of the debtor.
	b.call(t, "DELETE", path, b.B.Key, nil).wantError(t, http.StatusNotFound, "not_found", "-")
	if revoked(email) || revoked(letter2) {
		t.Fatal("creditor B revoked creditor A's debtor's links")
	}
	m := b.call(t, "DELETE", path, b.A.Key, nil).want(t, http.StatusOK)
	conforms(t, "Revoked", m)
	if num(t, m["revoked"]) != 3 { // email, letter2 and the last sms
		t.Errorf("revoked %v, want 3", m["revoked"])
	}
	if !revoked(email) || !revoked(letter2) {
		t.Error("a link is still valid after DELETE /debtors/{id}/links")
	}
	m = b.call(t, "DELETE", path, b.A.Key, nil).want(t, http.StatusOK)
	if num(t, m["revoked"]) != 0 {
		t.Errorf("revoking twice: revoked %v, want 0", m["revoked"])
	}
}

func TestGetDebtor(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	body := consumer("K-1", "Jan Jansen")
	body["birth_date"] = "1975-06-01"
	debtor := b.debtor(t, b.A.Key, body)

	// Today is 2026-11-23; the consumer rate is 4% from 2026-01-01 on.
	notDue := b.invoice(t, b.A.Key, debtor, "F-3", "2026-11-01", "2026-12-31", 5000)
	inWindow := b.invoice(t, b.A.Key, debtor, "F-2", "2026-10-27", "2026-11-10", 10000)
	pastWindow := b.invoice(t, b.A.Key, debtor, "F-1", "2026-09-17", "2026-10-01", 10000)
	// Notice for F-1 on 5 October: deadline Monday 19 October, passed.
	if m := b.notice(t, b.A.Key, debtor, "email", "2026-10-05", pastWindow); m["deadline"] != "2026-10-19" {
		t.Fatalf("notice deadline %v", m["deadline"])
	}
	// Notice for F-2 on 16 November: deadline Monday 30 November, still
	// ahead. F-1 and F-2 are one claim of 200 euro, whose costs (the minimum
	// of 40 euro) F-1's notice already brings, so it announces nothing more.
	if m := b.notice(t, b.A.Key, debtor, "email", "2026-11-16", inWindow); m["deadline"] != "2026-11-30" || num(t, m["costs"]) != 0 {
		t.Fatalf("notice for F-2: deadline %v, costs %v; want 2026-11-30, 0", m["deadline"], m["costs"])
	}

	m := b.call(t, "GET", "/api/v1/debtors/"+debtor, b.A.Key, nil).want(t, http.StatusOK)
	conforms(t, "DebtorStatement", m)
	if m["id"] != debtor || m["name"] != "Jan Jansen" || m["kind"] != "consumer" || m["language"] != "nl" ||
		m["external_ref"] != "K-1" || m["birth_date"] != "1975-06-01" || m["as_of"] != "2026-11-23" {
		t.Errorf("debtor fields: %v", m)
	}
	if addr, _ := m["address"].(map[string]any); addr["postcode"] != "1234 AB" || addr["house_number"] != "12a" {
		t.Errorf("address %v", m["address"])
	}
	type want struct {
		status, due                       string
		principal, costs, interest, total int64
	}
	wants := map[string]want{
		// Interest 2 Oct - 23 Nov (53 days) on 100 euro at 4%: 0.58; WIK costs 40 euro.
		pastWindow: {"overdue", "2026-10-01", 10000, 4000, 58, 14058},
		// Interest 11 Nov - 23 Nov (13 days): 0.14; no costs before the deadline.
		inWindow: {"overdue", "2026-11-10", 10000, 0, 14, 10014},
		notDue:   {"not_due", "2026-12-31", 5000, 0, 0, 5000},
	}
	invoices, _ := m["invoices"].([]any)
	if len(invoices) != 3 {
		t.Fatalf("invoices %v, want 3", m["invoices"])
	}
	var order []string
	for _, x := range invoices {
		inv := x.(map[string]any)
		id := str(t, inv["id"])
		order = append(order, str(t, inv["number"]))
		w, ok := wants[id]
		if !ok {
			t.Errorf("unknown invoice %v", inv)
			continue
		}
		got := want{str(t, inv["status"]), str(t, inv["due_date"]), num(t, inv["principal"]), num(t, inv["costs"]), num(t, inv["interest"]), num(t, inv["total"])}
		if got != w {
			t.Errorf("invoice %s: %+v, want %+v", inv["number"], got, w)
		}
		if !collect.ValidRF(str(t, inv["payment_reference"])) || inv["currency"] != "EUR" {
			t.Errorf("invoice %v", inv)
		}
	}
	if strings.Join(order, ",") != "F-1,F-2,F-3" {
		t.Errorf("invoice order %v, want oldest due first", order)
	}
	totals, _ := m["totals"].(map[string]any)
	if num(t, totals["principal"]) != 25000 || num(t, totals["costs"]) != 4000 || num(t, totals["interest"]) != 72 ||
		num(t, totals["total"]) != 29072 || num(t, totals["credit"]) != 0 {
		t.Errorf("totals %v, want principal 25000, costs 4000, interest 72, total 29072", totals)
	}

	// A payment booked in the ledger shows at once: 50 euro goes to F-1's
	// costs (40), then its interest (0.58), then its principal (9.42).
	if _, booked, err := b.db.ApplyPayment(ctx, postgres.Receipt{CreditorID: b.A.ID, DebtorID: debtor, Amount: 5000,
		On: now, SourceKey: "test:bank:1"}); err != nil || !booked {
		t.Fatalf("apply payment: booked %v, %v", booked, err)
	}
	m = b.call(t, "GET", "/api/v1/debtors/"+debtor, b.A.Key, nil).want(t, http.StatusOK)
	inv := m["invoices"].([]any)[0].(map[string]any)
	if inv["id"] != pastWindow || num(t, inv["costs"]) != 0 || num(t, inv["interest"]) != 0 || num(t, inv["principal"]) != 9058 || num(t, inv["total"]) != 9058 {
		t.Errorf("F-1 after paying 50 euro: %v, want principal 9058 and nothing else", inv)
	}
	if totals := m["totals"].(map[string]any); num(t, totals["total"]) != 24072 {
		t.Errorf("total after paying 50 euro: %v, want 24072", totals["total"])
	}

	// A business debtor runs commercial interest: 10.40% from 2026-07-01.
	biz := b.debtor(t, b.B.Key, obj{"external_ref": "Z-1", "kind": "business", "name": "Bakkerij De Korf B.V."})
	b.invoice(t, b.B.Key, biz, "W-1", "2026-09-01", "2026-09-30", 100000)
	m = b.call(t, "GET", "/api/v1/debtors/"+biz, b.B.Key, nil).want(t, http.StatusOK)
	conforms(t, "DebtorStatement", m)
	if m["kind"] != "business" || m["birth_date"] != nil {
		t.Errorf("business debtor: %v", m)
	}
	inv = m["invoices"].([]any)[0].(map[string]any)
	// 1 Oct - 23 Nov is 54 days: 1000 euro x 10.40% x 54/365 = 15.39.
	if num(t, inv["interest"]) != 1539 || num(t, inv["total"]) != 101539 || inv["status"] != "overdue" {
		t.Errorf("business invoice: %v, want commercial interest 1539", inv)
	}

	// One creditor's key never reaches another creditor's debtor, and the
	// answer gives nothing of it away.
	for _, tc := range []struct{ key, id, secret string }{
		{b.B.Key, debtor, "Jan Jansen"},
		{b.A.Key, biz, "Korf"},
	} {
		r := b.call(t, "GET", "/api/v1/debtors/"+tc.id, tc.key, nil)
		r.wantError(t, http.StatusNotFound, "not_found", "-")
		if bytes.Contains(r.Body, []byte(tc.secret)) || bytes.Contains(r.Body, []byte("invoices")) {
			t.Errorf("404 leaks the debtor: %s", r.Body)
		}
	}
	b.call(t, "GET", "/api/v1/debtors/not-a-uuid", b.A.Key, nil).wantError(t, http.StatusNotFound, "not_found", "-")
	b.call(t, "GET", "/api/v1/debtors/00000000-0000-4000-8000-000000000000", b.A.Key, nil).wantError(t, http.StatusNotFound, "not_found", "-")
}

func TestRotateAPIKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	debtor := b.debtor(t, b.A.Key, consumer("K-1", "Jan Jansen"))
	m := b.call(t, "POST", "/api/v1/api-keys", b.A.Key, nil).want(t, http.StatusCreated)
	conforms(t, "APIKey", m)
	key := str(t, m["api_key"])
	if key == b.A.Key || !strings.HasPrefix(key, "stl_") || len(key) < 40 {
		t.Fatalf("new key %q", key)
	}
	b.call(t, "GET", "/api/v1/debtors/"+debtor, b.A.Key, nil).wantError(t, http.StatusUnauthorized, "unauthorized", "")
	b.call(t, "POST", "/api/v1/api-keys", b.A.Key, nil).wantError(t, http.StatusUnauthorized, "unauthorized", "")
	b.call(t, "GET", "/api/v1/debtors/"+debtor, key, nil).want(t, http.StatusOK)
	// Creditor B's key still works.
	b.call(t, "POST", "/api/v1/debtors", b.B.Key, consumer("K-2", "Piet Pieters")).want(t, http.StatusCreated)
	// Rotating again ends the second key too.
	next := str(t, b.call(t, "POST", "/api/v1/api-keys", key, nil).want(t, http.StatusCreated)["api_key"])
	b.call(t, "GET", "/api/v1/debtors/"+debtor, key, nil).wantError(t, http.StatusUnauthorized, "unauthorized", "")
	b.call(t, "GET", "/api/v1/debtors/"+debtor, next, nil).want(t, http.StatusOK)
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	b := setup(t)
	debtor := b.debtor(t, b.A.Key, consumer("K-1", "Jan Jansen"))
	id := "/api/v1/debtors/" + debtor
	endpoints := []struct{ method, path string }{
		{"POST", "/api/v1/debtors"}, {"GET", id}, {"POST", id + "/notices"}, {"POST", id + "/links"},
		{"DELETE", id + "/links"}, {"DELETE", "/api/v1/links/" + debtor}, {"POST", "/api/v1/invoices"}, {"POST", "/api/v1/api-keys"},
	}
	for _, e := range endpoints {
		for name, header := range map[string]string{
			"no key":       "",
			"wrong key":    "Bearer stl_thisisnotakeythisisnotakeythisisnotakeyxx",
			"empty bearer": "Bearer ",
			"basic auth":   "Basic " + b.A.Key,
			"bare key":     b.A.Key,
		} {
			t.Run(e.method+" "+e.path+" "+name, func(t *testing.T) {
				req := httptest.NewRequest(e.method, e.path, strings.NewReader(`{"external_ref":"K-9","name":"Mallory"}`))
				req.Header.Set("Content-Type", "application/json")
				if header != "" {
					req.Header.Set("Authorization", header)
				}
				res, err := b.test(t, req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				response{Status: res.StatusCode, Header: res.Header, Body: raw}.wantError(t, http.StatusUnauthorized, "unauthorized", "")
			})
		}
	}
	if _, err := b.db.DebtorByExternalRef(context.Background(), b.A.ID, "K-9"); !collect.IsNotFound(err) {
		t.Errorf("an unauthenticated request stored a debtor: %v", err)
	}
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	b := setup(t)
	big := `{"external_ref":"K-1","name":"` + strings.Repeat("a", 2<<20) + `"}`
	b.call(t, "POST", "/api/v1/debtors", b.A.Key, big).wantError(t, http.StatusRequestEntityTooLarge, "too_large", "")
	b.call(t, "POST", "/api/v1/invoices", b.A.Key, big).wantError(t, http.StatusRequestEntityTooLarge, "too_large", "")
	if _, err := b.db.DebtorByExternalRef(context.Background(), b.A.ID, "K-1"); !collect.IsNotFound(err) {
		t.Errorf("a 2 MiB request stored a debtor: %v", err)
	}
	// Just under the limit is read (and then judged on its fields).
	fits := `{"external_ref":"K-1","name":"Jan","email":"` + strings.Repeat("a", api.MaxBody-100) + `"}`
	b.call(t, "POST", "/api/v1/debtors", b.A.Key, fits).wantError(t, http.StatusUnprocessableEntity, "invalid", "email")
}

func TestUnknownEndpoint(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.call(t, "GET", "/api/v1/creditors", b.A.Key, nil).wantError(t, http.StatusNotFound, "not_found", "")
	b.call(t, "PUT", "/api/v1/debtors", b.A.Key, `{}`).wantError(t, http.StatusNotFound, "not_found", "")
}

func TestOpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.call(t, "GET", "/api/v1/openapi.json", "", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, r.Body) {
		t.Error("the served document differs from internal/api/openapi.json")
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Info       map[string]any                       `json:"info"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas         map[string]any `json:"schemas"`
			SecuritySchemes map[string]struct {
				Type   string `json:"type"`
				Scheme string `json:"scheme"`
			} `json:"securitySchemes"`
		} `json:"components"`
		Security []map[string][]string `json:"security"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q, want 3.x", doc.OpenAPI)
	}
	if doc.Info["title"] == nil || doc.Info["version"] == nil {
		t.Error("info needs a title and a version")
	}
	bearer := false
	for name, s := range doc.Components.SecuritySchemes {
		if s.Type == "http" && strings.EqualFold(s.Scheme, "bearer") {
			bearer = true
			if len(doc.Security) == 0 || doc.Security[0][name] == nil {
				t.Errorf("the bearer scheme %q is not the default security requirement", name)
			}
		}
	}
	if !bearer {
		t.Error("no http bearer security scheme")
	}
	for _, s := range []string{"Error", "DebtorStatement", "InvoiceLine"} {
		if doc.Components.Schemas[s] == nil {
			t.Errorf("no %s schema", s)
		}
	}

	// Every route the router registers under /api/v1 is documented, with its
	// method, and every documented operation exists.
	registered := map[string]bool{}
	for _, rt := range b.app.GetRoutes(true) {
		if !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Method == "HEAD" {
			continue
		}
		p := "/" + strings.Join(func() []string {
			parts := strings.Split(strings.TrimPrefix(rt.Path, "/api/v1/"), "/")
			for i, s := range parts {
				if name, ok := strings.CutPrefix(s, ":"); ok {
					parts[i] = "{" + name + "}"
				}
			}
			return parts
		}(), "/")
		op := strings.ToLower(rt.Method) + " " + p
		registered[op] = true
		if doc.Paths[p][strings.ToLower(rt.Method)] == nil {
			t.Errorf("%s %s is registered but not in openapi.json", rt.Method, p)
		}
	}
	if len(registered) < 9 {
		t.Errorf("only %d API routes found: %v", len(registered), registered)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for method, op := range ops {
			if method == "parameters" {
				continue
			}
			documented = append(documented, method+" "+p)
			if tags, _ := op["tags"].([]any); slices.Contains(tags, any("demo")) {
				// Demo-only: served by `settle demo` alone (democlock_test.go).
				if registered[method+" "+p] {
					t.Errorf("%s %s is demo-only but served without a demo clock", method, p)
				}
				continue
			}
			if !registered[method+" "+p] {
				t.Errorf("openapi.json documents %s %s, which the router does not serve", method, p)
			}
			if responses, _ := op["responses"].(map[string]any); len(responses) == 0 {
				t.Errorf("%s %s has no responses", method, p)
			}
		}
	}
	sort.Strings(documented)
	t.Logf("documented: %v", documented)

	// Every $ref points at something that exists.
	var all any
	_ = json.Unmarshal(r.Body, &all)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, v := range x {
				if k == "$ref" {
					ref, _ := v.(string)
					if !resolves(all, ref) {
						t.Errorf("$ref %q does not resolve", ref)
					}
				}
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(all)
}

func resolves(doc any, ref string) bool {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	cur := doc
	for _, part := range strings.Split(rest, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]; !ok {
			return false
		}
	}
	return true
}

// conforms checks a response object against a schema of openapi.json:
// required properties are present, and every documented property has the
// documented JSON type (integers must be integers). It keeps the document
// honest about what the handlers really send.
func conforms(t *testing.T, schema string, v any) {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	checkSchema(t, doc, schema, map[string]any{"$ref": "#/components/schemas/" + schema}, v)
}

func checkSchema(t *testing.T, doc map[string]any, path string, s map[string]any, v any) {
	t.Helper()
	for {
		if ref, ok := s["$ref"].(string); ok {
			cur := any(doc)
			for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
				cur = cur.(map[string]any)[p]
			}
			s = cur.(map[string]any)
			continue
		}
		if all, ok := s["allOf"].([]any); ok && len(all) == 1 {
			s = all[0].(map[string]any)
			continue
		}
		break
	}
	if v == nil {
		if s["nullable"] != true {
			t.Errorf("%s is null but not nullable", path)
		}
		return
	}
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s: %v is not an object", path, v)
			return
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				t.Errorf("%s: required property %s missing", path, r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, pv := range m {
			ps, ok := props[k].(map[string]any)
			if !ok {
				t.Errorf("%s.%s is sent but not documented", path, k)
				continue
			}
			checkSchema(t, doc, path+"."+k, ps, pv)
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			t.Errorf("%s: %v is not an array", path, v)
			return
		}
		for i, x := range a {
			checkSchema(t, doc, fmt.Sprintf("%s[%d]", path, i), s["items"].(map[string]any), x)
		}
	case "integer":
		if n, ok := v.(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			t.Errorf("%s: %v is not an integer", path, v)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			t.Errorf("%s: %v is not a string", path, v)
			return
		}
		if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, any(str)) {
			t.Errorf("%s: %q is not one of %v", path, str, enum)
		}
		if s["format"] == "date" {
			if _, err := time.Parse(time.DateOnly, str); err != nil {
				t.Errorf("%s: %q is not YYYY-MM-DD", path, str)
			}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			t.Errorf("%s: %v is not a boolean", path, v)
		}
	}
}
