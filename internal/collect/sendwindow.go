package collect

import (
	"sort"
	"time"
)

// The hours in which a message may reach someone, local time in the
// Netherlands: from 8:00 until 21:00.
const (
	SendFrom = 8 * 60
	SendTo   = 21 * 60
)

// SendWindow is everything that decides when a message to one person may go.
type SendWindow struct {
	Calendar Calendar
	// Avoid are the person's times that do not suit.
	Avoid []TimeRange
	// MaxPerWeek caps the messages in any 7 days; 0 means no cap.
	MaxPerWeek int
	// Others are the moments of the person's other messages, sent or
	// planned, that count towards the cap.
	Others []time.Time
}

// searchLimit bounds FirstAllowed's walk: a year of days, each of which
// can move the moment a few times, is far beyond any real set of wishes.
const searchLimit = 5000

// FirstAllowed is the first moment at or after t at which a message may
// go: between 8:00 and 21:00 in the Netherlands, not on a Sunday or a
// public holiday, outside the person's Avoid ranges, and with fewer than
// MaxPerWeek other messages in the 7 days before it. A message that may not
// go at t waits for that moment; it is never dropped. When the wishes leave
// no moment at all (every hour avoided), the quiet hours and the cap alone
// decide, so the person still hears from us.
func (w SendWindow) FirstAllowed(t time.Time) time.Time {
	if at, ok := w.firstAllowed(t, true); ok {
		return at
	}
	at, _ := w.firstAllowed(t, false)
	return at
}

func (w SendWindow) firstAllowed(t time.Time, wishes bool) (time.Time, bool) {
	others := append([]time.Time(nil), w.Others...)
	sort.Slice(others, func(i, j int) bool { return others[i].Before(others[j]) })
	t = t.In(amsterdam)
	for range searchLimit {
		next := w.moveOnce(t, wishes, others)
		if next.Equal(t) {
			return t, true
		}
		t = next
	}
	return t, false
}

// moveOnce returns t when a message may go at t, else a later moment that
// gets past the first rule that stops it.
func (w SendWindow) moveOnce(t time.Time, wishes bool, others []time.Time) time.Time {
	y, m, d := t.Date()
	minute := t.Hour()*60 + t.Minute()
	at := func(day, minute int) time.Time {
		return time.Date(y, m, d+day, minute/60, minute%60, 0, 0, amsterdam)
	}
	if holiday, _ := w.Calendar.IsHoliday(Day(y, m, d)); holiday || t.Weekday() == time.Sunday {
		return at(1, SendFrom)
	}
	if minute < SendFrom {
		return at(0, SendFrom)
	}
	if minute >= SendTo {
		return at(1, SendFrom)
	}
	if wishes {
		for _, r := range w.Avoid {
			if coversLocal(r, t) {
				return at(0, r.To)
			}
		}
	}
	if w.MaxPerWeek > 0 {
		var inWeek []time.Time
		for _, o := range others {
			if o.After(t.Add(-7*24*time.Hour)) && !o.After(t) {
				inWeek = append(inWeek, o)
			}
		}
		if len(inWeek) >= w.MaxPerWeek {
			// Wait until enough of them are more than a week old.
			return inWeek[len(inWeek)-w.MaxPerWeek].Add(7 * 24 * time.Hour).In(amsterdam)
		}
	}
	return t
}

// coversLocal reports whether local time t falls in r.
func coversLocal(r TimeRange, t time.Time) bool {
	minute := t.Hour()*60 + t.Minute()
	if minute < r.From || minute >= r.To {
		return false
	}
	for _, d := range r.Days {
		if d == t.Weekday() {
			return true
		}
	}
	return false
}

// Allowed reports whether a message may go at t.
func (w SendWindow) Allowed(t time.Time) bool { return w.FirstAllowed(t).Equal(t) }
