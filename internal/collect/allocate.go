package collect

import (
	"cmp"
	"slices"
	"time"
)

// OpenItem is what is still open on one invoice when a payment comes in.
type OpenItem struct {
	InvoiceID string
	DueDate   time.Time
	Costs     int64
	Interest  int64
	Principal int64
	// Disputed items are paid last: money paid without naming an invoice
	// does not go to one the debtor disputes while others are open.
	Disputed bool
}

// Part is what one payment paid off on one invoice.
type Part struct {
	InvoiceID string
	Costs     int64
	Interest  int64
	Principal int64
}

// Total is the sum the part paid off.
func (p Part) Total() int64 { return p.Costs + p.Interest + p.Principal }

// Allocation is how one payment is applied: parts in the order they were
// applied, and the rest kept as the debtor's credit.
type Allocation struct {
	Parts  []Part
	Credit int64
}

// Allocate applies a payment of amount cents to the open items as of asOf.
//
// When invoiceID names an open item the debtor chose it (art. 6:43 lid 1
// BW) and it is paid first. Whatever is left goes, by art. 6:43 lid 2 BW,
// to invoices already due (DueDate before asOf) before those not yet due;
// among the due ones first to those running interest or costs (the most
// onerous), then to the oldest due date, ties by InvoiceID so the result is
// the same every time. Disputed items come after all others, as a
// debtor who disputes an invoice expects when paying "everything" (what
// Statement.PayAll counts): only money beyond the rest reaches them. Within each invoice costs, then interest, then
// principal are paid (art. 6:44 BW). What remains is Credit, never lost.
// An amount of zero or less allocates nothing.
func Allocate(amount int64, items []OpenItem, asOf time.Time, invoiceID string) Allocation {
	var a Allocation
	if amount <= 0 {
		return a
	}
	asOf = DateOf(asOf)
	order := slices.Clone(items)
	slices.SortStableFunc(order, func(x, y OpenItem) int {
		return compareOnerous(x, y, asOf)
	})
	if invoiceID != "" {
		if i := slices.IndexFunc(order, func(it OpenItem) bool { return it.InvoiceID == invoiceID }); i >= 0 {
			chosen := order[i]
			order = append([]OpenItem{chosen}, slices.Delete(order, i, i+1)...)
		}
	}
	rest := amount
	for _, it := range order {
		if rest == 0 {
			break
		}
		p := Part{InvoiceID: it.InvoiceID}
		p.Costs, rest = take(rest, it.Costs)
		p.Interest, rest = take(rest, it.Interest)
		p.Principal, rest = take(rest, it.Principal)
		if p.Total() > 0 {
			a.Parts = append(a.Parts, p)
		}
	}
	a.Credit = rest
	return a
}

// compareOnerous orders items by art. 6:43 lid 2 BW as Settle applies it.
func compareOnerous(x, y OpenItem, asOf time.Time) int {
	if x.Disputed != y.Disputed {
		if y.Disputed {
			return -1
		}
		return 1
	}
	xDue, yDue := DateOf(x.DueDate).Before(asOf), DateOf(y.DueDate).Before(asOf)
	if xDue != yDue {
		if xDue {
			return -1
		}
		return 1
	}
	if xDue {
		xRunning, yRunning := x.Costs > 0 || x.Interest > 0, y.Costs > 0 || y.Interest > 0
		if xRunning != yRunning {
			if xRunning {
				return -1
			}
			return 1
		}
	}
	if c := DateOf(x.DueDate).Compare(DateOf(y.DueDate)); c != 0 {
		return c
	}
	return cmp.Compare(x.InvoiceID, y.InvoiceID)
}

// take pays up to open out of available and returns what was paid and what
// is left; a negative open amount takes nothing.
func take(available, open int64) (paid, left int64) {
	paid = min(available, max(open, 0))
	return paid, available - paid
}
