package collect

import (
	"reflect"
	"testing"
	"time"
)

// paidAfter is an invoice due on day (of December 2026) paid delay days later.
func paidAfter(id string, day, delay int) PaidInvoice {
	due := Day(2026, time.December, day)
	return PaidInvoice{InvoiceID: id, Due: due, PaidOn: due.AddDate(0, 0, delay)}
}

func TestSignals(t *testing.T) {
	today := Day(2027, time.January, 20)
	daysAgo := func(n int) time.Time { return today.AddDate(0, 0, -n) }
	type raised struct {
		Rule    SignalRule
		Reason  SignalReason
		Subject string
	}
	tests := []struct {
		name  string
		facts SignalFacts
		want  []raised
	}{
		{"nothing known, no signal", SignalFacts{}, nil},
		{"three invoices each 5 days later: raised on the last",
			SignalFacts{Paid: []PaidInvoice{paidAfter("c", 20, 12), paidAfter("a", 1, 2), paidAfter("b", 10, 7)}},
			[]raised{{SignalDelayGrowing, ReasonDelayGrowing, "c"}}},
		{"only the last three count: an early slow one does not spoil it",
			SignalFacts{Paid: []PaidInvoice{paidAfter("old", 1, 30), paidAfter("a", 2, 0), paidAfter("b", 3, 6), paidAfter("c", 4, 20)}},
			[]raised{{SignalDelayGrowing, ReasonDelayGrowing, "c"}}},
		{"near miss: one step only 4 days later",
			SignalFacts{Paid: []PaidInvoice{paidAfter("a", 1, 2), paidAfter("b", 10, 6), paidAfter("c", 20, 12)}}, nil},
		{"near miss: only two paid invoices",
			SignalFacts{Paid: []PaidInvoice{paidAfter("b", 10, 7), paidAfter("c", 20, 30)}}, nil},
		{"near miss: later and later but the last still on time",
			SignalFacts{Paid: []PaidInvoice{paidAfter("a", 1, -10), paidAfter("b", 10, -5), paidAfter("c", 20, 0)}}, nil},
		{"near miss: the last one paid sooner than the one before",
			SignalFacts{Paid: []PaidInvoice{paidAfter("a", 1, 2), paidAfter("b", 10, 20), paidAfter("c", 20, 10)}}, nil},
		{"near miss: the growth ended more than 60 days ago",
			SignalFacts{Paid: []PaidInvoice{paidAfter("a", 1, 2).shift(-70), paidAfter("b", 10, 7).shift(-70), paidAfter("c", 20, 12).shift(-70)}}, nil},
		{"a failed payment and a chargeback",
			SignalFacts{PaymentProblems: []SignalEvent{{ID: "p1", On: daysAgo(3), Why: ReasonPaymentFailed}, {ID: "p2", On: daysAgo(1), Why: ReasonChargedBack}}},
			[]raised{{SignalPaymentProblem, ReasonPaymentFailed, "p1"}, {SignalPaymentProblem, ReasonChargedBack, "p2"}}},
		{"near miss: a payment problem 61 days ago",
			SignalFacts{PaymentProblems: []SignalEvent{{ID: "p1", On: daysAgo(61), Why: ReasonPaymentFailed}}}, nil},
		{"near miss: a reason that is no payment problem",
			SignalFacts{PaymentProblems: []SignalEvent{{ID: "p1", On: daysAgo(1), Why: ReasonPlanBroken}}}, nil},
		{"a broken promise and a broken plan",
			SignalFacts{Broken: []SignalEvent{{ID: "pr", On: daysAgo(1), Why: ReasonPromiseBroken}, {ID: "pl", On: daysAgo(60), Why: ReasonPlanBroken}}},
			[]raised{{SignalBrokenPromise, ReasonPlanBroken, "pl"}, {SignalBrokenPromise, ReasonPromiseBroken, "pr"}}},
		{"near miss: a promise broken 61 days ago",
			SignalFacts{Broken: []SignalEvent{{ID: "pr", On: daysAgo(61), Why: ReasonPromiseBroken}}}, nil},
		{"breathing room whose last day was yesterday has ended",
			SignalFacts{BreathingEnds: []SignalEvent{{ID: "h", On: daysAgo(1)}}},
			[]raised{{SignalHardshipEnded, ReasonBreathingOver, "h"}}},
		{"near miss: today is the last day of breathing room",
			SignalFacts{BreathingEnds: []SignalEvent{{ID: "h", On: today}}}, nil},
		{"near miss: breathing room still running",
			SignalFacts{BreathingEnds: []SignalEvent{{ID: "h", On: today.AddDate(0, 0, 20)}}}, nil},
		{"near miss: breathing room that ended 62 days ago",
			SignalFacts{BreathingEnds: []SignalEvent{{ID: "h", On: daysAgo(62)}}}, nil},
	}
	for _, tt := range tests {
		var got []raised
		for _, s := range Signals(tt.facts, today, DefaultSignalThresholds) {
			got = append(got, raised{s.Rule, s.Reason, s.Subject})
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// shift moves an invoice's due and paid days by n days.
func (p PaidInvoice) shift(n int) PaidInvoice {
	p.Due, p.PaidOn = p.Due.AddDate(0, 0, n), p.PaidOn.AddDate(0, 0, n)
	return p
}

// The thresholds are parameters: a stricter step or a longer run changes
// what is raised.
func TestSignalThresholds(t *testing.T) {
	today := Day(2027, time.January, 5)
	paid := []PaidInvoice{paidAfter("a", 1, 2), paidAfter("b", 10, 7), paidAfter("c", 20, 12)}
	tests := []struct {
		name string
		th   SignalThresholds
		want int
	}{
		{"defaults", DefaultSignalThresholds, 1},
		{"steps of 6 days asked", SignalThresholds{MinPaid: 3, StepDays: 6, LookbackDays: 60}, 0},
		{"four invoices asked", SignalThresholds{MinPaid: 4, StepDays: 5, LookbackDays: 60}, 0},
		{"fewer than three asked still needs three", SignalThresholds{MinPaid: 2, StepDays: 5, LookbackDays: 60}, 1},
		{"a short look back", SignalThresholds{MinPaid: 3, StepDays: 5, LookbackDays: 0}, 0},
	}
	for _, tt := range tests {
		if got := len(Signals(SignalFacts{Paid: paid}, today, tt.th)); got != tt.want {
			t.Errorf("%s: %d signals, want %d", tt.name, got, tt.want)
		}
	}
}

func TestCheckinDue(t *testing.T) {
	now := time.Date(2027, time.January, 31, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	tests := []struct {
		name string
		last *time.Time
		want bool
	}{
		{"never checked in", nil, true},
		{"30 days ago", at(30 * 24 * time.Hour), true},
		{"a minute short of 30 days ago", at(30*24*time.Hour - time.Minute), false},
		{"yesterday", at(24 * time.Hour), false},
	}
	for _, tt := range tests {
		if got := CheckinDue(tt.last, now, CheckinEveryDays); got != tt.want {
			t.Errorf("%s: CheckinDue = %v, want %v", tt.name, got, tt.want)
		}
	}
}
