package console

// The finance pages: per creditor and period, the money received by
// channel, the provider fees and payouts, the bank lines waiting for a
// decision, the open balance at the start and end of the period, a chart
// of money received per day (SVG drawn here, no JavaScript), the CAMT.053
// upload and the exports. Only console users with the role finance or
// admin see them; to an agent they do not exist (404). Every query is
// for one creditor the user may see.

import (
	"bufio"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile"
	"github.com/settle/settle/internal/server"
)

const financePrefix = prefix + "/finance"

// registerFinance mounts the finance routes (before the console's 404).
func (co *Console) registerFinance(app *fiber.App) {
	app.Get(financePrefix, co.requireAgent, co.requireFinance, co.h(co.finance))
	app.Post(financePrefix+"/import", co.requireAgent, co.requireFinance, co.h(co.financeImport))
	app.Post(financePrefix+"/lines/:id/confirm", co.requireAgent, co.requireFinance, co.h(co.confirmLine))
	app.Post(financePrefix+"/lines/:id/reject", co.requireAgent, co.requireFinance, co.h(co.rejectLine))
	app.Post(financePrefix+"/lines/:id/book", co.requireAgent, co.requireFinance, co.h(co.bookLine))
	app.Post(financePrefix+"/transfers", co.requireAgent, co.requireFinance, co.h(co.makeTransferFile))
	app.Get(financePrefix+"/transfers/:id", co.requireAgent, co.requireFinance, co.h(co.transferFile))
	app.Get(financePrefix+"/exports/payments.csv", co.requireAgent, co.requireFinance, co.h(co.exportPayments))
	app.Get(financePrefix+"/exports/journal.csv", co.requireAgent, co.requireFinance, co.h(co.exportJournal))
	co.registerAnalytics(app)
}

// financeRole says whether a console user may see the finance pages.
func financeRole(role string) bool { return role == "finance" || role == "admin" }

// requireFinance answers 404 to anyone but finance users and admins.
func (co *Console) requireFinance(c *fiber.Ctx) error {
	if !financeRole(agentOf(c).Role) {
		return co.notFound(c)
	}
	return c.Next()
}

// financePage is what the finance template shows.
type financePage struct {
	Creditors []collect.Creditor
	Creditor  collect.Creditor
	From, To  time.Time
	Today     time.Time
	Query     template.URL // creditor, from and to, for links
	casework.FinanceFigures
	Chart      chart
	Payouts    []payoutRow
	Lines      []openLine
	LinesTotal int
	// ShowRejected lists the rejected lines instead of the waiting ones
	// (?lines=rejected); RejectedTotal counts them either way.
	ShowRejected  bool
	Rejected      []collect.BankLine
	RejectedTotal int
	// BookLine is the waiting line whose debtor search (?book=&who=) ran,
	// with what was searched and found.
	BookLine string
	Who      string
	Matches  []postgres.DebtorMatch
	// ToTransfer is credit waiting to be paid back by bank transfer.
	ToTransfer []postgres.RefundToTransfer
	Import     *importResult
}

// payoutRow is a payout with its state for people.
type payoutRow struct {
	collect.Payout
	State string // expected, arrived, differs
	Net   int64  // the creditor's lines
}

// importResult is what an upload did, or why it did nothing.
type importResult struct {
	Filename string
	Result   casework.ImportResult
	Error    string
	Line     int
	Element  string
	Lines    []collect.BankLine
	More     bool
}

// selection is the creditor and period a finance page is about.
type selection struct {
	creditors []collect.Creditor
	creditor  collect.Creditor
	from, to  time.Time
}

func (s selection) query() string {
	v := url.Values{}
	v.Set("creditor", s.creditor.ID)
	v.Set("from", s.from.Format(time.DateOnly))
	v.Set("to", s.to.Format(time.DateOnly))
	return v.Encode()
}

// maxPeriodDays bounds the period of the finance page.
const maxPeriodDays = 366

// errBadPeriod is a period that cannot be read.
var errBadPeriod = errors.New("period")

// selectFor reads creditor, from and to (query or form) and checks the
// creditor against the user's. An unknown creditor is a 404. The period is
// this month (Amsterdam) unless given.
func (co *Console) selectFor(c *fiber.Ctx, get func(string) string) (selection, error) {
	var s selection
	var err error
	if s.creditors, err = casework.ConsoleCreditors(c.UserContext(), co.DB, creditorsOf(c)); err != nil {
		return s, err
	}
	want := get("creditor")
	switch {
	case len(s.creditors) == 0:
		return s, collect.Errorf(collect.ENOTFOUND, "", "no creditors")
	case want == "":
		s.creditor = s.creditors[0]
	default:
		i := slices.IndexFunc(s.creditors, func(cr collect.Creditor) bool { return cr.ID == want })
		if i < 0 {
			return s, collect.Errorf(collect.ENOTFOUND, "", "creditor not found")
		}
		s.creditor = s.creditors[i]
	}
	today := collect.DutchDate(co.Now())
	s.from = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	s.to = s.from.AddDate(0, 1, -1)
	if v := get("from"); v != "" {
		if s.from, err = time.Parse(time.DateOnly, v); err != nil {
			return s, errBadPeriod
		}
	}
	if v := get("to"); v != "" {
		if s.to, err = time.Parse(time.DateOnly, v); err != nil {
			return s, errBadPeriod
		}
	}
	if s.from.After(s.to) || s.to.Sub(s.from) > maxPeriodDays*24*time.Hour {
		return s, errBadPeriod
	}
	return s, nil
}

func (co *Console) finance(c *fiber.Ctx) error {
	s, err := co.selectFor(c, func(k string) string { return c.Query(k) })
	if errors.Is(err, errBadPeriod) {
		return co.message(c, fiber.StatusBadRequest, "This period cannot be shown",
			fmt.Sprintf("Give the period as two dates (YYYY-MM-DD), the first not after the last, at most %d days apart.", maxPeriodDays))
	}
	if err != nil {
		return err
	}
	p := page{Title: "Finance"}
	switch c.Query("done") {
	case "line.confirmed":
		p.Done = "The bank line is booked as a payment of the debtor you chose."
	case "line.rejected":
		p.Done = "The bank line is rejected with your reason: it no longer waits and is not offered for matching."
	case "line.booked":
		p.Done = "The bank line is booked as a payment of the debtor you found."
	}
	return co.renderFinance(c, fiber.StatusOK, s, p, nil)
}

// renderFinance loads everything the finance page shows and renders it.
func (co *Console) renderFinance(c *fiber.Ctx, status int, s selection, p page, imp *importResult) error {
	ctx := c.UserContext()
	id := s.creditor.ID
	f := &financePage{Creditors: s.creditors, Creditor: s.creditor, From: s.from, To: s.to, Today: collect.DutchDate(co.Now()), Query: template.URL(s.query()), Import: imp}
	var err error
	if f.FinanceFigures, err = casework.Figures(ctx, co.DB, id, s.from, s.to); err != nil {
		return err
	}
	f.Chart = dailyChart(s.from, s.to, f.Days)
	payouts, err := casework.CreditorPayouts(ctx, co.DB, id, 1000)
	if err != nil {
		return err
	}
	for _, po := range payouts {
		if !payoutInPeriod(po, s.from, s.to) {
			continue
		}
		r := payoutRow{Payout: po, State: string(po.Status)}
		if !po.Reconciled || po.Difference != 0 {
			r.State = "differs"
		}
		for _, l := range po.Lines {
			r.Net += l.Amount
		}
		f.Payouts = append(f.Payouts, r)
	}
	if f.Lines, f.LinesTotal, err = openBankLines(ctx, co.DB, id, f.Today); err != nil {
		return err
	}
	if err := co.bankLineViews(c, f); err != nil {
		return err
	}
	p.Finance = f
	return co.render(c, status, "finance", p)
}

// payoutInPeriod: a payout still expected is always shown; others when
// they were settled or arrived in the period.
func payoutInPeriod(p collect.Payout, from, to time.Time) bool {
	if p.Status == collect.PayoutExpected {
		return true
	}
	in := func(t *time.Time) bool {
		if t == nil {
			return false
		}
		d := dateOnly(t.In(amsterdam))
		return !d.Before(from) && !d.After(to)
	}
	return in(p.SettledAt) || in(p.ArrivedAt) || (p.SettledAt == nil && in(&p.CreatedAt))
}

// maxImportLines is how many lines of an import are listed on the page.
const maxImportLines = 500

// financeImport reads an uploaded CAMT.053 file as a stream into
// casework.ImportCAMT, for the chosen creditor's account only. The form is
// read part by part (the server has checked its CSRF token, the first part):
// the creditor and period fields come before the file, whose part goes
// straight into the parser, so a statement never sits in memory whole.
func (co *Console) financeImport(c *fiber.Ctx) error {
	fields, file, name, err := importParts(c)
	if err != nil {
		return err
	}
	s, err := co.importSelection(c, fields)
	if err != nil {
		return err
	}
	p := page{Title: "Finance"}
	if file == nil {
		p.Problem = "Nothing was imported: choose a CAMT.053 file (XML) from your bank."
		return co.renderFinance(c, fiber.StatusUnprocessableEntity, s, p, nil)
	}
	if _, err := file.Peek(1); errors.Is(err, server.ErrBodyTooLarge) {
		return co.importTooLarge(c, s, p)
	} else if err != nil {
		p.Problem = "Nothing was imported: choose a CAMT.053 file (XML) from your bank."
		return co.renderFinance(c, fiber.StatusUnprocessableEntity, s, p, nil)
	}
	res, err := casework.ImportCAMT(c.UserContext(), co.DB, file, casework.ImportOptions{ImportedBy: "agent:" + agentOf(c).ID, CreditorID: s.creditor.ID})
	imp := &importResult{Filename: name, Result: res}
	if err != nil {
		return co.importFailed(c, s, p, imp, err)
	}
	if imp.Lines, imp.More, err = casework.ImportedLines(c.UserContext(), co.DB, res, maxImportLines); err != nil {
		return err
	}
	p.Done = "The bank statement is imported: " + res.Summary() + "."
	return co.renderFinance(c, fiber.StatusOK, s, p, imp)
}

// importSelection is the finance page's creditor and period from the import
// form; a bad period falls back to the default one, so the import still
// runs for the creditor chosen.
func (co *Console) importSelection(c *fiber.Ctx, fields map[string]string) (selection, error) {
	s, err := co.selectFor(c, func(k string) string { return fields[k] })
	if errors.Is(err, errBadPeriod) {
		s, err = co.selectFor(c, func(k string) string {
			if k == "creditor" {
				return fields[k]
			}
			return ""
		})
	}
	return s, err
}

// importFailed shows why a statement was not imported: where the file broke
// and what was wrong; nothing was booked.
func (co *Console) importFailed(c *fiber.Ctx, s selection, p page, imp *importResult, err error) error {
	if errors.Is(err, server.ErrBodyTooLarge) {
		return co.importTooLarge(c, s, p)
	}
	if errors.Is(err, casework.ErrImportStopped) && c.UserContext().Err() == nil {
		co.Log.Error("bank statement import stopped after storing its lines", "err", err)
		p.Problem = "The lines of the file are stored, but not all are booked yet. Import the same file again to complete it; nothing is booked twice. Settle also completes it by itself within the hour."
		return co.renderFinance(c, fiber.StatusInternalServerError, s, p, nil)
	}
	var ie *casework.ImportError
	if !errors.As(err, &ie) {
		return err
	}
	imp.Error = strings.TrimPrefix(problemText(ie.Err), "Nothing was changed: ")
	if ie.Parse != nil {
		imp.Line, imp.Element, imp.Error = ie.Parse.Line, ie.Parse.Element, ie.Parse.Msg
	}
	p.Problem = "The file was not imported and nothing was booked. " + importErrorText(imp)
	return co.renderFinance(c, fiber.StatusUnprocessableEntity, s, p, imp)
}

// importTooLarge refuses a statement over the upload limit, which is read
// no further.
func (co *Console) importTooLarge(c *fiber.Ctx, s selection, p page) error {
	p.Problem = "Nothing was imported: the file is larger than the console accepts (64 MiB). Import it on the server with `settle import camt FILE`."
	return co.renderFinance(c, fiber.StatusRequestEntityTooLarge, s, p, nil)
}

// importParts reads the import form up to the statement file: the small
// fields before it, and the file's part as a stream (nil when no file was
// chosen) with its name.
func importParts(c *fiber.Ctx) (map[string]string, *bufio.Reader, string, error) {
	fields := map[string]string{}
	parts, err := server.UploadParts(c)
	if err != nil {
		return nil, nil, "", err
	}
	for {
		part, err := parts.NextPart()
		if err == io.EOF {
			return fields, nil, "", nil
		}
		if err != nil {
			return nil, nil, "", fmt.Errorf("read import form: %w", err)
		}
		if part.FormName() == "statement" {
			if part.FileName() == "" {
				return fields, nil, "", nil
			}
			return fields, bufio.NewReaderSize(part, 64<<10), part.FileName(), nil
		}
		raw, err := io.ReadAll(io.LimitReader(part, 256))
		if err != nil {
			return nil, nil, "", fmt.Errorf("read import form: %w", err)
		}
		fields[part.FormName()] = string(raw)
	}
}

func importErrorText(imp *importResult) string {
	var b strings.Builder
	if imp.Line > 0 {
		fmt.Fprintf(&b, "Line %d", imp.Line)
		if imp.Element != "" {
			fmt.Fprintf(&b, ", element %s", imp.Element)
		}
		b.WriteString(": ")
	}
	b.WriteString(imp.Error)
	return b.String()
}

// ownLine checks that the bank line of :id belongs to one of the user's
// creditors (else 404) and returns the selection to go back to.
func (co *Console) ownLine(c *fiber.Ctx) (selection, string, error) {
	id := c.Params("id")
	creditor, err := casework.BankLineCreditor(c.UserContext(), co.DB, id)
	if err != nil {
		return selection{}, "", err
	}
	if !slices.Contains(creditorsOf(c), creditor) {
		return selection{}, "", collect.Errorf(collect.ENOTFOUND, "", "bank line not found")
	}
	s, err := co.selectFor(c, func(k string) string {
		if k == "creditor" {
			return creditor
		}
		return c.FormValue(k)
	})
	if errors.Is(err, errBadPeriod) {
		s, err = co.selectFor(c, func(k string) string {
			if k == "creditor" {
				return creditor
			}
			return ""
		})
	}
	return s, id, err
}

// lineDecision runs a decision on a bank line; a domain error shows the
// finance page again with the reason.
func (co *Console) lineDecision(c *fiber.Ctx, done string, fn func(id, by string) error) error {
	s, id, err := co.ownLine(c)
	if err != nil {
		return err
	}
	if err := fn(id, "agent:"+agentOf(c).ID); err != nil {
		code := collect.ErrorCode(err)
		if code != collect.EINVALID && code != collect.ECONFLICT && code != collect.ENOTFOUND {
			return err
		}
		status := fiber.StatusUnprocessableEntity
		if code == collect.ECONFLICT {
			status = fiber.StatusConflict
		}
		return co.renderFinance(c, status, s, page{Title: "Finance", Problem: problemText(err)}, nil)
	}
	return c.Redirect(financePrefix+"?"+s.query()+"&done="+done+"#bank-lines", fiber.StatusSeeOther)
}

func (co *Console) confirmLine(c *fiber.Ctx) error {
	return co.lineDecision(c, "line.confirmed", func(id, by string) error {
		_, err := casework.ConfirmBankSuggestion(c.UserContext(), co.DB, id, c.FormValue("suggestion"), by)
		return err
	})
}

// bookLine books a waiting line on the debtor (and invoice) finance found
// by search; the store books it once, under the line's lock.
func (co *Console) bookLine(c *fiber.Ctx) error {
	return co.lineDecision(c, "line.booked", func(id, by string) error {
		_, err := casework.BookBankLineOn(c.UserContext(), co.DB, id, c.FormValue("debtor"), c.FormValue("invoice"), by)
		return err
	})
}

func (co *Console) rejectLine(c *fiber.Ctx) error {
	return co.lineDecision(c, "line.rejected", func(id, by string) error {
		reason, err := text(c, "reason", maxTextLen)
		if err != nil {
			return err
		}
		_, err = casework.RejectBankLine(c.UserContext(), co.DB, id, reason, by)
		return err
	})
}

// exportSelection reads the selection of an export; a bad period is a 400.
func (co *Console) exportSelection(c *fiber.Ctx) (selection, error) {
	s, err := co.selectFor(c, func(k string) string { return c.Query(k) })
	if errors.Is(err, errBadPeriod) {
		return s, fiber.NewError(fiber.StatusBadRequest, "bad period")
	}
	return s, err
}

// sendCSV answers a CSV download; the filename names creditor and period.
func sendCSV(c *fiber.Ctx, what string, s selection, body []byte) error {
	name := fmt.Sprintf("settle-%s-%s-%s.csv", what, s.from.Format(time.DateOnly), s.to.Format(time.DateOnly))
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}

func (co *Console) exportPayments(c *fiber.Ctx) error {
	s, err := co.exportSelection(c)
	if err != nil {
		return err
	}
	rows, err := casework.PaymentsExport(c.UserContext(), co.DB, s.creditor.ID, s.from, s.to)
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := reconcile.WritePaymentsCSV(&b, rows); err != nil {
		return err
	}
	return sendCSV(c, "payments", s, []byte(b.String()))
}

func (co *Console) exportJournal(c *fiber.Ctx) error {
	s, err := co.exportSelection(c)
	if err != nil {
		return err
	}
	j, err := casework.JournalExport(c.UserContext(), co.DB, s.creditor.ID, s.from, s.to)
	if err != nil {
		return err
	}
	if err := j.Check(); err != nil && co.Log != nil {
		co.Log.Error("journal does not balance", "creditor", s.creditor.ID, "err", err)
	}
	var b strings.Builder
	if err := reconcile.WriteJournalCSV(&b, j); err != nil {
		return err
	}
	return sendCSV(c, "journal", s, []byte(b.String()))
}

// chart is the bar chart of money received per day, drawn as SVG.
type chart struct {
	Width, Height int
	Bars          []bar
	Summary       string
	MaxLabel      string
	Ticks         []tick
	BaseY         int
}

type bar struct {
	X, Y, W, H int
	Label      string
}

type tick struct {
	X     int
	Label string
}

// Chart geometry.
const (
	chartWidth  = 720
	chartHeight = 200
	chartLeft   = 8
	chartTop    = 24
	chartBottom = 24
)

// dailyChart draws one bar per day of the period, height by the money
// received that day; days without money have no bar.
func dailyChart(from, to time.Time, days []postgres.DayTotal) chart {
	n := int(to.Sub(from).Hours()/24) + 1
	ch := chart{Width: chartWidth, Height: chartHeight, BaseY: chartHeight - chartBottom}
	var most, total int64
	for _, d := range days {
		most = max(most, d.Received)
		total += d.Received
	}
	plot := chartWidth - 2*chartLeft
	slot := float64(plot) / float64(n)
	w := max(int(slot*0.7), 1)
	height := chartHeight - chartTop - chartBottom
	for _, d := range days {
		i := int(d.Day.Sub(from).Hours() / 24)
		if i < 0 || i >= n || d.Received <= 0 || most <= 0 {
			continue
		}
		h := max(int(int64(height)*d.Received/most), 1)
		x := chartLeft + int(float64(i)*slot+(slot-float64(w))/2)
		ch.Bars = append(ch.Bars, bar{X: x, Y: ch.BaseY - h, W: w, H: h,
			Label: fmt.Sprintf("%s: %s", d.Day.Format("2 Jan 2006"), formatMoney(d.Received))})
	}
	// A label under the first day, every 7th day and the last day.
	for i := 0; i < n; i += 7 {
		ch.Ticks = append(ch.Ticks, tick{X: chartLeft + int(float64(i)*slot), Label: from.AddDate(0, 0, i).Format("2 Jan")})
	}
	if most > 0 {
		ch.MaxLabel = "highest day: " + formatMoney(most)
	}
	ch.Summary = fmt.Sprintf("Money received per day from %s to %s: %s in all on %s, %s.",
		from.Format("2 Jan 2006"), to.Format("2 Jan 2006"), formatMoney(total), plural(len(days), "day"), orNone(ch.MaxLabel))
	return ch
}

func orNone(s string) string {
	if s == "" {
		return "no money received"
	}
	return s
}

// channelName is a payment method for people.
func channelName(method string) string {
	switch method {
	case "ideal":
		return "iDEAL"
	case "card":
		return "Card"
	case "transfer":
		return "Bank transfer"
	case "":
		return "Booked without a payment record"
	}
	return method
}

// The finance template's helpers.
func init() {
	funcs["channel"] = channelName
	funcs["provider"] = func(p string) string {
		switch p {
		case "mollie":
			return "Mollie"
		case "stripe":
			return "Stripe"
		case "bank":
			return "Bank"
		}
		return p
	}
	funcs["stateName"] = func(s collect.BankLineState) string {
		if n, ok := bankStateNames[s]; ok {
			return n
		}
		return string(s)
	}
	funcs["ageDays"] = func(n int) string { return plural(n, "day") }
	funcs["prevDay"] = func(t time.Time) time.Time { return t.AddDate(0, 0, -1) }
}

// bankStateNames say what became of a bank line; a state that is not here
// (unmatched, reversal) reads as its own word.
var bankStateNames = map[collect.BankLineState]string{
	collect.BankBooked:     "booked on an invoice",
	collect.BankMatched:    "matched to an invoice, being booked",
	collect.BankPayout:     "payout arrived",
	collect.BankSuggested:  "suggested: waiting for a decision",
	collect.BankNotHandled: "not handled",
	collect.BankReversed:   "reversed later",
	collect.BankHeld:       "held for finance",
	collect.BankPending:    "pending at the bank: not arrived, not booked",
}

// periodForm is the creditor-and-period form that the finance and
// analytics pages share (the "period" template in layout.html).
type periodForm struct {
	Action    string
	Creditors []collect.Creditor
	Selected  string // the creditor shown
	From, To  time.Time
}

func (f *financePage) Period() periodForm {
	return periodForm{Action: financePrefix, Creditors: f.Creditors, Selected: f.Creditor.ID, From: f.From, To: f.To}
}

func (a *analyticsPage) Period() periodForm {
	return periodForm{Action: analyticsPrefix, Creditors: a.Creditors, Selected: a.Creditor.ID, From: a.From, To: a.To}
}
