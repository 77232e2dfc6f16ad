package console_test

import (
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }

const password = apptest.Password

// env is one test's app on its own fresh database; every page its clients
// receive is checked for scripts and caching.
type env struct{ *apptest.Env }

func newEnv(t *testing.T) *env { return newEnvWith(t, config.Config{}) }

func newEnvWith(t *testing.T, cfg config.Config) *env {
	t.Helper()
	return &env{apptest.New(t, apptest.Options{Config: cfg, Check: apptest.CheckPage})}
}

// newAgentEnv is the start of most console tests: an app with the creditor
// Zonnestroom and its agent agent@example.nl, not yet signed in.
func newAgentEnv(t *testing.T) (*env, apptest.Creditor) {
	t.Helper()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	e.Agent("agent@example.nl", "agent", cr.ID)
	return e, cr
}

// newSignedIn is newAgentEnv with the agent signed in.
func newSignedIn(t *testing.T) (*env, apptest.Creditor, *apptest.Client) {
	t.Helper()
	e, cr := newAgentEnv(t)
	return e, cr, e.signedIn("agent@example.nl")
}

// signedIn is a new client signed in as the console user email.
func (e *env) signedIn(email string) *apptest.Client {
	e.T.Helper()
	c := e.Client()
	c.SignInAgent(email)
	return c
}

// disputed gives cr a debtor D-1 named name who owes 100,00 on F-1, due 20
// days ago, and disputes it with body and a PDF.
func (e *env) disputed(cr apptest.Creditor, name, body string) (collect.Debtor, collect.Invoice, collect.Dispute) {
	e.T.Helper()
	d := e.debtor(cr, "D-1", name)
	inv := e.invoice(cr, d, "F-1", e.DB.Today().AddDate(0, 0, -20), 10000)
	return d, inv, e.dispute(cr, d, inv, body)
}

func (e *env) creditor(name string) apptest.Creditor {
	e.T.Helper()
	return e.Creditor(collect.Creditor{Name: name, Email: "info@example.nl"})
}

func (e *env) debtor(cr apptest.Creditor, ref, name string) collect.Debtor {
	e.T.Helper()
	return e.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: ref, Name: name, Email: "debtor@example.nl"})
}

func (e *env) invoice(cr apptest.Creditor, d collect.Debtor, number string, due time.Time, cents int64) collect.Invoice {
	e.T.Helper()
	return e.Invoice(collect.Invoice{CreditorID: cr.ID, DebtorID: d.ID, Number: number, Description: "Energie",
		IssueDate: due.AddDate(0, 0, -14), DueDate: due, Amount: cents})
}

// proposal stores a plan outside the policy, so it waits for an agent.
func (e *env) proposal(cr apptest.Creditor, d collect.Debtor, total int64, months int) collect.Plan {
	e.T.Helper()
	first := e.DB.Today().AddDate(0, 0, 7)
	check := collect.CheckPlan(cr.Policy.Plan, total, months, collect.Monthly, first, e.DB.Today(), false)
	if check.Inside {
		e.T.Fatalf("plan of %d in %d months is inside the policy", total, months)
	}
	p, err := e.DB.ProposePlan(e.Ctx, collect.ProposePlan(collect.Plan{CreditorID: cr.ID, DebtorID: d.ID, Total: total, Months: months, FirstDue: first}, check, cr.Policy.Plan.AutoApprove, e.DB.Now()))
	if err != nil {
		e.T.Fatal(err)
	}
	return p
}

var smallPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func (e *env) dispute(cr apptest.Creditor, d collect.Debtor, inv collect.Invoice, body string) collect.Dispute {
	e.T.Helper()
	x, err := e.DB.CreateDispute(e.Ctx, collect.Dispute{CreditorID: cr.ID, DebtorID: d.ID, InvoiceID: inv.ID, Reason: "amount_wrong", Body: body,
		Files: []collect.DisputeFile{{Filename: "bon.pdf", ContentType: "application/pdf", Data: smallPDF}}})
	if err != nil {
		e.T.Fatal(err)
	}
	return x
}

func (e *env) hardship(cr apptest.Creditor, d collect.Debtor) collect.Hardship {
	e.T.Helper()
	h, err := e.DB.ReportHardship(e.Ctx, collect.Hardship{CreditorID: cr.ID, DebtorID: d.ID, Reason: "income", Consent: true}, cr.Policy.BreathingDays)
	if err != nil {
		e.T.Fatal(err)
	}
	return h
}

func (e *env) auditCount(debtorID string) int {
	e.T.Helper()
	return e.Count(`SELECT count(*) FROM audit_log WHERE debtor_id = $1`, debtorID)
}

func (e *env) lastAction(debtorID string) string {
	e.T.Helper()
	var s string
	if err := e.DB.PoolForTests().QueryRow(e.Ctx, `SELECT action FROM audit_log WHERE debtor_id = $1 ORDER BY id DESC LIMIT 1`, debtorID).Scan(&s); err != nil {
		e.T.Fatal(err)
	}
	return s
}
