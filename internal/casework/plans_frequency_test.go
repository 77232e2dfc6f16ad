package casework_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// A weekly plan inside the policy (EUR 100 in four weeks of EUR 25) is
// approved at once and stored weekly: the frequency and one part every 7 days.
func TestWeeklyPlanIsStoredWeekly(t *testing.T) {
	t.Parallel()
	b := setupPlans(t)
	in := casework.PlanRequest{CreditorID: b.cr.ID, DebtorID: b.debtor, Frequency: collect.Weekly, Months: 4, First: collect.Day(2026, 11, 30)}
	q, err := casework.ProposePlan(b.ctx, b.db, b.clk.Now(), in)
	if err != nil || q.Plan.Status != collect.PlanApproved || q.Nearest != nil {
		t.Fatalf("propose = %+v, nearest %+v, %v; want approved at once", q.Plan, q.Nearest, err)
	}
	ps := b.plans(t, b.debtor)
	if len(ps) != 1 || ps[0].Frequency != collect.Weekly || ps[0].Months != 4 {
		t.Fatalf("stored plans %+v, want one weekly plan of 4 parts", ps)
	}
	var due []time.Time
	for _, in := range ps[0].Instalments {
		due = append(due, in.Due)
	}
	want := []time.Time{collect.Day(2026, 11, 30), collect.Day(2026, 12, 7), collect.Day(2026, 12, 14), collect.Day(2026, 12, 21)}
	if !slices.EqualFunc(due, want, time.Time.Equal) {
		t.Errorf("due dates %v, want %v", due, want)
	}
	// A plan from before frequencies (the migration's default) reads as monthly.
	offer, err := casework.OfferPlan(b.ctx, b.db, b.agent, b.cr.ID, b.other, collect.Plan{Total: 10000, Months: 2, FirstDue: collect.Day(2026, 12, 1)})
	if err != nil || offer.Frequency != collect.Monthly || !offer.Instalments[1].Due.Equal(collect.Day(2027, 1, 1)) {
		t.Errorf("an offer without a frequency = %+v, %v; want monthly", offer, err)
	}
}

// A request outside the policy says which rules it breaks and which plan
// would be approved at once instead; a request by amount keeps what was asked.
func TestPlanOutsidePolicyOffersTheNearest(t *testing.T) {
	t.Parallel()
	b := setupPlans(t)
	first := collect.Day(2026, 12, 1)
	for _, tc := range []struct {
		name    string
		in      casework.PlanRequest
		broken  []collect.PlanLimit
		asked   int64
		nearest int // 0: inside, no nearest plan
		part    int64
	}{
		// EUR 3 a week is 34 weeks of 2.94, below the weekly minimum of EUR 5.77: 17 weeks of 5.88 are inside.
		{"weekly amount too small", casework.PlanRequest{Frequency: collect.Weekly, ByAmount: true, Monthly: 300, First: first},
			[]collect.PlanLimit{collect.LimitInstalment}, 300, 17, 588},
		// 24 months are too long and EUR 4.16 too small: 4 months of EUR 25 are inside.
		{"too many months", casework.PlanRequest{Months: 24, First: first},
			[]collect.PlanLimit{collect.LimitTerm, collect.LimitInstalment}, 0, 4, 2500},
		// EUR 34 every four weeks is 3 parts: inside, and the parts (33.33) differ from the ask.
		{"four-weekly inside", casework.PlanRequest{Frequency: collect.FourWeekly, ByAmount: true, Monthly: 3400, First: first},
			nil, 3400, 0, 3333},
	} {
		tc.in.CreditorID, tc.in.DebtorID = b.cr.ID, b.debtor
		q, err := casework.PreviewPlan(b.ctx, b.db, b.clk.Now(), tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !slices.Equal(q.Check.Broken, tc.broken) || q.Inside != (tc.broken == nil) || q.Asked != tc.asked {
			t.Errorf("%s: broken %v, inside %v, asked %d; want %v, asked %d", tc.name, q.Check.Broken, q.Inside, q.Asked, tc.broken, tc.asked)
		}
		if q.Schedule[0].Amount != tc.part && tc.nearest == 0 {
			t.Errorf("%s: first part %d, want %d", tc.name, q.Schedule[0].Amount, tc.part)
		}
		switch {
		case tc.nearest == 0 && q.Nearest != nil:
			t.Errorf("%s: a nearest plan %+v for a plan inside the policy", tc.name, q.Nearest)
		case tc.nearest > 0 && (q.Nearest == nil || q.Nearest.Months != tc.nearest || q.Nearest.Schedule[0].Amount != tc.part || !q.Nearest.First.Equal(first)):
			t.Errorf("%s: nearest %+v, want %d parts of %d from %s", tc.name, q.Nearest, tc.nearest, tc.part, first.Format(time.DateOnly))
		case tc.nearest > 0:
			// The nearest plan is approved at once when chosen.
			in := casework.PlanRequest{CreditorID: b.cr.ID, DebtorID: b.debtor, Frequency: tc.in.Frequency, Months: q.Nearest.Months, First: q.Nearest.First}
			if pre, err := casework.PreviewPlan(b.ctx, b.db, b.clk.Now(), in); err != nil || !pre.Inside {
				t.Errorf("%s: the nearest plan previews as inside %v, broken %v, %v", tc.name, pre.Inside, pre.Check.Broken, err)
			}
		}
	}
	_, err := casework.PreviewPlan(b.ctx, b.db, b.clk.Now(), casework.PlanRequest{CreditorID: b.cr.ID, DebtorID: b.debtor, Frequency: "daily", Months: 3, First: first})
	if !errors.Is(err, casework.ErrPlanFrequency) {
		t.Errorf("a daily plan: %v, want ErrPlanFrequency", err)
	}
	// 260 weeks are the longest anyone may ask for (60 months), 261 are refused by the form.
	for n, want := range map[int]error{260: nil, 261: casework.ErrPlanMonths} {
		_, err := casework.PreviewPlan(b.ctx, b.db, b.clk.Now(), casework.PlanRequest{CreditorID: b.cr.ID, DebtorID: b.debtor, Frequency: collect.Weekly, Months: n, First: first})
		if !errors.Is(err, want) {
			t.Errorf("%d weeks: %v, want %v", n, err, want)
		}
	}
}
