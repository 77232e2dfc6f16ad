package securitytest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestCreditorInputRefused sends every class of creditor input the probe
// found breaking a debtor's pages (issue F.7) through the API on the socket:
// each value the API cannot stand behind is a 422 naming the field; a body
// that is not exactly one JSON object is a 400 malformed (it has no field to
// name). Afterwards the debtor's API answer, portal pages and console file
// all answer 200, never 500, and show nothing that was refused. The largest
// invoices the API accepts still add up.
func TestCreditorInputRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{})
	d := e.A.Debtor.ID
	invoice := func(issue, due, amount string) string {
		return `{"debtor_id":"` + d + `","number":"F-9","issue_date":"` + issue + `","due_date":"` + due + `","amount":` + amount + `}`
	}
	// The debtor's own external reference: an accepted body would rename A's debtor.
	debtor := func(name string) string { return `{"external_ref":"K-1","name":"` + name + `"}` }
	cases := []struct {
		what, path, body string
		status           int
		code, field      string
	}{
		{"issued in 1900", "/api/v1/invoices", invoice("1900-01-01", "1900-02-01", "100"), 422, "invalid", "issue_date"},
		{"issued in year 0", "/api/v1/invoices", invoice("0000-01-01", "0000-02-01", "100"), 422, "invalid", "issue_date"},
		{"due in 1900", "/api/v1/invoices", invoice("2026-01-01", "1900-01-01", "100"), 422, "invalid", "due_date"},
		{"due more than 10 years ahead", "/api/v1/invoices", invoice("2026-11-01", "2036-11-24", "100"), 422, "invalid", "due_date"},
		{"amount 9223372036854775807", "/api/v1/invoices", invoice("2026-11-01", "2026-12-01", "9223372036854775807"), 422, "invalid", "amount"},
		{"amount past int64", "/api/v1/invoices", invoice("2026-11-01", "2026-12-01", "9223372036854775808"), 422, "invalid", "amount"},
		{"amount over € 10.000.000,00", "/api/v1/invoices", invoice("2026-11-01", "2026-12-01", "1000000001"), 422, "invalid", "amount"},
		{"NUL in a name", "/api/v1/debtors", debtor(`Jan\u0000Jansen`), 422, "invalid", "name"},
		{"invalid UTF-8 in a name", "/api/v1/debtors", debtor("Jan \xff\xfe"), 422, "invalid", "name"},
		{"lone high surrogate", "/api/v1/debtors", debtor(`Jan \ud800`), 422, "invalid", "name"},
		{"lone low surrogate", "/api/v1/debtors", debtor(`Jan \udc00`), 422, "invalid", "name"},
		{"unknown field", "/api/v1/debtors", `{"external_ref":"K-1","name":"Jan","nickname":"J"}`, 422, "invalid", "nickname"},
		{"unknown field in an invoice", "/api/v1/invoices", strings.Replace(invoice("2026-11-01", "2026-12-01", "100"), `"number"`, `"paid":true,"number"`, 1), 422, "invalid", "paid"},
		{"trailing data", "/api/v1/debtors", debtor("Jan") + ` x`, 400, "malformed", ""},
		{"two concatenated objects", "/api/v1/debtors", debtor("Jan") + debtor("Piet"), 400, "malformed", ""},
		{"two concatenated invoices", "/api/v1/invoices", invoice("2026-11-01", "2026-12-01", "100") + invoice("2026-11-01", "2026-12-01", "100"), 400, "malformed", ""},
	}
	api := e.APIClient(e.A.Key)
	for _, tc := range cases {
		r := api.Call("POST", tc.path, tc.body)
		var got struct {
			Error struct{ Code, Field, Message string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
			t.Errorf("%s: not a JSON error: %d %q", tc.what, r.Status, r.Body)
			continue
		}
		if r.Status != tc.status || got.Error.Code != tc.code || got.Error.Field != tc.field || got.Error.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s naming %q", tc.what, r.Status, got.Error, tc.status, tc.code, tc.field)
		}
	}

	// The debtor's every view still answers, with nothing refused in it.
	r := api.Get("/api/v1/debtors/" + d)
	wantStatus(t, "API debtor after the refusals", r, http.StatusOK)
	if strings.Contains(r.Body, "F-9") || !strings.Contains(r.Body, e.A.Debtor.Name) {
		t.Errorf("API debtor shows a refused invoice or lost its name: %s", r.Body)
	}
	portal := e.Client()
	e.signInDebtor(portal, e.A)
	for _, path := range []string{"/overview", "/invoices/" + e.A.Invoice.ID, "/pay", "/plan"} {
		wantStatus(t, "portal "+path, portal.Get(path), http.StatusOK)
	}
	console := e.Client()
	e.signInConsole(console, e.agent)
	wantStatus(t, "console file", console.Get("/console/debtors/"+d), http.StatusOK)

	// The largest invoices accepted add up, and every view still answers.
	for _, n := range []string{"G-1", "G-2", "G-3"} {
		body := strings.Replace(invoice("2026-11-01", "2036-11-23", "1000000000"), `"F-9"`, `"`+n+`"`, 1)
		if r := api.Call("POST", "/api/v1/invoices", body); r.Status != http.StatusCreated {
			t.Fatalf("largest invoice %s: %d %s", n, r.Status, r.Body)
		}
	}
	r = api.Get("/api/v1/debtors/" + d)
	wantStatus(t, "API debtor with the largest invoices", r, http.StatusOK)
	var m struct {
		Totals struct {
			Total int64 `json:"total"`
		} `json:"totals"`
	}
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil || m.Totals.Total < 3_000_000_000 {
		t.Errorf("total with three invoices of € 10.000.000,00: %d (%v), want at least 3000000000", m.Totals.Total, err)
	}
	wantStatus(t, "portal overview with the largest invoices", portal.Get("/overview"), http.StatusOK)
	wantStatus(t, "console file with the largest invoices", console.Get("/console/debtors/"+d), http.StatusOK)
}
