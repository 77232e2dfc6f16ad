package collect

import (
	"errors"
	"slices"
	"testing"
)

func TestRewardFor(t *testing.T) {
	due := Day(2026, 3, 12)
	waivePlan := RewardRule{Occasion: RewardPlanKept, Kind: RewardWaiveCosts}
	creditEarly := RewardRule{Occasion: RewardPaidEarly, Kind: RewardCredit, Amount: 500}
	thanksEarly := RewardRule{Occasion: RewardPaidEarly, Kind: RewardThanks}
	plan := func(open, paid, total int64) RewardCase {
		return RewardCase{Occasion: RewardPlanKept, Done: true, CostsOpen: open, CostsPaid: paid, Paid: total}
	}
	early := func(paidOn int, costsPaid, total int64) RewardCase {
		return RewardCase{Occasion: RewardPaidEarly, Done: true, PaidOn: Day(2026, 3, paidOn), DueDate: due, CostsPaid: costsPaid, Paid: total}
	}
	tests := []struct {
		name string
		rule RewardRule
		c    RewardCase
		want Reward
		ok   bool
	}{
		{"plan kept: paid costs credited back", waivePlan, plan(0, 4000, 14000), Reward{Kind: RewardWaiveCosts, Credit: 4000}, true},
		{"plan kept: open costs written off, paid ones credited", waivePlan, plan(1500, 2500, 14000), Reward{Kind: RewardWaiveCosts, WriteOff: 1500, Credit: 2500}, true},
		{"plan kept without costs: the thank-you", waivePlan, plan(0, 0, 10000), Reward{Kind: RewardThanks}, true},
		{"plan not completed: nothing", waivePlan, RewardCase{Occasion: RewardPlanKept, CostsPaid: 4000}, Reward{}, false},
		{"rule for another occasion: nothing", waivePlan, early(1, 0, 100), Reward{}, false},
		{"paid on the due date: credited", creditEarly, early(12, 0, 10000), Reward{Kind: RewardCredit, Credit: 500}, true},
		{"paid a day late: nothing", creditEarly, early(13, 0, 10000), Reward{}, false},
		{"paid in full but the day unknown: nothing", creditEarly, RewardCase{Occasion: RewardPaidEarly, Done: true, DueDate: due, Paid: 100}, Reward{}, false},
		{"credit never more than was paid", creditEarly, early(1, 0, 321), Reward{Kind: RewardCredit, Credit: 321}, true},
		{"nothing paid: no credit", creditEarly, early(1, 0, 0), Reward{}, false},
		{"settled by a credit note, not paid: no thanks", thanksEarly, early(1, 0, 0), Reward{}, false},
		{"thanks only", thanksEarly, early(1, 0, 10000), Reward{Kind: RewardThanks}, true},
		{"unknown kind: nothing", RewardRule{Occasion: RewardPlanKept, Kind: "gift"}, plan(0, 100, 100), Reward{}, false},
	}
	for _, tt := range tests {
		got, ok := RewardFor(tt.rule, tt.c)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: RewardFor = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// The debtor is told in advance what they get: an invoice's reward only
// until its due date.
func TestOfferedReward(t *testing.T) {
	rule := RewardRule{Occasion: RewardPaidEarly, Kind: RewardCredit, Amount: 500}
	c := RewardCase{Occasion: RewardPaidEarly, DueDate: Day(2026, 3, 12), Paid: 10000}
	if got, ok := OfferedReward(rule, c, Day(2026, 3, 12)); !ok || got.Credit != 500 {
		t.Errorf("on the due date: %+v, %v; want 500 credited", got, ok)
	}
	if got, ok := OfferedReward(rule, c, Day(2026, 3, 13)); ok {
		t.Errorf("after the due date: %+v offered, want none", got)
	}
	plan := RewardRule{Occasion: RewardPlanKept, Kind: RewardWaiveCosts}
	if got, ok := OfferedReward(plan, RewardCase{Occasion: RewardPlanKept, CostsOpen: 4000, Paid: 14000}, Day(2026, 3, 13)); !ok || got.Amount() != 4000 {
		t.Errorf("plan: %+v, %v; want the 4000 open costs waived", got, ok)
	}
}

func TestRewardRuleCheck(t *testing.T) {
	tests := []struct {
		name  string
		rule  RewardRule
		field string
	}{
		{"credit", RewardRule{Occasion: RewardPlanKept, Kind: RewardCredit, Amount: 1000}, ""},
		{"waive", RewardRule{Occasion: RewardPaidEarly, Kind: RewardWaiveCosts}, ""},
		{"unknown occasion", RewardRule{Occasion: "birthday", Kind: RewardThanks}, "occasion"},
		{"unknown kind", RewardRule{Occasion: RewardPlanKept, Kind: "gift"}, "kind"},
		{"credit without amount", RewardRule{Occasion: RewardPlanKept, Kind: RewardCredit}, "amount"},
		{"credit over the cap", RewardRule{Occasion: RewardPlanKept, Kind: RewardCredit, Amount: MaxRewardCredit + 1}, "amount"},
		{"thanks with an amount", RewardRule{Occasion: RewardPlanKept, Kind: RewardThanks, Amount: 1}, "amount"},
	}
	for _, tt := range tests {
		err := tt.rule.Check()
		var e *Error
		if tt.field == "" && err != nil || tt.field != "" && (!errors.As(err, &e) || e.Field != tt.field) {
			t.Errorf("%s: Check = %v, want field %q", tt.name, err, tt.field)
		}
	}
}

func TestApplyCredit(t *testing.T) {
	noInterest := RateTable{{Day(2000, 1, 1), 0}}
	on := Day(2026, 6, 1)
	withCredit := func(credit int64, invs ...openInvoice) Facts {
		f := bookingFacts(noInterest, invs...)
		f.Entries = append(f.Entries, Entry{Account: AccountCredit, Kind: KindPayment, Amount: -credit, BookedOn: Day(2026, 3, 1)})
		return f
	}
	tests := []struct {
		name  string
		facts Facts
		want  []string
	}{
		{"the credit pays the next invoice, costs first", withCredit(3000, openInvoice{id: "N", due: Day(2026, 5, 1), principal: 10000, costs: 1000}), []string{
			"N costs payment -1000 k",
			"N principal payment -2000 k",
			"- credit payment 3000 k",
		}},
		{"more credit than is open: only what is open is used", withCredit(5000, openInvoice{id: "N", due: Day(2026, 7, 1), principal: 1200}), []string{
			"N principal payment -1200 k",
			"- credit payment 1200 k",
		}},
		{"nothing open: the credit stays", withCredit(5000), nil},
		{"no credit: nothing", bookingFacts(noInterest, openInvoice{id: "N", due: Day(2026, 7, 1), principal: 1200}), nil},
	}
	for _, tt := range tests {
		b, err := ApplyCredit(tt.facts, on, "k")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, p := range b.Postings {
			got = append(got, posting(p))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestSplitRefund(t *testing.T) {
	pays := []Refundable{{"new", 1000}, {"spent", 0}, {"old", 5000}}
	tests := []struct {
		name   string
		credit int64
		want   []RefundPart
		rest   int64
	}{
		{"the newest payment takes it", 800, []RefundPart{{"new", 800}}, 0},
		{"spread newest first, skipping a payment with nothing left", 3000, []RefundPart{{"new", 1000}, {"old", 2000}}, 0},
		{"more than the payments hold: the rest by bank", 7000, []RefundPart{{"new", 1000}, {"old", 5000}}, 1000},
		{"no credit", 0, nil, 0},
	}
	for _, tt := range tests {
		got, rest := SplitRefund(tt.credit, pays)
		if !slices.Equal(got, tt.want) || rest != tt.rest {
			t.Errorf("%s: SplitRefund = %v, %d; want %v, %d", tt.name, got, rest, tt.want, tt.rest)
		}
	}
	if got, rest := SplitRefund(700, nil); got != nil || rest != 700 {
		t.Errorf("no payments: %v, %d; want all 700 by bank", got, rest)
	}
}
