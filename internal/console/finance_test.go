package console_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/reconcile"
	"github.com/settle/settle/internal/reconcile/camt053"
)

// upload posts a multipart form with one file, as the upload form does.
func upload(c *apptest.Client, path string, fields map[string]string, filename string, data []byte) apptest.Response {
	c.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if _, ok := fields["_csrf"]; !ok {
		_ = mw.WriteField("_csrf", c.CSRF)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("statement", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return c.Send(http.MethodPost, path, &body, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// statement is a CAMT.053 file for the test creditor's account: a transfer
// with the reference of ref (booked), one of amount suggested (no
// reference), and 7,77 nobody owes (unmatched).
func statement(t *testing.T, id, ref string, suggested int64) []byte {
	t.Helper()
	var b bytes.Buffer
	err := camt053.Generate(&b, 3, camt053.GenOptions{StatementID: id, AccountIBAN: "NL91ABNA0417164300", Start: apptest.Start,
		Entry: func(i int) (string, int64) {
			switch i {
			case 0:
				return ref, 5000
			case 1:
				return "", suggested
			}
			return "", 777
		}})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var lineID = regexp.MustCompile(`id="line-([0-9a-f-]{36})"`)
var confirmButton = regexp.MustCompile(`action="/console/finance/lines/([0-9a-f-]{36})/confirm"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]*">\s*<input type="hidden" name="suggestion" value="(\d+)">`)

// TestFinancePages: a finance user imports a statement, sees the counts,
// confirms the suggestion, rejects the unmatched line, and downloads both
// exports; agents get a 404 everywhere, and a finance user of another
// creditor sees none of this creditor's data.
func TestFinancePages(t *testing.T) {
	e := newEnv(t)
	a := e.creditor("Zonnestroom Energie")
	b := e.creditor("Groothandel Van Dijk")
	d1 := e.debtor(a, "D-1", "Jan de Vries")
	d2 := e.debtor(a, "D-2", "Ayşe Yılmaz")
	inv1 := e.invoice(a, d1, "F-1001", apptest.Start.AddDate(0, 0, -30), 10000)
	e.invoice(a, d2, "F-1002", apptest.Start.AddDate(0, 0, -30), 23450)
	e.Agent("agent@example.nl", "agent", a.ID)
	e.Agent("fin@example.nl", "finance", a.ID)
	e.Agent("fin-b@example.nl", "finance", b.ID)

	// An agent: no finance pages, no link to them.
	ag := e.Client()
	ag.SignInAgent("agent@example.nl")
	apptest.WantNotContains(t, "agent's queue", ag.Get("/console").Body, `href="/console/finance"`)
	for _, p := range []string{"/console/finance", "/console/finance?creditor=" + a.ID, "/console/finance/exports/journal.csv?creditor=" + a.ID + "&from=2026-11-01&to=2026-11-30",
		"/console/finance/exports/payments.csv"} {
		apptest.WantStatus(t, "agent GET "+p, ag.Get(p), http.StatusNotFound)
	}

	fin := e.Client()
	fin.SignInAgent("fin@example.nl")
	r := fin.Get("/console/finance")
	apptest.WantStatus(t, "finance page", r, http.StatusOK)
	apptest.WantContains(t, "finance page", r.Body, "Finance: Zonnestroom Energie", `href="/console/finance"`, "iDEAL", "Bank transfer", `role="img"`, "<title id=\"chart-title\">",
		`<form method="get" action="/console/finance" class="period">`, `value="2026-11-01"`, `value="2026-11-30"`, "Nothing is waiting")
	r = upload(fin, "/console/finance/import", map[string]string{"creditor": a.ID, "from": "2026-11-01", "to": "2026-11-30"}, "stmt.xml", statement(t, "S-1", inv1.PaymentReference, 23450))
	apptest.WantStatus(t, "import", r, http.StatusOK)
	apptest.WantContains(t, "import result", r.Body, `<dd id="count-booked">1</dd>`, `<dd id="count-suggested">1</dd>`, `<dd id="count-unmatched">1</dd>`,
		"booked on an invoice", "Ayşe Yılmaz", "the amount is the open total", `<td class="num" id="received-total">€50.00</td>`)
	// A malformed file: one clear error with its line, nothing booked.
	bad := bytes.Replace(statement(t, "S-2", inv1.PaymentReference, 100), []byte("50.00"), []byte("50,00"), 1)
	r = upload(fin, "/console/finance/import", map[string]string{"creditor": a.ID}, "bad.xml", bad)
	apptest.WantStatus(t, "malformed import", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "malformed import", r.Body, "nothing was booked", "Line ")

	// Finance of another creditor: nothing of creditor a.
	fb := e.Client()
	fb.SignInAgent("fin-b@example.nl")
	r = fb.Get("/console/finance")
	apptest.WantStatus(t, "finance b", r, http.StatusOK)
	apptest.WantNotContains(t, "finance b", r.Body, "Zonnestroom", "Ayşe", "€50.00")
	apptest.WantStatus(t, "finance b asks for a", fb.Get("/console/finance?creditor="+a.ID), http.StatusNotFound)
	apptest.WantStatus(t, "finance b exports a", fb.Get("/console/finance/exports/journal.csv?creditor="+a.ID+"&from=2026-11-01&to=2026-11-30"), http.StatusNotFound)

	page := fin.Get("/console/finance?creditor=" + a.ID)
	m := confirmButton.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no confirm form on the page:\n%s", page.Body)
	}
	line, sugg := m[1], m[2]
	// Neither an agent nor the other creditor's finance user can decide it.
	ag.Get("/console")
	apptest.WantStatus(t, "agent confirms", ag.Post("/console/finance/lines/"+line+"/confirm", url.Values{"suggestion": {sugg}}), http.StatusNotFound)
	apptest.WantStatus(t, "finance b confirms", fb.Post("/console/finance/lines/"+line+"/confirm", url.Values{"suggestion": {sugg}}), http.StatusNotFound)
	r = fin.Post("/console/finance/lines/"+line+"/confirm", url.Values{"suggestion": {sugg}, "from": {"2026-11-01"}, "to": {"2026-11-30"}})
	apptest.WantStatus(t, "confirm", r, http.StatusSeeOther)
	r = fin.Get(r.Header.Get("Location"))
	apptest.WantContains(t, "after confirming", r.Body, "is booked as a payment", `<td class="num" id="received-total">€284.50</td>`)
	left := lineID.FindAllStringSubmatch(r.Body, -1)
	if len(left) != 1 || left[0][1] == line {
		t.Fatalf("lines left to decide: %v", left)
	}
	apptest.WantStatus(t, "reject without a reason", fin.Post("/console/finance/lines/"+left[0][1]+"/reject", url.Values{"reason": {" "}}), http.StatusUnprocessableEntity)
	r = fin.Post("/console/finance/lines/"+left[0][1]+"/reject", url.Values{"reason": {"A gift, not a payment"}})
	apptest.WantStatus(t, "reject", r, http.StatusSeeOther)
	r = fin.Get(r.Header.Get("Location"))
	apptest.WantContains(t, "after rejecting", r.Body, "is rejected with your reason", "Nothing is waiting", `id="show-rejected">rejected lines (1)</a>`)
	apptest.WantNotContains(t, "after rejecting", r.Body, `id="line-`+left[0][1]+`"`)
	r = fin.Get("/console/finance?creditor=" + a.ID + "&lines=rejected")
	apptest.WantContains(t, "rejected lines", r.Body, `id="rejected-`+left[0][1]+`"`, "A gift, not a payment", "€7.77")
	apptest.WantStatus(t, "reject twice", fin.Post("/console/finance/lines/"+left[0][1]+"/reject", url.Values{"reason": {"again"}}), http.StatusConflict)
	apptest.WantNotContains(t, "finance b, rejected lines", fb.Get("/console/finance?lines=rejected").Body, "A gift")

	// The exports.
	r = fin.Get("/console/finance/exports/journal.csv?creditor=" + a.ID + "&from=2026-11-01&to=2026-11-30")
	apptest.WantStatus(t, "journal", r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("journal: %s, %s", ct, r.Header.Get("Content-Disposition"))
	}
	rows := readCSV(t, r.Body)
	sums := map[string]int64{}
	for _, row := range rows[1:] {
		sums[row[1]+" "+row[0]] += amountOf(t, row[4]) - amountOf(t, row[5])
	}
	if sums["movement 2026-11-23"] != 0 || len(sums) < 2 {
		t.Errorf("journal sums: %v", sums)
	}
	for k, v := range sums {
		if v != 0 {
			t.Errorf("journal %s adds up to %d", k, v)
		}
	}
	if !strings.Contains(r.Body, "2026-11-23;movement;bank;Bank;284,50;") {
		t.Errorf("journal lacks the bank's 284,50:\n%s", r.Body)
	}
	r = fin.Get("/console/finance/exports/payments.csv?creditor=" + a.ID + "&from=2026-11-01&to=2026-11-30")
	apptest.WantStatus(t, "payments", r, http.StatusOK)
	rows = readCSV(t, r.Body)
	if strings.Join(rows[0], ";") != strings.Join(reconcile.PaymentsHeader, ";") || len(rows) < 3 {
		t.Fatalf("payments CSV: %v", rows)
	}
	var total int64
	for _, row := range rows[1:] {
		total += amountOf(t, row[10])
	}
	if total != 28450 {
		t.Errorf("payments CSV adds up to %d, want 28450", total)
	}
}

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	raw, ok := strings.CutPrefix(body, "\ufeff")
	if !ok {
		t.Fatal("CSV without BOM")
	}
	cr := csv.NewReader(strings.NewReader(raw))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return rows
}

// amountOf reads a Dutch amount ("1234,56"); a dot fails the test.
func amountOf(t *testing.T, s string) int64 {
	t.Helper()
	if s == "" {
		return 0
	}
	if strings.Contains(s, ".") {
		t.Fatalf("amount %q has a dot", s)
	}
	neg := strings.HasPrefix(s, "-")
	digits := strings.Replace(strings.TrimPrefix(s, "-"), ",", "", 1)
	if len(s) < 4 || s[len(s)-3] != ',' {
		t.Fatalf("amount %q is not like 1234,56", s)
	}
	var v int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			t.Fatalf("amount %q", s)
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v
}

// TestFinanceBookLineBySearch: the unmatched 7,77 is booked on a debtor
// finance finds by name, on the invoice chosen, once; a search never shows
// another creditor's debtors.
func TestFinanceBookLineBySearch(t *testing.T) {
	e := newEnv(t)
	a := e.creditor("Zonnestroom Energie")
	b := e.creditor("Groothandel Van Dijk")
	d1 := e.debtor(a, "D-1", "Jan de Vries")
	inv1 := e.invoice(a, d1, "F-1001", apptest.Start.AddDate(0, 0, -30), 10000)
	d2 := e.debtor(a, "D-2", "Fenna Bakker")
	inv2 := e.invoice(a, d2, "F-2001", apptest.Start.AddDate(0, 0, -30), 2000)
	e.debtor(b, "B-1", "Fenna Bakker-Smit")
	e.Agent("fin@example.nl", "finance", a.ID)
	fin := e.Client()
	fin.SignInAgent("fin@example.nl")
	fin.Get("/console/finance") // the form's CSRF token
	r := upload(fin, "/console/finance/import", map[string]string{"creditor": a.ID}, "stmt.xml", statement(t, "S-9", inv1.PaymentReference, 99999))
	apptest.WantStatus(t, "import", r, http.StatusOK)
	var line string
	page := fin.Get("/console/finance?creditor=" + a.ID).Body
	for _, m := range lineID.FindAllStringSubmatch(page, -1) {
		if strings.Contains(page, `id="line-h-`+m[1]+`">€7.77`) {
			line = m[1]
		}
	}
	if line == "" {
		t.Fatal("the 7,77 line is not waiting on the finance page")
	}
	r = fin.Get("/console/finance?creditor=" + a.ID + "&book=" + line + "&who=bakker")
	apptest.WantStatus(t, "search", r, http.StatusOK)
	apptest.WantContains(t, "search", r.Body, `id="matches-`+line+`"`, "Fenna Bakker", "invoice F-2001")
	apptest.WantNotContains(t, "search", r.Body, "Bakker-Smit")
	r = fin.Get("/console/finance?creditor=" + a.ID + "&book=" + line + "&who=nobody-here")
	apptest.WantContains(t, "empty search", r.Body, "No debtor of Zonnestroom Energie found")
	book := url.Values{"debtor": {d2.ID}, "invoice": {inv2.ID}}
	r = fin.Post("/console/finance/lines/"+line+"/book", book)
	apptest.WantStatus(t, "book", r, http.StatusSeeOther)
	apptest.WantContains(t, "after booking", fin.Get(r.Header.Get("Location")).Body, "booked as a payment of the debtor you found")
	apptest.WantStatus(t, "book twice", fin.Post("/console/finance/lines/"+line+"/book", book), http.StatusConflict)
	var n, paid int64
	if err := e.DB.PoolForTests().QueryRow(context.Background(), `SELECT count(*), coalesce(sum(amount_cents), 0) FROM payments WHERE debtor_id = $1 AND provider = 'bank'`, d2.ID).Scan(&n, &paid); err != nil {
		t.Fatal(err)
	}
	if n != 1 || paid != 777 {
		t.Errorf("Fenna Bakker has %d bank payments of %d cents, want 1 of 777", n, paid)
	}
}
