package portal_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/casework"
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
// 10:00 in Amsterdam. No test depends on the real date.
var start = time.Date(2026, 11, 23, 10, 0, 0, 0, amsterdam)

var signingKey = []byte("portal-test-signing-key-of-32-bytes!!")

const testBaseURL = "http://settle.test"

type clock = pgtest.Clock

func newClock(t time.Time) *clock { return pgtest.NewClock(t) }

// logBuffer collects the app's log lines so tests can check what reaches them.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// env is one test's app on its own fresh database.
type env struct {
	t      *testing.T
	ctx    context.Context
	url    string
	db     *postgres.DB
	clk    *clock
	signer *access.Signer
	app    *app.App
	cfg    config.Config
	logs   *logBuffer
}

func newEnv(t *testing.T, at time.Time) *env {
	return newEnvWith(t, at, config.Config{BaseURL: testBaseURL})
}

func newEnvWith(t *testing.T, at time.Time, cfg config.Config) *env {
	t.Helper()
	ctx := context.Background()
	_, u := pgtest.New(t)
	e := &env{t: t, ctx: ctx, url: u, clk: newClock(at), cfg: cfg, logs: &logBuffer{}}
	e.db = e.openDB()
	e.signer = access.NewSigner(signingKey, e.clk.Now)
	e.app = e.build(e.db)
	return e
}

// openDB opens another pool on the test's database, on the shared clock.
func (e *env) openDB() *postgres.DB {
	e.t.Helper()
	db, err := postgres.Open(e.ctx, e.url)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(db.Close)
	db.Now = e.clk.Now
	return db
}

// build builds the whole app, as the binary does, on db.
func (e *env) build(db *postgres.DB) *app.App {
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.Build(e.cfg, db, access.NewSigner(signingKey, db.Now), log, app.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// party is a seeded creditor or debtor.
type creditorFixture struct {
	collect.Creditor
	Key string
}

func (e *env) creditor(name, phone string) creditorFixture {
	e.t.Helper()
	cr, key, err := e.db.CreateCreditor(e.ctx, collect.Creditor{
		Name: name, Phone: phone, PhoneHours: "op werkdagen van 9 tot 17 uur",
		Email: "klantenservice@example.nl", IBAN: "NL91ABNA0417164300",
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return creditorFixture{cr, key}
}

func (e *env) debtor(cr creditorFixture, ref, name, postcode, house string) collect.Debtor {
	e.t.Helper()
	birth := collect.Day(1975, 8, 14)
	d, _, err := e.db.UpsertDebtor(e.ctx, collect.Debtor{
		CreditorID: cr.ID, ExternalRef: ref, Kind: collect.Consumer, Name: name,
		Email: "jan@example.nl", Language: "nl", BirthDate: &birth,
		Address: collect.Address{Street: "Dorpsstraat", HouseNumber: house, Postcode: postcode, City: "Zwolle"},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) invoice(cr creditorFixture, d collect.Debtor, number, desc string, issued, due time.Time, cents int64) collect.Invoice {
	e.t.Helper()
	inv, err := e.db.CreateInvoice(e.ctx, collect.Invoice{
		CreditorID: cr.ID, DebtorID: d.ID, Number: number, Description: desc,
		IssueDate: issued, DueDate: due, Amount: cents, Currency: "EUR",
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return inv
}

func (e *env) notice(cr creditorFixture, d collect.Debtor, channel string, sent time.Time, invs ...collect.Invoice) collect.Notice {
	e.t.Helper()
	ids := make([]string, len(invs))
	for i, inv := range invs {
		ids[i] = inv.ID
	}
	n, err := e.db.CreateNotice(e.ctx, cr.Creditor, d.ID, ids, collect.Notice{Channel: channel, SentOn: sent})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) pay(cr creditorFixture, d collect.Debtor, cents int64, on time.Time, key string) {
	e.t.Helper()
	if _, _, err := e.db.ApplyPayment(e.ctx, postgres.Receipt{CreditorID: cr.ID, DebtorID: d.ID, Amount: cents, On: on, SourceKey: key}); err != nil {
		e.t.Fatal(err)
	}
}

// link issues a magic link and returns its token and row.
func (e *env) link(cr creditorFixture, d collect.Debtor, channel string) (string, postgres.Link) {
	e.t.Helper()
	ttl, _ := access.DefaultTTL(channel)
	u, l, err := casework.IssueLink(e.ctx, e.db, e.signer, e.cfg.BaseURL, cr.ID, d.ID, channel, ttl)
	if err != nil {
		e.t.Fatal(err)
	}
	tok := strings.TrimPrefix(u, e.cfg.BaseURL+"/l/")
	if tok == u || tok == "" {
		e.t.Fatalf("link URL %q does not start with %s/l/", u, e.cfg.BaseURL)
	}
	return tok, l
}

func (e *env) statement(cr creditorFixture, d collect.Debtor) collect.Statement {
	e.t.Helper()
	_, st, err := e.db.Statement(e.ctx, cr.ID, d.ID, e.db.Today())
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// client is one browser: it keeps cookies and the last CSRF token it saw.
type client struct {
	t    *testing.T
	app  *app.App
	jar  map[string]string
	csrf string
}

func (e *env) client() *client { return newClient(e.t, e.app) }

func newClient(t *testing.T, a *app.App) *client {
	return &client{t: t, app: a, jar: map[string]string{}}
}

// on returns a client with the same cookies that talks to another app instance.
func (c *client) on(a *app.App) *client {
	return &client{t: c.t, app: a, jar: c.jar, csrf: c.csrf}
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
	if form != nil {
		return c.send(method, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	}
	return c.send(method, path, nil, "")
}

// send sends a request with a body of the given content type ("" for none).
func (c *client) send(method, path string, body io.Reader, contentType string) response {
	c.t.Helper()
	req := httptest.NewRequest(method, "http://settle.test"+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
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
	checkSecurityHeaders(c.t, method+" "+path, r)
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

// open opens a magic link and follows the redirect to the second-factor page.
func (c *client) open(token string) response {
	c.t.Helper()
	r := c.get("/l/" + token)
	if r.Status != http.StatusSeeOther {
		return r
	}
	return c.get(r.Header.Get("Location"))
}

func (c *client) answer(postcode, house string) response {
	c.t.Helper()
	return c.post("/verify", url.Values{"postcode": {postcode}, "house_number": {house}})
}

// signIn opens the link and answers the second factor rightly.
func (c *client) signIn(token string, d collect.Debtor) {
	c.t.Helper()
	if r := c.open(token); r.Status != http.StatusOK {
		c.t.Fatalf("open link: status %d\n%s", r.Status, r.Body)
	}
	r := c.answer(d.Address.Postcode, d.Address.HouseNumber)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/overview" {
		c.t.Fatalf("verify: status %d, location %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
}

// checkSecurityHeaders runs on every response the client receives.
func checkSecurityHeaders(t *testing.T, what string, r response) {
	t.Helper()
	csp := r.Header.Get("Content-Security-Policy")
	switch {
	case csp == "":
		t.Errorf("%s: no Content-Security-Policy", what)
	case strings.Contains(csp, "unsafe-inline"), strings.Contains(csp, "unsafe-eval"):
		t.Errorf("%s: CSP allows inline code: %s", what, csp)
	case !strings.Contains(csp, "frame-ancestors 'none'"):
		t.Errorf("%s: CSP lacks frame-ancestors 'none': %s", what, csp)
	case !strings.Contains(csp, "default-src 'none'") && !strings.Contains(csp, "script-src"):
		t.Errorf("%s: CSP does not restrict scripts: %s", what, csp)
	}
	if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q", what, got)
	}
	if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy = %q", what, got)
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		if strings.Contains(strings.ToLower(r.Body), "<script") {
			t.Errorf("%s: page contains a script", what)
		}
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control = %q, want no-store", what, got)
		}
		if strings.Contains(r.Body, "%!") {
			t.Errorf("%s: page has a broken format verb:\n%s", what, r.Body)
		}
	}
}

// leaks are fragments of Go errors, stack traces and internals that no page may show.
var leaks = []string{"goroutine", ".go:", "runtime.", "panic", "pgx", "pgconn", "SQLSTATE", "sql:", "not found:",
	"ENOTFOUND", "jwt", "token is", "signature", "link invalid", "link expired", "context canceled", "pool", "<nil>", "%!"}

func checkNoLeak(t *testing.T, what, body string, personal ...string) {
	t.Helper()
	for _, l := range leaks {
		if strings.Contains(body, l) {
			t.Errorf("%s: page shows %q:\n%s", what, l, body)
		}
	}
	for _, p := range personal {
		if p != "" && strings.Contains(body, p) {
			t.Errorf("%s: page shows personal data %q", what, p)
		}
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
