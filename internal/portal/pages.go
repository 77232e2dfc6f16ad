package portal

import (
	"html/template"
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
	v := p.overviewView(p.printer(c), o)
	if v.Approved != nil {
		if v.Approved.DirectDebit, err = p.directDebitState(c, o.Facts.Creditor); err != nil {
			return err
		}
	}
	return p.render(c, fiber.StatusOK, "overview", v)
}

// overviewView is the overview of o as the page words it; everything but
// the direct-debit state, which the handler reads.
func (p *Portal) overviewView(pr i18n.Printer, o casework.DebtorOverview) view {
	f, st := o.Facts, o.Statement
	open := st.Undisputed()
	v := view{P: pr, Title: pr.T("overview.title", f.Creditor.Name), Creditor: f.Creditor, SignedIn: true,
		Debtor: f.Debtor, Statement: st, Open: open, Apart: st.Disputed(), NextSteps: NextSteps(pr, st, open), CanPay: p.Pay != nil,
		Receipts: receipts(pr, o.Paid, "")}
	selfService(&v, o)
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
	v.Cards = invoiceCards(pr, v.Open, v.Calm)
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
	v.Nav = actionsNav(pr, v.Actions)
	v.Next = nextSection(pr, v.NextSteps, v.Open)
	return v
}

// actionsNav is the overview's buttons: the first the main one, the others
// secondary.
func actionsNav(pr i18n.Printer, actions []Action) template.HTML {
	if len(actions) == 0 {
		return ""
	}
	var w htmlWriter
	w.raw(`<nav class="actions" aria-label="`)
	w.text(pr.T("overview.actions"))
	w.raw("\">\n  ")
	for i, a := range actions {
		w.raw(`<a class="button`)
		if i > 0 {
			w.raw(" secondary")
		}
		w.raw(`" href="`)
		w.url(a.Path)
		w.raw(`">`)
		w.text(pr.T(a.Key))
		w.raw("</a>")
	}
	w.raw("\n</nav>")
	return w.html()
}

// nextSection is the overview's "what to do" section: the next steps, the
// way to help, and how to say an invoice is wrong (with a direct link when
// there is one invoice); none when nothing is open.
func nextSection(pr i18n.Printer, steps []string, open []collect.Line) template.HTML {
	if len(open) == 0 {
		return ""
	}
	var w htmlWriter
	w.raw("<section aria-labelledby=\"next\">\n  <h2 id=\"next\">")
	w.text(pr.T("overview.next"))
	w.raw("</h2>\n  ")
	for _, s := range steps {
		w.raw("<p>")
		w.text(s)
		w.raw("</p>")
	}
	w.raw("\n  <p>")
	w.text(pr.T("next.help"))
	w.raw("</p>\n  <p id=\"next-dispute\">")
	dispute := pr.T("action.dispute")
	w.text(pr.T("next.dispute", dispute))
	w.raw("</p>\n  ")
	if len(open) == 1 {
		w.raw(`<p><a href="/invoices/`)
		w.urlPart(open[0].Invoice.ID)
		w.raw(`/dispute">`)
		w.text(dispute)
		w.raw("</a></p>")
	}
	w.raw("\n</section>")
	return w.html()
}

// invoiceCards are the overview's open invoices as cards: the words are
// made here, each label once per page and each status once, and the cards
// written in Go (html.go) rather than by the template, whose reflection for
// ten cards was half of the page's CPU (docs/performance.md).
func invoiceCards(pr i18n.Printer, open []collect.Line, calm bool) template.HTML {
	if len(open) == 0 {
		return ""
	}
	number, opn, due, onHold := pr.T("overview.number"), pr.T("overview.open"), pr.T("overview.due"), pr.T("overview.onhold")
	status := map[string]string{}
	var w htmlWriter
	w.Grow(700 * len(open))
	for _, l := range open {
		key := "status." + l.Status
		if calm && l.Status == "overdue" {
			// Breathing space, a promise or a kept plan: "late" is not the word.
			key = "status.calm"
		}
		word, ok := status[key]
		if !ok {
			word = pr.T(key)
			status[key] = word
		}
		w.raw("\n  <li class=\"card\">\n    <h2 class=\"h3\">")
		w.text(l.Invoice.Description)
		w.raw("</h2>\n    <dl>\n      <dt>")
		w.text(number)
		w.raw("</dt><dd>")
		w.text(l.Invoice.Number)
		w.raw("</dd>\n      <dt>")
		w.text(opn)
		w.raw(`</dt><dd class="amount">`)
		w.text(pr.Money(l.Total()))
		w.raw("</dd>\n      <dt>")
		w.text(due)
		w.raw("</dt><dd>")
		w.text(pr.Date(l.Invoice.DueDate))
		w.raw(" (")
		w.text(word)
		w.raw(")</dd>\n    </dl>\n    ")
		if l.OnHold {
			w.raw(`<p class="hold">`)
			w.text(onHold)
			w.raw("</p>")
		}
		w.raw("\n    <p><a href=\"/invoices/")
		w.urlPart(l.Invoice.ID)
		w.raw(`">`)
		w.text(pr.T("overview.details", l.Invoice.Number))
		w.raw("</a></p>\n  </li>\n")
	}
	return w.html()
}

// NextSteps says in words what the debtor should do and what happens after
// the date: from the 14-day notice ahead, or the costs and interest added.
// open are st's undisputed lines (a disputed invoice is not asked for: the
// overview shows it apart), which the caller has already listed.
func NextSteps(pr i18n.Printer, st collect.Statement, open []collect.Line) []string {
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
