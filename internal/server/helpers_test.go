package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }

// The tests build the whole app, as the binary does, since the server's
// middleware only means something in front of the real routes.

const password = "correct horse battery staple"

// env is one test's app on its own database, with one creditor, two debtors
// with an invoice each, and a finance user.
type env struct {
	t        *testing.T
	ctx      context.Context
	db       *postgres.DB
	signer   *access.Signer
	app      *app.App
	cfg      config.Config
	creditor collect.Creditor
	apiKey   string
	debtors  [2]collect.Debtor
	invoices [2]collect.Invoice
	agent    postgres.Agent
}

func newEnv(t *testing.T, baseURL string) *env {
	t.Helper()
	ctx := context.Background()
	clk := pgtest.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	db, _ := apptest.NewDB(t, clk.Now)
	e := &env{t: t, ctx: ctx, db: db, cfg: config.Config{BaseURL: baseURL}}
	e.signer = access.NewSigner([]byte("server-test-signing-key-of-32-bytes!"), db.Now)
	var err error
	e.app, err = app.Build(e.cfg, db, e.signer, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.creditor, e.apiKey, err = db.CreateCreditor(ctx, collect.Creditor{Name: "Waterbedrijf Oost", Phone: "0800 1234",
		Email: "klant@example.nl", IBAN: "NL91ABNA0417164300"})
	if err != nil {
		t.Fatal(err)
	}
	for i, house := range []string{"12", "14"} {
		e.debtors[i], _, err = db.UpsertDebtor(ctx, collect.Debtor{CreditorID: e.creditor.ID, ExternalRef: "K-" + house, Kind: collect.Consumer,
			Name: "Jan de Vries " + house, Email: "jan@example.nl", Language: "nl",
			Address: collect.Address{Street: "Dorpsstraat", HouseNumber: house, Postcode: "7311 KL", City: "Zwolle"}})
		if err != nil {
			t.Fatal(err)
		}
		e.invoices[i], err = db.CreateInvoice(ctx, collect.Invoice{CreditorID: e.creditor.ID, DebtorID: e.debtors[i].ID, Number: "F-" + house,
			Description: "Water", IssueDate: db.Today().AddDate(0, -2, 0), DueDate: db.Today().AddDate(0, -1, 0), Amount: 12_345, Currency: "EUR"})
		if err != nil {
			t.Fatal(err)
		}
	}
	hash, err := access.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	e.agent, err = db.CreateAgent(ctx, "finance@example.nl", "finance", hash, []string{e.creditor.ID})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// client is one browser: it keeps its cookies and the last CSRF token it saw.
type client struct {
	t    *testing.T
	app  *app.App
	jar  map[string]string
	csrf string
}

func (e *env) client() *client { return &client{t: e.t, app: e.app, jar: map[string]string{}} }

type response struct {
	Status int
	Body   string
	Header http.Header
	// Cookies are the cookies the answer set.
	Cookies []*http.Cookie
	// Close is Connection: close.
	Close bool
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

// send sends a request with the client's cookies and keeps what comes back.
func (c *client) send(method, path string, body io.Reader, header http.Header) response {
	c.t.Helper()
	req := httptest.NewRequest(method, "http://settle.test"+path, body)
	for k, vs := range header {
		req.Header[k] = vs
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
	r := response{Status: resp.StatusCode, Body: string(raw), Header: resp.Header, Cookies: resp.Cookies(), Close: resp.Close}
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
	return r
}

func (c *client) get(path string) response {
	c.t.Helper()
	return c.send(http.MethodGet, path, nil, nil)
}

// post sends a urlencoded form as it is (the caller adds any _csrf).
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	return c.send(http.MethodPost, path, strings.NewReader(form.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

// field is one part of a multipart form; a file when filename is set.
type field struct {
	name, filename string
	data           []byte
}

func multipartBody(t *testing.T, fields ...field) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		var err error
		if f.filename != "" {
			var fw io.Writer
			if fw, err = w.CreateFormFile(f.name, f.filename); err == nil {
				_, err = fw.Write(f.data)
			}
		} else {
			err = w.WriteField(f.name, string(f.data))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

func (c *client) postMultipart(path string, fields ...field) response {
	c.t.Helper()
	body, ct := multipartBody(c.t, fields...)
	return c.send(http.MethodPost, path, body, http.Header{"Content-Type": {ct}})
}

// signIn signs a debtor in through a magic link and the second factor.
func (e *env) signIn(c *client, d collect.Debtor) {
	e.t.Helper()
	ttl, _ := access.DefaultTTL("email")
	u, _, err := casework.IssueLink(e.ctx, e.db, e.signer, e.cfg.BaseURL, e.creditor.ID, d.ID, "email", ttl)
	if err != nil {
		e.t.Fatal(err)
	}
	r := c.get(strings.TrimPrefix(u, e.cfg.BaseURL))
	if r.Status == http.StatusSeeOther {
		r = c.get(r.Header.Get("Location"))
	}
	if r.Status != http.StatusOK {
		e.t.Fatalf("open link: status %d", r.Status)
	}
	r = c.post("/verify", url.Values{"_csrf": {c.csrf}, "postcode": {d.Address.Postcode}, "house_number": {d.Address.HouseNumber}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/overview" {
		e.t.Fatalf("verify: status %d, location %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := c.get("/overview"); r.Status != http.StatusOK {
		e.t.Fatalf("overview: status %d", r.Status)
	}
}

// signInConsole signs the finance user in to the console.
func (e *env) signInConsole(c *client) {
	e.t.Helper()
	c.get("/console/login")
	r := c.post("/console/login", url.Values{"_csrf": {c.csrf}, "email": {e.agent.Email}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		e.t.Fatalf("console login: status %d\n%s", r.Status, r.Body)
	}
	if r := c.get("/console"); r.Status != http.StatusOK {
		e.t.Fatalf("console: status %d", r.Status)
	}
}

func wantStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Errorf("%s: status %d, want %d\n%.400s", what, r.Status, want, r.Body)
	}
}
