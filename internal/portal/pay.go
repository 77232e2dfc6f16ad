package portal

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/pay"
)

// MinPayment is the smallest amount a debtor can choose to pay.
const MinPayment = 500

func (p *Portal) registerPay(g signedIn) {
	if p.Pay == nil {
		return
	}
	g.Get("/pay", p.payChoose)
	g.Get("/pay/method", p.payMethod)
	g.Post("/pay", p.payStart)
	g.Get("/pay/return/:id", p.payReturn)
}

// payChoice is what the debtor chose to pay: everything, one invoice, or an amount.
type payChoice struct {
	Amount       int64
	InvoiceID    string
	InstalmentID string // one instalment of an approved plan
	Label        string
}

// choice reads and checks what to pay from the form or query.
func (p *Portal) choice(c *fiber.Ctx, st collect.Statement) (payChoice, string) {
	pr := p.printer(c)
	switch c.FormValue("what", c.Query("what")) {
	case "invoice":
		id := c.FormValue("invoice", c.Query("invoice"))
		l, ok := st.Line(id)
		if !ok || l.Total() <= 0 {
			return payChoice{}, pr.T("pay.error.invoice")
		}
		return payChoice{Amount: l.Total(), InvoiceID: id, Label: pr.T("pay.label.invoice", l.Invoice.Number)}, ""
	case "amount":
		if id := c.FormValue("instalment", c.Query("instalment")); id != "" {
			return p.instalmentChoice(c, st, id)
		}
		raw := c.FormValue("amount", c.Query("amount"))
		cents, err := money.ParseInput(raw)
		switch {
		case err != nil:
			return payChoice{}, pr.T("pay.error.amount")
		case cents < MinPayment:
			return payChoice{}, pr.T("pay.error.min", pr.Money(MinPayment))
		case cents > st.PayAll():
			return payChoice{}, pr.T("pay.error.max", pr.Money(st.PayAll()))
		}
		return payChoice{Amount: cents, Label: pr.T("pay.label.part")}, ""
	default:
		// Everything but what the debtor disputes: that is checked first.
		return payChoice{Amount: st.PayAll(), Label: pr.T("pay.label.all")}, ""
	}
}

// instalmentChoice pays what is open on one instalment of the debtor's
// approved plan, so the payment is linked to it. Another debtor's
// instalment is simply not found.
func (p *Portal) instalmentChoice(c *fiber.Ctx, st collect.Statement, id string) (payChoice, string) {
	pr := p.printer(c)
	s := sessionOf(c)
	in, open, err := casework.InstalmentToPay(c.UserContext(), p.DB, s.CreditorID, s.DebtorID, id, st.PayAll())
	if err != nil {
		if !collect.IsNotFound(err) {
			p.Log.Warn("plans for instalment", "err", err)
		}
		return payChoice{}, pr.T("pay.error.instalment")
	}
	return payChoice{Amount: open, InstalmentID: id, Label: pr.T("pay.label.instalment", in.Seq)}, ""
}

func (p *Portal) payChoose(c *fiber.Ctx) error {
	f, st, err := p.statement(c)
	if err != nil {
		return err
	}
	pr := p.printer(c)
	v := view{P: pr, Title: pr.T("pay.title"), Creditor: f.Creditor, SignedIn: true, Debtor: f.Debtor, Statement: st, Open: st.Undisputed(),
		Selected: c.Query("invoice"), MinAmount: pr.Money(MinPayment)}
	if len(v.Open) == 0 {
		return c.Redirect("/overview", fiber.StatusSeeOther)
	}
	return p.render(c, fiber.StatusOK, "pay", v)
}

func (p *Portal) payMethod(c *fiber.Ctx) error {
	f, st, err := p.statement(c)
	if err != nil {
		return err
	}
	pr := p.printer(c)
	ch, problem := p.choice(c, st)
	v := view{P: pr, Title: pr.T("pay.method.title"), Creditor: f.Creditor, SignedIn: true, Debtor: f.Debtor, Statement: st, Open: st.Undisputed(), MinAmount: pr.Money(MinPayment)}
	if problem != "" {
		v.Title, v.Problem, v.Selected = pr.T("pay.title"), problem, c.Query("invoice")
		v.Typed = c.Query("amount")
		return p.render(c, fiber.StatusUnprocessableEntity, "pay", v)
	}
	v.Choice = ch
	return p.render(c, fiber.StatusOK, "paymethod", v)
}

// payStart starts a checkout for what the debtor chose and sends them to
// the provider's page. A provider that fails gets a calm page offering the
// other method.
func (p *Portal) payStart(c *fiber.Ctx) error {
	s := sessionOf(c)
	f, st, err := p.statement(c)
	if err != nil {
		return err
	}
	pr := p.printer(c)
	ch, problem := p.choice(c, st)
	method := pay.Method(c.FormValue("method"))
	if method != pay.IDEAL && method != pay.Card {
		problem = pr.T("pay.error.method")
	}
	if problem != "" {
		return p.render(c, fiber.StatusUnprocessableEntity, "pay", view{P: pr, Title: pr.T("pay.title"), Creditor: f.Creditor, SignedIn: true,
			Statement: st, Open: st.Open(), Problem: problem, MinAmount: pr.Money(MinPayment)})
	}
	redirect, err := p.Pay.StartCheckout(c.UserContext(), casework.CheckoutOrder{Creditor: f.Creditor, DebtorID: s.DebtorID,
		Amount: ch.Amount, InvoiceID: ch.InvoiceID, InstalmentID: ch.InstalmentID, Method: method, Description: f.Creditor.Name + " " + ch.Label})
	if errors.Is(err, pay.ErrUnavailable) {
		v := view{P: pr, Title: pr.T("pay.unavailable.title"), Creditor: f.Creditor, SignedIn: true, Choice: ch,
			Problem: pr.T("pay.unavailable." + string(method)), Statement: st}
		return p.render(c, fiber.StatusServiceUnavailable, "paymethod", v)
	}
	if err != nil {
		return err
	}
	return c.Redirect(redirect, fiber.StatusSeeOther)
}

// payReturn is where the provider sends the debtor back: it shows the
// payment's result, asked of the provider at once (casework.Payments.PaymentOnReturn).
func (p *Portal) payReturn(c *fiber.Ctx) error {
	s := sessionOf(c)
	rec, err := p.Pay.PaymentOnReturn(c.UserContext(), s.CreditorID, s.DebtorID, c.Params("id"))
	if err != nil {
		return err
	}
	f, st, err := p.statement(c)
	if err != nil {
		return err
	}
	pr := p.printer(c)
	v := view{P: pr, Title: pr.T("pay.result." + resultKey(rec.Status)), Result: resultKey(rec.Status), Creditor: f.Creditor, SignedIn: true, Statement: st, Open: st.Open(), Payment: rec,
		Choice: payChoice{Amount: rec.Amount, InvoiceID: rec.InvoiceID, InstalmentID: rec.InstalmentID}}
	if rec.Status.Final() {
		v.Choice.Amount = min(rec.Amount, st.PayAll())
		if rec.InvoiceID != "" {
			if l, ok := st.Line(rec.InvoiceID); ok && l.Total() > 0 {
				v.Choice.Amount = l.Total()
			}
		}
	}
	switch v.Result {
	case "paid":
		v.PaidOn = pr.Date(paidDay(rec))
	case "pending":
		// Refresh by itself a few times, without JavaScript: the HTTP Refresh
		// header, stopped after five tries so the page never loops forever.
		if n := c.QueryInt("n"); n < 5 {
			c.Set("Refresh", fmt.Sprintf("5; url=/pay/return/%s?n=%d", rec.ID, n+1))
			v.AutoRefresh = true
		}
	}
	return p.render(c, fiber.StatusOK, "payresult", v)
}

func resultKey(s pay.Status) string {
	switch s {
	case pay.StatusPaid, pay.StatusRefunded, pay.StatusChargedBack:
		return "paid"
	case pay.StatusOpen, pay.StatusPending:
		return "pending"
	}
	return "failed"
}

// payQuery is the query string that carries a choice to the method page.
func payQuery(ch payChoice) string {
	q := url.Values{}
	if ch.InvoiceID != "" {
		q.Set("what", "invoice")
		q.Set("invoice", ch.InvoiceID)
	} else {
		q.Set("what", "amount")
		q.Set("amount", strconv.FormatInt(ch.Amount/100, 10)+","+pad2(ch.Amount%100))
		if ch.InstalmentID != "" {
			q.Set("instalment", ch.InstalmentID)
		}
	}
	return q.Encode()
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
