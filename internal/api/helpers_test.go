package api_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/api"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/server"
)

func TestMain(m *testing.M) { apptest.Main(m) }

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

// refusal is a request the API must refuse with an error answer. An empty
// path is the table's path; an empty key is creditor A's.
type refusal struct {
	name   string
	path   string
	key    string
	body   any
	status int
	code   string
	field  string
}

// wantRefused posts each refusal, as a subtest, and checks its error.
func (b *bundle) wantRefused(t *testing.T, path string, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b.call(t, "POST", cmp.Or(tc.path, path), cmp.Or(tc.key, b.A.Key), tc.body).wantError(t, tc.status, tc.code, tc.field)
		})
	}
}
