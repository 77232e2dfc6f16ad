package casework

import (
	"context"
	"slices"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// Limits of what a debtor may ask for in the portal; the creditor's policy
// then decides whether a plan inside them is approved at once or goes to an
// agent. A weekly or four-weekly plan may take as long (Frequency.InstalmentsIn).
const (
	PlanMaxMonths         = 60 // longest plan anyone can ask for
	PlanDefaultMonths     = 6  // what the form suggests
	PlanFirstWithinMonths = 3  // the first date lies at most this many months ahead
)

// Why a debtor's plan request is refused before it reaches the policy; the
// portal tells the debtor in their own language.
var (
	ErrPlanMonthly    = collect.Errorf(collect.EINVALID, "monthly", "the amount per instalment must be above zero")
	ErrPlanMonthlyLow = collect.Errorf(collect.EINVALID, "monthly", "the amount per instalment needs more than %d months", PlanMaxMonths)
	ErrPlanMonths     = collect.Errorf(collect.EINVALID, "months", "the number of instalments must fit in 1 to %d months", PlanMaxMonths)
	ErrPlanFirst      = collect.Errorf(collect.EINVALID, "first", "the first date must be after today and within %d months", PlanFirstWithinMonths)
	ErrPlanFrequency  = collect.Errorf(collect.EINVALID, "frequency", "choose weekly, fourweekly or monthly")
)

// PlanDesk is where every plan page of the portal starts: the debtor's
// statement and the dates a plan may start between.
type PlanDesk struct {
	Facts      collect.Facts
	Statement  collect.Statement
	Today      time.Time
	FirstLimit time.Time // the latest first date a debtor may choose
	// CanPropose is false when there is nothing to plan: nothing open but
	// disputed invoices, or an approved plan the debtor already pays by.
	CanPropose bool
	// Rewards are what keeping a plan would earn (RewardOffers).
	Rewards []RewardOffer
}

// OpenPlanDesk loads what a debtor's plan pages show on the day of now.
func OpenPlanDesk(ctx context.Context, db *postgres.DB, now time.Time, creditorID, debtorID string) (PlanDesk, error) {
	// The same day as the store's Today, which the statement and every other page use.
	today := collect.DutchDate(now)
	desk := PlanDesk{Today: today, FirstLimit: today.AddDate(0, PlanFirstWithinMonths, 0)}
	var err error
	// A disputed invoice is checked first, not planned: PayAll leaves it out.
	if desk.Facts, desk.Statement, err = db.Statement(ctx, creditorID, debtorID, today); err != nil || desk.Statement.PayAll() <= 0 {
		return desk, err
	}
	plans, err := db.Plans(ctx, creditorID, debtorID)
	if err != nil {
		return desk, err
	}
	for _, pl := range plans {
		if pl.Status == collect.PlanApproved {
			return desk, nil
		}
	}
	desk.CanPropose = true
	desk.Rewards, err = RewardOffers(ctx, db, desk.Statement, creditorID, true)
	return desk, err
}

// PlanRequest is a debtor's plan as typed in the portal: how often to pay,
// a number of instalments or an amount per instalment the number follows
// from, and the first date.
type PlanRequest struct {
	CreditorID string
	DebtorID   string
	Frequency  collect.Frequency // "" is monthly
	ByAmount   bool              // Monthly decides the number of instalments, not Months
	Monthly    int64             // cents per instalment; 0 when not given or not understood
	Months     int               // the number of instalments; 0 when not given or not understood
	First      time.Time
}

// PlanQuote is a plan request measured against the form's limits and the
// creditor's policy, and, once proposed, what became of it.
type PlanQuote struct {
	PlanDesk
	Months    int // the number of instalments
	Frequency collect.Frequency
	First     time.Time
	Schedule  []collect.Instalment
	// Asked is the amount per instalment the debtor typed, 0 for a request
	// by number: equal parts that pay the total exactly can differ from it,
	// and the debtor is told so (EUR 237.48 at EUR 20 a month is 12 × 19.79).
	Asked    int64
	Check    collect.PlanCheck // the policy's verdict and the rules broken
	Inside   bool              // approved at once: inside the policy, which approves automatically
	AnswerBy time.Time         // the date an agent answers by, when an agent decides
	// Nearest is the plan inside the policy that would be approved at once
	// instead of one that is not; nil when the request is inside, when the
	// creditor approves nothing at once, after a broken plan, or when no
	// plan of this frequency fits.
	Nearest *PlanOffer
	Plan    collect.Plan
}

// PlanOffer is a plan the debtor can choose as it stands.
type PlanOffer struct {
	Months   int // the number of instalments
	First    time.Time
	Schedule []collect.Instalment
}

// PreviewPlan measures a debtor's plan request without storing anything.
// A request outside the form's limits is one of the ErrPlan errors, with
// the quote's desk filled in to show the form again; when CanPropose is
// false there is nothing to plan and nothing else is filled in.
func PreviewPlan(ctx context.Context, db *postgres.DB, now time.Time, in PlanRequest) (PlanQuote, error) {
	q, check, err := quotePlan(ctx, db, now, in)
	if err != nil || !q.CanPropose {
		return q, err
	}
	q.Inside = check.Inside && q.Facts.Creditor.Policy.Plan.AutoApprove
	q.Nearest = nearestPlan(q)
	q.AnswerBy, err = answerDate(ctx, db, q.Facts.Creditor, q.Today)
	return q, err
}

// nearestPlan is what would be approved at once instead of q (see PlanQuote.Nearest).
func nearestPlan(q PlanQuote) *PlanOffer {
	pol := q.Facts.Creditor.Policy.Plan
	if q.Check.Inside || !pol.AutoApprove || slices.Contains(q.Check.Broken, collect.LimitBroke) {
		return nil
	}
	total := q.Statement.PayAll()
	n, first, ok := collect.NearestPlan(pol, total, q.Months, q.Frequency, q.First, q.Today)
	// The form's own limits hold too: never before tomorrow.
	if !ok || !first.After(q.Today) {
		return nil
	}
	return &PlanOffer{Months: n, First: first, Schedule: collect.Schedule(total, n, q.Frequency, first)}
}

// ProposePlan stores a debtor's plan: approved at once inside the creditor's
// policy when the policy allows that, else proposed to an agent, who answers
// by the quote's AnswerBy. Errors and CanPropose are as for PreviewPlan.
func ProposePlan(ctx context.Context, db *postgres.DB, now time.Time, in PlanRequest) (PlanQuote, error) {
	q, check, err := quotePlan(ctx, db, now, in)
	if err != nil || !q.CanPropose {
		return q, err
	}
	q.Plan, err = db.ProposePlan(ctx, collect.ProposePlan(collect.Plan{CreditorID: in.CreditorID, DebtorID: in.DebtorID, Total: q.Statement.PayAll(),
		Months: q.Months, Frequency: q.Frequency, FirstDue: q.First},
		check, q.Facts.Creditor.Policy.Plan.AutoApprove, now))
	if err != nil {
		return q, err
	}
	q.Inside = q.Plan.Status == collect.PlanApproved
	if q.Plan.Status == collect.PlanProposed {
		q.AnswerBy, err = answerDate(ctx, db, q.Facts.Creditor, collect.DutchDate(q.Plan.CreatedAt))
	}
	return q, err
}

// quotePlan checks a request against the form's limits and the creditor's
// policy; a plan broken in the last 12 months means an agent decides.
func quotePlan(ctx context.Context, db *postgres.DB, now time.Time, in PlanRequest) (PlanQuote, collect.PlanCheck, error) {
	desk, err := OpenPlanDesk(ctx, db, now, in.CreditorID, in.DebtorID)
	q := PlanQuote{PlanDesk: desk}
	if err != nil || !desk.CanPropose {
		return q, collect.PlanCheck{}, err
	}
	total := desk.Statement.PayAll()
	if in.Frequency == "" {
		in.Frequency = collect.Monthly
	}
	var ok bool
	if q.Frequency, ok = collect.ParseFrequency(string(in.Frequency)); !ok {
		return q, collect.PlanCheck{}, ErrPlanFrequency
	}
	if q.Months, err = planCount(in, q.Frequency, total); err != nil {
		return q, collect.PlanCheck{}, err
	}
	if in.ByAmount {
		q.Asked = in.Monthly
	}
	if q.First = collect.DateOf(in.First); !q.First.After(desk.Today) || q.First.After(desk.FirstLimit) {
		return q, collect.PlanCheck{}, ErrPlanFirst
	}
	broke, err := db.BrokePlanSince(ctx, in.DebtorID, desk.Today.AddDate(-1, 0, 0))
	if err != nil {
		return q, collect.PlanCheck{}, err
	}
	q.Schedule = collect.Schedule(total, q.Months, q.Frequency, q.First)
	q.Check = collect.CheckPlan(desk.Facts.Creditor.Policy.Plan, total, q.Months, q.Frequency, q.First, desk.Today, broke)
	return q, q.Check, nil
}

// planCount is the number of instalments of f a request asks for, within
// the form's limits.
func planCount(in PlanRequest, f collect.Frequency, total int64) (int, error) {
	most := f.InstalmentsIn(PlanMaxMonths)
	if !in.ByAmount {
		if in.Months < 1 || in.Months > most {
			return 0, ErrPlanMonths
		}
		return in.Months, nil
	}
	if in.Monthly <= 0 {
		return 0, ErrPlanMonthly
	}
	n := collect.InstalmentsFor(total, in.Monthly)
	if n > most {
		return 0, ErrPlanMonthlyLow
	}
	return n, nil
}

// PlanMaxInstalments is the largest number of instalments of f a debtor
// may ask for in the portal.
func PlanMaxInstalments(f collect.Frequency) int { return f.InstalmentsIn(PlanMaxMonths) }

// answerDate is the date by which an agent of cr answers a request made on day.
func answerDate(ctx context.Context, db *postgres.DB, cr collect.Creditor, day time.Time) (time.Time, error) {
	cal, err := db.Calendar(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return collect.AnswerDate(cal, day, cr.Policy.AnswerDays), nil
}

// CounterAnswer is a debtor's answer to an agent's counter-offer.
type CounterAnswer struct {
	CreditorID string
	DebtorID   string
	PlanID     string
	Accept     bool
}

// AnsweredCounter is the counter-offer a debtor answered, as it stood
// before the answer, with the debtor's statement to show it with.
type AnsweredCounter struct {
	PlanDesk
	Plan collect.Plan
}

// AnswerCounter records a debtor's answer to a counter-offer: accepted, the
// offer becomes the debtor's plan; declined, it ends. A plan that is not the
// debtor's is not found; an offer no longer open (replaced, or answered
// before) is a conflict.
func AnswerCounter(ctx context.Context, db *postgres.DB, now time.Time, in CounterAnswer) (AnsweredCounter, error) {
	var out AnsweredCounter
	plan, err := debtorPlan(ctx, db, in.CreditorID, in.DebtorID, in.PlanID)
	if err != nil {
		return out, err
	}
	if out.PlanDesk, err = OpenPlanDesk(ctx, db, now, in.CreditorID, in.DebtorID); err != nil {
		return out, err
	}
	out.Plan = plan
	if plan.Status != collect.PlanCountered {
		return out, collect.Errorf(collect.ECONFLICT, "", "this offer can no longer be answered")
	}
	return out, db.AnswerCounter(ctx, in.CreditorID, in.DebtorID, plan.ID, in.Accept)
}

// debtorPlan is one of the debtor's plans; any other id is not found, so an
// answer never lands on another debtor's plan through a mixed-up address.
func debtorPlan(ctx context.Context, db *postgres.DB, creditorID, debtorID, planID string) (collect.Plan, error) {
	plans, err := db.Plans(ctx, creditorID, debtorID)
	if err != nil {
		return collect.Plan{}, err
	}
	for _, p := range plans {
		if p.ID == planID {
			return p, nil
		}
	}
	return collect.Plan{}, collect.Errorf(collect.ENOTFOUND, "", "plan not found")
}

// PlanDecision is an agent's answer to a debtor's proposal: "approve",
// "reject" (with the reason the debtor reads) or "counter" (with Counter's
// total, months and first due date).
type PlanDecision struct {
	AgentID    string
	CreditorID string
	DebtorID   string
	PlanID     string
	Decision   string
	Reason     string
	Counter    *collect.Plan
}

// DecidePlan records an agent's decision on a proposal of the debtor's, in
// one transaction with its audit record and the message that brings the
// answer to the debtor; a proposal answered before is a conflict. The store
// stamps the decision with its own clock.
func DecidePlan(ctx context.Context, db *postgres.DB, in PlanDecision) (collect.Plan, error) {
	switch in.Decision {
	case "approve":
	case "reject":
		if in.Reason == "" {
			return collect.Plan{}, collect.Errorf(collect.EINVALID, "reason", "write the reason the debtor will read")
		}
	case "counter":
		if in.Counter == nil {
			return collect.Plan{}, collect.Errorf(collect.EINVALID, "months", "a counter-offer needs terms")
		}
	default:
		return collect.Plan{}, collect.Errorf(collect.EINVALID, "decision", "choose approve, reject or counter")
	}
	if _, err := debtorPlan(ctx, db, in.CreditorID, in.DebtorID, in.PlanID); err != nil {
		return collect.Plan{}, err
	}
	tell, err := answerMessage(ctx, db, db.Now(), in.CreditorID, in.DebtorID, planAnswerKinds[in.Decision])
	if err != nil {
		return collect.Plan{}, err
	}
	return db.DecidePlan(ctx, in.AgentID, in.CreditorID, in.PlanID, in.Decision, in.Reason, in.Counter, tell)
}

// OfferPlan offers a debtor an agent's own plan (after a hardship report,
// say): a counter-offer the debtor accepts or declines in the portal, which
// replaces any open proposal or offer. The debtor gets a message about it.
func OfferPlan(ctx context.Context, db *postgres.DB, agentID, creditorID, debtorID string, terms collect.Plan) (collect.Plan, error) {
	if _, err := db.Debtor(ctx, creditorID, debtorID); err != nil {
		return collect.Plan{}, err
	}
	tell, err := answerMessage(ctx, db, db.Now(), creditorID, debtorID, collect.KindPlanCountered)
	if err != nil {
		return collect.Plan{}, err
	}
	return db.OfferPlan(ctx, agentID, creditorID, debtorID, terms, tell)
}

// PlanStanding is a plan with where each of its instalments stands on a day.
type PlanStanding struct {
	collect.Plan
	Rows   []InstalmentStanding
	Kept   int // instalments paid in full
	Missed int // instalments not paid in full after their due date
}

// InstalmentStanding is one instalment and where it stands.
type InstalmentStanding struct {
	collect.PlanInstalment
	State collect.InstalmentState
}

// StandingOf is where plan's instalments stand on today.
func StandingOf(plan collect.Plan, today time.Time) PlanStanding {
	s := PlanStanding{Plan: plan}
	for _, in := range plan.Instalments {
		row := InstalmentStanding{PlanInstalment: in, State: in.State(today)}
		switch row.State {
		case collect.InstalmentPaid:
			s.Kept++
		case collect.InstalmentLate:
			s.Missed++
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

// PlansOnFile are a debtor's plans, newest first, as an agent reads them on
// the debtor's file on the day of now, and how many still wait for an answer.
func PlansOnFile(ctx context.Context, db *postgres.DB, now time.Time, creditorID, debtorID string) ([]PlanStanding, int, error) {
	plans, err := db.Plans(ctx, creditorID, debtorID)
	if err != nil {
		return nil, 0, err
	}
	today := collect.DutchDate(now)
	out := make([]PlanStanding, 0, len(plans))
	open := 0
	for _, p := range plans {
		if p.Status.Open() {
			open++
		}
		out = append(out, StandingOf(p, today))
	}
	return out, open, nil
}

// ReviewPlans settles approved plans as time passes: completed once every
// instalment is paid; missed instalments are followed up and a plan is
// broken after the creditor's number of misses (FollowUpDayAfter). Each
// change is one transaction with its audit record; the store's clock says
// what day it is.
func ReviewPlans(ctx context.Context, db *postgres.DB) (postgres.PlanReview, error) {
	r, err := db.ReviewPlans(ctx)
	if err != nil {
		return r, err
	}
	d, err := FollowUpDayAfter(ctx, db, db.Now())
	r.Broken = d.PlansBroken
	return r, err
}
