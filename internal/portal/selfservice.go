package portal

import (
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// selfServiceActions are the overview's ways out besides paying: pay in
// parts, "I can't pay now" and how to be contacted. "I don't agree" is per
// invoice, on the invoice page.
var selfServiceActions = []Action{
	{Key: "action.plan", Path: "/plan"},
	{Key: "action.hardship", Path: "/hardship"},
	{Key: "action.contact", Path: "/contact", Always: true},
}

// dayOf is the Dutch date of a moment.
func dayOf(t time.Time) time.Time { return collect.DutchDate(t) }

func sessionOf(c *fiber.Ctx) postgres.Session { return c.Locals("session").(postgres.Session) }

// planView is a plan with each instalment's state, for the overview.
type planView struct {
	collect.Plan
	Rows     []instalmentRow
	AnswerBy time.Time
}

// instalmentRow is one instalment: paid, open or late, and what is still open on it.
type instalmentRow struct {
	ID       string
	Seq      int
	Due      time.Time
	Amount   int64
	Open     int64
	State    collect.InstalmentState
	PayQuery template.URL // see view.PayQuery
}

func newPlanView(pl collect.Plan, today time.Time) *planView {
	v := &planView{Plan: pl}
	for _, in := range pl.Instalments {
		r := instalmentRow{ID: in.ID, Seq: in.Seq, Due: in.Due, Amount: in.Amount, Open: max(in.Amount-in.Paid, 0), State: in.State(today)}
		if r.Open > 0 {
			r.PayQuery = template.URL(payQuery(payChoice{Amount: r.Open, InstalmentID: in.ID}))
		}
		v.Rows = append(v.Rows, r)
	}
	return v
}

// disputeView is one dispute as the debtor reads it.
type disputeView struct {
	collect.Dispute
	Number   string
	Opened   time.Time
	AnswerBy time.Time
}

// selfService adds to the overview what the debtor asked for: plans,
// disputes and breathing space.
func (p *Portal) selfService(c *fiber.Ctx, v *view, st collect.Statement) error {
	ctx := c.UserContext()
	s := sessionOf(c)
	today := p.DB.Today()
	cal, err := p.DB.Calendar(ctx)
	if err != nil {
		return err
	}
	days := v.Creditor.Policy.AnswerDays
	plans, err := p.DB.Plans(ctx, s.CreditorID, s.DebtorID)
	if err != nil {
		return err
	}
	for i, pl := range plans {
		switch pl.Status {
		case collect.PlanApproved:
			if v.Approved == nil {
				v.Approved = newPlanView(pl, today)
			}
		case collect.PlanProposed, collect.PlanCountered, collect.PlanRejected:
			// A debtor has one open question at a time; a refusal counts
			// only while it is the newest plan, later it is history.
			if v.PlanAsk == nil && (pl.Status != collect.PlanRejected || i == 0) {
				v.PlanAsk = newPlanView(pl, today)
				v.PlanAsk.AnswerBy = collect.AnswerDate(cal, dayOf(pl.CreatedAt), days)
			}
		}
	}
	ds, err := p.DB.Disputes(ctx, s.CreditorID, s.DebtorID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		dv := disputeView{Dispute: d, Opened: dayOf(d.CreatedAt), AnswerBy: collect.AnswerDate(cal, dayOf(d.CreatedAt), days)}
		if l, ok := st.Line(d.InvoiceID); ok {
			dv.Number = l.Invoice.Number
		}
		v.Disputes = append(v.Disputes, dv)
	}
	hs, err := p.DB.Hardships(ctx, s.CreditorID, s.DebtorID)
	if err != nil {
		return err
	}
	for i := range hs {
		if hs[i].Status != collect.HardshipWontPay && !hs[i].BreathingUntil.Before(today) {
			v.Breathing = &hs[i]
			break
		}
	}
	return nil
}
