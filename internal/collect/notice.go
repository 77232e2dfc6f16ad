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

// RunningNotice returns the notice that already covers every one of
// invoiceIDs and had not run out when a new letter went out on sentOn, or
// has not run out today: a second letter within that term (a creditor's
// retry, or the same letter recorded twice) is that notice, not a new one
// with costs of its own.
func RunningNotice(notices []Notice, invoiceIDs []string, sentOn, today time.Time) (Notice, bool) {
	ref := DateOf(sentOn)
	if t := DateOf(today); t.Before(ref) {
		ref = t
	}
	for _, n := range notices {
		if n.Deadline.Before(ref) {
			continue
		}
		covered := map[string]bool{}
		for _, id := range n.InvoiceIDs {
			covered[id] = true
		}
		all := true
		for _, id := range invoiceIDs {
			all = all && covered[id]
		}
		if all {
			return n, true
		}
	}
	return Notice{}, false
}

// NoticeCostsLeft returns the most a new notice over invoiceIDs may announce
// on asOf: what the WIK scale over the debtor's whole claim (these invoices
// added to every invoice already under a notice) leaves once the costs
// already booked, due and unbooked, or announced by notices still running
// are counted. A repeated notice therefore announces nothing, and a notice
// that adds invoices only the difference the larger principal brings.
func NoticeCostsLeft(f Facts, invoiceIDs []string, asOf time.Time) (int64, error) {
	asOf = DateOf(asOf)
	st, err := BuildStatement(f, asOf)
	if err != nil {
		return 0, err
	}
	reserved := costsCharged(f.Entries)
	for _, a := range st.unbookedCosts {
		reserved += a.Amount
	}
	booked := bookedNotices(f.Entries)
	for _, n := range f.Notices {
		// A notice still running may yet charge what it announced.
		if !n.Waived && !booked[n.ID] && !n.Deadline.Before(asOf) {
			reserved += n.Costs
		}
	}
	return WIKCostsLeft(claimPrincipal(f, entriesByInvoice(f.Entries), asOf, invoiceIDs), reserved), nil
}

// claimPrincipal is the principal of a debtor's claim that its notices
// collect together: every invoice under a notice that may bring costs counts
// once, with the principal it had open on the deadline of the earliest such
// notice, or on asOf while that deadline lies ahead. extra (the invoices of
// a notice being made) count with their principal on asOf.
func claimPrincipal(f Facts, byInvoice map[string][]Entry, asOf time.Time, extra []string) int64 {
	on := map[string]time.Time{}
	for _, id := range extra {
		on[id] = asOf
	}
	for _, n := range f.Notices {
		if n.Waived {
			continue
		}
		d := n.Deadline
		if asOf.Before(d) {
			d = asOf
		}
		for _, id := range n.InvoiceIDs {
			if prev, ok := on[id]; !ok || d.Before(prev) {
				on[id] = d
			}
		}
	}
	var sum int64
	for id, d := range on {
		sum += max(principalOn(byInvoice[id], d), 0)
	}
	return sum
}

// costsCharged adds up the collection costs ever charged: write-offs,
// credit notes and payments do not make room for new costs.
func costsCharged(entries []Entry) int64 {
	var sum int64
	for _, e := range entries {
		if e.Account == AccountCosts && e.Kind == KindCharge {
			sum += e.Amount
		}
	}
	return sum
}

// bookedNotices are the notices whose costs are in the ledger.
func bookedNotices(entries []Entry) map[string]bool {
	booked := map[string]bool{}
	for _, e := range entries {
		if e.Account == AccountCosts && e.Kind == KindCharge && e.NoticeID != "" {
			booked[e.NoticeID] = true
		}
	}
	return booked
}

// entriesByInvoice groups the entries that belong to an invoice.
func entriesByInvoice(entries []Entry) map[string][]Entry {
	out := map[string][]Entry{}
	for _, e := range entries {
		if e.InvoiceID != "" {
			out[e.InvoiceID] = append(out[e.InvoiceID], e)
		}
	}
	return out
}
