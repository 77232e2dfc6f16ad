package collect_test

import (
	"testing"
	"time"

	"github.com/settle/settle/internal/collect"
)

func TestAnswerDueCountsWorkingDays(t *testing.T) {
	t.Parallel()
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	cal := collect.NewCalendar(nil)
	for _, tc := range []struct {
		created time.Time
		days    int
		want    time.Time
	}{
		{time.Date(2026, 11, 23, 10, 0, 0, 0, amsterdam), 5, time.Date(2026, 11, 30, 10, 0, 0, 0, amsterdam)},
		// Friday evening: the weekend does not count.
		{time.Date(2026, 11, 27, 18, 30, 0, 0, amsterdam), 1, time.Date(2026, 11, 30, 18, 30, 0, 0, amsterdam)},
		// Christmas and New Year's Day do not count either.
		{time.Date(2026, 12, 24, 9, 0, 0, 0, amsterdam), 5, time.Date(2027, 1, 4, 9, 0, 0, 0, amsterdam)},
		// Received on a Sunday.
		{time.Date(2026, 11, 29, 12, 0, 0, 0, amsterdam), 1, time.Date(2026, 11, 30, 12, 0, 0, 0, amsterdam)},
		// Late in the Dutch evening is already the next day in UTC's eyes, not in the Netherlands'.
		{time.Date(2026, 11, 23, 0, 30, 0, 0, amsterdam), 1, time.Date(2026, 11, 24, 0, 30, 0, 0, amsterdam)},
		// A policy without an answer time gets the default of five working days.
		{time.Date(2026, 11, 23, 10, 0, 0, 0, amsterdam), 0, time.Date(2026, 11, 30, 10, 0, 0, 0, amsterdam)},
	} {
		if got := collect.AnswerDue(cal, tc.created, tc.days); !got.Equal(tc.want) {
			t.Errorf("AnswerDue(%v, %d) = %v, want %v", tc.created, tc.days, got, tc.want)
		}
	}
	if got, want := collect.AnswerDate(cal, collect.Day(2026, 11, 27), 1), collect.Day(2026, 11, 30); !got.Equal(want) {
		t.Errorf("AnswerDate(Friday, 1) = %v, want %v", got, want)
	}
}
