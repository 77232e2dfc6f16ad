package collect

import (
	"testing"
	"time"
)

func TestNoticeDeadline(t *testing.T) {
	cal := NewCalendar(equatedDays)
	tests := []struct {
		name     string
		sentOn   time.Time
		delivery int
		cal      Calendar
		want     time.Time
	}{
		{"worked example: email Thu 30 April 2026", Day(2026, time.April, 30), 0, cal, Day(2026, time.May, 18)},
		{"worked example without equated days", Day(2026, time.April, 30), 0, NewCalendar(nil), Day(2026, time.May, 15)},
		{"post, 2 days, ordinary Wednesday", Day(2026, time.March, 2), 2, cal, Day(2026, time.March, 18)},
		{"14th day is Christmas (Friday)", Day(2026, time.December, 11), 0, cal, Day(2026, time.December, 28)},
		{"14th day is Good Friday, then Easter Monday", Day(2026, time.March, 18), 2, cal, Day(2026, time.April, 7)},
		{"King's Day on Saturday 26 April 2025", Day(2025, time.April, 12), 0, cal, Day(2025, time.April, 28)},
		{"King's Day on Monday 27 April 2026", Day(2026, time.April, 13), 0, cal, Day(2026, time.April, 28)},
		{"New Year 2027 (Friday)", Day(2026, time.December, 18), 0, cal, Day(2027, time.January, 4)},
		{"New Year 2026 then equated 2 January", Day(2025, time.December, 18), 0, cal, Day(2026, time.January, 5)},
		{"Liberation Day 2026 (Tuesday)", Day(2026, time.April, 21), 0, cal, Day(2026, time.May, 6)},
		{"negative delivery days count as 0", Day(2026, time.March, 4), -3, cal, Day(2026, time.March, 18)},
		{"time of day is ignored", time.Date(2026, 4, 30, 22, 15, 0, 0, time.UTC), 0, cal, Day(2026, time.May, 18)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NoticeDeadline(tt.sentOn, tt.delivery, tt.cal)
			if !got.Equal(tt.want) {
				t.Errorf("NoticeDeadline(%s, %d) = %s %s, want %s %s", tt.sentOn.Format(time.DateOnly), tt.delivery,
					got.Weekday(), got.Format(time.DateOnly), tt.want.Weekday(), tt.want.Format(time.DateOnly))
			}
		})
	}
}

func TestCostsDueFrom(t *testing.T) {
	if got, want := CostsDueFrom(Day(2026, time.May, 18)), Day(2026, time.May, 19); !got.Equal(want) {
		t.Errorf("CostsDueFrom = %s, want %s", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	if got, want := CostsDueFrom(Day(2026, time.December, 31)), Day(2027, time.January, 1); !got.Equal(want) {
		t.Errorf("CostsDueFrom = %s, want %s", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
}
