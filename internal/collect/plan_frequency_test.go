package collect

import (
	"slices"
	"testing"
	"time"
)

// TestFrequencyConversions pins how a creditor's limits in months become
// limits on weekly and four-weekly plans: 52 weeks and 13 four-week periods
// are 12 months, terms round down and minimum amounts round up.
func TestFrequencyConversions(t *testing.T) {
	tests := []struct {
		f            Frequency
		months       int
		instalments  int // InstalmentsIn(months)
		n, monthsOfN int // MonthsOf(n)
		monthly      int64
		lowest       int64 // LowestInstalment(monthly)
	}{
		{Monthly, 12, 12, 12, 12, 2500, 2500},
		{Monthly, 60, 60, 7, 7, 1, 1},
		{Weekly, 12, 52, 52, 12, 2500, 577}, // 300.00 / 52 = 5.769...
		{Weekly, 6, 26, 27, 7, 2000, 462},   // 240.00 / 52 = 4.615...
		{Weekly, 1, 4, 5, 2, 5200, 1200},    // exact: 624.00 / 52
		{FourWeekly, 12, 13, 13, 12, 2500, 2308},
		{FourWeekly, 6, 6, 7, 7, 1300, 1200}, // 6.5 periods fit in 6 months: 6
		{FourWeekly, 1, 1, 1, 1, 100, 93},    // 12.00 / 13 = 0.923...
		{"", 12, 12, 3, 3, 2500, 2500},       // a plan from before frequencies
	}
	for _, tt := range tests {
		if got := tt.f.InstalmentsIn(tt.months); got != tt.instalments {
			t.Errorf("%q.InstalmentsIn(%d) = %d, want %d", tt.f, tt.months, got, tt.instalments)
		}
		if got := tt.f.MonthsOf(tt.n); got != tt.monthsOfN {
			t.Errorf("%q.MonthsOf(%d) = %d, want %d", tt.f, tt.n, got, tt.monthsOfN)
		}
		if got := tt.f.LowestInstalment(tt.monthly); got != tt.lowest {
			t.Errorf("%q.LowestInstalment(%d) = %d, want %d", tt.f, tt.monthly, got, tt.lowest)
		}
		// The two conversions agree: n fits in the term exactly when its months do.
		for n := 1; n <= 70; n++ {
			if fits := n <= tt.f.InstalmentsIn(tt.months); fits != (tt.f.MonthsOf(n) <= tt.months) {
				t.Errorf("%q: %d instalments fit in %d months is %v by InstalmentsIn, not by MonthsOf", tt.f, n, tt.months, fits)
			}
		}
	}
}

func TestParseFrequency(t *testing.T) {
	for _, f := range Frequencies {
		if got, ok := ParseFrequency(string(f)); !ok || got != f {
			t.Errorf("ParseFrequency(%q) = %q, %v", f, got, ok)
		}
	}
	for _, s := range []string{"", "Monthly", "daily", "4weekly"} {
		if _, ok := ParseFrequency(s); ok {
			t.Errorf("ParseFrequency(%q) accepted", s)
		}
	}
}

// TestScheduleByFrequency: weekly and four-weekly parts fall every 7 and 28
// days (the same weekday, across a month's end and a year's end), with the
// rest on the last part as for monthly plans.
func TestScheduleByFrequency(t *testing.T) {
	tests := []struct {
		name    string
		total   int64
		n       int
		f       Frequency
		first   time.Time
		amounts []int64
		due     []time.Time
	}{
		{"weekly across a month's end", 10000, 3, Weekly, Day(2026, 1, 22), []int64{3333, 3333, 3334},
			[]time.Time{Day(2026, 1, 22), Day(2026, 1, 29), Day(2026, 2, 5)}},
		{"four-weekly across a year's end", 5000, 4, FourWeekly, Day(2026, 12, 3), []int64{1250, 1250, 1250, 1250},
			[]time.Time{Day(2026, 12, 3), Day(2026, 12, 31), Day(2027, 1, 28), Day(2027, 2, 25)}},
		{"monthly clamps a month's end", 9000, 3, Monthly, Day(2026, 1, 31), []int64{3000, 3000, 3000},
			[]time.Time{Day(2026, 1, 31), Day(2026, 2, 28), Day(2026, 3, 31)}},
		{"empty frequency is monthly", 200, 2, "", Day(2026, 3, 31), []int64{100, 100},
			[]time.Time{Day(2026, 3, 31), Day(2026, 4, 30)}},
		{"a year of weeks", 52 * 1000, 52, Weekly, Day(2026, 1, 5), nil,
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Schedule(tt.total, tt.n, tt.f, tt.first)
			if len(s) != tt.n {
				t.Fatalf("%d instalments, want %d", len(s), tt.n)
			}
			var sum int64
			var amounts []int64
			var due []time.Time
			for i, in := range s {
				sum += in.Amount
				amounts = append(amounts, in.Amount)
				due = append(due, in.Due)
				if i > 0 && tt.f == Weekly && in.Due.Sub(s[i-1].Due) != 7*24*time.Hour {
					t.Errorf("instalment %d is %v after the one before", i+1, in.Due.Sub(s[i-1].Due))
				}
			}
			if sum != tt.total {
				t.Errorf("instalments add up to %d, want %d", sum, tt.total)
			}
			if tt.amounts != nil && !slices.Equal(amounts, tt.amounts) {
				t.Errorf("amounts %v, want %v", amounts, tt.amounts)
			}
			if tt.due != nil && !slices.EqualFunc(due, tt.due, time.Time.Equal) {
				t.Errorf("due %v, want %v", due, tt.due)
			}
		})
	}
}

// TestCheckPlanByFrequency: the creditor's months and monthly minimum hold
// for every frequency, converted; each broken rule is named.
func TestCheckPlanByFrequency(t *testing.T) {
	p := PlanPolicy{MaxMonths: 12, MinInstalment: 2500, MaxTotal: 500000, AutoApprove: true}
	today := Day(2026, 3, 2)
	soon := Day(2026, 3, 9)
	tests := []struct {
		name   string
		total  int64
		n      int
		f      Frequency
		first  time.Time
		broke  bool
		broken []PlanLimit
	}{
		{"12 months", 30000, 12, Monthly, soon, false, nil},
		{"13 months", 40000, 13, Monthly, soon, false, []PlanLimit{LimitTerm}},
		{"52 weeks are 12 months", 52 * 600, 52, Weekly, soon, false, nil},
		{"53 weeks are more", 53 * 600, 53, Weekly, soon, false, []PlanLimit{LimitTerm}},
		{"13 four-week periods are 12 months", 13 * 2400, 13, FourWeekly, soon, false, nil},
		{"14 four-week periods are more", 14 * 2400, 14, FourWeekly, soon, false, []PlanLimit{LimitTerm}},
		{"EUR 5.77 a week is EUR 25 a month", 10 * 577, 10, Weekly, soon, false, nil},
		{"EUR 5.76 a week is less", 10 * 576, 10, Weekly, soon, false, []PlanLimit{LimitInstalment}},
		{"EUR 23.07 every four weeks is less", 3 * 2307, 3, FourWeekly, soon, false, []PlanLimit{LimitInstalment}},
		{"above the total", 600000, 12, Monthly, soon, false, []PlanLimit{LimitTotal}},
		{"first too late", 30000, 12, Weekly, Day(2026, 4, 3), false, []PlanLimit{LimitFirst}},
		{"first on the last day allowed", 30000, 12, Weekly, Day(2026, 4, 2), false, nil},
		{"broke a plan", 30000, 12, Monthly, soon, true, []PlanLimit{LimitBroke}},
		{"several at once", 600000, 60, Weekly, soon, false, []PlanLimit{LimitTerm, LimitTotal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CheckPlan(p, tt.total, tt.n, tt.f, tt.first, today, tt.broke)
			if !slices.Equal(c.Broken, tt.broken) {
				t.Errorf("broken %v, want %v (%q)", c.Broken, tt.broken, c.Reasons)
			}
			if c.Inside != (len(tt.broken) == 0) || len(c.Reasons) != len(c.Broken) {
				t.Errorf("inside %v with reasons %q", c.Inside, c.Reasons)
			}
		})
	}
}

// TestNearestPlan: what would be approved at once instead of a proposal
// outside the policy, and that it is inside the policy indeed.
func TestNearestPlan(t *testing.T) {
	p := PlanPolicy{MaxMonths: 12, MinInstalment: 2500, MaxTotal: 500000, AutoApprove: true}
	today := Day(2026, 3, 2)
	soon := Day(2026, 3, 9)
	tests := []struct {
		name  string
		total int64
		n     int
		f     Frequency
		first time.Time
		ok    bool
		count int
		due   time.Time
	}{
		{"inside stays as asked", 30000, 6, Monthly, soon, true, 6, soon},
		{"too long: the longest term", 100000, 24, Monthly, soon, true, 12, soon},
		{"too long weekly: 52 weeks", 100000, 80, Weekly, soon, true, 52, soon},
		{"too small parts: as many as the minimum allows", 23748, 12, Monthly, soon, true, 9, soon}, // 237.48 / 25 = 9.5
		{"too small weekly parts", 23748, 52, Weekly, soon, true, 41, soon},                         // 237.48 / 5.77 = 41.2
		{"too small four-weekly parts", 23748, 13, FourWeekly, soon, true, 10, soon},                // 237.48 / 23.08 = 10.3
		{"first too late: the latest first date", 30000, 6, Monthly, Day(2026, 5, 1), true, 6, Day(2026, 4, 2)},
		{"less than one part: pay at once", 2000, 3, Monthly, soon, false, 0, time.Time{}},
		{"above the maximum total", 600000, 12, Monthly, soon, false, 0, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			count, due, ok := NearestPlan(p, tt.total, tt.n, tt.f, tt.first, today)
			if ok != tt.ok || count != tt.count || !due.Equal(tt.due) {
				t.Fatalf("NearestPlan = %d from %s, %v; want %d from %s, %v", count, due.Format(time.DateOnly), ok,
					tt.count, tt.due.Format(time.DateOnly), tt.ok)
			}
			if !ok {
				return
			}
			if c := CheckPlan(p, tt.total, count, tt.f, due, today, false); !c.Inside {
				t.Errorf("the nearest plan is outside the policy: %q", c.Reasons)
			}
			// One more part would break the policy, unless the count is what was asked.
			if count < tt.n && CheckPlan(p, tt.total, count+1, tt.f, due, today, false).Inside {
				t.Errorf("%d parts are inside too: the nearest plan is not the nearest", count+1)
			}
		})
	}
}

func TestInstalmentsFor(t *testing.T) {
	tests := []struct {
		total, amount int64
		want          int
	}{{23748, 2000, 12}, {24000, 2000, 12}, {24001, 2000, 13}, {100, 0, 0}, {100, 500, 1}}
	for _, tt := range tests {
		if got := InstalmentsFor(tt.total, tt.amount); got != tt.want {
			t.Errorf("InstalmentsFor(%d, %d) = %d, want %d", tt.total, tt.amount, got, tt.want)
		}
	}
}
