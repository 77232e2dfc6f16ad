package portal

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// MinPayment is the smallest amount a debtor can choose to pay.
const MinPayment = 500

// Payments is what the pay pages need beyond the portal itself.
type Payments struct {
	Providers *pay.Registry
	// BaseURL is where providers send the debtor back and post webhooks.
	BaseURL string
	// Sync asks the provider for a payment's state right away (the return page).
	Sync func(ctx context.Context, paymentID string) error
}

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
		case cents > st.Total():
			return payChoice{}, pr.T("pay.error.max", pr.Money(st.Total()))
		}
		return payChoice{Amount: cents, Label: pr.T("pay.label.part")}, ""
	default:
		return payChoice{Amount: st.Total(), Label: pr.T("pay.label.all")}, ""
	}
}

// instalmentChoice pays what is open on one instalment of the debtor's
// approved plan, so the payment is linked to it. Another debtor's
// instalment is simply not found.
func (p *Portal) instalmentChoice(c *fiber.Ctx, st collect.Statement, id string) (payChoice, string) {
	pr := p.printer(c)
	s := sessionOf(c)
	plans, err := p.DB.Plans(c.UserContext(), s.CreditorID, s.DebtorID)
	if err != nil {
		p.Log.Warn("plans for instalment", "err", err)
		return payChoice{}, pr.T("pay.error.instalment")
	}
	for _, pl := range plans {
		if pl.Status != collect.PlanApproved {
			continue
		}
		for _, in := range pl.Instalments {
			if in.ID != id {
				continue
			}
			open := min(in.Amount-in.Paid, st.Total())
			if open <= 0 {
				return payChoice{}, pr.T("pay.error.instalment")
			}
			return payChoice{Amount: open, InstalmentID: id, Label: pr.T("pay.label.instalment", in.Seq)}, ""
		}
	}
	return payChoice{}, pr.T("pay.error.instalment")
}

func (p *Portal) payChoose(c *fiber.Ctx) error {
	f, st, err := p.statement(c)
	if err != nil {
		return err
	}
	pr := p.printer(c)
	v := view{P: pr, Title: pr.T("pay.title"), Creditor: f.Creditor, SignedIn: true, Debtor: f.Debtor, Statement: st, Open: st.Open(),
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
	v := view{P: pr, Title: pr.T("pay.method.title"), Creditor: f.Creditor, SignedIn: true, Debtor: f.Debtor, Statement: st, Open: st.Open(), MinAmount: pr.Money(MinPayment)}
	if problem != "" {
		v.Title, v.Problem, v.Selected = pr.T("pay.title"), problem, c.Query("invoice")
		v.Typed = c.Query("amount")
		return p.render(c, fiber.StatusUnprocessableEntity, "pay", v)
	}
	v.Choice = ch
	return p.render(c, fiber.StatusOK, "paymethod", v)
}

// payStart records our payment first, then asks the provider for a checkout
// page and sends the debtor there. A provider that fails gets a calm page
// offering the other method.
func (p *Portal) payStart(c *fiber.Ctx) error {
	ctx := c.UserContext()
	s := c.Locals("session").(postgres.Session)
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
	prov, err := p.Pay.Providers.For(pay.SetupOf(f.Creditor), method)
	if err != nil {
		return err
	}
	rec, err := p.DB.CreatePayment(ctx, collect.Payment{CreditorID: s.CreditorID, DebtorID: s.DebtorID, InvoiceID: ch.InvoiceID,
		Amount: ch.Amount, Provider: prov.Name(), Method: string(method), InstalmentID: ch.InstalmentID})
	if err != nil {
		return err
	}
	co, err := prov.Checkout(ctx, pay.CheckoutRequest{
		PaymentID: rec.ID, Amount: rec.Amount, Method: method, IdempotencyKey: rec.ID,
		Description: f.Creditor.Name + " " + ch.Label,
		ReturnURL:   p.Pay.BaseURL + "/pay/return/" + rec.ID,
		WebhookURL:  p.Pay.BaseURL + "/webhooks/mollie",
	})
	if err != nil {
		p.Log.Warn("checkout failed", "provider", prov.Name(), "method", method, "payment_id", rec.ID, "err", err)
		if ferr := p.DB.FailCheckout(ctx, rec.ID); ferr != nil {
			return ferr
		}
		if !errors.Is(err, pay.ErrUnavailable) {
			return err
		}
		v := view{P: pr, Title: pr.T("pay.unavailable.title"), Creditor: f.Creditor, SignedIn: true, Choice: ch,
			Problem: pr.T("pay.unavailable." + string(method)), Statement: st}
		return p.render(c, fiber.StatusServiceUnavailable, "paymethod", v)
	}
	if err := p.DB.StartCheckout(ctx, rec.ID, co); err != nil {
		return err
	}
	return c.Redirect(co.RedirectURL, fiber.StatusSeeOther)
}

// payReturn is where the provider sends the debtor back. It asks the
// provider at once, so the debtor sees the result without waiting for a webhook.
func (p *Portal) payReturn(c *fiber.Ctx) error {
	ctx := c.UserContext()
	s := c.Locals("session").(postgres.Session)
	rec, err := p.DB.PaymentOfDebtor(ctx, s.CreditorID, s.DebtorID, c.Params("id"))
	if err != nil {
		return err
	}
	if rec.Status == pay.StatusOpen || rec.Status == pay.StatusPending {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := p.Pay.Sync(sctx, rec.ID); err != nil {
			p.Log.Warn("sync on return", "payment_id", rec.ID, "err", err)
		}
		cancel()
		if rec, err = p.DB.PaymentOfDebtor(ctx, s.CreditorID, s.DebtorID, rec.ID); err != nil {
			return err
		}
	}
	f, st, err := p.statement(c)
	if err != nil {
		return err
	}
	pr := p.printer(c)
	v := view{P: pr, Title: pr.T("pay.result." + resultKey(rec.Status)), Result: resultKey(rec.Status), Creditor: f.Creditor, SignedIn: true, Statement: st, Open: st.Open(), Payment: rec,
		Choice: payChoice{Amount: rec.Amount, InvoiceID: rec.InvoiceID, InstalmentID: rec.InstalmentID}}
	if rec.Status.Final() {
		v.Choice.Amount = min(rec.Amount, st.Total())
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
