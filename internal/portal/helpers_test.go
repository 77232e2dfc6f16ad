package portal_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }

var amsterdam = apptest.Amsterdam

// start is where the clock of most tests starts (apptest.Start).
var start = apptest.Start

const testBaseURL = apptest.BaseURL

type (
	client          = apptest.Client
	response        = apptest.Response
	creditorFixture = apptest.Creditor
)

// env is one test's app on its own fresh database; every response its
// clients receive is checked for the security headers.
type env struct{ *apptest.Env }

func newEnv(t *testing.T, at time.Time) *env { return newEnvWith(t, at, config.Config{}) }

func newEnvWith(t *testing.T, at time.Time, cfg config.Config) *env {
	t.Helper()
	return &env{apptest.New(t, apptest.Options{At: at, Config: cfg, Check: apptest.CheckSecurityHeaders})}
}

// newCreditorEnv is the start of most portal tests: an app at start with
// the creditor Energie Noord.
func newCreditorEnv(t *testing.T) (*env, creditorFixture) {
	t.Helper()
	e := newEnv(t, start)
	return e, e.creditor(creditorName, creditorPhone)
}

// newJan is newCreditorEnv with its debtor Jan Jansen (K-1), who answers
// the second factor with 7311 KL and 12.
func newJan(t *testing.T) (*env, creditorFixture, collect.Debtor) {
	t.Helper()
	e, cr := newCreditorEnv(t)
	return e, cr, e.debtor(cr, "K-1", debtorName, "7311 KL", "12")
}

func (e *env) creditor(name, phone string) creditorFixture {
	e.T.Helper()
	return e.Creditor(collect.Creditor{Name: name, Phone: phone})
}

func (e *env) debtor(cr creditorFixture, ref, name, postcode, house string) collect.Debtor {
	e.T.Helper()
	birth := collect.Day(1975, 8, 14)
	return e.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: ref, Name: name, BirthDate: &birth,
		Address: collect.Address{HouseNumber: house, Postcode: postcode}})
}

func (e *env) invoice(cr creditorFixture, d collect.Debtor, number, desc string, issued, due time.Time, cents int64) collect.Invoice {
	e.T.Helper()
	return e.Invoice(collect.Invoice{CreditorID: cr.ID, DebtorID: d.ID, Number: number, Description: desc,
		IssueDate: issued, DueDate: due, Amount: cents})
}

func (e *env) notice(cr creditorFixture, d collect.Debtor, channel string, sent time.Time, invs ...collect.Invoice) collect.Notice {
	e.T.Helper()
	return e.Notice(cr.Creditor, d, collect.Notice{Channel: channel, SentOn: sent}, invs...)
}

func (e *env) pay(cr creditorFixture, d collect.Debtor, cents int64, on time.Time, key string) {
	e.T.Helper()
	e.Pay(postgres.Receipt{CreditorID: cr.ID, DebtorID: d.ID, Amount: cents, On: on, SourceKey: key})
}

func (e *env) link(cr creditorFixture, d collect.Debtor, channel string) (string, postgres.Link) {
	e.T.Helper()
	return e.Link(cr.ID, d.ID, channel)
}

// opened is a new client of d that opened a letter's link and is on the
// second-factor page, with the link's token.
func (e *env) opened(cr creditorFixture, d collect.Debtor) (*client, string) {
	e.T.Helper()
	tok, _ := e.link(cr, d, "letter")
	c := e.Client()
	apptest.WantStatus(e.T, "open the letter's link", c.OpenLink(tok), http.StatusOK)
	return c, tok
}

// signIn is a new client of d, signed in through a letter's link.
func (e *env) signIn(cr creditorFixture, d collect.Debtor) *client {
	e.T.Helper()
	tok, _ := e.link(cr, d, "letter")
	c := e.Client()
	c.SignInDebtor(tok, d)
	return c
}

// upload is one file in a multipart form.
type upload struct {
	name string
	data []byte
}

// postFiles sends a multipart form with the CSRF token of the last page and
// the files as "evidence".
func postFiles(c *client, path string, fields map[string]string, files ...upload) response {
	c.T.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if _, ok := fields["_csrf"]; !ok {
		if err := w.WriteField("_csrf", c.CSRF); err != nil {
			c.T.Fatal(err)
		}
	}
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			c.T.Fatal(err)
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile("evidence", f.name)
		if err != nil {
			c.T.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			c.T.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		c.T.Fatal(err)
	}
	return c.Send(http.MethodPost, path, &buf, http.Header{"Content-Type": {w.FormDataContentType()}})
}

var (
	pdfFile  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	jpegFile = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, bytes.Repeat([]byte{0x11}, 64)...)
	pngFile  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), bytes.Repeat([]byte{0x01}, 64)...)
	htmlFile = []byte("<!doctype html><html><body><script>alert(1)</script></body></html>")
)

// selfServiceDebtor seeds a debtor with one invoice a month late and a
// notice, so that interest runs and costs are due, and signs them in.
func selfServiceDebtor(t *testing.T, e *env, cr creditorFixture, ref, house string) (collect.Debtor, collect.Invoice, *client) {
	t.Helper()
	d := e.debtor(cr, ref, debtorName, "7311 KL", house)
	inv := e.invoice(cr, d, "F-"+ref, "Stroom september", collect.Day(2026, 9, 1), collect.Day(2026, 9, 15), 24550)
	e.notice(cr, d, "email", collect.Day(2026, 10, 1), inv)
	return d, inv, e.signIn(cr, d)
}

// planDebtor seeds a debtor with one invoice not yet due (so the total does
// not move), signs them in and returns the client.
func planDebtor(t *testing.T, e *env, cr creditorFixture, ref string, cents int64) (collect.Debtor, *client) {
	t.Helper()
	d := e.debtor(cr, ref, debtorName, "7311 KL", "12")
	e.invoice(cr, d, "F-"+ref, "Stroom november", collect.Day(2026, 11, 10), collect.Day(2026, 12, 10), cents)
	return d, e.signIn(cr, d)
}

// counter has an agent answer d's latest plan proposal a minute later
// with a counter-offer of 10 months from 1 December 2026, saying why.
func (e *env) counter(cr creditorFixture, d collect.Debtor, why string) collect.Plan {
	e.T.Helper()
	ps, err := e.DB.Plans(e.Ctx, d.CreditorID, d.ID)
	if err != nil || len(ps) == 0 {
		e.T.Fatalf("plans of %s: %v, %v", d.Name, ps, err)
	}
	e.Clock.Advance(time.Minute)
	counter, err := e.DB.DecidePlan(e.Ctx, agentID, cr.ID, ps[0].ID, "counter", why,
		&collect.Plan{Total: ps[0].Total, Months: 10, FirstDue: collect.Day(2026, 12, 1)})
	if err != nil {
		e.T.Fatal(err)
	}
	return counter
}

// agentID is the console user the tests' decisions are made by.
const agentID = "6f1c7a52-8d1e-4b6a-9c2f-5e7d1a3b9c41"

func (e *env) statement(cr creditorFixture, d collect.Debtor) collect.Statement {
	e.T.Helper()
	return e.Statement(cr.ID, d.ID)
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

const (
	creditorName  = "Energie Noord B.V."
	creditorPhone = "020 123 45 67"
	debtorName    = "Jan Jansen"
)

var nl = i18n.For("nl")
