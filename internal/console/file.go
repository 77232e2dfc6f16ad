package console

import (
	"fmt"
	"mime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// debtorFile is everything the debtor's file page shows: the case file,
// with its timeline in words.
type debtorFile struct {
	casework.CaseFile
	Timeline   []eventView
	SignalRows []signalRow // the open early signals with their reasons in words
	// CallName is how the file calls the debtor; Script the call-script
	// card; Dossier and Strip the summary at the top.
	CallName string
	Script   collect.CallScript
	Dossier  dossier
	Strip    []collect.PaymentMark
}

// eventView is one line of the timeline in words.
type eventView struct {
	At   time.Time
	Who  string
	What string
}

// dossier is what an agent reads before a call, in a few lines.
type dossier struct {
	Customer        string
	Invoices        int
	OpenInvoices    int
	Plans           int
	PlansKept       int // completed
	PlansBroken     int
	Promises        int
	PromisesKept    int
	PromisesBroken  int
	Disputes        int
	Hardships       int
	Paid            int64 // paid or credited on the invoices
	PaymentsStarted int
	Language        string
}

// loadDebtor loads the debtor of the :id parameter if the agent may see
// them; any other id is not found.
func (co *Console) loadDebtor(c *fiber.Ctx) (collect.Debtor, error) {
	return casework.AgentDebtor(c.UserContext(), co.DB, creditorsOf(c), c.Params("id"))
}

func (co *Console) debtorFile(c *fiber.Ctx) error {
	d, err := co.loadDebtor(c)
	if err != nil {
		return err
	}
	f, err := co.file(c, d)
	if err != nil {
		return err
	}
	return co.render(c, fiber.StatusOK, "debtor", page{Title: d.Name, File: f, Done: doneMessages[c.Query("done")]})
}

// file loads the whole file of a debtor the agent may see, for the page.
func (co *Console) file(c *fiber.Ctx, d collect.Debtor) (*debtorFile, error) {
	cf, err := casework.DebtorFile(c.UserContext(), co.DB, co.Now(), d)
	if err != nil {
		return nil, err
	}
	agents, err := casework.Assignees(c.UserContext(), co.DB, creditorsOf(c))
	if err != nil {
		return nil, err
	}
	emails := map[string]string{}
	for _, a := range agents {
		emails[a.ID] = a.Email
	}
	out := &debtorFile{CaseFile: cf, SignalRows: signalRows(cf.Signals), CallName: collect.CallName(d)}
	out.Timeline = timeline(cf, out.CallName, emails)
	out.Strip, out.Dossier = summary(cf)
	out.Script = collect.CallScriptFor(callFacts(cf, out.CallName))
	return out, nil
}

// timeline says the file's audit records in words, with the bank transfers
// the bank import booked (they are payments without an audit record of
// their own), newest first.
func timeline(cf casework.CaseFile, name string, agents map[string]string) []eventView {
	invoices := map[string]string{}
	for _, l := range cf.Invoices {
		invoices[l.Invoice.ID] = l.Invoice.Number
	}
	messages := map[string]string{}
	for _, m := range cf.Messages {
		messages[m.ID] = m.Kind
	}
	confirmed := map[string]bool{}
	out := make([]eventView, 0, len(cf.Timeline))
	for _, e := range cf.Timeline {
		fe := collect.FileEvent{Action: e.Action, Actor: e.Actor, AgentEmail: e.Who, Debtor: name, Before: e.Before, After: e.After,
			Invoices: invoices, Agents: agents}
		if id, ok := strings.CutPrefix(e.Subject, "message:"); ok {
			fe.MessageKind = messages[id]
		}
		if e.Action == "bank_line.confirmed" {
			confirmed[fmt.Sprint(e.After["payment_id"])] = true
		}
		out = append(out, eventView{At: e.At, Who: collect.EventWho(fe), What: collect.DescribeEvent(fe)})
	}
	for _, p := range cf.Payments {
		if p.Provider != "bank" || p.PaidAt == nil || confirmed[p.ID] {
			continue
		}
		what := formatMoney(p.Amount) + " arrived by bank transfer and is booked"
		if n := invoices[p.InvoiceID]; n != "" {
			what += " for invoice " + n
		}
		out = append(out, eventView{At: *p.PaidAt, Who: "The bank", What: what + "."})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out
}

// summary is the payment-history strip (oldest invoice first) and the
// dossier at the top of the file.
func summary(cf casework.CaseFile) ([]collect.PaymentMark, dossier) {
	d := dossier{Invoices: len(cf.Invoices), Plans: len(cf.Plans), Promises: len(cf.Promises), Disputes: len(cf.Disputes),
		Hardships: len(cf.Hardships), PaymentsStarted: len(cf.Payments), Language: collect.LanguageName(cf.Debtor.Language)}
	if cf.HasWishes && cf.Wishes.Language != "" {
		d.Language = collect.LanguageName(cf.Wishes.Language)
	}
	d.Customer = collect.Customer(cf.Since, cf.Today, len(cf.Invoices))
	strip := make([]collect.PaymentMark, 0, len(cf.Invoices))
	for _, l := range cf.Invoices {
		var paidOn time.Time
		for _, e := range l.Entries {
			if e.Kind == collect.KindPayment && e.BookedOn.After(paidOn) {
				paidOn = e.BookedOn
			}
		}
		if l.Total() > 0 {
			d.OpenInvoices++
		}
		d.Paid += l.Paid
		strip = append(strip, collect.MarkInvoice(l.Line, paidOn, cf.Today))
	}
	for _, p := range cf.Plans {
		switch p.Status {
		case collect.PlanCompleted:
			d.PlansKept++
		case collect.PlanBroken:
			d.PlansBroken++
		}
	}
	for _, p := range cf.Promises {
		switch p.Status {
		case collect.PromiseKept:
			d.PromisesKept++
		case collect.PromiseBroken:
			d.PromisesBroken++
		}
	}
	return strip, d
}

// callFacts are the facts of the file the call script depends on.
func callFacts(cf casework.CaseFile, name string) collect.CallFacts {
	f := collect.CallFacts{Name: name, Creditor: cf.Creditor.Name, Open: cf.Statement.Total(), Today: cf.Today}
	for _, l := range cf.Invoices {
		if l.Total() > 0 && cf.Today.After(l.Invoice.DueDate) {
			f.Overdue += l.Total()
		}
	}
	for _, h := range cf.Hardships {
		if h.Status != collect.HardshipWontPay {
			f.Hardship = true
			if h.BreathingUntil.After(f.BreathingUntil) {
				f.BreathingUntil = h.BreathingUntil
			}
		}
	}
	for _, x := range cf.Disputes {
		if x.Status == collect.DisputeOpen {
			f.OpenDispute, f.DisputedInvoice = true, x.Invoice
		}
	}
	// The newest promise decides: a promise kept since a broken one is not a miss.
	if len(cf.Promises) > 0 && cf.Promises[0].Status == collect.PromiseBroken {
		f.BrokenPromise = true
	}
	for _, p := range cf.Plans {
		if p.Status != collect.PlanApproved {
			continue
		}
		f.PlanRunning = true
		for _, r := range p.Rows {
			if r.State == collect.InstalmentLate {
				f.MissedPart = true
			}
		}
	}
	return f
}

// evidence serves one evidence file as a download, only when its dispute
// belongs to one of the agent's creditors: never inline, with the stored
// type (PDF, JPEG or PNG, checked from the content at upload) and nosniff,
// so a browser never runs it.
func (co *Console) evidence(c *fiber.Ctx) error {
	f, err := casework.EvidenceFile(c.UserContext(), co.DB, creditorsOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	allowed := []string{"application/pdf", "image/jpeg", "image/png"}
	ctype := f.ContentType
	if !slices.Contains(allowed, ctype) {
		ctype = "application/octet-stream"
	}
	name := safeFilename(f.Filename)
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disp == "" {
		disp = `attachment; filename="evidence"`
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, disp)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.Status(fiber.StatusOK).Send(f.Data)
}

// safeFilename keeps a download name to printable characters without path
// separators or quotes.
func safeFilename(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20, r == 0x7f, r == '/', r == '\\', r == '"', r == ';':
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.TrimSpace(b.String())
	if out == "" || out == "." || out == ".." {
		return "evidence"
	}
	if len(out) > 200 {
		out = out[:200]
	}
	return out
}

// doneMessages are the confirmations after an action, by key, so the
// address never carries text of its own onto the page.
var doneMessages = map[string]string{
	"credit.refund":        "The credit is paid back. See the refunds under Credit.",
	"plan.approve":         "The plan is approved. The debtor sees the schedule in the portal.",
	"plan.reject":          "The plan is rejected. The debtor reads your reason in the portal.",
	"plan.counter":         "Your counter-offer is sent. The debtor can accept or decline it in the portal.",
	"plan.offer":           "Your plan is offered. The debtor can accept or decline it in the portal.",
	"dispute.upheld":       "The dispute is upheld: the invoice is credited.",
	"dispute.rejected":     "The dispute is rejected: collection resumes, and the debtor reads your answer.",
	"dispute.corrected":    "The amount is corrected: the difference is credited.",
	"hardship.extend":      "The breathing space is extended.",
	"hardship.followed_up": "The hardship report is marked as followed up.",
	"hardship.wont_pay":    "Recorded as \"won't pay\": the hardship treatment has ended.",
	"hardship.waive_costs": "The open collection costs are waived.",
	"note":                 "Your note is added.",
	"signal":               "The signal is dismissed with your note.",
}

func doneURL(debtorID, key string) string {
	return fmt.Sprintf("%s/debtors/%s?done=%s", prefix, debtorID, key)
}
