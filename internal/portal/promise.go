package portal

import (
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

func (p *Portal) registerPromise(g signedIn) {
	g.Get("/promise", p.promisePage)
	g.Post("/promise", p.promiseMake)
	g.Post("/promises/:id/move", p.promiseMove)
	g.Post("/instalments/:id/move", p.instalmentMove)
}

// promiseView is the debtor's promises as the overview and the promise
// page show them: the promise that holds, a missed one with its one-tap
// payment, the missed plan parts, and what a new promise may cover.
type promiseView struct {
	casework.PromiseDesk
	MissedPay template.URL // the method page's query for the missed promise's amount
	Parts     []instalmentRow
	Invoices  []collect.Line // the open invoices a promise may be for
}

// newPromiseView words d; invoices are its statement's undisputed lines,
// which the overview has already listed.
func newPromiseView(d casework.PromiseDesk, invoices []collect.Line) *promiseView {
	v := &promiseView{PromiseDesk: d, Invoices: invoices}
	if d.Missed != nil {
		v.MissedPay = template.URL(payQuery(payChoice{Amount: d.Missed.Amount}))
	}
	for _, in := range d.MissedParts {
		v.Parts = append(v.Parts, instalmentRow{ID: in.ID, Seq: in.Seq, Due: in.Due, Amount: in.Amount, Open: in.Amount - in.Paid,
			State: in.State(d.Today), PayQuery: template.URL(payQuery(payChoice{Amount: in.Amount - in.Paid, InstalmentID: in.ID}))})
	}
	return v
}

// showPromise shows the promise form, the promise that holds, and what was
// missed with a way to pay it or choose a new date once. saved and problem
// are the outcome of a form just sent.
func (p *Portal) showPromise(c *fiber.Ctx, status int, saved bool, problem string) error {
	s := sessionOf(c)
	d, err := casework.OpenPromiseDesk(c.UserContext(), p.DB, p.Now(), s.CreditorID, s.DebtorID)
	if err != nil {
		return err
	}
	pr := p.printer(c)
	v := view{P: pr, Title: pr.T("promise.title"), Creditor: d.Facts.Creditor, SignedIn: true, Debtor: d.Facts.Debtor,
		Statement: d.Statement, Today: d.Today, Promise: newPromiseView(d, d.Statement.Undisputed()), Saved: saved, Problem: problem, CanPay: p.Pay != nil,
		Form: map[string]string{"on": c.FormValue("on"), "invoice": c.FormValue("invoice")}}
	return p.render(c, status, "promise", v)
}

func (p *Portal) promisePage(c *fiber.Ctx) error { return p.showPromise(c, fiber.StatusOK, false, "") }

// promiseMake records "I will pay on <date>" for one invoice or everything.
func (p *Portal) promiseMake(c *fiber.Ctx) error {
	s := sessionOf(c)
	on, _ := time.Parse(time.DateOnly, c.FormValue("on"))
	_, err := casework.MakePromise(c.UserContext(), p.DB, p.Now(), casework.PromiseRequest{CreditorID: s.CreditorID, DebtorID: s.DebtorID,
		InvoiceID: c.FormValue("invoice"), On: on})
	return p.promiseOutcome(c, err)
}

// promiseMove gives a promise a new date, once.
func (p *Portal) promiseMove(c *fiber.Ctx) error {
	s := sessionOf(c)
	on, _ := time.Parse(time.DateOnly, c.FormValue("on"))
	_, err := casework.MovePromise(c.UserContext(), p.DB, p.Now(), s.CreditorID, s.DebtorID, c.Params("id"), on)
	return p.promiseOutcome(c, err)
}

// instalmentMove gives a missed plan part a new date, once.
func (p *Portal) instalmentMove(c *fiber.Ctx) error {
	s := sessionOf(c)
	on, _ := time.Parse(time.DateOnly, c.FormValue("on"))
	err := casework.MoveInstalment(c.UserContext(), p.DB, p.Now(), s.CreditorID, s.DebtorID, c.Params("id"), on)
	return p.promiseOutcome(c, err)
}

// promiseOutcome shows the promise page after a form: saved, or why not in
// the debtor's words. Another debtor's promise or part is not found.
func (p *Portal) promiseOutcome(c *fiber.Ctx, err error) error {
	pr := p.printer(c)
	switch collect.ErrorCode(err) {
	case collect.ENOTFOUND:
		return fiber.ErrNotFound
	case collect.EINVALID:
		return p.showPromise(c, fiber.StatusUnprocessableEntity, false, pr.T("promise.error.date"))
	case collect.ECONFLICT:
		return p.showPromise(c, fiber.StatusConflict, false, pr.T("promise.error.once"))
	}
	if err != nil {
		return err
	}
	return p.showPromise(c, fiber.StatusOK, true, "")
}

// promised adds the debtor's promises to the overview, and keeps it calm:
// under breathing space, a promise or a kept plan it says neither "late"
// nor "pay as soon as you can", but what was agreed.
func promised(v *view, o casework.DebtorOverview) {
	v.Promise = newPromiseView(o.Promises, v.Open)
	open := o.Promises.Open
	v.Calm = o.Breathing != nil || open != nil || o.Approved != nil
	if len(v.NextSteps) == 0 || v.NextSteps[0] != v.P.T("next.overdue") {
		return
	}
	switch {
	case open != nil:
		v.NextSteps[0] = v.P.T("next.promise", v.P.Date(open.PromisedOn), v.P.Money(open.Amount))
	case o.Breathing != nil:
		v.NextSteps[0] = v.P.T("next.breathing")
	}
}
