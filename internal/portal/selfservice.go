package portal

import (
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// selfServiceActions are the overview's ways out besides paying: pay in
// parts, "I can't pay now" and how to be contacted. "I don't agree" is per
// invoice, on the invoice page.
var selfServiceActions = []Action{
	{Key: "action.plan", Path: "/plan"},
	{Key: "action.promise", Path: "/promise"},
	{Key: "action.hardship", Path: "/hardship"},
	{Key: "action.contact", Path: "/contact", Always: true},
}

func sessionOf(c *fiber.Ctx) postgres.Session { return c.Locals("session").(postgres.Session) }

// planView is a plan with each instalment's state, for the overview.
type planView struct {
	collect.Plan
	Rows     []instalmentRow
	AnswerBy time.Time
	// DirectDebit is where automatic collection stands (directDebitOffer,
	// ...), "" when not offered.
	DirectDebit string
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
	// Next marks the first instalment with money still open: the one to pay now.
	Next bool
}

func newPlanView(pl collect.Plan, today time.Time) *planView {
	v := &planView{Plan: pl}
	next := false
	for _, in := range pl.Instalments {
		r := instalmentRow{ID: in.ID, Seq: in.Seq, Due: in.Due, Amount: in.Amount, Open: max(in.Amount-in.Paid, 0), State: in.State(today)}
		if r.Open > 0 {
			r.PayQuery = template.URL(payQuery(payChoice{Amount: r.Open, InstalmentID: in.ID}))
			r.Next = !next
			next = true
		}
		v.Rows = append(v.Rows, r)
	}
	return v
}

// selfService adds to the overview what the debtor asked for: plans,
// disputes and breathing space.
func selfService(v *view, o casework.DebtorOverview) {
	v.Rewards = rewardLines(v.P, o.Rewards, "")
	if o.Approved != nil {
		v.Approved = newPlanView(*o.Approved, o.Today)
	}
	if o.Question != nil {
		v.PlanAsk = newPlanView(*o.Question, o.Today)
		v.PlanAsk.AnswerBy = o.QuestionAnswerBy
	}
	v.Disputes = o.Disputes
	v.Breathing = o.Breathing
}
