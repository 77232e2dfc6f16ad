package collect

import (
	"testing"
	"time"
)

func TestPostMoment(t *testing.T) {
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, amsterdam) }
	cal := NewCalendar([]time.Time{Day(2026, 5, 15)})
	for _, tc := range []struct {
		name string
		t    time.Time
		want time.Time
	}{
		{"a Wednesday morning goes at once", at(12, 16, 10, 0), at(12, 16, 10, 0)},
		{"before eight on a working day waits until eight", at(12, 16, 6, 0), at(12, 16, 8, 0)},
		{"a Friday evening waits for Monday, not Saturday", at(12, 18, 22, 0), at(12, 21, 8, 0)},
		{"a Saturday waits for Monday", at(12, 19, 10, 0), at(12, 21, 8, 0)},
		{"a Sunday waits for Monday", at(12, 20, 10, 0), at(12, 21, 8, 0)},
		{"Christmas Eve evening waits past Christmas, Boxing Day and the weekend", at(12, 24, 21, 30), at(12, 28, 8, 0)},
		{"Ascension Day and an equated Friday wait for Monday", at(5, 14, 9, 0), at(5, 18, 8, 0)},
	} {
		if got := PostMoment(cal, tc.t); !got.Equal(tc.want) {
			t.Errorf("%s: PostMoment(%v) = %v, want %v", tc.name, tc.t, got, tc.want)
		}
		if got, want := PostDay(cal, tc.t), DateOf(tc.want); !got.Equal(want) {
			t.Errorf("%s: PostDay = %v, want %v", tc.name, got, want)
		}
	}
}

func TestIsAnswer(t *testing.T) {
	for kind, want := range map[string]bool{KindPlanApproved: true, KindPlanCountered: true, KindPlanRejected: true,
		KindDisputeAnswered: true, "reminder_after": false, "notice": false, "": false} {
		if got := IsAnswer(kind); got != want {
			t.Errorf("IsAnswer(%q) = %v, want %v", kind, got, want)
		}
	}
}
