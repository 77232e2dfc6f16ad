package casework

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// PromiseRequest is "I will pay on On" for one invoice, or for everything
// when InvoiceID is empty. AgentID is set when an agent records it.
type PromiseRequest struct {
	CreditorID string
	DebtorID   string
	InvoiceID  string
	On         time.Time
	AgentID    string
}

// MakePromise records a promise to pay on the day of now: for what will be
// owed in its scope on the promised date (OwedOn, so paying that amount
// keeps it), within the creditor's limit, once per invoice unless an agent
// agrees another. Collection steps of the invoices it covers pause until
// the date (the outreach planner's hold).
func MakePromise(ctx context.Context, db *postgres.DB, now time.Time, in PromiseRequest) (collect.Promise, error) {
	today := collect.DutchDate(now)
	pol, err := db.PromisePolicy(ctx, in.CreditorID)
	if err != nil {
		return collect.Promise{}, err
	}
	_, st, err := db.Statement(ctx, in.CreditorID, in.DebtorID, today)
	if err != nil {
		return collect.Promise{}, err
	}
	if open, err := scopeTotal(st, in.InvoiceID); err != nil || open <= 0 {
		return collect.Promise{}, cmp.Or(err, error(collect.Errorf(collect.EINVALID, "invoice", "there is nothing to pay")))
	}
	earlier, err := db.Promises(ctx, in.CreditorID, in.DebtorID)
	if err != nil {
		return collect.Promise{}, err
	}
	if err := collect.CheckPromise(pol, in.InvoiceID, in.On, today, in.AgentID != "", earlier); err != nil {
		return collect.Promise{}, err
	}
	then, err := OwedOn(ctx, db, in.CreditorID, in.DebtorID, in.On)
	if err != nil {
		return collect.Promise{}, err
	}
	amount, err := scopeTotal(then, in.InvoiceID)
	if err != nil {
		return collect.Promise{}, err
	}
	p := collect.Promise{CreditorID: in.CreditorID, DebtorID: in.DebtorID, InvoiceID: in.InvoiceID, PromisedOn: in.On,
		Amount: amount, MadeBy: madeBy(in.AgentID), CreatedAt: now}
	return db.MakePromise(ctx, p, nil)
}

// scopeTotal is what is open on a statement for one invoice, or for
// everything when invoiceID is empty: "everything" leaves out a disputed
// invoice, as paying everything does.
func scopeTotal(st collect.Statement, invoiceID string) (int64, error) {
	if invoiceID == "" {
		return st.PayAll(), nil
	}
	line, ok := st.Line(invoiceID)
	if !ok {
		return 0, collect.Errorf(collect.ENOTFOUND, "invoice", "invoice not found")
	}
	return line.Total(), nil
}

func madeBy(agentID string) string {
	if agentID == "" {
		return collect.MadeByDebtor
	}
	return agentID
}

// SetPromisePolicy sets how far ahead a creditor's debtors may promise and
// after how many missed instalments a plan breaks, with its audit record.
func SetPromisePolicy(ctx context.Context, db *postgres.DB, actor, creditorID string, pol collect.PromisePolicy) error {
	if err := collect.CheckPromisePolicy(pol); err != nil {
		return err
	}
	return db.SetPromisePolicy(ctx, actor, creditorID, pol)
}

// MovePromise gives a debtor's promise a new date, once: the new promise
// is for what is still unpaid of it, and names the one it moves.
func MovePromise(ctx context.Context, db *postgres.DB, now time.Time, creditorID, debtorID, promiseID string, on time.Time) (collect.Promise, error) {
	today := collect.DutchDate(now)
	pol, err := db.PromisePolicy(ctx, creditorID)
	if err != nil {
		return collect.Promise{}, err
	}
	ps, err := db.Promises(ctx, creditorID, debtorID)
	if err != nil {
		return collect.Promise{}, err
	}
	i := slices.IndexFunc(ps, func(p collect.Promise) bool { return p.ID == promiseID })
	if i < 0 {
		return collect.Promise{}, collect.Errorf(collect.ENOTFOUND, "promise", "promise not found")
	}
	p := ps[i]
	moved := slices.ContainsFunc(ps, func(q collect.Promise) bool { return q.MovedFrom == p.ID })
	if err := collect.CheckMove(pol, p, on, today, moved); err != nil {
		return collect.Promise{}, err
	}
	paid, err := db.PaidSince(ctx, creditorID, debtorID, p.CreatedAt)
	if err != nil {
		return collect.Promise{}, err
	}
	from := p
	from.Status = collect.MovedStatus(p)
	next := collect.Promise{CreditorID: creditorID, DebtorID: debtorID, InvoiceID: p.InvoiceID, PromisedOn: on,
		Amount: max(p.Amount-paid, 1), MovedFrom: p.ID, MadeBy: collect.MadeByDebtor, CreatedAt: now}
	return db.MakePromise(ctx, next, &from)
}

// MoveInstalment gives a missed instalment of the debtor's running plan a
// new date, once, within the creditor's promise limit.
func MoveInstalment(ctx context.Context, db *postgres.DB, now time.Time, creditorID, debtorID, instalmentID string, on time.Time) error {
	today := collect.DutchDate(now)
	pol, err := db.PromisePolicy(ctx, creditorID)
	if err != nil {
		return err
	}
	plans, err := db.Plans(ctx, creditorID, debtorID)
	if err != nil {
		return err
	}
	for _, pl := range plans {
		if pl.Status != collect.PlanApproved {
			continue
		}
		for _, in := range pl.Instalments {
			if in.ID == instalmentID {
				if err := collect.CheckInstalmentMove(pol, in, on, today); err != nil {
					return err
				}
				return db.MoveInstalment(ctx, creditorID, debtorID, instalmentID, on, now)
			}
		}
	}
	return collect.Errorf(collect.ENOTFOUND, "instalment", "part not found")
}

// PromiseDesk is what the promise page shows a debtor on a day.
type PromiseDesk struct {
	Facts     collect.Facts
	Statement collect.Statement
	Today     time.Time
	Policy    collect.PromisePolicy
	// Latest is the last date a promise made today may name.
	Latest time.Time
	// Promises are the debtor's promises, newest first.
	Promises []collect.Promise
	// Open is the promise that holds now, nil without one.
	Open *collect.Promise
	// Missed is a broken promise that may still get a new date, nil without one.
	Missed *collect.Promise
	// MissedParts are the late instalments of the running plan.
	MissedParts []collect.PlanInstalment
	// CanPromise says a new promise for everything may still be made.
	CanPromise bool
	// OwedThen is what will be open in the open promise's scope on its
	// date (OwedOn): the amount that pays it all then.
	OwedThen int64
}

// OpenPromiseDesk gathers a debtor's promises and missed plan parts on the day of now.
func OpenPromiseDesk(ctx context.Context, db *postgres.DB, now time.Time, creditorID, debtorID string) (PromiseDesk, error) {
	today := collect.DutchDate(now)
	f, st, err := db.Statement(ctx, creditorID, debtorID, today)
	if err != nil {
		return PromiseDesk{Today: today}, err
	}
	plans, err := db.Plans(ctx, creditorID, debtorID)
	if err != nil {
		return PromiseDesk{Today: today}, err
	}
	return promiseDesk(ctx, db, today, creditorID, debtorID, f, st, plans)
}

// promiseDesk is OpenPromiseDesk on a statement and plans the caller has
// already loaded: the overview has both, and computing the statement twice
// was a quarter of its CPU.
func promiseDesk(ctx context.Context, db *postgres.DB, today time.Time, creditorID, debtorID string, f collect.Facts, st collect.Statement, plans []collect.Plan) (PromiseDesk, error) {
	d := PromiseDesk{Today: today, Facts: f, Statement: st}
	var err error
	if d.Policy, err = db.PromisePolicy(ctx, creditorID); err != nil {
		return d, err
	}
	d.Latest = d.Today.AddDate(0, 0, d.Policy.MaxDays)
	if d.Promises, err = db.Promises(ctx, creditorID, debtorID); err != nil {
		return d, err
	}
	for i, p := range d.Promises {
		moved := slices.ContainsFunc(d.Promises, func(q collect.Promise) bool { return q.MovedFrom == p.ID })
		switch {
		case p.Status == collect.PromiseOpen && d.Open == nil:
			d.Open = &d.Promises[i]
		case p.Status == collect.PromiseBroken && d.Missed == nil && p.MovedFrom == "" && !moved:
			d.Missed = &d.Promises[i]
		}
	}
	d.CanPromise = d.Statement.PayAll() > 0 && collect.CheckPromise(d.Policy, "", d.Today, d.Today, false, d.Promises) == nil
	if d.Open != nil && !d.Open.PromisedOn.Before(d.Today) {
		then, err := OwedOn(ctx, db, creditorID, debtorID, d.Open.PromisedOn)
		if err != nil {
			return d, err
		}
		d.OwedThen, _ = scopeTotal(then, d.Open.InvoiceID)
	}
	for _, pl := range plans {
		if pl.Status == collect.PlanApproved {
			d.MissedParts = collect.MissedInstalments(pl.Instalments, d.Today, d.Policy.MissedLimit).Late
		}
	}
	return d, nil
}

// DayAfter is what one day-after run did.
type DayAfter struct {
	Kept, Broken, Missed, PlansBroken int
}

// FollowUpDayAfter settles, on the day of now, every open promise (kept
// once paid, broken the day after its date) and every running plan's
// missed instalments. A broken promise or a missed instalment gets a calm
// message at the first allowed moment (pay now, or choose a new date once)
// and an agent's task due that day; the policy's number of missed
// instalments breaks the plan, and the debtor is told what that means.
// Each is one transaction with its audit record, and happens once however
// often the run comes (the task's key).
func FollowUpDayAfter(ctx context.Context, db *postgres.DB, now time.Time) (DayAfter, error) {
	var out DayAfter
	today := collect.DutchDate(now)
	promises, err := db.OpenPromises(ctx)
	if err != nil {
		return out, err
	}
	for _, p := range promises {
		if err := followUpPromise(ctx, db, now, today, p, &out); err != nil {
			return out, fmt.Errorf("promise %s: %w", p.ID, err)
		}
	}
	plans, err := db.RunningPlans(ctx)
	if err != nil {
		return out, err
	}
	for _, rp := range plans {
		if err := followUpPlan(ctx, db, now, today, rp, &out); err != nil {
			return out, fmt.Errorf("plan %s: %w", rp.Plan.ID, err)
		}
	}
	return out, nil
}

func followUpPromise(ctx context.Context, db *postgres.DB, now, today time.Time, p collect.Promise, out *DayAfter) error {
	paid, err := db.PaidSince(ctx, p.CreditorID, p.DebtorID, p.CreatedAt)
	if err != nil {
		return err
	}
	_, st, err := db.Statement(ctx, p.CreditorID, p.DebtorID, today)
	if err != nil {
		return err
	}
	open, _ := scopeTotal(st, p.InvoiceID) // an invoice gone from the statement has nothing open
	status := collect.PromiseOutcome(p, paid, open, today)
	if status == collect.PromiseOpen {
		return nil
	}
	p.Status = status
	f := postgres.FollowUp{Promise: &p, Now: now}
	if status == collect.PromiseBroken {
		key := collect.KindPromiseMissed + ":" + p.ID
		if f.Message, f.Task, err = followUpMessage(ctx, db, now, today, p.CreditorID, p.DebtorID, p.InvoiceID, collect.KindPromiseMissed, key); err != nil {
			return err
		}
	}
	done, err := db.RecordFollowUp(ctx, f)
	if done && status == collect.PromiseKept {
		out.Kept++
	} else if done {
		out.Broken++
	}
	return err
}

func followUpPlan(ctx context.Context, db *postgres.DB, now, today time.Time, rp postgres.RunningPlan, out *DayAfter) error {
	pl := rp.Plan
	m := collect.MissedInstalments(pl.Instalments, today, rp.MissedLimit)
	if len(m.Late) == 0 {
		return nil
	}
	var err error
	if m.Broken {
		in := m.Late[len(m.Late)-1]
		f := postgres.FollowUp{Plan: &pl, Instalment: &in, Break: true, Missed: len(m.Late), Now: now}
		if f.Message, f.Task, err = followUpMessage(ctx, db, now, today, pl.CreditorID, pl.DebtorID, "", collect.KindPlanBroken, collect.KindPlanBroken+":"+pl.ID); err != nil {
			return err
		}
		done, err := db.RecordFollowUp(ctx, f)
		if done {
			out.PlansBroken++
		}
		return err
	}
	for _, in := range m.Late {
		// Keyed by the date too: a part moved to a new date and missed
		// again is followed up again.
		key := fmt.Sprintf("%s:%s:%s", collect.KindInstalmentMissed, in.ID, in.Due.Format(time.DateOnly))
		f := postgres.FollowUp{Plan: &pl, Instalment: &in, Missed: len(m.Late), Now: now}
		if f.Message, f.Task, err = followUpMessage(ctx, db, now, today, pl.CreditorID, pl.DebtorID, "", collect.KindInstalmentMissed, key); err != nil {
			return err
		}
		done, err := db.RecordFollowUp(ctx, f)
		if err != nil {
			return err
		}
		if done {
			out.Missed++
		}
	}
	return nil
}

// followUpMessage is a day-after message on the person's channel at the
// first allowed moment (answerMessage), and the agent's task due the day
// the message goes, so the agent calls when the person has just heard.
// The message's key names what it is about, so its text can say the amount
// and date when it goes.
func followUpMessage(ctx context.Context, db *postgres.DB, now, today time.Time, creditorID, debtorID, invoiceID, kind, key string) (*postgres.OutboxMessage, *postgres.AgentTask, error) {
	m, err := answerMessage(ctx, db, now, creditorID, debtorID, kind)
	if err != nil {
		return nil, nil, err
	}
	m.StepKey = key
	due := collect.DutchDate(m.NotBefore)
	if due.Before(today) {
		due = today
	}
	t := &postgres.AgentTask{CreditorID: creditorID, DebtorID: debtorID, InvoiceID: invoiceID, Kind: kind, StepKey: key + ":task", DueOn: due}
	return &m, t, nil
}
