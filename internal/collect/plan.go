package collect

import (
	"fmt"
	"time"
)

// PlanPolicy is a creditor's rule for payment plans.
type PlanPolicy struct {
	MaxMonths        int   // longest plan
	MinInstalment    int64 // smallest monthly amount, cents
	MaxTotal         int64 // largest debt a plan may cover, cents
	WaiveCostsIfKept bool  // collection costs are written off once a plan is kept
	AutoApprove      bool  // a plan inside the policy is approved at once
}

// DefaultPlanPolicy is what a creditor gets until it sets its own.
var DefaultPlanPolicy = PlanPolicy{MaxMonths: 12, MinInstalment: 2500, MaxTotal: 500000, WaiveCostsIfKept: false, AutoApprove: true}

// Instalment is one payment of a plan.
type Instalment struct {
	Seq    int
	Due    time.Time
	Amount int64
}

// Schedule splits total into months instalments, monthly from first. The
// instalments add up to the total exactly: all equal, the last takes the
// remainder. A due date past the end of a month lands on its last day.
//
// This is deliberately not money.Split's largest remainder: the plan rule
// in docs/domain.md puts the whole rest on the last instalment (EUR 100
// over 12 months: 11 × 8.33 and 8.37, where largest remainder would give
// 8 × 8.33 and 4 × 8.34), and what debtors are offered changes only by a
// product decision.
func Schedule(total int64, months int, first time.Time) []Instalment {
	if months <= 0 || total <= 0 {
		return nil
	}
	base := total / int64(months)
	out := make([]Instalment, months)
	first = DateOf(first)
	for i := range out {
		amount := base
		if i == months-1 {
			amount = total - base*int64(months-1)
		}
		out[i] = Instalment{Seq: i + 1, Due: addMonthsClamped(first, i), Amount: amount}
	}
	return out
}

// MonthsFor is how many months a monthly amount needs to pay total.
func MonthsFor(total, monthly int64) int {
	if monthly <= 0 {
		return 0
	}
	return int((total + monthly - 1) / monthly)
}

func addMonthsClamped(d time.Time, months int) time.Time {
	y, m, day := d.Date()
	firstOfTarget := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := firstOfTarget.AddDate(0, 1, -1).Day()
	return time.Date(firstOfTarget.Year(), firstOfTarget.Month(), min(day, last), 0, 0, 0, 0, time.UTC)
}

// PlanCheck says whether a proposal fits the policy, and if not, why (one
// reason per broken limit, in words an agent reads).
type PlanCheck struct {
	Inside  bool
	Reasons []string
}

// CheckPlan tests a proposal against the policy. A debtor who broke a plan in
// the last 12 months is never approved automatically.
func CheckPlan(p PlanPolicy, total int64, months int, first, today time.Time, brokeRecently bool) PlanCheck {
	var reasons []string
	sched := Schedule(total, months, first)
	if months > p.MaxMonths {
		reasons = append(reasons, fmt.Sprintf("%d months is more than the maximum of %d", months, p.MaxMonths))
	}
	if len(sched) > 0 && sched[0].Amount < p.MinInstalment {
		reasons = append(reasons, fmt.Sprintf("instalment %d cents is below the minimum of %d", sched[0].Amount, p.MinInstalment))
	}
	if total > p.MaxTotal {
		reasons = append(reasons, fmt.Sprintf("total %d cents is more than the maximum of %d", total, p.MaxTotal))
	}
	if DateOf(first).After(DateOf(today).AddDate(0, 1, 0)) {
		reasons = append(reasons, "the first payment is more than a month away")
	}
	if brokeRecently {
		reasons = append(reasons, "a plan was broken in the last 12 months")
	}
	return PlanCheck{Inside: len(reasons) == 0, Reasons: reasons}
}

// DisputeReasons are the reasons a debtor can give for not agreeing.
var DisputeReasons = []string{"paid", "not_received", "amount_wrong", "unknown", "other"}

// HardshipReasons are the reasons a debtor can give for not being able to pay.
var HardshipReasons = []string{"income", "illness", "family", "counselling", "other"}
