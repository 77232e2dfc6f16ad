package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

// start is where the clock of most tests starts: Monday 23 November 2026,
// 10:00 in Amsterdam.
var start = time.Date(2026, 11, 23, 10, 0, 0, 0, amsterdam)

const password = "correct horse battery staple"

type clock = pgtest.Clock

// env is one test's app on its own fresh database.
type env struct {
	t   *testing.T
	ctx context.Context
	db  *postgres.DB
	clk *clock
	app *app.App
}

func newEnv(t *testing.T) *env { return newEnvWith(t, config.Config{BaseURL: "http://settle.test"}) }

func newEnvWith(t *testing.T, cfg config.Config) *env {
	t.Helper()
	ctx := context.Background()
	_, u := pgtest.New(t)
	db, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	clk := pgtest.NewClock(start)
	db.Now = clk.Now
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Build(cfg, db, access.NewSigner([]byte("console-test-signing-key-32-bytes!!"), db.Now), log, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, db: db, clk: clk, app: a}
}

type creditorFixture struct {
	collect.Creditor
	Key string
}

func (e *env) creditor(name string) creditorFixture {
	e.t.Helper()
	cr, key, err := e.db.CreateCreditor(e.ctx, collect.Creditor{Name: name, Phone: "020 123 45 67", Email: "info@example.nl", IBAN: "NL91ABNA0417164300"})
	if err != nil {
		e.t.Fatal(err)
	}
	return creditorFixture{cr, key}
}

func (e *env) debtor(cr creditorFixture, ref, name string) collect.Debtor {
	e.t.Helper()
	d, _, err := e.db.UpsertDebtor(e.ctx, collect.Debtor{CreditorID: cr.ID, ExternalRef: ref, Kind: collect.Consumer, Name: name,
		Email: "debtor@example.nl", Language: "nl", Address: collect.Address{Street: "Dorpsstraat", HouseNumber: "1", Postcode: "1234 AB", City: "Zwolle"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) invoice(cr creditorFixture, d collect.Debtor, number string, due time.Time, cents int64) collect.Invoice {
	e.t.Helper()
	inv, err := e.db.CreateInvoice(e.ctx, collect.Invoice{CreditorID: cr.ID, DebtorID: d.ID, Number: number, Description: "Energie",
		IssueDate: due.AddDate(0, 0, -14), DueDate: due, Amount: cents, Currency: "EUR"})
	if err != nil {
		e.t.Fatal(err)
	}
	return inv
}

func (e *env) agent(email, role string, creditors ...string) postgres.Agent {
	e.t.Helper()
	hash, err := access.HashPassword(password)
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := e.db.CreateAgent(e.ctx, email, role, hash, creditors)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// proposal stores a plan outside the policy, so it waits for an agent.
func (e *env) proposal(cr creditorFixture, d collect.Debtor, total int64, months int) collect.Plan {
	e.t.Helper()
	first := e.db.Today().AddDate(0, 0, 7)
	check := collect.CheckPlan(cr.Policy.Plan, total, months, first, e.db.Today(), false)
	if check.Inside {
		e.t.Fatalf("plan of %d in %d months is inside the policy", total, months)
	}
	p, err := e.db.ProposePlan(e.ctx, collect.ProposePlan(collect.Plan{CreditorID: cr.ID, DebtorID: d.ID, Total: total, Months: months, FirstDue: first}, check, cr.Policy.Plan.AutoApprove, e.db.Now()))
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

var smallPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func (e *env) dispute(cr creditorFixture, d collect.Debtor, inv collect.Invoice, body string) collect.Dispute {
	e.t.Helper()
	x, err := e.db.CreateDispute(e.ctx, collect.Dispute{CreditorID: cr.ID, DebtorID: d.ID, InvoiceID: inv.ID, Reason: "amount_wrong", Body: body,
		Files: []collect.DisputeFile{{Filename: "bon.pdf", ContentType: "application/pdf", Data: smallPDF}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return x
}

func (e *env) hardship(cr creditorFixture, d collect.Debtor) collect.Hardship {
	e.t.Helper()
	h, err := e.db.ReportHardship(e.ctx, collect.Hardship{CreditorID: cr.ID, DebtorID: d.ID, Reason: "income", Consent: true}, cr.Policy.BreathingDays)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

func (e *env) auditCount(debtorID string) int {
	e.t.Helper()
	var n int
	if err := e.db.PoolForTests().QueryRow(e.ctx, `SELECT count(*) FROM audit_log WHERE debtor_id = $1`, debtorID).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) lastAction(debtorID string) string {
	e.t.Helper()
	var s string
	if err := e.db.PoolForTests().QueryRow(e.ctx, `SELECT action FROM audit_log WHERE debtor_id = $1 ORDER BY id DESC LIMIT 1`, debtorID).Scan(&s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// client is one browser: it keeps cookies and the last CSRF token it saw.
type client struct {
	t      *testing.T
	app    *app.App
	env    *env
	jar    map[string]string
	csrf   string
	header http.Header
}

func (e *env) client() *client {
	return &client{t: e.t, app: e.app, env: e, jar: map[string]string{}, header: http.Header{}}
}

// code is the current TOTP code of a console user's secret (or of the one
// being enrolled), made by the library at the test's clock.
func (e *env) code(email string) string {
	e.t.Helper()
	a, err := e.db.AgentByEmail(e.ctx, email)
	if err != nil {
		e.t.Fatal(err)
	}
	secret := a.TOTPSecret
	if secret == "" {
		secret = a.TOTPPending
	}
	code, err := totp.GenerateCode(secret, e.clk.Now())
	if err != nil {
		e.t.Fatalf("code for %s: %v", email, err)
	}
	return code
}

type response struct {
	Status  int
	Body    string
	Header  http.Header
	Cookies []*http.Cookie
}

func (r response) cookie(name string) *http.Cookie {
	for _, ck := range r.Cookies {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

func (c *client) do(method, path string, form url.Values) response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, "http://settle.test"+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range c.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if len(c.jar) > 0 {
		parts := make([]string, 0, len(c.jar))
		for k, v := range c.jar {
			parts = append(parts, k+"="+v)
		}
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	resp, err := c.app.Fiber.Test(req, -1)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := response{Status: resp.StatusCode, Body: string(raw), Header: resp.Header, Cookies: resp.Cookies()}
	for _, ck := range r.Cookies {
		if ck.Value == "" || ck.MaxAge < 0 || (!ck.Expires.IsZero() && ck.Expires.Year() < 2000) {
			delete(c.jar, ck.Name)
		} else {
			c.jar[ck.Name] = ck.Value
		}
	}
	if m := csrfField.FindStringSubmatch(r.Body); m != nil {
		c.csrf = m[1]
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		if strings.Contains(strings.ToLower(r.Body), "<script") {
			c.t.Errorf("%s %s: page contains a script", method, path)
		}
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			c.t.Errorf("%s %s: Cache-Control = %q, want no-store", method, path, got)
		}
	}
	return r
}

func (c *client) get(path string) response {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil)
}

// post sends a form with the CSRF token of the last page.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.csrf)
	}
	return c.do(http.MethodPost, path, form)
}

// login opens the sign-in page and signs in.
func (c *client) login(email, pw string) response {
	c.t.Helper()
	if r := c.get("/console/login"); r.Status != http.StatusOK {
		c.t.Fatalf("GET /console/login: status %d\n%s", r.Status, r.Body)
	}
	return c.post("/console/login", url.Values{"email": {email}, "password": {pw}})
}

// signIn signs in rightly or fails the test; when the console asks for a
// second-factor code (always for admins), it enters the current one.
func (c *client) signIn(email string) {
	c.t.Helper()
	r := c.login(email, password)
	if r.Status == http.StatusOK && strings.Contains(r.Body, `action="/console/login/code"`) {
		r = c.post("/console/login/code", url.Values{"code": {c.env.code(email)}})
	}
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/console" {
		c.t.Fatalf("sign in as %s: status %d, location %q\n%s", email, r.Status, r.Header.Get("Location"), r.Body)
	}
}

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, r.Body)
	}
}

func wantContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s: page lacks %q\n%s", what, s, body)
		}
	}
}

func wantNotContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if s != "" && strings.Contains(body, s) {
			t.Errorf("%s: page shows %q", what, s)
		}
	}
}
