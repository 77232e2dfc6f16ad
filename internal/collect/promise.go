package collect

import "time"

// PromiseStatus is where a promise to pay stands.
type PromiseStatus string

// Promise statuses.
const (
	PromiseOpen   PromiseStatus = "open"   // the date has not passed and it is not paid yet
	PromiseKept   PromiseStatus = "kept"   // paid, on or before the date
	PromiseBroken PromiseStatus = "broken" // the date passed unpaid
	PromiseMoved  PromiseStatus = "moved"  // the debtor chose a new date before this one passed
)

// MadeByDebtor is who made a promise in the portal; an agent's promise
// carries the agent's id.
const MadeByDebtor = "debtor"

// Promise is a debtor's "I will pay on <date>" for one invoice, or for
// everything when InvoiceID is empty.
type Promise struct {
	ID         string
	CreditorID string
	DebtorID   string
	InvoiceID  string
	PromisedOn time.Time
	Amount     int64
	Status     PromiseStatus
	MovedFrom  string // the promise whose date this one moved
	MadeBy     string // MadeByDebtor or an agent's id
	CreatedAt  time.Time
	DecidedAt  *time.Time
}

// PromisePolicy is a creditor's policy on promises and missed instalments.
type PromisePolicy struct {
	MaxDays     int // how far ahead a debtor may promise, in days
	MissedLimit int // missed instalments that break a plan
}

// DefaultPromisePolicy is what a creditor gets until it sets its own.
var DefaultPromisePolicy = PromisePolicy{MaxDays: 14, MissedLimit: 2}

// Covers reports whether the promise is about invoiceID: its own invoice,
// or every invoice for a promise to pay everything.
func (p Promise) Covers(invoiceID string) bool { return p.InvoiceID == "" || p.InvoiceID == invoiceID }

// Holds reports whether the promise pauses collection of invoiceID on
// today: it is open and its date has not passed.
func (p Promise) Holds(invoiceID string, today time.Time) bool {
	return p.Status == PromiseOpen && p.Covers(invoiceID) && !today.After(p.PromisedOn)
}

// overlaps reports whether two promises are about a same invoice.
func (p Promise) overlaps(invoiceID string) bool {
	return p.InvoiceID == "" || invoiceID == "" || p.InvoiceID == invoiceID
}

// CheckPromise decides whether a new promise for invoiceID ("" for
// everything) on day on may be made on today, given the debtor's earlier
// promises: the date is from today up to the policy's limit; no open
// promise is about the same invoice; and a debtor (not an agent) promises
// once per invoice, moving the date is a separate, single step (CheckMove).
func CheckPromise(pol PromisePolicy, invoiceID string, on, today time.Time, byAgent bool, earlier []Promise) error {
	if err := checkPromiseDate(pol, on, today); err != nil {
		return err
	}
	for _, e := range earlier {
		if !e.overlaps(invoiceID) {
			continue
		}
		if e.Status == PromiseOpen {
			return Errorf(ECONFLICT, "invoice", "there is already a promise for this bill, on %s", e.PromisedOn.Format(time.DateOnly))
		}
		if !byAgent && e.MadeBy == MadeByDebtor && e.MovedFrom == "" {
			return Errorf(ECONFLICT, "invoice", "a promise for this bill was made before; an agent can agree a new one")
		}
	}
	return nil
}

func checkPromiseDate(pol PromisePolicy, on, today time.Time) error {
	switch {
	case on.IsZero():
		return Errorf(EINVALID, "date", "choose the date you will pay")
	case on.Before(today):
		return Errorf(EINVALID, "date", "the date has passed")
	case on.After(today.AddDate(0, 0, pol.MaxDays)):
		return Errorf(EINVALID, "date", "choose a date at most %d days from today", pol.MaxDays)
	}
	return nil
}

// CheckMove decides whether promise p may get the new date on: once, by the
// promise it started from (a moved promise is not moved again), while it
// is open or after it broke, and within the same limit as a new promise.
// successor reports whether p was already moved.
func CheckMove(pol PromisePolicy, p Promise, on, today time.Time, successor bool) error {
	if p.MovedFrom != "" || successor || (p.Status != PromiseOpen && p.Status != PromiseBroken) {
		return Errorf(ECONFLICT, "date", "the date of this promise was already moved or the promise is settled")
	}
	return checkPromiseDate(pol, on, today)
}

// MovedStatus is what becomes of a promise whose date is moved: an open one
// is moved; a broken one stays broken (it was broken, and told).
func MovedStatus(p Promise) PromiseStatus {
	if p.Status == PromiseOpen {
		return PromiseMoved
	}
	return p.Status
}

// PromiseOutcome is what today does to an open promise: kept once paid
// counts its amount or nothing is left open in its scope, broken the day
// after its date, else still open. paid is what the debtor paid since the
// promise was made; open is what is still open in its scope.
func PromiseOutcome(p Promise, paid, open int64, today time.Time) PromiseStatus {
	switch {
	case p.Status != PromiseOpen:
		return p.Status
	case paid >= p.Amount || open <= 0:
		return PromiseKept
	case today.After(p.PromisedOn):
		return PromiseBroken
	}
	return PromiseOpen
}

// PlanMisses is what the day after says about a running plan: its
// instalments that are late today, whether the policy's number of misses
// is reached (the plan is broken), and whether one more miss would reach it
// (the debtor is told so now).
type PlanMisses struct {
	Late       []PlanInstalment
	Broken     bool
	LastChance bool
}

// MissedInstalments applies the policy's limit to a plan's instalments on
// today. An instalment paid late is no longer missed: catching up keeps the
// plan.
func MissedInstalments(ins []PlanInstalment, today time.Time, limit int) PlanMisses {
	var m PlanMisses
	for _, in := range ins {
		if in.State(today) == InstalmentLate {
			m.Late = append(m.Late, in)
		}
	}
	m.Broken = len(m.Late) > 0 && len(m.Late) >= limit
	m.LastChance = !m.Broken && len(m.Late) > 0 && len(m.Late) == limit-1
	return m
}

// The kinds of the day after's messages and agent tasks.
const (
	KindPromiseMissed    = "promise_missed"    // a promise's date passed unpaid
	KindInstalmentMissed = "instalment_missed" // a plan's instalment passed unpaid
	KindPlanBroken       = "plan_broken"       // the policy's number of missed instalments stopped the plan
)

// CheckInstalmentMove decides whether a plan instalment may get the new
// date on: it is late today and the date is within the promise limit. That
// an instalment moves once is kept by the store.
func CheckInstalmentMove(pol PromisePolicy, in PlanInstalment, on, today time.Time) error {
	if in.State(today) != InstalmentLate {
		return Errorf(ECONFLICT, "instalment", "only a missed part can get a new date")
	}
	return checkPromiseDate(pol, on, today)
}

// CheckPromisePolicy refuses limits outside what the store keeps: a
// promise 1 to 60 days ahead, a plan broken after 1 to 6 missed parts.
func CheckPromisePolicy(pol PromisePolicy) error {
	switch {
	case pol.MaxDays < 1 || pol.MaxDays > 60:
		return Errorf(EINVALID, "promise_days", "a promise may be 1 to 60 days ahead")
	case pol.MissedLimit < 1 || pol.MissedLimit > 6:
		return Errorf(EINVALID, "missed_instalments", "a plan breaks after 1 to 6 missed parts")
	}
	return nil
}
