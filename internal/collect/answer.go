package collect

import "time"

// DefaultAnswerDays is the answer time of a policy that sets none (a Policy
// built in code rather than read from the store). It is the store's column
// default too, inside the 1 to 30 working days the store accepts.
const DefaultAnswerDays = 5

// amsterdam is where a request is received: its working days and its time
// of day are Dutch.
var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// AnswerDate is the date by which an agent answers a request received on
// day: days working days later (weekends, Dutch public holidays and the
// equated days in cal do not count). days below 1 means DefaultAnswerDays.
func AnswerDate(cal Calendar, day time.Time, days int) time.Time {
	if days < 1 {
		days = DefaultAnswerDays
	}
	d := DateOf(day)
	for range days {
		d = cal.NextWorkingDay(addDays(d, 1))
	}
	return d
}

// AnswerDue is the moment by which an agent answers a request received at
// received: AnswerDate of its Dutch date, at the same Dutch time of day.
func AnswerDue(cal Calendar, received time.Time, days int) time.Time {
	local := received.In(amsterdam)
	d := AnswerDate(cal, Day(local.Date()), days)
	return time.Date(d.Year(), d.Month(), d.Day(), local.Hour(), local.Minute(), 0, 0, amsterdam)
}

// DutchDate is the date in the Netherlands at moment t, where every legal
// term runs and every request is received.
func DutchDate(t time.Time) time.Time { return Day(t.In(amsterdam).Date()) }
