package securitytest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/pquerna/otp/totp"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/molliefake"
	"github.com/settle/settle/internal/pay/stripemock"
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

// start is where every test's clock starts: Monday 23 November 2026, 10:00
// in Amsterdam. No test depends on the real date.
var start = time.Date(2026, 11, 23, 10, 0, 0, 0, amsterdam)

const (
	password      = "correct horse battery staple"
	webhookSecret = "whsec_securitytest"
)

var signingKey = []byte("securitytest-signing-key-of-32-bytes!")

// logBuffer keeps the app's log lines, shown when a test fails.
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

// options change the app a test gets.
type options struct {
	// baseURL is the public address the app is configured with; "" is the
	// listener's own http address. An https one turns on HSTS and __Host- cookies.
	baseURL string
	// stripeMock points Stripe's API at a fresh stripe-mock.
	stripeMock bool
	// work runs River's workers, so webhooks are booked.
	work bool
}

// party is one creditor with its API key and one debtor, invoice, link,
// notice and payment of its own: the things another creditor may not reach.
type party struct {
	collect.Creditor
	Key     string
	Debtor  collect.Debtor
	Invoice collect.Invoice
	Link    postgres.Link
	Notice  collect.Notice
	Payment collect.Payment // a Mollie iDEAL payment whose checkout started
}

// env is one test's app on its own database, served on a real socket, with
// creditors A and B and console users of each role.
type env struct {
	t      *testing.T
	ctx    context.Context
	db     *postgres.DB
	clk    *pgtest.Clock
	signer *access.Signer
	cfg    config.Config
	app    *app.App
	base   string // where the listener answers
	fake   *molliefake.Fake
	logs   *logBuffer
	A, B   party
	// console users: an agent and a finance user of A, and an admin
	agent, finance, admin postgres.Agent
}

func newEnv(t *testing.T, o options) *env {
	t.Helper()
	ctx := context.Background()
	_, u := pgtest.New(t)
	db, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	e := &env{t: t, ctx: ctx, db: db, clk: pgtest.NewClock(start), logs: &logBuffer{}}
	db.Now = e.clk.Now
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("app logs:\n%s", e.logs.String())
		}
	})

	e.fake = molliefake.New("")
	fs := httptest.NewServer(e.fake.Handler())
	t.Cleanup(fs.Close)
	t.Cleanup(e.fake.WaitWebhooks) // runs before fs.Close
	e.fake.SetBaseURL(fs.URL)
	stripeURL := "http://127.0.0.1:1" // no test without stripe-mock may reach Stripe
	if o.stripeMock {
		stripeURL = stripemock.Start(t)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.base = "http://" + ln.Addr().String()
	baseURL := o.baseURL
	if baseURL == "" {
		baseURL = e.base
	}
	e.cfg = config.Config{BaseURL: baseURL, MollieAPIURL: fs.URL, MollieAPIKey: "test_securitytest",
		StripeAPIURL: stripeURL, StripeKey: "sk_test_securitytest", StripeWebhook: webhookSecret,
		IdealProvider: "mollie", CardProvider: "stripe"}
	e.signer = access.NewSigner(signingKey, db.Now)
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e.app, err = app.Build(e.cfg, db, e.signer, log, app.Options{Work: o.work})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = e.app.Fiber.Listener(ln)
	}()
	t.Cleanup(func() {
		_ = e.app.Fiber.ShutdownWithTimeout(5 * time.Second)
		<-served
	})
	if o.work {
		if err := e.app.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := e.app.Stop(stop); err != nil {
				t.Errorf("stop river: %v", err)
			}
		})
	}

	e.A = e.party("Energie Noord B.V.", "NL91ABNA0417164300", "K-1", "Jan Jansen", "7311 KL", "12")
	// B's debtor has A's external reference and address on purpose: nothing
	// may be found by them across creditors.
	e.B = e.party("Water Zuid B.V.", "NL20INGB0001234567", "K-1", "Piet Pieters", "7311 KL", "12")
	e.agent = e.consoleUser("agent@example.nl", "agent", e.A.ID)
	e.finance = e.consoleUser("finance@example.nl", "finance", e.A.ID)
	e.admin = e.consoleUser("admin@example.nl", "admin")
	return e
}

func (e *env) party(name, iban, ref, debtorName, postcode, house string) party {
	e.t.Helper()
	var p party
	var err error
	p.Creditor, p.Key, err = e.db.CreateCreditor(e.ctx, collect.Creditor{Name: name, Phone: "020 123 45 67",
		PhoneHours: "op werkdagen van 9 tot 17 uur", Email: "klant@example.nl", IBAN: iban})
	if err != nil {
		e.t.Fatal(err)
	}
	birth := collect.Day(1975, 8, 14)
	if p.Debtor, _, err = e.db.UpsertDebtor(e.ctx, collect.Debtor{CreditorID: p.ID, ExternalRef: ref, Kind: collect.Consumer,
		Name: debtorName, Email: "debtor@example.nl", Language: "nl", BirthDate: &birth,
		Address: collect.Address{Street: "Dorpsstraat", HouseNumber: house, Postcode: postcode, City: "Zwolle"}}); err != nil {
		e.t.Fatal(err)
	}
	if p.Invoice, err = e.db.CreateInvoice(e.ctx, collect.Invoice{CreditorID: p.ID, DebtorID: p.Debtor.ID, Number: name[:1] + "-001",
		Description: "Levering oktober", IssueDate: collect.Day(2026, 10, 1), DueDate: collect.Day(2026, 10, 15), Amount: 10000, Currency: "EUR"}); err != nil {
		e.t.Fatal(err)
	}
	ttl, _ := access.DefaultTTL("email")
	if _, p.Link, err = casework.IssueLink(e.ctx, e.db, e.signer, e.cfg.BaseURL, p.ID, p.Debtor.ID, "email", ttl); err != nil {
		e.t.Fatal(err)
	}
	if p.Notice, err = e.db.CreateNotice(e.ctx, p.Creditor, p.Debtor.ID, []string{p.Invoice.ID},
		collect.Notice{Channel: "post", SentOn: collect.Day(2026, 11, 2)}); err != nil {
		e.t.Fatal(err)
	}
	p.Payment = e.molliePayment(p, 500)
	return p
}

// molliePayment starts a Mollie iDEAL payment as the pay page does: our
// record first, then the checkout at the Mollie fake.
func (e *env) molliePayment(p party, cents int64) collect.Payment {
	e.t.Helper()
	rec, err := e.db.CreatePayment(e.ctx, collect.Payment{CreditorID: p.ID, DebtorID: p.Debtor.ID, InvoiceID: p.Invoice.ID,
		Amount: cents, Provider: "mollie", Method: string(pay.IDEAL)})
	if err != nil {
		e.t.Fatal(err)
	}
	co, err := e.app.Providers.Default["mollie"].Checkout(e.ctx, pay.CheckoutRequest{PaymentID: rec.ID, Amount: cents,
		Description: p.Name, Method: pay.IDEAL, IdempotencyKey: rec.ID,
		ReturnURL: e.base + "/pay/return/" + rec.ID, WebhookURL: e.base + "/webhooks/mollie"})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.StartCheckout(e.ctx, rec.ID, co); err != nil {
		e.t.Fatal(err)
	}
	rec.ProviderID = co.ProviderID
	return rec
}

func (e *env) consoleUser(email, role string, creditors ...string) postgres.Agent {
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

// count runs a query that returns one number.
func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.PoolForTests().QueryRow(e.ctx, sql, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// client is one browser, or one API caller: it keeps its cookies and the
// last CSRF token a page showed it.
type client struct {
	t      *testing.T
	e      *env
	jar    map[string]string
	csrf   string
	header http.Header // sent with every request (an API key)
}

func (e *env) client() *client {
	return &client{t: e.t, e: e, jar: map[string]string{}, header: http.Header{}}
}

// apiClient calls the API with a creditor's key.
func (e *env) apiClient(key string) *client {
	c := e.client()
	c.header.Set("Authorization", "Bearer "+key)
	return c
}

// clone is another browser with the same cookies.
func (c *client) clone() *client {
	d := &client{t: c.t, e: c.e, jar: map[string]string{}, csrf: c.csrf, header: c.header.Clone()}
	for k, v := range c.jar {
		d.jar[k] = v
	}
	return d
}

type response struct {
	Status  int
	Body    string
	Header  http.Header
	Cookies []*http.Cookie
}

// httpClient follows no redirects. Its timeout only ends a hang: under the
// race detector on a busy machine, 20 password hashes at once take a while.
var httpClient = &http.Client{
	Timeout:       5 * time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// send sends one request over the socket with the client's cookies.
func (c *client) send(method, path string, body io.Reader, header http.Header) response {
	c.t.Helper()
	r, err := c.try(method, path, body, header)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// try is send for goroutines other than the test's, which may not call
// t.Fatal: it returns the error.
func (c *client) try(method, path string, body io.Reader, header http.Header) (response, error) {
	req, err := http.NewRequestWithContext(c.e.ctx, method, c.e.base+path, body)
	if err != nil {
		return response{}, err
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if len(c.jar) > 0 {
		names := make([]string, 0, len(c.jar))
		for k := range c.jar {
			names = append(names, k)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, k := range names {
			parts[i] = k + "=" + c.jar[k]
		}
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	r := response{Status: res.StatusCode, Body: string(raw), Header: res.Header, Cookies: res.Cookies()}
	for _, ck := range r.Cookies {
		if ck.Value == "" || ck.MaxAge < 0 {
			delete(c.jar, ck.Name)
		} else {
			c.jar[ck.Name] = ck.Value
		}
	}
	if m := csrfField.FindStringSubmatch(r.Body); m != nil {
		c.csrf = m[1]
	}
	return r, nil
}

func (c *client) get(path string) response {
	c.t.Helper()
	return c.send(http.MethodGet, path, nil, nil)
}

// post sends a urlencoded form as it is: the caller adds any _csrf.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	return c.send(http.MethodPost, path, strings.NewReader(form.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

// postMultipart sends a multipart form whose first field is _csrf, as
// every form of the app puts it (uploads are checked before any file).
func (c *client) postMultipart(path, token string, fields url.Values) response {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("_csrf", token); err != nil {
		c.t.Fatal(err)
	}
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		c.t.Fatal(err)
	}
	return c.send(http.MethodPost, path, &buf, http.Header{"Content-Type": {w.FormDataContentType()}})
}

// call sends a JSON body (a string as it is, anything else marshalled).
func (c *client) call(method, path string, body any) response {
	c.t.Helper()
	var r io.Reader
	header := http.Header{}
	switch v := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(v)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	if r != nil {
		header.Set("Content-Type", "application/json")
	}
	return c.send(method, path, r, header)
}

// signInDebtor opens p's magic link and answers the second factor.
func (c *client) signInDebtor(p party) {
	c.t.Helper()
	ttl, _ := access.DefaultTTL("email")
	u, _, err := casework.IssueLink(c.e.ctx, c.e.db, c.e.signer, c.e.cfg.BaseURL, p.ID, p.Debtor.ID, "email", ttl)
	if err != nil {
		c.t.Fatal(err)
	}
	r := c.get(strings.TrimPrefix(u, c.e.cfg.BaseURL))
	if r.Status == http.StatusSeeOther {
		r = c.get(r.Header.Get("Location"))
	}
	if r.Status != http.StatusOK {
		c.t.Fatalf("open link: status %d\n%s", r.Status, r.Body)
	}
	r = c.post("/verify", url.Values{"_csrf": {c.csrf}, "postcode": {p.Debtor.Address.Postcode}, "house_number": {p.Debtor.Address.HouseNumber}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/overview" {
		c.t.Fatalf("verify: status %d, location %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := c.get("/overview"); r.Status != http.StatusOK {
		c.t.Fatalf("overview: status %d", r.Status)
	}
}

// login posts a console sign-in with the token of the sign-in page.
func (c *client) login(email, pw string) response {
	c.t.Helper()
	if r := c.get("/console/login"); r.Status != http.StatusOK {
		c.t.Fatalf("GET /console/login: status %d", r.Status)
	}
	return c.post("/console/login", url.Values{"_csrf": {c.csrf}, "email": {email}, "password": {pw}})
}

// signInConsole signs a console user in, entering the current code when the
// console asks for one (always for admins, who enrol on first sign-in).
func (c *client) signInConsole(a postgres.Agent) {
	c.t.Helper()
	r := c.login(a.Email, password)
	if r.Status == http.StatusOK && strings.Contains(r.Body, `action="/console/login/code"`) {
		now, err := c.e.db.AgentByEmail(c.e.ctx, a.Email)
		if err != nil {
			c.t.Fatal(err)
		}
		secret := now.TOTPSecret
		if secret == "" {
			secret = now.TOTPPending
		}
		code, err := totp.GenerateCode(secret, c.e.clk.Now())
		if err != nil {
			c.t.Fatal(err)
		}
		r = c.post("/console/login/code", url.Values{"_csrf": {c.csrf}, "code": {code}})
	}
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/console" {
		c.t.Fatalf("sign in as %s: status %d, location %q\n%s", a.Email, r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := c.get("/console"); r.Status != http.StatusOK {
		c.t.Fatalf("console queue as %s: status %d", a.Email, r.Status)
	}
}

// routes lists the app's routes (without HEAD and middleware) whose path
// keep says to, sorted, each method and path once.
func routes(a *fiber.App, keep func(method, path string) bool) []fiber.Route {
	seen := map[string]bool{}
	var out []fiber.Route
	for _, rt := range a.GetRoutes(true) {
		if rt.Method == http.MethodHead || !keep(rt.Method, rt.Path) {
			continue
		}
		if key := rt.Method + " " + rt.Path; !seen[key] {
			seen[key] = true
			out = append(out, rt)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path+out[i].Method < out[j].Path+out[j].Method })
	return out
}

var param = regexp.MustCompile(`:[A-Za-z0-9_]+\??`)

// fill puts values into a route's parameters in order; the last value is
// used for any further parameter.
func fill(pattern string, values ...string) string {
	i := 0
	return param.ReplaceAllStringFunc(pattern, func(string) string {
		v := values[min(i, len(values)-1)]
		i++
		return url.PathEscape(v)
	})
}

func wantStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Errorf("%s: status %d, want %d\n%.600s", what, r.Status, want, r.Body)
	}
}
