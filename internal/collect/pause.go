package collect

import "time"

// Period is a span of days, both ends included. A zero To means it has not
// ended yet.
type Period struct {
	From time.Time
	To   time.Time
}

// Contains reports whether day d falls inside the period.
func (p Period) Contains(d time.Time) bool {
	d = DateOf(d)
	if d.Before(DateOf(p.From)) {
		return false
	}
	return p.To.IsZero() || !d.After(DateOf(p.To))
}

func paused(d time.Time, pauses []Period) bool {
	for _, p := range pauses {
		if p.Contains(d) {
			return true
		}
	}
	return false
}
