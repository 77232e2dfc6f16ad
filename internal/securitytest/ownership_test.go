package securitytest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/reconcile/camt053"
)

// randomID is a well-formed id that names nothing: a foreign id must get
// the same answer as this one.
const randomID = "3f0c7a52-8d1e-4b6a-9c2f-5e7d1a3b9c40"

// importStatement imports a one-entry camt.053 statement through the API
// with p's key and returns the statement's id.
func (e *env) importStatement(p party, stmtID, reference string, cents int64) string {
	e.T.Helper()
	var file bytes.Buffer
	if err := camt053.Generate(&file, 1, camt053.GenOptions{Version: "001.08", AccountIBAN: p.IBAN, StatementID: stmtID,
		Start: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Entry: func(int) (string, int64) { return reference, cents }}); err != nil {
		e.T.Fatal(err)
	}
	r := e.APIClient(p.Key).Send(http.MethodPost, "/api/v1/bank-statements", &file, http.Header{"Content-Type": {"application/xml"}})
	if r.Status != http.StatusCreated {
		e.T.Fatalf("import statement for %s: status %d\n%s", p.Name, r.Status, r.Body)
	}
	var id string
	if err := e.DB.PoolForTests().QueryRow(e.Ctx, `SELECT id::text FROM bank_statements WHERE creditor_id = $1 AND stmt_id = $2`, p.ID, stmtID).Scan(&id); err != nil {
		e.T.Fatal(err)
	}
	return id
}

func (e *env) paymentReference(inv collect.Invoice) string {
	e.T.Helper()
	var ref string
	if err := e.DB.PoolForTests().QueryRow(e.Ctx, `SELECT payment_reference FROM invoices WHERE id = $1`, inv.ID).Scan(&ref); err != nil {
		e.T.Fatal(err)
	}
	return ref
}

// apiProbe is what creditor B does with one API route to reach A's
// records, and what must hold afterwards.
type apiProbe func(t *testing.T, e *env, b *client, w apiWorld)

// apiWorld is A's records that B tries to reach.
type apiWorld struct {
	statement string // A's bank statement
	payout    string // A's payout
	letter    string // A's posted notice with its letter
}

// notFound fails unless B's request is answered exactly like one for an id
// that names nothing: a 404 that tells nothing about A.
func notFound(t *testing.T, b *client, method, pattern, foreign string, body any) {
	t.Helper()
	got := b.Call(method, fill(pattern, foreign), body)
	none := b.Call(method, fill(pattern, randomID), body)
	if got.Status != http.StatusNotFound || !strings.Contains(got.Body, `"not_found"`) {
		t.Errorf("B: %s %s with A's id: status %d, want 404 not_found\n%.400s", method, pattern, got.Status, got.Body)
	}
	if got.Status != none.Status || got.Body != none.Body {
		t.Errorf("B: %s %s: A's id answers %d %q, an unknown id %d %q", method, pattern, got.Status, got.Body, none.Status, none.Body)
	}
}

// wantNone fails if an answer to B shows anything of A.
func wantNone(t *testing.T, e *env, what string, r response) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Errorf("B: %s: status %d, want 200\n%.400s", what, r.Status, r.Body)
	}
	for _, s := range []string{e.A.ID, e.A.Debtor.ID, e.A.Invoice.ID, e.A.Payment.ID, e.A.Payment.ProviderID, e.A.Debtor.Name, e.A.Invoice.Number} {
		if strings.Contains(r.Body, s) {
			t.Errorf("B: %s shows A's %q\n%.600s", what, s, r.Body)
		}
	}
}

// apiRoutes are the creditor API's routes, each with B's attempt on A's
// records. A new API route fails TestAPIOwnershipWalk until it is added here
// (or to apiNotOwned with the reason it reaches no creditor's records).
var apiRoutes = map[string]apiProbe{
	"GET /api/v1/debtors/:id": func(t *testing.T, e *env, b *client, _ apiWorld) {
		notFound(t, b, "GET", "/api/v1/debtors/:id", e.A.Debtor.ID, nil)
	},
	"POST /api/v1/debtors/:id/notices": func(t *testing.T, e *env, b *client, _ apiWorld) {
		notFound(t, b, "POST", "/api/v1/debtors/:id/notices", e.A.Debtor.ID,
			map[string]any{"invoice_ids": []string{e.A.Invoice.ID}, "sent_on": "2026-11-20", "channel": "post"})
	},
	"GET /api/v1/notices/:id/letter.pdf": func(t *testing.T, e *env, b *client, w apiWorld) {
		notFound(t, b, "GET", "/api/v1/notices/:id/letter.pdf", w.letter, nil)
	},
	"POST /api/v1/debtors/:id/links": func(t *testing.T, e *env, b *client, _ apiWorld) {
		notFound(t, b, "POST", "/api/v1/debtors/:id/links", e.A.Debtor.ID, map[string]any{"channel": "email"})
	},
	"DELETE /api/v1/debtors/:id/links": func(t *testing.T, e *env, b *client, _ apiWorld) {
		notFound(t, b, "DELETE", "/api/v1/debtors/:id/links", e.A.Debtor.ID, nil)
	},
	"DELETE /api/v1/links/:id": func(t *testing.T, e *env, b *client, _ apiWorld) {
		notFound(t, b, "DELETE", "/api/v1/links/:id", e.A.Link.JTI, nil)
	},
	"GET /api/v1/bank-statements/:id": func(t *testing.T, e *env, b *client, w apiWorld) {
		notFound(t, b, "GET", "/api/v1/bank-statements/:id", w.statement, nil)
	},
	"POST /api/v1/invoices": func(t *testing.T, e *env, b *client, _ apiWorld) {
		r := b.Call("POST", "/api/v1/invoices", map[string]any{"debtor_id": e.A.Debtor.ID, "number": "X-1",
			"issue_date": "2026-11-01", "due_date": "2026-12-01", "amount": 100})
		if r.Status != http.StatusNotFound {
			t.Errorf("B: invoice on A's debtor: status %d, want 404\n%.400s", r.Status, r.Body)
		}
	},
	"POST /api/v1/debtors": func(t *testing.T, e *env, b *client, _ apiWorld) {
		// A's external reference names B's own debtor for B, never A's.
		r := b.Call("POST", "/api/v1/debtors", map[string]any{"external_ref": e.A.Debtor.ExternalRef, "name": "Overgenomen"})
		if r.Status != http.StatusOK && r.Status != http.StatusCreated {
			t.Errorf("B: upsert of its own K-1: status %d\n%.400s", r.Status, r.Body)
		}
		wantNone(t, e, "POST /api/v1/debtors", r)
	},
	"GET /api/v1/payments": func(t *testing.T, e *env, b *client, _ apiWorld) {
		wantNone(t, e, "GET /api/v1/payments", b.Get("/api/v1/payments"))
		wantNone(t, e, "GET /api/v1/payments?debtor_id=A", b.Get("/api/v1/payments?"+url.Values{"debtor_id": {e.A.Debtor.ID}}.Encode()))
	},
	"GET /api/v1/payouts": func(t *testing.T, e *env, b *client, w apiWorld) {
		r := b.Get("/api/v1/payouts")
		wantNone(t, e, "GET /api/v1/payouts", r)
		if strings.Contains(r.Body, w.payout) {
			t.Errorf("B's payouts show A's payout %s", w.payout)
		}
	},
	"GET /api/v1/exports/payments.csv": func(t *testing.T, e *env, b *client, _ apiWorld) {
		wantNone(t, e, "payments export", b.Get("/api/v1/exports/payments.csv?from=2026-01-01&to=2026-12-31"))
	},
	"GET /api/v1/exports/journal.csv": func(t *testing.T, e *env, b *client, _ apiWorld) {
		wantNone(t, e, "journal export", b.Get("/api/v1/exports/journal.csv?from=2026-01-01&to=2026-12-31"))
	},
	"GET /api/v1/events": func(t *testing.T, e *env, b *client, _ apiWorld) {
		wantNone(t, e, "GET /api/v1/events", b.Get("/api/v1/events"))
	},
	"GET /api/v1/signals": func(t *testing.T, e *env, b *client, _ apiWorld) {
		wantNone(t, e, "GET /api/v1/signals", b.Get("/api/v1/signals"))
	},
	// The figures are B's own: none of A's records, and A's money not counted.
	"GET /api/v1/analytics": func(t *testing.T, e *env, b *client, _ apiWorld) {
		r := b.Get("/api/v1/analytics?from=2026-01-01&to=2026-12-31")
		wantNone(t, e, "GET /api/v1/analytics", r)
		var got struct {
			Collected int64 `json:"collected_cents"`
		}
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil || got.Collected != int64(e.Count(`SELECT coalesce(-sum(amount_cents), 0)::int FROM ledger_entries WHERE creditor_id = $1 AND kind = 'payment' AND booked_on BETWEEN '2026-01-01' AND '2026-12-31'`, e.B.ID)) {
			t.Errorf("B's analytics count %d collected (%v), want only B's own", got.Collected, err)
		}
	},
	// The webhook endpoint is always the caller's own: B's calls neither show
	// nor change A's (checked again after the walk).
	"GET /api/v1/webhook-endpoint": func(t *testing.T, e *env, b *client, _ apiWorld) {
		notAEndpoint(t, "GET", b.Get("/api/v1/webhook-endpoint"))
	},
	"PUT /api/v1/webhook-endpoint": func(t *testing.T, e *env, b *client, _ apiWorld) {
		notAEndpoint(t, "PUT", b.Call("PUT", "/api/v1/webhook-endpoint", map[string]any{"url": "https://b.example/hook"}))
	},
	"POST /api/v1/webhook-endpoint/rotate": func(t *testing.T, e *env, b *client, _ apiWorld) {
		notAEndpoint(t, "rotate", b.Call("POST", "/api/v1/webhook-endpoint/rotate", nil))
	},
	"DELETE /api/v1/webhook-endpoint": func(t *testing.T, e *env, b *client, _ apiWorld) {
		notAEndpoint(t, "DELETE", b.Call("DELETE", "/api/v1/webhook-endpoint", nil))
	},
	"POST /api/v1/bank-statements": func(t *testing.T, e *env, b *client, _ apiWorld) {
		// B's statement paying A's invoice by its reference books nothing on A.
		before := e.statementTotal()
		e.importStatement(e.B, "B-STMT-PAYS-A", e.paymentReference(e.A.Invoice), 10000)
		if got := e.statementTotal(); got != before {
			t.Errorf("B's bank statement moved A's debtor from %d to %d", before, got)
		}
	},
}

// aEndpoint is creditor A's webhook address in the ownership walk.
const aEndpoint = "https://a.example/hook"

// notAEndpoint fails when B's answer about the webhook endpoint is a server
// error or shows A's address.
func notAEndpoint(t *testing.T, what string, r response) {
	t.Helper()
	if r.Status >= 500 || strings.Contains(r.Body, aEndpoint) {
		t.Errorf("B: webhook endpoint %s: status %d\n%.400s", what, r.Status, r.Body)
	}
}

// apiNotOwned are API routes that take no creditor's record.
var apiNotOwned = map[string]string{
	"GET /api/v1/openapi.json": "the public API document",
	"POST /api/v1/api-keys":    "rotates the caller's own key (TestRotateAPIKey in internal/api)",
}

// TestAPIOwnershipWalk: creditor B's key reaches none of creditor A's
// debtors, invoices, notices, letters, links, payments, payouts, bank statements or
// exports, on every API route in Fiber's route stack; A's own key reaches
// them (so the 404s are about ownership).
func TestAPIOwnershipWalk(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{})
	w := apiWorld{statement: e.importStatement(e.A, "A-STMT-1", "", 1234)}
	saved, err := e.DB.SavePayout(e.Ctx, collect.Payout{Provider: "mollie", ProviderID: "stl_a", Reference: "1234567.2611.01", Amount: 490,
		Lines: []collect.PayoutLine{{Kind: "payment", ProviderRef: e.A.Payment.ProviderID, Method: "ideal", Amount: 500,
			PaymentID: e.A.Payment.ID, CreditorID: e.A.ID, Matched: true}}})
	if err != nil {
		t.Fatal(err)
	}
	w.payout = saved.PayoutID
	w.letter = e.postedLetter(e.A, "E-002").ID
	a, b := e.APIClient(e.A.Key), e.APIClient(e.B.Key)
	wantStatus(t, "A's own debtor", a.Get("/api/v1/debtors/"+e.A.Debtor.ID), http.StatusOK)
	wantStatus(t, "A's own statement", a.Get("/api/v1/bank-statements/"+w.statement), http.StatusOK)
	if r := a.Get("/api/v1/payouts"); !strings.Contains(r.Body, w.payout) {
		t.Errorf("A's payouts lack A's own payout %s: %s", w.payout, r.Body)
	}
	if r := a.Get("/api/v1/notices/" + w.letter + "/letter.pdf"); r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF-") {
		t.Errorf("A's own letter: status %d %.40q", r.Status, r.Body)
	}
	if r := a.Call("PUT", "/api/v1/webhook-endpoint", map[string]any{"url": aEndpoint}); r.Status >= 300 {
		t.Fatalf("A's webhook endpoint: status %d %s", r.Status, r.Body)
	}
	openBefore := e.statementTotal()
	invoicesBefore := e.Count(`SELECT count(*) FROM invoices WHERE debtor_id = $1`, e.A.Debtor.ID)
	noticesBefore := e.Count(`SELECT count(*) FROM notices WHERE debtor_id = $1`, e.A.Debtor.ID)

	walked := 0
	for _, rt := range apptest.Routes(e.App.Fiber, func(_, path string) bool { return strings.HasPrefix(path, "/api/v1/") }) {
		key := rt.Method + " " + rt.Path
		if _, ok := apiNotOwned[key]; ok {
			continue
		}
		probe, ok := apiRoutes[key]
		if !ok {
			t.Errorf("API route %s is not in the ownership walk: add to apiRoutes what creditor B must not reach through it", key)
			continue
		}
		walked++
		probe(t, e, b, w)
	}
	if walked < len(apiRoutes) {
		t.Errorf("walked %d API routes, the table has %d: a route is gone or renamed", walked, len(apiRoutes))
	}

	// After the walk A's records are as they were.
	wantStatus(t, "A's debtor after the walk", a.Get("/api/v1/debtors/"+e.A.Debtor.ID), http.StatusOK)
	if got, err := e.DB.DebtorByExternalRef(e.Ctx, e.A.ID, e.A.Debtor.ExternalRef); err != nil || got.Name != e.A.Debtor.Name {
		t.Errorf("A's debtor after B's upsert: %q (%v)", got.Name, err)
	}
	if r := a.Get("/api/v1/webhook-endpoint"); !strings.Contains(r.Body, aEndpoint) {
		t.Errorf("A's webhook endpoint after the walk: status %d %s", r.Status, r.Body)
	}
	if got := e.statementTotal(); got != openBefore {
		t.Errorf("A's debtor's total moved from %d to %d", openBefore, got)
	}
	if n := e.Count(`SELECT count(*) FROM links WHERE jti = $1 AND revoked_at IS NULL`, e.A.Link.JTI); n != 1 {
		t.Errorf("A's link was revoked by B")
	}
	if n := e.Count(`SELECT count(*) FROM invoices WHERE debtor_id = $1`, e.A.Debtor.ID); n != invoicesBefore {
		t.Errorf("A's debtor has %d invoices, want %d", n, invoicesBefore)
	}
	if n := e.Count(`SELECT count(*) FROM notices WHERE debtor_id = $1`, e.A.Debtor.ID); n != noticesBefore {
		t.Errorf("A's debtor has %d notices, want %d", n, noticesBefore)
	}
}
