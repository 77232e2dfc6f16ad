package portal

import (
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/postgres"
)

func supported(lang string) bool { return i18n.Supported(lang) }

// statement loads the signed-in debtor's statement as of today. Every page
// reads the debtor from the session, never from the URL.
func (p *Portal) statement(c *fiber.Ctx) (collect.Facts, collect.Statement, error) {
	s := sessionOf(c)
	return casework.DebtorStatement(c.UserContext(), p.DB, p.Now(), s.CreditorID, s.DebtorID)
}

func (p *Portal) overview(c *fiber.Ctx) error {
	s := sessionOf(c)
	o, err := casework.Overview(c.UserContext(), p.DB, p.Now(), s.CreditorID, s.DebtorID)
	if err != nil {
		return err
	}
	pr, f, st := p.printer(c), o.Facts, o.Statement
	v := view{P: pr, Title: pr.T("overview.title", f.Creditor.Name), Creditor: f.Creditor, SignedIn: true,
		Debtor: f.Debtor, Statement: st, Open: st.Undisputed(), Apart: st.Disputed(), NextSteps: NextSteps(pr, st), CanPay: p.Pay != nil,
		Receipts: receipts(pr, o.Paid, "")}
	selfService(&v, o)
	if v.Approved != nil {
		if v.Approved.DirectDebit, err = p.directDebitState(c, f.Creditor); err != nil {
			return err
		}
	}
	v.Transfer = transferOf(f.Creditor, st.PayAll(), overviewReference(v.Open))
	// With a plan, the next step is the next part, not the old due date.
	if v.Approved != nil && len(v.NextSteps) > 0 {
		for _, r := range v.Approved.Rows {
			if r.Open > 0 {
				v.NextSteps[0] = pr.T("plan.next", r.Seq, pr.Money(r.Open), pr.Date(r.Due))
				break
			}
		}
	}
	promised(&v, o)
	v.Cards = newInvoiceCards(pr, v.Open, v.Calm)
	for _, a := range p.Actions {
		// One plan at a time: a debtor who pays in parts has no plan button;
		// a promise is made once.
		if (a.Path == "/plan" && v.Approved != nil) || (a.Path == "/promise" && !o.Promises.CanPromise) {
			continue
		}
		if len(v.Open) > 0 || a.Always {
			v.Actions = append(v.Actions, a)
		}
	}
	return p.render(c, fiber.StatusOK, "overview", v)
}

// invoiceCards are the overview's open invoices as the page words them.
// The words are made here, each label once per page and each status once,
// rather than by the template per card: calling the printer through the
// template's reflection for ten cards was half of the page's CPU
// (docs/performance.md).
type invoiceCards struct {
	Number, Open, Due, OnHold string
	List                      []invoiceCard
}

type invoiceCard struct {
	ID, Description, Number, Amount, Due, Status, Details string
	OnHold                                                bool
}

func newInvoiceCards(pr i18n.Printer, open []collect.Line, calm bool) invoiceCards {
	cs := invoiceCards{Number: pr.T("overview.number"), Open: pr.T("overview.open"), Due: pr.T("overview.due"),
		OnHold: pr.T("overview.onhold"), List: make([]invoiceCard, 0, len(open))}
	status := map[string]string{}
	for _, l := range open {
		key := "status." + l.Status
		if calm && l.Status == "overdue" {
			// Breathing space, a promise or a kept plan: "late" is not the word.
			key = "status.calm"
		}
		if _, ok := status[key]; !ok {
			status[key] = pr.T(key)
		}
		cs.List = append(cs.List, invoiceCard{ID: l.Invoice.ID, Description: l.Invoice.Description, Number: l.Invoice.Number,
			Amount: pr.Money(l.Total()), Due: pr.Date(l.Invoice.DueDate), Status: status[key],
			Details: pr.T("overview.details", l.Invoice.Number), OnHold: l.OnHold})
	}
	return cs
}

// NextSteps says in words what the debtor should do and what happens after
// the date: from the 14-day notice ahead, or the costs and interest added.
func NextSteps(pr i18n.Printer, st collect.Statement) []string {
	// A disputed invoice is not asked for: the overview shows it apart.
	open := st.Undisputed()
	if len(open) == 0 {
		return nil
	}
	var out []string
	if st.Next != nil {
		out = append(out, pr.T("next.deadline", pr.Date(st.Next.Deadline), pr.Money(st.Next.Costs)))
	} else {
		earliest := open[0]
		for _, l := range open {
			if l.Invoice.DueDate.Before(earliest.Invoice.DueDate) {
				earliest = l
			}
		}
		if earliest.Status == "not_due" {
			out = append(out, pr.T("next.due", pr.Date(earliest.Invoice.DueDate)))
		} else {
			out = append(out, pr.T("next.overdue"))
		}
	}
	costsOn := map[time.Time]int64{}
	var interest int64
	for _, l := range open {
		if l.Costs > 0 && !l.CostsSince.IsZero() {
			costsOn[l.CostsSince] += l.Costs
		}
		interest += l.Interest
	}
	days := make([]time.Time, 0, len(costsOn))
	for d := range costsOn {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	for _, d := range days {
		out = append(out, pr.T("next.costs", pr.Date(d), pr.Money(costsOn[d])))
	}
	if interest > 0 {
		out = append(out, pr.T("next.interest", pr.Money(interest)))
	}
	return out
}

// invoice explains one invoice of the signed-in debtor. Another debtor's
// invoice id gets the same 404 as an id that does not exist.
func (p *Portal) invoice(c *fiber.Ctx) error {
	s := sessionOf(c)
	in, err := casework.InvoiceOfDebtor(c.UserContext(), p.DB, p.Now(), s.CreditorID, s.DebtorID, c.Params("id"))
	if collect.IsNotFound(err) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	pr, f, line := p.printer(c), in.Facts, in.Line
	v := view{P: pr, Title: pr.T("invoice.title", line.Invoice.Number), Creditor: f.Creditor, SignedIn: true,
		Debtor: f.Debtor, Line: line, Payments: paymentLines(pr, f.Entries, line.Invoice.ID), CanPay: p.Pay != nil,
		Receipts: receipts(pr, in.Paid, line.Invoice.ID), OpenClaim: in.OpenClaim,
		Transfer: transferOf(f.Creditor, line.Total(), line.Invoice.PaymentReference)}
	return p.render(c, fiber.StatusOK, "invoice", v)
}

// paymentLines lists what was paid on one invoice, one sentence per payment.
func paymentLines(pr i18n.Printer, entries []collect.Entry, invoiceID string) []string {
	type key struct {
		on  time.Time
		pay string
	}
	sums := map[key]int64{}
	var order []key
	for _, e := range entries {
		// Payments with a record of ours are told as receipts, with their method.
		if e.InvoiceID != invoiceID || e.Kind != collect.KindPayment || e.PaymentID != "" {
			continue
		}
		k := key{e.BookedOn, e.PaymentID}
		if _, seen := sums[k]; !seen {
			order = append(order, k)
		}
		sums[k] -= e.Amount
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, pr.T("invoice.paid.line", pr.Date(k.on), pr.Money(sums[k])))
	}
	return out
}

// receipts describes the debtor's payments, newest first, each with what it
// was applied to; with invoiceID only the payments that touched that invoice.
func receipts(pr i18n.Printer, ps []postgres.PaidPayment, invoiceID string) []Receipt {
	var out []Receipt
	for _, pp := range ps {
		touches := invoiceID == ""
		r := Receipt{Line: pr.T("receipt.line", pr.Date(paidDay(pp.Payment)), pr.Money(pp.Amount), pr.T("receipt.method."+pp.Method))}
		for _, part := range pp.Parts {
			if part.InvoiceID == invoiceID && invoiceID != "" {
				touches = true
			}
			if part.Account == collect.AccountCredit {
				r.Parts = append(r.Parts, pr.T("receipt.credit", pr.Money(part.Amount)))
				continue
			}
			r.Parts = append(r.Parts, pr.T("receipt.part", pr.Money(part.Amount), pr.T("account."+string(part.Account)), part.InvoiceNumber))
		}
		if pp.Refunded > 0 {
			r.Parts = append(r.Parts, pr.T("receipt.refunded", pr.Money(pp.Refunded)))
		}
		if pp.ChargedBack > 0 {
			r.Parts = append(r.Parts, pr.T("receipt.chargedback", pr.Money(pp.ChargedBack)))
		}
		if touches {
			out = append(out, r)
		}
	}
	return out
}

// Receipt is one payment in words: when, how much, how, and what it paid.
type Receipt struct {
	Line  string
	Parts []string
}

func paidDay(p collect.Payment) time.Time {
	if p.PaidAt != nil {
		return p.PaidAt.In(amsterdam)
	}
	return p.CreatedAt.In(amsterdam)
}
