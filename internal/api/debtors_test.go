package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

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

	b.wantRefused(t, "/api/v1/debtors", []refusal{
		{"missing name", "", "", obj{"external_ref": "X-1"}, 422, "invalid", "name"},
		{"blank name", "", "", obj{"external_ref": "X-1", "name": "   "}, 422, "invalid", "name"},
		{"missing external_ref", "", "", obj{"name": "Jan"}, 422, "invalid", "external_ref"},
		{"bad kind", "", "", obj{"external_ref": "X-1", "name": "Jan", "kind": "person"}, 422, "invalid", "kind"},
		{"bad language", "", "", obj{"external_ref": "X-1", "name": "Jan", "language": "de"}, 422, "invalid", "language"},
		{"bad birth_date", "", "", obj{"external_ref": "X-1", "name": "Jan", "birth_date": "1980-13-01"}, 422, "invalid", "birth_date"},
		{"birth_date not YYYY-MM-DD", "", "", obj{"external_ref": "X-1", "name": "Jan", "birth_date": "01-02-1980"}, 422, "invalid", "birth_date"},
		{"bad email", "", "", obj{"external_ref": "X-1", "name": "Jan", "email": "jan.example.nl"}, 422, "invalid", "email"},
		{"name of the wrong type", "", "", obj{"external_ref": "X-1", "name": 42}, 422, "invalid", "name"},
		{"address of the wrong type", "", "", obj{"external_ref": "X-1", "name": "Jan", "address": "Dorpsstraat 1"}, 422, "invalid", "address"},
		{"malformed JSON", "", "", `{"external_ref": "X-1", "name": `, 400, "malformed", ""},
		{"not an object", "", "", `["X-1"]`, 400, "malformed", ""},
		{"empty body", "", "", "", 400, "malformed", ""},
	})
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
	b.wantRefused(t, "/api/v1/invoices", []refusal{
		{"float amount", "", "", with("amount", 12.5), 422, "invalid", "amount"},
		{"float amount with zero fraction", "", "", `{"debtor_id":"` + debtorA + `","number":"F-NEW","issue_date":"2026-10-01","due_date":"2026-10-15","amount":1250.0}`, 422, "invalid", "amount"},
		{"exponent amount", "", "", `{"debtor_id":"` + debtorA + `","number":"F-NEW","issue_date":"2026-10-01","due_date":"2026-10-15","amount":1e3}`, 422, "invalid", "amount"},
		{"string amount", "", "", with("amount", "1250"), 422, "invalid", "amount"},
		{"zero amount", "", "", with("amount", 0), 422, "invalid", "amount"},
		{"negative amount", "", "", with("amount", -500), 422, "invalid", "amount"},
		{"missing amount", "", "", with("amount", nil), 422, "invalid", "amount"},
		{"currency USD", "", "", with("currency", "USD"), 422, "invalid", "currency"},
		{"missing number", "", "", with("number", ""), 422, "invalid", "number"},
		{"bad issue_date", "", "", with("issue_date", "2026-02-30"), 422, "invalid", "issue_date"},
		{"missing due_date", "", "", with("due_date", nil), 422, "invalid", "due_date"},
		{"due before issue", "", "", with("due_date", "2026-09-30"), 422, "invalid", "due_date"},
		{"no debtor", "", "", with("debtor_id", nil), 422, "invalid", "debtor_id"},
		{"number of the wrong type", "", "", with("number", 7), 422, "invalid", "number"},
		{"another creditor's debtor", "", "", with("debtor_id", debtorB), 404, "not_found", "-"},
		{"unknown debtor_external_ref", "", "", obj{"debtor_external_ref": "NOPE", "number": "F-NEW", "issue_date": "2026-10-01", "due_date": "2026-10-15", "amount": 100}, 404, "not_found", "-"},
		{"debtor_id not a uuid", "", "", with("debtor_id", "42"), 404, "not_found", "-"},
		{"malformed JSON", "", "", `{"number": "F-NEW", "amount": 12`, 400, "malformed", ""},
		{"trailing comma", "", "", `{"number": "F-NEW",}`, 400, "malformed", ""},
	})
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

	b.wantRefused(t, "", []refusal{
		{"bad channel", path, b.A.Key, obj{"channel": "post"}, 422, "invalid", "channel"},
		{"missing channel", path, b.A.Key, obj{}, 422, "invalid", "channel"},
		{"ttl_days zero", path, b.A.Key, obj{"channel": "sms", "ttl_days": 0}, 422, "invalid", "ttl_days"},
		{"ttl_days too long", path, b.A.Key, obj{"channel": "sms", "ttl_days": 366}, 422, "invalid", "ttl_days"},
		{"ttl_days fraction", path, b.A.Key, obj{"channel": "sms", "ttl_days": 1.5}, 422, "invalid", "ttl_days"},
		{"ttl_days string", path, b.A.Key, obj{"channel": "sms", "ttl_days": "7"}, 422, "invalid", "ttl_days"},
		{"another creditor's debtor", path, b.B.Key, obj{"channel": "letter"}, 404, "not_found", "-"},
		{"debtor id not a uuid", "/api/v1/debtors/nope/links", b.A.Key, obj{"channel": "letter"}, 404, "not_found", "-"},
		{"malformed JSON", path, b.A.Key, `{"channel"}`, 400, "malformed", ""},
	})
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

// The debtor's messages and letters in GET /api/v1/debtors/{id}, in the
// documented shape (every call here is checked against openapi.json): the
// reminder on the debtor's channel and the 14-day letter by post, each
// with its ladder version, state and moments, the letter with the path of
// its PDF, which opens.
func TestDebtorMessages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	_, key, err := b.db.CreateCreditor(ctx, collect.Creditor{Name: "Zonnestroom Energie", Phone: "020 123 45 67",
		Email: "klant@zonnestroom.example", IBAN: "NL91ABNA0417164300",
		Address: collect.Address{Street: "Keizersgracht", HouseNumber: "100", Postcode: "1015 AA", City: "Amsterdam"}})
	if err != nil {
		t.Fatal(err)
	}
	debtor := b.debtor(t, key, consumer("K-1", "Jan de Vries"))
	b.invoice(t, key, debtor, "2026-1101", "2026-10-20", "2026-11-10", 24550)
	if m := b.call(t, "GET", "/api/v1/debtors/"+debtor, key, nil).want(t, http.StatusOK); len(m["messages"].([]any)) != 0 {
		t.Fatalf("messages before any outreach: %v", m["messages"])
	}
	// The reminder of day 7 runs late today, so the letter of day 14 comes
	// a week later (no burst); email is off, so the reminder fails visibly.
	senders := casework.Senders{BaseURL: baseURL}
	for _, at := range []time.Time{now, now.AddDate(0, 0, 8)} {
		if _, err := casework.PlanOutreach(ctx, b.db, at, "https://settle.example"); err != nil {
			t.Fatal(err)
		}
		if _, err := casework.DeliverDue(ctx, b.db, senders, at); err != nil {
			t.Fatal(err)
		}
	}
	m := b.call(t, "GET", "/api/v1/debtors/"+debtor, key, nil).want(t, http.StatusOK)
	var letter, reminder map[string]any
	for _, x := range m["messages"].([]any) {
		o := x.(map[string]any)
		switch {
		case o["kind"] == "notice" && o["channel"] == "post":
			letter = o
		case o["kind"] == "reminder_after" && o["channel"] == "email":
			reminder = o
		}
	}
	if letter == nil || reminder == nil {
		t.Fatalf("messages %v, want a reminder by email and a 14-day letter by post", m["messages"])
	}
	if letter["state"] != "sent" || letter["sent_at"] == nil || letter["notice_id"] == nil || str(t, letter["planned_at"]) != "2026-12-01T11:00:00Z" {
		t.Errorf("letter %v, want sent, with its notice, planned on 1 December", letter)
	}
	if reminder["state"] != "failed" || reminder["error"] == "" || reminder["letter_url"] != nil || reminder["sent_at"] != nil ||
		str(t, reminder["invoice_id"]) == "" {
		t.Errorf("reminder %v, want a failed email with its reason", reminder)
	}
	for _, o := range []map[string]any{letter, reminder} {
		if v := o["ladder_version"]; v == nil || v.(interface{ String() string }).String() != "0" {
			t.Errorf("message %v: ladder version %v, want 0 (the default ladder)", o["id"], v)
		}
	}
	// A letter whose PDF the notice keeps gives its path, which opens;
	// one without a PDF gives none.
	pdf := b.call(t, "GET", "/api/v1/notices/"+str(t, letter["notice_id"])+"/letter.pdf", key, nil)
	switch url := letter["letter_url"]; {
	case pdf.Status == http.StatusOK && url != "/api/v1/notices/"+str(t, letter["notice_id"])+"/letter.pdf":
		t.Errorf("the letter's PDF opens, but letter_url is %v", url)
	case pdf.Status == http.StatusNotFound && url != nil:
		t.Errorf("the notice keeps no PDF, but letter_url is %v", url)
	}
}
