package collect

import "time"

// NoticeTermDays is the term of the 14-day letter (art. 6:96 lid 6 BW).
const NoticeTermDays = 14

// NoticeDeadline returns the last day a consumer can pay without collection
// costs after a 14-day letter sent on sentOn that takes deliveryDays to
// arrive (0 for email, the creditor's postal estimate for post).
//
// The 14 days start the day after receipt, so the 14th day is receipt + 14.
// When that day is a Saturday, Sunday or holiday the term runs on to the
// next working day (Algemene termijnenwet art. 1). A negative deliveryDays
// is treated as 0: a letter cannot arrive before it was sent.
func NoticeDeadline(sentOn time.Time, deliveryDays int, cal Calendar) time.Time {
	received := addDays(DateOf(sentOn), max(deliveryDays, 0))
	return cal.NextWorkingDay(addDays(received, NoticeTermDays))
}

// CostsDueFrom returns the first day collection costs may be charged: the
// day after the notice deadline, since the debtor may still pay on it.
func CostsDueFrom(deadline time.Time) time.Time {
	return addDays(DateOf(deadline), 1)
}
