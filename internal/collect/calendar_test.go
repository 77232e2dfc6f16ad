package collect

import (
	"testing"
	"time"
)

// equatedDays are the days equated with holidays by the decrees published
// so far (Algemene termijnenwet art. 3 lid 3); in production they come from
// the database.
var equatedDays = []time.Time{
	Day(2023, time.April, 28), Day(2023, time.May, 19),
	Day(2024, time.May, 10), Day(2024, time.December, 27), Day(2025, time.May, 30),
	Day(2026, time.January, 2), Day(2026, time.May, 15), Day(2027, time.May, 7),
	Day(2028, time.April, 28), Day(2028, time.May, 26),
}

func TestDayAndDateOf(t *testing.T) {
	ams := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		in   time.Time
		want time.Time
	}{
		{time.Date(2026, 5, 1, 23, 59, 0, 0, time.UTC), Day(2026, time.May, 1)},
		{time.Date(2026, 5, 1, 1, 0, 0, 0, ams), Day(2026, time.April, 30)},
		{Day(2026, time.May, 1), Day(2026, time.May, 1)},
	}
	for _, tt := range tests {
		if got := DateOf(tt.in); !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("DateOf(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestEaster(t *testing.T) {
	tests := []time.Time{
		Day(2000, time.April, 23), Day(2008, time.March, 23), Day(2011, time.April, 24),
		Day(2019, time.April, 21), Day(2024, time.March, 31), Day(2025, time.April, 20),
		Day(2026, time.April, 5), Day(2027, time.March, 28), Day(2028, time.April, 16),
	}
	for _, want := range tests {
		if got := Easter(want.Year()); !got.Equal(want) {
			t.Errorf("Easter(%d) = %s, want %s", want.Year(), got.Format(time.DateOnly), want.Format(time.DateOnly))
		}
	}
}

func TestIsHoliday(t *testing.T) {
	cal := NewCalendar(equatedDays)
	tests := []struct {
		day  time.Time
		want string // "" for no holiday
	}{
		{Day(2026, time.January, 1), Nieuwjaarsdag},
		{Day(2026, time.January, 2), GelijkgesteldeDag},
		{Day(2026, time.April, 3), GoedeVrijdag},
		{Day(2026, time.April, 5), ""}, // Easter Sunday: a Sunday, not listed
		{Day(2026, time.April, 6), TweedePaasdag},
		{Day(2026, time.April, 27), Koningsdag},
		{Day(2025, time.April, 26), Koningsdag}, // the 27th is a Sunday
		{Day(2025, time.April, 27), ""},
		{Day(2013, time.April, 30), Koninginnedag},
		{Day(2026, time.May, 5), Bevrijdingsdag},
		{Day(2027, time.May, 5), Bevrijdingsdag}, // every year, not only lustrum years
		{Day(2026, time.May, 14), Hemelvaartsdag},
		{Day(2026, time.May, 15), GelijkgesteldeDag},
		{Day(2026, time.May, 24), ""}, // Whit Sunday
		{Day(2026, time.May, 25), TweedePinksterdag},
		{Day(2026, time.December, 25), EersteKerstdag},
		{Day(2026, time.December, 26), TweedeKerstdag},
		{Day(2028, time.April, 28), GelijkgesteldeDag},
		{Day(2028, time.May, 26), GelijkgesteldeDag},
		{Day(2026, time.April, 30), ""},
		{Day(2026, time.December, 31), ""},
		{time.Date(2026, 12, 25, 15, 30, 0, 0, time.UTC), EersteKerstdag},
	}
	for _, tt := range tests {
		ok, name := cal.IsHoliday(tt.day)
		if ok != (tt.want != "") || name != tt.want {
			t.Errorf("IsHoliday(%s) = %v, %q; want %q", tt.day.Format(time.DateOnly), ok, name, tt.want)
		}
	}
	// Without the decree data the equated day is an ordinary Friday.
	if ok, _ := NewCalendar(nil).IsHoliday(Day(2026, time.May, 15)); ok {
		t.Error("2026-05-15 is a holiday without equated days")
	}
}

func TestWorkingDays(t *testing.T) {
	cal := NewCalendar(equatedDays)
	tests := []struct {
		day     time.Time
		working bool
		next    time.Time
	}{
		{Day(2026, time.May, 13), true, Day(2026, time.May, 13)},      // Wednesday
		{Day(2026, time.May, 14), false, Day(2026, time.May, 18)},     // Ascension, equated Friday, weekend
		{Day(2026, time.May, 16), false, Day(2026, time.May, 18)},     // Saturday
		{Day(2025, time.April, 26), false, Day(2025, time.April, 28)}, // King's Day on a Saturday
		{Day(2026, time.April, 3), false, Day(2026, time.April, 7)},   // Good Friday to Easter Monday
		{Day(2026, time.December, 24), true, Day(2026, time.December, 24)},
	}
	for _, tt := range tests {
		if got := cal.IsWorkingDay(tt.day); got != tt.working {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.day.Format(time.DateOnly), got, tt.working)
		}
		if got := cal.NextWorkingDay(tt.day); !got.Equal(tt.next) {
			t.Errorf("NextWorkingDay(%s) = %s, want %s", tt.day.Format(time.DateOnly), got.Format(time.DateOnly), tt.next.Format(time.DateOnly))
		}
	}
}
