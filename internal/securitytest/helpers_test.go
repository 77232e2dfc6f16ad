package securitytest

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/settle/settle/internal/apptest"
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

const (
	password      = apptest.Password
	webhookSecret = "whsec_securitytest"
)

type (
	client   = apptest.Client
	response = apptest.Response
)

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
	apptest.Creditor
	Debtor  collect.Debtor
	Invoice collect.Invoice
	Link    postgres.Link
	Notice  collect.Notice
	Payment collect.Payment // a Mollie iDEAL payment whose checkout started
}

// env is one test's app on its own database, served on a real socket, with
// creditors A and B and console users of each role.
type env struct {
	*apptest.Env
	fake *molliefake.Fake
	A, B party
	// console users: an agent and a finance user of A, and an admin
	agent, finance, admin postgres.Agent
}

func newEnv(t *testing.T, o options) *env {
	t.Helper()
	e := &env{}
	var fakeURL string
	e.fake, fakeURL = apptest.StartMollieFake(t)
	stripeURL := "http://127.0.0.1:1" // no test without stripe-mock may reach Stripe
	if o.stripeMock {
		stripeURL = stripemock.Start(t)
	}
	e.Env = apptest.New(t, apptest.Options{Serve: true, Work: o.work, Config: config.Config{BaseURL: o.baseURL,
		MollieAPIURL: fakeURL, MollieAPIKey: "test_securitytest",
		StripeAPIURL: stripeURL, StripeKey: "sk_test_securitytest", StripeWebhook: webhookSecret,
		IdealProvider: "mollie", CardProvider: "stripe"}})

	e.A = e.party("Energie Noord B.V.", "NL91ABNA0417164300", "K-1", "Jan Jansen", "7311 KL", "12")
	// B's debtor has A's external reference and address on purpose: nothing
	// may be found by them across creditors.
	e.B = e.party("Water Zuid B.V.", "NL20INGB0001234567", "K-1", "Piet Pieters", "7311 KL", "12")
	e.agent = e.Agent("agent@example.nl", "agent", e.A.ID)
	e.finance = e.Agent("finance@example.nl", "finance", e.A.ID)
	e.admin = e.Agent("admin@example.nl", "admin")
	return e
}

func (e *env) party(name, iban, ref, debtorName, postcode, house string) party {
	e.T.Helper()
	var p party
	p.Creditor = e.Creditor(collect.Creditor{Name: name, Email: "klant@example.nl", IBAN: iban})
	birth := collect.Day(1975, 8, 14)
	p.Debtor = e.Debtor(collect.Debtor{CreditorID: p.ID, ExternalRef: ref, Name: debtorName, Email: "debtor@example.nl",
		BirthDate: &birth, Address: collect.Address{HouseNumber: house, Postcode: postcode}})
	p.Invoice = e.Invoice(collect.Invoice{CreditorID: p.ID, DebtorID: p.Debtor.ID, Number: name[:1] + "-001",
		Description: "Levering oktober", IssueDate: collect.Day(2026, 10, 1), DueDate: collect.Day(2026, 10, 15), Amount: 10000})
	_, p.Link = e.Link(p.ID, p.Debtor.ID, "email")
	p.Notice = e.Notice(p.Creditor.Creditor, p.Debtor, collect.Notice{Channel: "post", SentOn: collect.Day(2026, 11, 2)}, p.Invoice)
	p.Payment = e.molliePayment(p, 500)
	return p
}

// letterDay is the day the walks' letters are posted.
var letterDay = collect.Day(2026, 11, 20)

// postedLetter records a notice posted on letterDay for a new invoice of
// p's debtor through the use case the API calls, so it has a letter (PDF
// and short link), and returns the notice.
func (e *env) postedLetter(p party, number string) collect.Notice {
	e.T.Helper()
	inv := e.Invoice(collect.Invoice{CreditorID: p.ID, DebtorID: p.Debtor.ID, Number: number, Description: "Levering september",
		IssueDate: collect.Day(2026, 9, 1), DueDate: collect.Day(2026, 9, 15), Amount: 5000})
	n, err := casework.RecordNotice(e.Ctx, e.DB, p.Creditor.Creditor, casework.NoticeRequest{DebtorID: p.Debtor.ID,
		InvoiceIDs: []string{inv.ID}, SentOn: letterDay, Channel: "post", LinkBase: e.Cfg.BaseURL})
	if err != nil || !n.Created || n.LetterProblem != "" {
		e.T.Fatalf("posted notice for %s: %+v, %v", p.Name, n, err)
	}
	if l, err := e.DB.NoticeLetter(e.Ctx, p.ID, n.ID); err != nil || len(l.PDF) == 0 {
		e.T.Fatalf("letter of %s's notice: %v", p.Name, err)
	}
	return n.Notice
}

// followUp puts a personal follow-up of p's invoice in the work queue, as
// the ladder's task step stores it, and returns its id.
func (e *env) followUp(p party) string {
	e.T.Helper()
	today := e.DB.Today()
	if _, err := e.DB.RunLadderStep(e.Ctx, postgres.LadderRun{Invoice: p.Invoice, After: collect.LadderProgress{Done: 4}, StepKey: "follow_up",
		Task: &postgres.AgentTask{CreditorID: p.ID, DebtorID: p.Debtor.ID, InvoiceID: p.Invoice.ID, Kind: "follow_up",
			StepKey: p.Invoice.ID + ":0:follow_up:task", DueOn: today},
		Now: e.DB.Now()}); err != nil {
		e.T.Fatal(err)
	}
	tasks, err := e.DB.AgentTasks(e.Ctx, p.ID, p.Debtor.ID)
	if err != nil || len(tasks) != 1 {
		e.T.Fatalf("follow-ups of %s: %+v, %v", p.Name, tasks, err)
	}
	return tasks[0].ID
}

// paymentRecord is our record of a payment of cents by p's debtor on p's
// invoice, before any checkout.
func (e *env) paymentRecord(p party, cents int64, provider string, method pay.Method) collect.Payment {
	e.T.Helper()
	rec, err := e.DB.CreatePayment(e.Ctx, collect.Payment{CreditorID: p.ID, DebtorID: p.Debtor.ID, InvoiceID: p.Invoice.ID,
		Amount: cents, Provider: provider, Method: string(method)})
	if err != nil {
		e.T.Fatal(err)
	}
	return rec
}

// molliePayment starts a Mollie iDEAL payment as the pay page does: our
// record first, then the checkout at the Mollie fake.
func (e *env) molliePayment(p party, cents int64) collect.Payment {
	e.T.Helper()
	return apptest.MollieCheckout(e.T, e.App, e.DB, e.paymentRecord(p, cents, "mollie", pay.IDEAL), e.Base, p.Name)
}

// signInDebtor signs c in as p's debtor through a fresh link and opens
// the overview.
func (e *env) signInDebtor(c *client, p party) {
	e.T.Helper()
	tok, _ := e.Link(p.ID, p.Debtor.ID, "email")
	c.SignInDebtor(tok, p.Debtor)
	if r := c.Get("/overview"); r.Status != http.StatusOK {
		e.T.Fatalf("overview: status %d", r.Status)
	}
}

// signInConsole signs c in as a console user and opens the queue.
func (e *env) signInConsole(c *client, a postgres.Agent) {
	e.T.Helper()
	c.SignInAgent(a.Email)
	if r := c.Get("/console"); r.Status != http.StatusOK {
		e.T.Fatalf("console queue as %s: status %d", a.Email, r.Status)
	}
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
