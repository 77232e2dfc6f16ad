package collect

import (
	"slices"
	"time"
)

// SignalRule names the rule that raised an early signal: a sign, in
// Settle's own data, that a debtor may be heading for payment trouble.
type SignalRule string

// The early-signal rules (docs/behaviour.md, "Early signals", documents each).
const (
	SignalDelayGrowing   SignalRule = "delay_growing"   // each of the last paid invoices paid later than the one before
	SignalPaymentProblem SignalRule = "payment_problem" // a payment failed or was charged back
	SignalBrokenPromise  SignalRule = "broken_promise"  // a promise to pay or a plan was broken
	SignalHardshipEnded  SignalRule = "hardship_ended"  // the breathing room of a hardship report is over
)

// SignalReason is the reason code a signal carries beside its rule: what
// exactly happened.
type SignalReason string

// Reason codes, one or two per rule.
const (
	ReasonDelayGrowing  SignalReason = "delay_growing"
	ReasonPaymentFailed SignalReason = "payment_failed"
	ReasonChargedBack   SignalReason = "charged_back"
	ReasonPromiseBroken SignalReason = "promise_broken"
	ReasonPlanBroken    SignalReason = "plan_broken"
	ReasonBreathingOver SignalReason = "breathing_room_ended"
)

// SignalStatus is whether a signal still asks for attention.
type SignalStatus string

// Signal statuses. An agent dismisses a signal with a note.
const (
	SignalOpen      SignalStatus = "open"
	SignalDismissed SignalStatus = "dismissed"
)

// Signal is one early signal about a debtor of a creditor. Subject is the
// record it is about (an invoice, payment, promise, plan or hardship
// report): a rule raises at most one signal per subject.
type Signal struct {
	ID         string
	CreditorID string
	DebtorID   string
	Rule       SignalRule
	Reason     SignalReason
	Subject    string
	// Since is the day the thing it is about happened.
	Since       time.Time
	Status      SignalStatus
	Note        string // the agent's note when dismissed
	CreatedAt   time.Time
	DismissedAt *time.Time
	DebtorName  string // set where a list shows it
}

// PaidInvoice is an invoice paid in full: when it was due and the day its
// last payment was booked.
type PaidInvoice struct {
	InvoiceID string
	Due       time.Time
	PaidOn    time.Time
}

// DelayDays is how many days after its due date the invoice was paid
// (negative when paid early).
func (p PaidInvoice) DelayDays() int { return daysBetween(DateOf(p.Due), DateOf(p.PaidOn)) }

// SignalEvent is a dated record a rule looks at: a payment that failed or
// was charged back, a promise or plan that was broken, a hardship report's
// last day of breathing room.
type SignalEvent struct {
	ID  string
	On  time.Time
	Why SignalReason
}

// SignalFacts are what Settle knows of one debtor of one creditor that the
// rules read.
type SignalFacts struct {
	CreditorID string
	DebtorID   string
	// Paid are the debtor's invoices paid in full, in any order.
	Paid []PaidInvoice
	// PaymentProblems are failed and charged-back payments (Why says which).
	PaymentProblems []SignalEvent
	// Broken are broken promises and plans (Why says which), On the day it broke.
	Broken []SignalEvent
	// BreathingEnds are hardship reports, On their last day of breathing room.
	BreathingEnds []SignalEvent
}

// SignalThresholds are the rules' parameters.
type SignalThresholds struct {
	// MinPaid is how many of the last paid invoices must each be paid
	// later than the one before (at least 3).
	MinPaid int
	// StepDays is by how many days at least each must be later.
	StepDays int
	// LookbackDays: what happened longer ago than this is history, not an
	// early signal (it keeps a first run from flagging old events).
	LookbackDays int
}

// DefaultSignalThresholds are the thresholds Settle runs with.
var DefaultSignalThresholds = SignalThresholds{MinPaid: 3, StepDays: 5, LookbackDays: 60}

// Signals applies the early-signal rules to one debtor's facts on day
// today and returns the signals they raise (Rule, Reason, Subject, Since
// set), oldest first. Raising is the caller's: a signal already raised for
// the same rule and subject is not raised again.
func Signals(f SignalFacts, today time.Time, th SignalThresholds) []Signal {
	today = DateOf(today)
	recent := func(day time.Time) bool {
		d := daysBetween(DateOf(day), today)
		return d >= 0 && d <= th.LookbackDays
	}
	var out []Signal
	add := func(rule SignalRule, why SignalReason, subject string, since time.Time) {
		out = append(out, Signal{CreditorID: f.CreditorID, DebtorID: f.DebtorID, Rule: rule, Reason: why,
			Subject: subject, Since: DateOf(since), Status: SignalOpen})
	}
	if last, ok := delayGrowing(f.Paid, th); ok && recent(last.PaidOn) {
		add(SignalDelayGrowing, ReasonDelayGrowing, last.InvoiceID, last.PaidOn)
	}
	for _, e := range f.PaymentProblems {
		if (e.Why == ReasonPaymentFailed || e.Why == ReasonChargedBack) && recent(e.On) {
			add(SignalPaymentProblem, e.Why, e.ID, e.On)
		}
	}
	for _, e := range f.Broken {
		if (e.Why == ReasonPromiseBroken || e.Why == ReasonPlanBroken) && recent(e.On) {
			add(SignalBrokenPromise, e.Why, e.ID, e.On)
		}
	}
	for _, e := range f.BreathingEnds {
		// The breathing room is over the day after its last day.
		if over := DateOf(e.On).AddDate(0, 0, 1); !over.After(today) && recent(over) {
			add(SignalHardshipEnded, ReasonBreathingOver, e.ID, over)
		}
	}
	slices.SortStableFunc(out, func(a, b Signal) int { return a.Since.Compare(b.Since) })
	return out
}

// delayGrowing reports whether the last th.MinPaid paid invoices (by due
// date) were each paid at least th.StepDays later after their due date than
// the one before, the last one after its due date; it returns that last
// invoice, the signal's subject.
func delayGrowing(paid []PaidInvoice, th SignalThresholds) (PaidInvoice, bool) {
	n := max(th.MinPaid, 3)
	if len(paid) < n {
		return PaidInvoice{}, false
	}
	ps := slices.Clone(paid)
	slices.SortStableFunc(ps, func(a, b PaidInvoice) int { return a.Due.Compare(b.Due) })
	ps = ps[len(ps)-n:]
	for i := 1; i < n; i++ {
		if ps[i].DelayDays()-ps[i-1].DelayDays() < max(th.StepDays, 1) {
			return PaidInvoice{}, false
		}
	}
	last := ps[n-1]
	return last, last.DelayDays() > 0
}

// CheckinDue reports whether a raised signal may send the debtor a
// check-in message now: never more than one in every days, counted from
// the last check-in (nil: none yet).
func CheckinDue(last *time.Time, now time.Time, days int) bool {
	return last == nil || !now.Before(last.AddDate(0, 0, days))
}

// CheckinEveryDays is the least time between two check-in messages to one
// debtor from one creditor.
const CheckinEveryDays = 30

// KindSignalCheckin is the friendly check-in message a raised signal sends
// where the creditor turned it on.
const KindSignalCheckin = "signal_checkin"
