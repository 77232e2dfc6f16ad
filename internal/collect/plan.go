package collect

import (
	"fmt"
	"time"
)

// PlanPolicy is a creditor's rule for payment plans. Its limits are in
// months, as creditors state them; a weekly or four-weekly plan is measured
// against them through its Frequency (InstalmentsIn, LowestInstalment).
type PlanPolicy struct {
	MaxMonths        int   // longest plan
	MinInstalment    int64 // smallest monthly amount, cents
	MaxTotal         int64 // largest debt a plan may cover, cents
	WaiveCostsIfKept bool  // collection costs are written off once a plan is kept
	AutoApprove      bool  // a plan inside the policy is approved at once
}

// DefaultPlanPolicy is what a creditor gets until it sets its own.
var DefaultPlanPolicy = PlanPolicy{MaxMonths: 12, MinInstalment: 2500, MaxTotal: 500000, WaiveCostsIfKept: false, AutoApprove: true}

// Frequency is how often a plan's instalments fall due, so that they can
// follow wages and benefits: weekly, every four weeks or monthly.
type Frequency string

// The frequencies a plan can have. A plan stored before frequencies existed
// is monthly (migration 00026's default).
const (
	Weekly     Frequency = "weekly"
	FourWeekly Frequency = "fourweekly"
	Monthly    Frequency = "monthly"
)

// Frequencies are the choices a debtor has, in the order the form shows them.
var Frequencies = []Frequency{Monthly, FourWeekly, Weekly}

// ParseFrequency reads a frequency as the form and the API send it.
func ParseFrequency(s string) (Frequency, bool) {
	for _, f := range Frequencies {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}

// perYear is how many instalments of f fall in a year. The year is the
// bridge between weeks and months: 52 weeks and 13 periods of four weeks
// are 12 months. (A year is 52 weeks and a day or two; the day is dropped,
// in the debtor's favour for the term and the creditor's for the minimum.)
func (f Frequency) perYear() int {
	switch f {
	case Weekly:
		return 52
	case FourWeekly:
		return 13
	}
	return 12
}

// InstalmentsIn is the largest number of instalments of f that fits in a
// term of months: 12 months hold 52 weekly or 13 four-weekly instalments,
// 6 months 26 weekly or 6 four-weekly ones (6.5, rounded down).
func (f Frequency) InstalmentsIn(months int) int {
	if months <= 0 {
		return 0
	}
	return months * f.perYear() / 12
}

// MonthsOf is the term of n instalments of f in months, rounded up: 26 weeks
// are 6 months, 27 weeks are 7. n fits in a term of m months exactly when
// MonthsOf(n) <= m (InstalmentsIn rounds the other way).
func (f Frequency) MonthsOf(n int) int {
	return (n*12 + f.perYear() - 1) / f.perYear()
}

// LowestInstalment is a monthly minimum in cents converted to one
// instalment of f, rounded up to the cent so that the same debt is paid at
// least as fast: EUR 25 a month is EUR 5.77 a week or EUR 23.08 every four weeks.
func (f Frequency) LowestInstalment(monthly int64) int64 {
	if monthly <= 0 {
		return 0
	}
	per := int64(f.perYear())
	return (monthly*12 + per - 1) / per
}

// Instalment is one payment of a plan.
type Instalment struct {
	Seq    int
	Due    time.Time
	Amount int64
}

// Schedule splits total into n instalments of frequency f, the first on
// first. The instalments add up to the total exactly: all equal, the last
// takes the remainder. Weekly and four-weekly instalments fall every 7 or
// 28 days, so always on the same weekday; a monthly due date past the end
// of a month lands on its last day. An empty frequency is monthly.
//
// This is deliberately not money.Split's largest remainder: the plan rule
// in docs/domain.md puts the whole rest on the last instalment (EUR 100
// over 12 months: 11 × 8.33 and 8.37, where largest remainder would give
// 8 × 8.33 and 4 × 8.34), and what debtors are offered changes only by a
// product decision.
func Schedule(total int64, n int, f Frequency, first time.Time) []Instalment {
	if n <= 0 || total <= 0 {
		return nil
	}
	base := total / int64(n)
	out := make([]Instalment, n)
	first = DateOf(first)
	for i := range out {
		amount := base
		if i == n-1 {
			amount = total - base*int64(n-1)
		}
		out[i] = Instalment{Seq: i + 1, Due: f.due(first, i), Amount: amount}
	}
	return out
}

// due is the date of the instalment i places after the one on first.
func (f Frequency) due(first time.Time, i int) time.Time {
	switch f {
	case Weekly:
		return first.AddDate(0, 0, 7*i)
	case FourWeekly:
		return first.AddDate(0, 0, 28*i)
	}
	return addMonthsClamped(first, i)
}

// InstalmentsFor is how many instalments of amount it takes to pay total.
func InstalmentsFor(total, amount int64) int {
	if amount <= 0 {
		return 0
	}
	return int((total + amount - 1) / amount)
}

func addMonthsClamped(d time.Time, months int) time.Time {
	y, m, day := d.Date()
	firstOfTarget := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := firstOfTarget.AddDate(0, 1, -1).Day()
	return time.Date(firstOfTarget.Year(), firstOfTarget.Month(), min(day, last), 0, 0, 0, 0, time.UTC)
}

// PlanLimit names one rule of the policy a proposal can break, so that the
// debtor's page can say which in the debtor's words.
type PlanLimit string

// The rules of a plan policy.
const (
	LimitTerm       PlanLimit = "term"       // longer than MaxMonths
	LimitInstalment PlanLimit = "instalment" // an instalment below the minimum
	LimitTotal      PlanLimit = "total"      // more debt than MaxTotal
	LimitFirst      PlanLimit = "first"      // the first payment more than a month away
	LimitBroke      PlanLimit = "broke"      // a plan broken in the last 12 months
)

// PlanCheck says whether a proposal fits the policy, and if not, why: the
// rules broken, and one reason per broken rule in words an agent reads.
type PlanCheck struct {
	Inside  bool
	Broken  []PlanLimit
	Reasons []string
}

// CheckPlan tests a proposal of n instalments of frequency f against the
// policy. A debtor who broke a plan in the last 12 months is never
// approved automatically.
func CheckPlan(p PlanPolicy, total int64, n int, f Frequency, first, today time.Time, brokeRecently bool) PlanCheck {
	var c PlanCheck
	broken := func(l PlanLimit, format string, args ...any) {
		c.Broken = append(c.Broken, l)
		c.Reasons = append(c.Reasons, fmt.Sprintf(format, args...))
	}
	if most := f.InstalmentsIn(p.MaxMonths); n > most {
		if f == Monthly || f == "" {
			broken(LimitTerm, "%d months is more than the maximum of %d", n, p.MaxMonths)
		} else {
			broken(LimitTerm, "%d %s instalments take %d months, more than the maximum of %d (%d instalments)", n, f, f.MonthsOf(n), p.MaxMonths, most)
		}
	}
	sched := Schedule(total, n, f, first)
	if lowest := f.LowestInstalment(p.MinInstalment); len(sched) > 0 && sched[0].Amount < lowest {
		broken(LimitInstalment, "instalment %d cents is below the minimum of %d", sched[0].Amount, lowest)
	}
	if total > p.MaxTotal {
		broken(LimitTotal, "total %d cents is more than the maximum of %d", total, p.MaxTotal)
	}
	if DateOf(first).After(LatestFirstDue(today)) {
		broken(LimitFirst, "the first payment is more than a month away")
	}
	if brokeRecently {
		broken(LimitBroke, "a plan was broken in the last 12 months")
	}
	c.Inside = len(c.Broken) == 0
	return c
}

// LatestFirstDue is the latest first payment a plan proposed on today may
// have and still be inside any policy.
func LatestFirstDue(today time.Time) time.Time {
	return DateOf(today).AddDate(0, 1, 0)
}

// NearestPlan is the plan inside the policy closest to a proposal of n
// instalments of frequency f starting on first: the same frequency, as
// many instalments as asked if the term and the minimum allow, else the
// nearest number that they do, and the first date moved to the latest the
// policy allows if it was later. ok is false when no plan of this
// frequency fits: the debt is above the policy's maximum, or below one
// lowest instalment (then it is paid at once). A broken plan is not the
// proposal's fault and is not looked at here: CheckPlan says so.
func NearestPlan(p PlanPolicy, total int64, n int, f Frequency, first, today time.Time) (count int, firstDue time.Time, ok bool) {
	if total <= 0 || total > p.MaxTotal {
		return 0, time.Time{}, false
	}
	most := f.InstalmentsIn(p.MaxMonths)
	if lowest := f.LowestInstalment(p.MinInstalment); lowest > 0 {
		// The first instalment is total/count rounded down, the smallest of all.
		most = min(most, int(total/lowest))
	}
	if most < 1 {
		return 0, time.Time{}, false
	}
	firstDue = DateOf(first)
	if latest := LatestFirstDue(today); firstDue.After(latest) {
		firstDue = latest
	}
	return max(1, min(n, most)), firstDue, true
}

// DisputeReasons are the reasons a debtor can give for not agreeing.
var DisputeReasons = []string{"paid", "not_received", "amount_wrong", "unknown", "other"}

// HardshipReasons are the reasons a debtor can give for not being able to pay.
var HardshipReasons = []string{"income", "illness", "family", "counselling", "other"}
