// Package collect holds the pure rules of Dutch debt collection: WIK costs,
// the 14-day letter, statutory interest, how a payment is applied and
// payment references. It does no I/O; dated facts (rates, equated days) are
// passed in by the caller, who loads them from the database.
package collect

import "time"

// Day returns the date y-m-d at midnight UTC, the one form of date this
// package works with, so dates compare with == and Equal alike.
func Day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DateOf truncates t to its date in UTC, at midnight UTC.
func DateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return Day(y, m, d)
}

// addDays moves a date by n calendar days; AddDate keeps it at midnight UTC.
func addDays(d time.Time, n int) time.Time { return d.AddDate(0, 0, n) }

// dateKey is a comparable key for a date that ignores location and
// monotonic clock readings, which would make time.Time map keys unreliable.
type dateKey struct {
	y int
	m time.Month
	d int
}

func keyOf(t time.Time) dateKey {
	y, m, d := DateOf(t).Date()
	return dateKey{y, m, d}
}

// Names of the days that stop a term under the Algemene termijnenwet.
const (
	Nieuwjaarsdag     = "Nieuwjaarsdag"
	GoedeVrijdag      = "Goede Vrijdag"
	TweedePaasdag     = "Tweede Paasdag"
	Koningsdag        = "Koningsdag"
	Koninginnedag     = "Koninginnedag"
	Bevrijdingsdag    = "Bevrijdingsdag"
	Hemelvaartsdag    = "Hemelvaartsdag"
	TweedePinksterdag = "Tweede Pinksterdag"
	EersteKerstdag    = "Eerste Kerstdag"
	TweedeKerstdag    = "Tweede Kerstdag"
	GelijkgesteldeDag = "gelijkgestelde dag"
)

// Calendar knows the public holidays of the Algemene termijnenwet (art. 3)
// and the days the government equated with them by decree (art. 3 lid 3).
// The equated days are data, not code: decrees are published every few
// years and an operator adds them without a release.
type Calendar struct {
	equated map[dateKey]struct{}
}

// NewCalendar returns a Calendar that also treats the given dates as
// holidays ("gelijkgestelde dagen", loaded by the caller from the database).
func NewCalendar(equated []time.Time) Calendar {
	c := Calendar{equated: make(map[dateKey]struct{}, len(equated))}
	for _, d := range equated {
		c.equated[keyOf(d)] = struct{}{}
	}
	return c
}

// IsHoliday reports whether d is a holiday under the Algemene termijnenwet
// art. 3 (lid 1 and 2, plus equated days of lid 3) and gives its name.
// Sundays that are feast days (Easter, Whit Sunday) are not listed in the
// law: they stop a term as Sundays.
func (c Calendar) IsHoliday(d time.Time) (bool, string) {
	d = DateOf(d)
	y, m, day := d.Date()
	switch {
	case m == time.January && day == 1:
		return true, Nieuwjaarsdag
	case m == time.May && day == 5:
		// Bevrijdingsdag counts every year for this law, not only in lustrum years.
		return true, Bevrijdingsdag
	case m == time.December && day == 25:
		return true, EersteKerstdag
	case m == time.December && day == 26:
		return true, TweedeKerstdag
	}
	if royal, name := royalDay(y); d.Equal(royal) {
		return true, name
	}
	easter := Easter(y)
	switch {
	case d.Equal(addDays(easter, -2)):
		return true, GoedeVrijdag
	case d.Equal(addDays(easter, 1)):
		return true, TweedePaasdag
	case d.Equal(addDays(easter, 39)):
		return true, Hemelvaartsdag
	case d.Equal(addDays(easter, 50)):
		return true, TweedePinksterdag
	}
	if _, ok := c.equated[keyOf(d)]; ok {
		return true, GelijkgesteldeDag
	}
	return false, ""
}

// royalDay returns the day the monarch's birthday is celebrated in year y:
// 27 April (26 April when the 27th is a Sunday) from 2014; before that
// Koninginnedag on 30 April (29 April when the 30th was a Sunday).
func royalDay(y int) (time.Time, string) {
	day, name := 27, Koningsdag
	if y < 2014 {
		day, name = 30, Koninginnedag
	}
	d := Day(y, time.April, day)
	if d.Weekday() == time.Sunday {
		d = addDays(d, -1)
	}
	return d, name
}

// Easter returns Easter Sunday of year y in the Gregorian calendar
// (the anonymous Gregorian computus of Meeus/Jones/Butcher).
func Easter(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Day(y, time.Month(month), day)
}

// IsWorkingDay reports whether d is neither a Saturday, a Sunday nor a
// holiday, i.e. a day on which a term under the Algemene termijnenwet may end.
func (c Calendar) IsWorkingDay(d time.Time) bool {
	switch DateOf(d).Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	holiday, _ := c.IsHoliday(d)
	return !holiday
}

// NextWorkingDay returns d itself when it is a working day, otherwise the
// first working day after it.
func (c Calendar) NextWorkingDay(d time.Time) time.Time {
	d = DateOf(d)
	for !c.IsWorkingDay(d) {
		d = addDays(d, 1)
	}
	return d
}
