package collect

import "time"

// DemoClockTarget is where a demo clock reading now lands when moved by
// advance or to a moment to: exactly one of them is given. The demo clock
// only moves forward, because every ledger entry, message and deadline
// already written assumes the time it was written at.
func DemoClockTarget(now time.Time, advance time.Duration, to time.Time) (time.Time, error) {
	switch {
	case advance != 0 && !to.IsZero():
		return time.Time{}, Errorf(EINVALID, "to", "give advance or to, not both")
	case advance < 0:
		return time.Time{}, Errorf(EINVALID, "advance", "advance must be positive: the demo clock only moves forward")
	case advance > 0:
		return now.Add(advance), nil
	case to.IsZero():
		return time.Time{}, Errorf(EINVALID, "advance", "give advance (for example \"26h\") or to (for example \"2026-12-20T10:00:00+01:00\")")
	case to.Before(now):
		return time.Time{}, Errorf(ECONFLICT, "to", "to is %s, before the demo's time %s: the demo clock only moves forward",
			to.In(amsterdam).Format(time.RFC3339), now.In(amsterdam).Format(time.RFC3339))
	}
	return to, nil
}
