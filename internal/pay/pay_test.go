package pay

import "testing"

func TestNext(t *testing.T) {
	const (
		open     = StatusOpen
		pending  = StatusPending
		paid     = StatusPaid
		failed   = StatusFailed
		canceled = StatusCanceled
		expired  = StatusExpired
		refunded = StatusRefunded
		charged  = StatusChargedBack
	)
	for _, tc := range []struct {
		current, incoming, want Status
	}{
		// Forward.
		{open, open, open},
		{open, pending, pending},
		{open, paid, paid},
		{open, failed, failed},
		{open, canceled, canceled},
		{open, expired, expired},
		{pending, paid, paid},
		{pending, failed, failed},
		{pending, expired, expired},
		// Never backwards to open or pending.
		{pending, open, pending},
		{failed, open, failed},
		{failed, pending, failed},
		{expired, pending, expired},
		{canceled, open, canceled},
		// One final status does not replace another.
		{failed, expired, failed},
		{expired, canceled, expired},
		{canceled, failed, canceled},
		// A payment that was paid after all becomes paid (a late bank confirmation).
		{expired, paid, paid},
		{failed, paid, paid},
		{canceled, paid, paid},
		// Paid never goes back.
		{paid, open, paid},
		{paid, pending, paid},
		{paid, failed, paid},
		{paid, canceled, paid},
		{paid, expired, paid},
		{paid, paid, paid},
		// Refunds and chargebacks only ever follow paid ...
		{open, refunded, refunded},
		{expired, charged, charged},
		{refunded, open, refunded},
		{refunded, expired, refunded},
		{charged, failed, charged},
		{charged, pending, charged},
		// ... and among them the provider's latest word counts.
		{paid, refunded, refunded},
		{paid, charged, charged},
		{refunded, paid, paid},
		{refunded, charged, charged},
		{charged, paid, paid},
		{charged, refunded, refunded},
		{refunded, refunded, refunded},
		{charged, charged, charged},
		// An unknown report changes nothing.
		{open, "authorized", open},
		{paid, "", paid},
		{expired, "weird", expired},
	} {
		if got := Next(tc.current, tc.incoming); got != tc.want {
			t.Errorf("Next(%s, %q) = %s, want %s", tc.current, tc.incoming, got, tc.want)
		}
	}
}

// TestNextNeverLeavesPaid checks every pair: once in the paid family, a
// payment stays there whatever is reported.
func TestNextNeverLeavesPaid(t *testing.T) {
	all := []Status{StatusOpen, StatusPending, StatusPaid, StatusFailed, StatusCanceled, StatusExpired, StatusRefunded, StatusChargedBack, "unknown"}
	paidFamily := func(s Status) bool { return s == StatusPaid || s == StatusRefunded || s == StatusChargedBack }
	for _, cur := range all[:8] {
		for _, in := range all {
			got := Next(cur, in)
			if paidFamily(cur) && !paidFamily(got) {
				t.Errorf("Next(%s, %s) = %s: left paid", cur, in, got)
			}
			if got.Final() && !cur.Final() && !paidFamily(in) && in != got {
				t.Errorf("Next(%s, %s) = %s: invented a status", cur, in, got)
			}
			// Applying the same report twice is the same as once.
			if again := Next(got, in); again != got {
				t.Errorf("Next(Next(%s, %s), %s) = %s, want %s (not idempotent)", cur, in, in, again, got)
			}
		}
	}
}

func TestNextFinal(t *testing.T) {
	for s, want := range map[Status]bool{
		StatusOpen: false, StatusPending: false, StatusPaid: false, StatusRefunded: false, StatusChargedBack: false,
		StatusFailed: true, StatusCanceled: true, StatusExpired: true,
	} {
		if s.Final() != want {
			t.Errorf("%s.Final() = %v, want %v", s, !want, want)
		}
	}
}
