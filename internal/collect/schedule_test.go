package collect

import (
	"slices"
	"testing"
	"time"
)

// TestSchedule pins the plan rule of docs/domain.md: equal instalments, the
// whole rest on the last, due monthly, a month's end clamped.
func TestSchedule(t *testing.T) {
	tests := []struct {
		name    string
		total   int64
		months  int
		first   time.Time
		amounts []int64
		due     []time.Time
	}{
		{"EUR 100 over 3 months", 10000, 3, Day(2026, 1, 15), []int64{3333, 3333, 3334},
			[]time.Time{Day(2026, 1, 15), Day(2026, 2, 15), Day(2026, 3, 15)}},
		{"a rest of several cents goes to the last", 10000, 12, Day(2026, 1, 1),
			[]int64{833, 833, 833, 833, 833, 833, 833, 833, 833, 833, 833, 837}, nil},
		{"a month's end lands on the last day", 9000, 3, Day(2026, 1, 31), []int64{3000, 3000, 3000},
			[]time.Time{Day(2026, 1, 31), Day(2026, 2, 28), Day(2026, 3, 31)}},
		{"no months", 10000, 0, Day(2026, 1, 1), nil, nil},
		{"nothing to pay", 0, 3, Day(2026, 1, 1), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var amounts []int64
			var due []time.Time
			for i, in := range Schedule(tt.total, tt.months, Monthly, tt.first) {
				if in.Seq != i+1 {
					t.Errorf("instalment %d has seq %d", i+1, in.Seq)
				}
				amounts = append(amounts, in.Amount)
				due = append(due, in.Due)
			}
			if !slices.Equal(amounts, tt.amounts) {
				t.Errorf("amounts %v, want %v", amounts, tt.amounts)
			}
			if tt.due != nil && !slices.EqualFunc(due, tt.due, time.Time.Equal) {
				t.Errorf("due %v, want %v", due, tt.due)
			}
		})
	}
}
