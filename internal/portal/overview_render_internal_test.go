package portal

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/postgres"
)

// sampleOverviews are overviews of many shapes, built without a database:
// ten open invoices with costs and interest, a notice deadline, a plan with
// a late part, disputes, breathing space, promises kept and missed,
// payments and rewards, in every language. Names and numbers carry
// characters that must be escaped.
func sampleOverviews() map[string]casework.DebtorOverview {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	today := day(2026, 11, 18)
	cr := collect.Creditor{ID: "c1", Name: `Energie "Noord" & Zn <BV>`, Phone: "020 123 45 67", PhoneHours: "ma-vr 9-17",
		Email: "incasso@example.nl", IBAN: "NL91ABNA0417164300"}
	debtor := collect.Debtor{ID: "d1", CreditorID: "c1", Name: "Jan <b>Jansen</b> & 'zoon'"}
	rf := func(i int) string {
		r, err := collect.RFReference(fmt.Sprintf("5390075470%02d", i))
		if err != nil {
			panic(err)
		}
		return r
	}
	lines := func(n int, disputed ...int) []collect.Line {
		var out []collect.Line
		for i := range n {
			due := today.AddDate(0, 0, 20-10*i)
			l := collect.Line{Invoice: collect.Invoice{ID: fmt.Sprintf("inv-%d", i), Number: fmt.Sprintf("F-2026-%04d<%d>", i+1, i),
				Description: fmt.Sprintf("Stroom & gas \"maand\" %d", i+1), DueDate: due, Amount: int64(10000 + 1234*i),
				PaymentReference: rf(i)},
				Principal: int64(10000 + 1234*i), Status: "overdue"}
			if !due.Before(today) {
				l.Status = "not_due"
			}
			if i%3 == 2 {
				l.Costs, l.CostsSince = 4000, today.AddDate(0, 0, -5)
			}
			if i%2 == 1 {
				l.Interest = int64(17 * i)
			}
			if i == 4 {
				l.OnHold = true
			}
			for _, d := range disputed {
				if d == i {
					l.Disputed, l.OnHold = true, true
				}
			}
			out = append(out, l)
		}
		return out
	}
	statement := func(ls []collect.Line, next bool, credit int64) collect.Statement {
		st := collect.Statement{AsOf: today, Lines: ls, Credit: credit}
		for _, l := range ls {
			st.Principal += l.Principal
			st.Costs += l.Costs
			st.Interest += l.Interest
		}
		if next {
			st.Next = &collect.NextStep{Deadline: today.AddDate(0, 0, 9), Costs: 4000}
		}
		return st
	}
	paidAt := day(2026, 11, 2).Add(10 * time.Hour)
	paid := []postgres.PaidPayment{{Payment: collect.Payment{ID: "p1", Amount: 5000, Method: "ideal", Status: collect.PaymentPaid, PaidAt: &paidAt},
		Parts: []postgres.Applied{{InvoiceID: "inv-1", InvoiceNumber: "F-2026-0002<1>", Account: collect.AccountPrincipal, Amount: 4500},
			{Account: collect.AccountCredit, Amount: 500}}}}
	plan := collect.Plan{ID: "plan-1", Status: collect.PlanApproved, Total: 60000, Months: 3, FirstDue: today.AddDate(0, -1, 0),
		Instalments: []collect.PlanInstalment{{ID: "i1", Seq: 1, Due: today.AddDate(0, -1, 0), Amount: 20000, Paid: 20000},
			{ID: "i2", Seq: 2, Due: today.AddDate(0, 0, -3), Amount: 20000, Paid: 5000},
			{ID: "i3", Seq: 3, Due: today.AddDate(0, 1, 0), Amount: 20000}}}
	countered := collect.Plan{ID: "plan-2", Status: collect.PlanCountered, Total: 30000, Months: 2, Reason: "Te <laag>",
		Instalments: []collect.PlanInstalment{{ID: "j1", Seq: 1, Due: today.AddDate(0, 0, 7), Amount: 15000},
			{ID: "j2", Seq: 2, Due: today.AddDate(0, 1, 7), Amount: 15000}}}
	promise := collect.Promise{ID: "pr-1", PromisedOn: today.AddDate(0, 0, 5), Amount: 12345, Status: collect.PromiseOpen}
	missed := collect.Promise{ID: "pr-0", PromisedOn: today.AddDate(0, 0, -2), Amount: 999, Status: collect.PromiseBroken}

	shapes := map[string]casework.DebtorOverview{}
	base := func(ls []collect.Line, next bool) casework.DebtorOverview {
		st := statement(ls, next, 0)
		return casework.DebtorOverview{Facts: collect.Facts{Creditor: cr, Debtor: debtor}, Statement: st, Today: today,
			Promises: casework.PromiseDesk{Statement: st, Today: today, Latest: today.AddDate(0, 0, 30), CanPromise: true}}
	}
	for _, lang := range i18n.Codes() {
		o := base(lines(10), true)
		shapes[lang+"-ten"] = o
	}
	o := base(lines(10, 3), false)
	o.Paid = paid
	o.Statement.Credit = 500
	o.Disputes = []casework.DebtorDispute{{Dispute: collect.Dispute{ID: "ds1", InvoiceID: "inv-3", Status: collect.DisputeOpen}, Number: "F-2026-0004<3>",
		Opened: today.AddDate(0, 0, -1), AnswerBy: today.AddDate(0, 0, 9)},
		{Dispute: collect.Dispute{ID: "ds0", InvoiceID: "inv-9", Status: collect.DisputeRejected, Answer: "Klopt <wel>"}, Number: "F-9", Opened: today.AddDate(0, -1, 0)}}
	o.Rewards = []casework.RewardOffer{{Reward: collect.Reward{Kind: collect.RewardCredit, Credit: 250}, Occasion: collect.RewardPaidEarly,
		InvoiceID: "inv-0", Number: "F-2026-0001<0>", Before: today.AddDate(0, 0, 20)}}
	shapes["nl-disputes-paid"] = o
	o = base(lines(6), false)
	o.Approved = &plan
	o.Promises.MissedParts = []collect.PlanInstalment{plan.Instalments[1]}
	o.Promises.CanPromise = false
	shapes["nl-plan"] = o
	o = base(lines(3), false)
	o.Question, o.QuestionAnswerBy = &countered, today.AddDate(0, 0, 4)
	o.Promises.Open, o.Promises.Missed = &promise, &missed
	shapes["en-countered-promise"] = o
	o = base(lines(2), false)
	o.Breathing = &collect.Hardship{ID: "h1", Consent: true, BreathingUntil: today.AddDate(0, 1, 0)}
	shapes["ar-breathing"] = o
	o = base(lines(1), true)
	shapes["tr-one"] = o
	o = base(nil, false)
	shapes["pl-nothing"] = o
	o = base(lines(2, 0, 1), false)
	shapes["uk-all-apart"] = o
	return shapes
}

// renderOverview is the overview handler without the database: the view
// built from o, then the page as render executes it.
func renderOverview(p *Portal, o casework.DebtorOverview, lang string) ([]byte, error) {
	v := p.overviewView(i18n.For(lang), o)
	if v.Approved != nil {
		v.Approved.DirectDebit = "offer"
	}
	v.Languages, v.CSRF, v.Back = i18n.Languages, "csrf-token-<&>", "/overview"
	v.frame()
	var buf bytes.Buffer
	err := p.pages["overview"].ExecuteTemplate(&buf, "layout", v)
	return buf.Bytes(), err
}

func benchPortal() *Portal {
	p := &Portal{pages: parsePages(), Pay: &casework.Payments{}}
	p.Actions = append([]Action{{Key: "action.pay", Path: "/pay"}}, selfServiceActions...)
	return p
}

// TestSampleOverviews renders every sample overview: each is a whole page
// with its open invoices as cards and nothing unescaped from the data.
// With SETTLE_DUMP_OVERVIEWS set to a folder it also writes the pages
// there, to compare the page byte for byte before and after a change to
// its rendering.
func TestSampleOverviews(t *testing.T) {
	dir := os.Getenv("SETTLE_DUMP_OVERVIEWS")
	p := benchPortal()
	for name, o := range sampleOverviews() {
		page, err := renderOverview(p, o, name[:2])
		if err != nil {
			t.Fatal(name, err)
		}
		html := string(page)
		cards := strings.Count(html, "<li class=\"card\">\n    <h2 class=\"h3\">")
		if !strings.HasSuffix(html, "</html>") || cards != len(o.Statement.Undisputed()) || strings.Contains(html, "<b>Jansen") {
			t.Errorf("%s: %d cards for %d open invoices, or the page is cut off or unescaped", name, cards, len(o.Statement.Undisputed()))
		}
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name+".html"), page, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// BenchmarkOverviewRender is the overview's own work per page, without the
// database: building the view and executing the template, for ten invoices.
func BenchmarkOverviewRender(b *testing.B) {
	p := benchPortal()
	o := sampleOverviews()["nl-ten"]
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := renderOverview(p, o, "nl"); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time rather than wall time: on a shared machine it is the figure
	// that compares across runs (GC included).
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkLayoutOnly(b *testing.B) {
	p := benchPortal()
	o := sampleOverviews()["nl-ten"]
	v := view{P: i18n.For("nl"), Title: "x", Creditor: o.Facts.Creditor, SignedIn: true, Lines: []string{"a"}}
	v.Languages, v.CSRF, v.Back = i18n.Languages, "csrf-token-<&>", "/overview"
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := p.pages["message"].ExecuteTemplate(&buf, "layout", v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkViewOnly(b *testing.B) {
	p := benchPortal()
	o := sampleOverviews()["nl-ten"]
	b.ReportAllocs()
	for b.Loop() {
		p.overviewView(i18n.For("nl"), o)
	}
}
