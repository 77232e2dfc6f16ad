package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/api"
	"github.com/settle/settle/internal/collect"
)

// Every class of creditor input that once broke a debtor's pages (issue F.7,
// H.4) is refused at the edge with the field named, and the debtor's page
// still answers afterwards.
func TestCreditorInputRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	debtorID := b.debtor(t, b.A.Key, consumer("K-7", "Els de Vries"))
	inv := func(issue, due, amount string) string {
		return `{"debtor_id":"` + debtorID + `","number":"F-1","issue_date":"` + issue + `","due_date":"` + due + `","amount":` + amount + `}`
	}
	debtorBody := func(name string) string {
		return `{"external_ref":"K-8","name":"` + name + `"}`
	}
	long := strings.Repeat("é", 201)
	b.wantRefused(t, "", []refusal{
		{"issued in 1900", "/api/v1/invoices", "", inv("1900-01-01", "1900-02-01", "100"), 422, "invalid", "issue_date"},
		{"issued in year 0", "/api/v1/invoices", "", inv("0000-01-01", "0000-02-01", "100"), 422, "invalid", "issue_date"},
		{"issued in 1999", "/api/v1/invoices", "", inv("1999-12-31", "2000-01-30", "100"), 422, "invalid", "issue_date"},
		{"due in 1900, after a valid issue date", "/api/v1/invoices", "", inv("2010-01-01", "1900-01-01", "100"), 422, "invalid", "due_date"},
		{"due more than 10 years ahead", "/api/v1/invoices", "", inv("2026-11-01", "2036-11-24", "100"), 422, "invalid", "due_date"},
		{"due before the interest table", "/api/v1/invoices", "", inv("2000-06-01", "2001-06-01", "100"), 422, "invalid", "due_date"},
		{"amount of the largest int64", "/api/v1/invoices", "", inv("2026-11-01", "2026-12-01", "9223372036854775807"), 422, "invalid", "amount"},
		{"amount past int64", "/api/v1/invoices", "", inv("2026-11-01", "2026-12-01", "9223372036854775808"), 422, "invalid", "amount"},
		{"amount one cent over the limit", "/api/v1/invoices", "", inv("2026-11-01", "2026-12-01", "1000000001"), 422, "invalid", "amount"},
		{"amount zero", "/api/v1/invoices", "", inv("2026-11-01", "2026-12-01", "0"), 422, "invalid", "amount"},
		{"NUL in a name", "/api/v1/debtors", "", debtorBody(`Els\u0000de Vries`), 422, "invalid", "name"},
		{"escape character in a name", "/api/v1/debtors", "", debtorBody(`Els\u001b[31m`), 422, "invalid", "name"},
		{"C1 control in a name", "/api/v1/debtors", "", debtorBody("Els\u0085"), 422, "invalid", "name"},
		{"line break in a name", "/api/v1/debtors", "", debtorBody(`Els\nde Vries`), 422, "invalid", "name"},
		{"invalid UTF-8 in a name", "/api/v1/debtors", "", debtorBody("Els \xff\xfe"), 422, "invalid", "name"},
		{"lone high surrogate", "/api/v1/debtors", "", debtorBody(`Els \ud800`), 422, "invalid", "name"},
		{"lone low surrogate", "/api/v1/debtors", "", debtorBody(`Els \udc00`), 422, "invalid", "name"},
		{"high surrogate before a non-surrogate", "/api/v1/debtors", "", debtorBody(`Els \ud800\u0041`), 422, "invalid", "name"},
		{"control character in a nested field", "/api/v1/debtors", "", `{"external_ref":"K-8","name":"Els","address":{"city":"Utrecht\u0007"}}`, 422, "invalid", "address.city"},
		{"name too long", "/api/v1/debtors", "", debtorBody(long), 422, "invalid", "name"},
		{"tab in an invoice number", "/api/v1/invoices", "", strings.Replace(inv("2026-11-01", "2026-12-01", "100"), `"F-1"`, `"F\t1"`, 1), 422, "invalid", "number"},
		{"description too long", "/api/v1/invoices", "", strings.Replace(inv("2026-11-01", "2026-12-01", "100"), `"number"`, `"description":"`+strings.Repeat("x", 1001)+`","number"`, 1), 422, "invalid", "description"},
		{"birth date in 1800", "/api/v1/debtors", "", `{"external_ref":"K-8","name":"Els","birth_date":"1800-01-01"}`, 422, "invalid", "birth_date"},
		{"unknown field", "/api/v1/debtors", "", `{"external_ref":"K-8","name":"Els","nickname":"E"}`, 422, "invalid", "nickname"},
		{"unknown nested field", "/api/v1/debtors", "", `{"external_ref":"K-8","name":"Els","address":{"country":"NL"}}`, 422, "invalid", "address.country"},
		{"lone surrogate in a list", "/api/v1/debtors/" + debtorID + "/notices", "", `{"invoice_ids":["a","\udfff"],"sent_on":"2026-11-01","channel":"post"}`, 422, "invalid", "invoice_ids[1]"},
		{"trailing data after the object", "/api/v1/debtors", "", debtorBody("Els") + ` x`, 400, "malformed", ""},
		{"two concatenated objects", "/api/v1/debtors", "", debtorBody("Els") + debtorBody("Piet"), 400, "malformed", ""},
		{"a list instead of an object", "/api/v1/debtors", "", `[` + debtorBody("Els") + `]`, 400, "malformed", ""},
	})
	// Nothing of the above was stored: the debtor's page answers, with
	// nothing open, and no second debtor exists.
	m := b.call(t, "GET", "/api/v1/debtors/"+debtorID, b.A.Key, nil).want(t, http.StatusOK)
	if got := m["invoices"].([]any); len(got) != 0 {
		t.Errorf("refused invoices were stored: %v", got)
	}
	if _, err := b.db.DebtorByExternalRef(context.Background(), b.A.ID, "K-8"); !collect.IsNotFound(err) {
		t.Errorf("a refused debtor was stored: err = %v", err)
	}
}

// The largest accepted values still give a statement that adds up.
func TestLargestInvoicesAddUp(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := b.debtor(t, b.A.Key, consumer("K-9", "Ruud Groot"))
	b.invoice(t, b.A.Key, id, "G-1", "2026-11-01", "2036-11-23", 1_000_000_000)
	b.invoice(t, b.A.Key, id, "G-2", "2026-11-01", "2036-11-23", 1_000_000_000)
	m := b.call(t, "GET", "/api/v1/debtors/"+id, b.A.Key, nil).want(t, http.StatusOK)
	totals := m["totals"].(map[string]any)
	if got := num(t, totals["total"]); got != 2_000_000_000 {
		t.Errorf("total = %d, want 2000000000", got)
	}
}

// An invoice from 2010 once made every view of its debtor answer 500: the
// rate table started in 2015 (issue H.4). Now it has a statement with the
// published rates.
func TestInvoiceFrom2010HasStatement(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	for _, kind := range []collect.DebtorKind{collect.Consumer, collect.Business} {
		t.Run(string(kind), func(t *testing.T) {
			body := consumer("K-2010-"+string(kind), "Oud Factuur")
			body["kind"] = string(kind)
			id := b.debtor(t, b.A.Key, body)
			b.invoice(t, b.A.Key, id, "OLD-"+string(kind), "2010-01-15", "2010-02-14", 100_000)
			m := b.call(t, "GET", "/api/v1/debtors/"+id, b.A.Key, nil).want(t, http.StatusOK)
			totals := m["totals"].(map[string]any)

			rates, err := b.db.InterestRates(ctx, kind)
			if err != nil {
				t.Fatal(err)
			}
			changes := []collect.PrincipalChange{{On: collect.Day(2010, time.January, 15), Delta: 100_000}}
			start := collect.Day(2010, time.February, 15)
			want, err := collect.Interest(changes, start, now, rates)
			if err != nil {
				t.Fatal(err)
			}
			if got := num(t, totals["interest"]); got != want || got <= 0 {
				t.Errorf("interest = %d, want %d", got, want)
			}
			// The first year by hand, from the published rates: consumer 3%
			// all through (Stb. 2009, 618 until 1 July 2011), commercial 8%
			// (ECB 1.00% + 7 all through): exactly the rate on EUR 1.000,00.
			first, err := collect.Interest(changes, start, collect.Day(2011, time.February, 14), rates)
			if err != nil {
				t.Fatal(err)
			}
			wantFirst := map[collect.DebtorKind]int64{collect.Consumer: 3_000, collect.Business: 8_000}[kind]
			if first != wantFirst {
				t.Errorf("first year's interest = %d, want %d", first, wantFirst)
			}
		})
	}
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
