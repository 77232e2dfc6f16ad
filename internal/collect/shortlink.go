package collect

import "time"

// LinkGraceDays is how long a letter's or plan's link keeps working after
// the plan's last instalment: a debtor who pays the last part late, or
// wants a receipt, still gets in.
const LinkGraceDays = 30

// LinkExpiry returns when a link issued at issued for a letter or a plan
// stops working: after ttl, but never before the end of the day that lies
// LinkGraceDays after the last instalment of a plan that is running or
// waiting for an answer. Plans that ended (rejected, broken, completed...)
// do not stretch the link.
func LinkExpiry(issued time.Time, ttl time.Duration, plans []Plan) time.Time {
	until := issued.Add(ttl)
	for _, p := range plans {
		switch p.Status {
		case PlanProposed, PlanApproved, PlanCountered:
		default:
			continue
		}
		for _, in := range p.Instalments {
			// The link works through the whole grace day, so it ends when the next day starts.
			if end := addDays(DateOf(in.Due), LinkGraceDays+1); end.After(until) {
				until = end
			}
		}
	}
	return until
}
