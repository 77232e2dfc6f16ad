package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/settle/settle/internal/api"
	"github.com/settle/settle/internal/collect"
)

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
