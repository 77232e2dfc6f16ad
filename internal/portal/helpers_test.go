package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
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
