package collect

import (
	"testing"
	"time"
)

func TestFirstAllowed(t *testing.T) {
	ams := amsterdam
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, ams) }
	officeHours := []TimeRange{{Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, From: 8 * 60, To: 17 * 60}}
	everyHour := []TimeRange{{Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6}, From: 0, To: 24 * 60}}
	cal := NewCalendar([]time.Time{Day(2026, 5, 15)})
	for _, tc := range []struct {
		name string
		w    SendWindow
		t    time.Time
		want time.Time
	}{
		{"a Tuesday morning goes at once", SendWindow{}, at(12, 1, 10, 30), at(12, 1, 10, 30)},
		{"before eight waits until eight", SendWindow{}, at(12, 1, 6, 0), at(12, 1, 8, 0)},
		{"at nine in the evening waits for the morning", SendWindow{}, at(12, 1, 21, 0), at(12, 2, 8, 0)},
		{"in winter time too (UTC 19:30 is 20:30 here)", SendWindow{}, time.Date(2026, 12, 1, 19, 30, 0, 0, time.UTC), at(12, 1, 20, 30)},
		{"in summer time (UTC 19:30 is 21:30 here)", SendWindow{}, time.Date(2026, 6, 2, 19, 30, 0, 0, time.UTC), at(6, 3, 8, 0)},
		{"Saturday evening skips Sunday", SendWindow{}, at(12, 5, 22, 0), at(12, 7, 8, 0)},
		{"Christmas and Boxing Day, then Sunday 27th", SendWindow{}, at(12, 24, 21, 30), at(12, 28, 8, 0)},
		{"Ascension Day, an equated Friday, then the weekend's Saturday", SendWindow{Calendar: cal}, at(5, 14, 9, 0), at(5, 16, 8, 0)},
		{"not on weekdays 8-17: waits until five", SendWindow{Avoid: officeHours}, at(12, 1, 9, 0), at(12, 1, 17, 0)},
		{"not on weekdays 8-17: Saturday goes", SendWindow{Avoid: officeHours}, at(12, 5, 9, 0), at(12, 5, 9, 0)},
		{"not on weekdays 8-17, at 20:59 on Friday", SendWindow{Avoid: officeHours}, at(12, 4, 20, 59), at(12, 4, 20, 59)},
		{"wishes that leave no moment fall back to quiet hours", SendWindow{Avoid: everyHour}, at(12, 1, 7, 0), at(12, 1, 8, 0)},
		{"the cap waits for the oldest of the week to age out",
			SendWindow{MaxPerWeek: 3, Others: []time.Time{at(11, 30, 9, 0), at(11, 27, 10, 0), at(11, 28, 11, 0)}},
			at(12, 1, 12, 0), at(12, 4, 10, 0)},
		{"the cap, then Sunday",
			SendWindow{MaxPerWeek: 2, Others: []time.Time{at(11, 29, 12, 0), at(11, 30, 9, 0)}},
			at(12, 5, 12, 0), at(12, 7, 8, 0)},
		{"old messages do not count", SendWindow{MaxPerWeek: 1, Others: []time.Time{at(11, 23, 9, 0)}}, at(12, 1, 9, 0), at(12, 1, 9, 0)},
	} {
		got := tc.w.FirstAllowed(tc.t)
		if !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got.In(ams), tc.want)
		}
		if !tc.w.Allowed(got) {
			t.Errorf("%s: %v is not allowed itself", tc.name, got)
		}
	}
}
