package collect

import "time"

// AsOfField names the date a statement is asked for, at every edge that
// takes it (the API's ?as_of=).
const AsOfField = "as_of"

// OwedAheadYears is how far ahead a statement may be asked for. Further out
// the statutory rates are guesses (the last known rate is carried forward)
// and the day loop of Interest grows with every year asked.
const OwedAheadYears = 5

// CheckOwedOn refuses a day a forward statement cannot be given for: a day
// before today (the ledger shows what was, and a past statement would leave
// out payments booked since, so it would not say what is owed) or more than
// OwedAheadYears after it. Both are Dutch calendar days.
func CheckOwedOn(today, day time.Time) error {
	today, day = DateOf(today), DateOf(day)
	if day.Before(today) {
		return Errorf(EINVALID, AsOfField, "as_of %s is before today (%s): ask for today or a later day",
			day.Format(time.DateOnly), today.Format(time.DateOnly))
	}
	if last := today.AddDate(OwedAheadYears, 0, 0); day.After(last) {
		return Errorf(EINVALID, AsOfField, "as_of %s is more than %d years ahead: the last day is %s",
			day.Format(time.DateOnly), OwedAheadYears, last.Format(time.DateOnly))
	}
	return nil
}
