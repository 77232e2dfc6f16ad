package collect

import (
	"testing"
	"time"
)

func TestProposalOutcome(t *testing.T) {
	inside := PlanCheck{Inside: true}
	outside := PlanCheck{Reasons: []string{"too long", "too small"}}
	for _, c := range []struct {
		check      PlanCheck
		auto       bool
		want       PlanStatus
		wantReason string
	}{
		{inside, true, PlanApproved, ""},
		{inside, false, PlanProposed, ""},
		{outside, true, PlanProposed, "too long; too small"},
		{outside, false, PlanProposed, "too long; too small"},
	} {
		got, reason := ProposalOutcome(c.check, c.auto)
		if got != c.want || reason != c.wantReason {
			t.Errorf("ProposalOutcome(%+v, %v) = %q, %q; want %q, %q", c.check, c.auto, got, reason, c.want, c.wantReason)
		}
	}
}

func TestPlanAnswer(t *testing.T) {
	for d, want := range map[string]PlanStatus{"approve": PlanApproved, "reject": PlanRejected, "counter": PlanReplaced} {
		if got, err := PlanAnswer(d); err != nil || got != want {
			t.Errorf("PlanAnswer(%q) = %q, %v; want %q", d, got, err, want)
		}
	}
	if _, err := PlanAnswer("maybe"); ErrorCode(err) != EINVALID {
		t.Errorf("PlanAnswer(maybe) error = %v, want EINVALID", err)
	}
	if CounterAnswer(true) != PlanApproved || CounterAnswer(false) != PlanDeclined {
		t.Error("CounterAnswer: accept approves, decline declines")
	}
}

func TestReviewPlan(t *testing.T) {
	today := Day(2026, 5, 20)
	ins := func(paid ...int64) []PlanInstalment {
		out := []PlanInstalment{{Seq: 1, Due: Day(2026, 4, 1), Amount: 100}, {Seq: 2, Due: Day(2026, 5, 1), Amount: 100}}
		var sum int64
		for _, p := range paid {
			sum += p
		}
		FillInstalments(out, sum)
		return out
	}
	for _, c := range []struct {
		name  string
		ins   []PlanInstalment
		limit int
		want  PlanStatus
	}{
		{"all paid", ins(200), 5, PlanCompleted},
		{"overpaid", ins(250), 5, PlanCompleted},
		{"one late, limit one", ins(100), 1, PlanBroken},
		{"one late, limit two", ins(100), 2, PlanApproved},
		{"two late, limit two", ins(0), 2, PlanBroken},
		{"no instalments", nil, 5, PlanApproved},
	} {
		if got := ReviewPlan(c.ins, today, c.limit); got != c.want {
			t.Errorf("%s: ReviewPlan = %q, want %q", c.name, got, c.want)
		}
	}
	filled := ins(150)
	if filled[0].Paid != 100 || filled[1].Paid != 50 {
		t.Errorf("FillInstalments(150) = %d, %d; want 100, 50", filled[0].Paid, filled[1].Paid)
	}
}

func TestInstalmentState(t *testing.T) {
	today := Day(2026, 5, 20)
	for _, c := range []struct {
		in   PlanInstalment
		want InstalmentState
	}{
		{PlanInstalment{Due: Day(2026, 5, 1), Amount: 100, Paid: 100}, InstalmentPaid},
		{PlanInstalment{Due: Day(2026, 5, 1), Amount: 100, Paid: 99}, InstalmentLate},
		{PlanInstalment{Due: today, Amount: 100}, InstalmentOpen},
		{PlanInstalment{Due: Day(2026, 6, 1), Amount: 100, Paid: 100}, InstalmentPaid},
	} {
		if got := c.in.State(today); got != c.want {
			t.Errorf("%+v.State = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestProposePlanStampsTheDecision: a proposal approved at once is decided
// at the moment given, one left to an agent is not decided yet; both carry
// the check's verdict for the audit record.
func TestProposePlanStampsTheDecision(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	pr := ProposePlan(Plan{Months: 3}, PlanCheck{Inside: true}, true, now)
	if pr.Plan.Status != PlanApproved || pr.Plan.DecidedAt == nil || !pr.Plan.DecidedAt.Equal(now) || !pr.InsidePolicy || !pr.At.Equal(now) {
		t.Errorf("inside, auto: %+v", pr)
	}
	pr = ProposePlan(Plan{Months: 3}, PlanCheck{Reasons: []string{"too long"}}, true, now)
	if pr.Plan.Status != PlanProposed || pr.Plan.DecidedAt != nil || pr.Plan.Reason != "too long" || pr.InsidePolicy || !pr.At.Equal(now) {
		t.Errorf("outside: %+v", pr)
	}
}
