package collect

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/settle/settle/internal/money"
)

// Facts is everything a statement is computed from: the debtor's file as stored.
type Facts struct {
	Debtor   Debtor
	Creditor Creditor
	Invoices []Invoice
	Entries  []Entry
	Notices  []Notice
	Rates    RateTable // for the debtor's kind: consumer or commercial
	// Holds are the periods each invoice was on hold (an open dispute):
	// no costs, no interest.
	Holds map[string][]Period
	// Breathing are the debtor's periods of breathing space (hardship): no
	// new costs or interest on any invoice.
	Breathing []Period
	// WaiveCosts stops new collection costs for this debtor (the creditor's
	// policy for someone who cannot pay).
	WaiveCosts bool
}

// pauses are the periods in which an invoice earns no costs or interest.
func (f Facts) pauses(invoiceID string) []Period {
	return append(append([]Period(nil), f.Holds[invoiceID]...), f.Breathing...)
}

// Line is one invoice's open amounts on a statement.
type Line struct {
	Invoice      Invoice
	Principal    int64     // open principal
	Costs        int64     // open collection costs, booked or due but not yet booked
	Interest     int64     // open interest, booked plus accrued since the last booking
	Paid         int64     // everything paid or credited on this invoice
	CostsSince   time.Time // when costs became due (zero when none)
	InterestFrom time.Time // the first day interest runs
	Status       string    // "not_due", "overdue" or "paid"
	OnHold       bool      // paused today: a dispute or breathing space
	// Disputed is true while a dispute about the invoice is open on the
	// statement's day: the debtor said it is not right, so it is shown
	// apart and left out of "pay everything" and of a new plan (PayAll).
	Disputed bool

	unbookedInterest int64
	accruedInterest  int64 // all interest accrued up to the statement's date
}

// Total is what is still open on the invoice.
func (l Line) Total() int64 { return l.Principal + l.Costs + l.Interest }

// NextStep is the one thing the debtor should know: pay by Deadline to avoid Costs.
type NextStep struct {
	Deadline time.Time
	Costs    int64
}

// Statement is what a debtor owes one creditor on one day.
type Statement struct {
	AsOf      time.Time
	Lines     []Line
	Credit    int64 // money paid over and kept for the debtor
	Principal int64
	Costs     int64
	Interest  int64
	Next      *NextStep // nil when no notice deadline lies ahead

	unbookedCosts []Accrual
}

// Total is everything still open; the credit the debtor has is kept apart.
func (s Statement) Total() int64 { return s.Principal + s.Costs + s.Interest }

// Open lists the lines that still have something open, oldest due date first.
func (s Statement) Open() []Line {
	return s.pick(func(l *Line) bool { return l.Total() > 0 })
}

// Line returns the line of one invoice.
func (s Statement) Line(invoiceID string) (Line, bool) {
	for _, l := range s.Lines {
		if l.Invoice.ID == invoiceID {
			return l, true
		}
	}
	return Line{}, false
}

// Undisputed lists the open lines no open dispute is about: what the debtor
// is asked to pay.
func (s Statement) Undisputed() []Line {
	return s.pick(func(l *Line) bool { return l.Total() > 0 && !l.Disputed })
}

// Disputed lists the open lines an open dispute is about, shown apart
// until an agent has checked them.
func (s Statement) Disputed() []Line {
	return s.pick(func(l *Line) bool { return l.Total() > 0 && l.Disputed })
}

// pick copies the lines that keep says, in their order, into one slice of
// the right size: the overview asks for these lists several times, and a
// growing slice copied each line (a few hundred bytes) again on each growth.
func (s Statement) pick(keep func(*Line) bool) []Line {
	n := 0
	for i := range s.Lines {
		if keep(&s.Lines[i]) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Line, 0, n)
	for i := range s.Lines {
		if keep(&s.Lines[i]) {
			out = append(out, s.Lines[i])
		}
	}
	return out
}

// PayAll is what "pay everything" and a new plan's total come to: every
// open line but the disputed ones. Its lines are summed in Total, which
// BuildStatement checked, so the sum fits.
func (s Statement) PayAll() int64 {
	var sum int64
	for i := range s.Lines {
		if l := &s.Lines[i]; !l.Disputed && l.Total() > 0 {
			sum += l.Total()
		}
	}
	return sum
}

// OpenItems turns the statement into the input of Allocate.
func (s Statement) OpenItems() []OpenItem {
	items := make([]OpenItem, 0, len(s.Lines))
	for _, l := range s.Lines {
		if l.Total() <= 0 {
			continue
		}
		items = append(items, OpenItem{InvoiceID: l.Invoice.ID, DueDate: l.Invoice.DueDate, Costs: l.Costs, Interest: l.Interest, Principal: l.Principal, Disputed: l.Disputed})
	}
	return items
}

// Accrual is a charge that is due on the statement's date but not yet in the
// ledger: interest accrued since the last booking, or costs whose notice
// deadline passed. Booking them before applying a payment keeps every balance
// a sum of entries.
type Accrual struct {
	InvoiceID string
	Account   Account
	Amount    int64
	NoticeID  string
	// ChargedTotal is, for interest, all interest charged on the invoice once
	// this accrual is booked. It only grows, so it tells one interest accrual
	// of a day from a later one on the same day (after a refund reopened
	// principal), where the day alone would collide.
	ChargedTotal int64
}

// Accruals lists what must be booked to bring the ledger up to the statement's date.
func (s Statement) Accruals() []Accrual {
	out := append([]Accrual(nil), s.unbookedCosts...)
	for _, l := range s.Lines {
		if l.unbookedInterest > 0 {
			out = append(out, Accrual{InvoiceID: l.Invoice.ID, Account: AccountInterest, Amount: l.unbookedInterest, ChargedTotal: l.accruedInterest})
		}
	}
	return out
}

// sums adds cents with money.Add and keeps the first overflow, so that a
// statement is refused rather than a huge debt wrapping round into a credit.
type sums struct{ err error }

// add adds v to *dst unless an earlier sum overflowed.
func (c *sums) add(dst *int64, v int64) {
	if c.err != nil {
		return
	}
	s, err := money.Add(*dst, v)
	if err != nil {
		c.err = err
		return
	}
	*dst = s
}

// sub subtracts v from *dst unless an earlier sum overflowed.
func (c *sums) sub(dst *int64, v int64) {
	if c.err != nil {
		return
	}
	if v == math.MinInt64 {
		// -v does not exist; *dst - v fits exactly when *dst is negative.
		if *dst >= 0 {
			c.err = fmt.Errorf("%d - %d: %w", *dst, v, money.ErrOverflow)
			return
		}
		*dst -= v
		return
	}
	c.add(dst, -v)
}

// BuildStatement computes the statement as of asOf from the stored facts.
// Every sum of cents is checked: a sum past int64 is an error wrapping
// money.ErrOverflow, never a wrapped-round total.
func BuildStatement(f Facts, asOf time.Time) (Statement, error) {
	asOf = DateOf(asOf)
	st := Statement{AsOf: asOf}
	var c sums
	byInvoice := map[string][]Entry{}
	for _, e := range f.Entries {
		if e.InvoiceID == "" {
			if e.Account == AccountCredit {
				c.sub(&st.Credit, e.Amount)
			}
			continue
		}
		byInvoice[e.InvoiceID] = append(byInvoice[e.InvoiceID], e)
	}
	invoices := append([]Invoice(nil), f.Invoices...)
	sort.SliceStable(invoices, func(i, j int) bool {
		if !invoices[i].DueDate.Equal(invoices[j].DueDate) {
			return invoices[i].DueDate.Before(invoices[j].DueDate)
		}
		return invoices[i].Number < invoices[j].Number
	})
	idx := map[string]int{}
	for _, inv := range invoices {
		l, err := buildLine(inv, byInvoice[inv.ID], f.Rates, asOf, f.pauses(inv.ID), &c)
		if err != nil {
			return Statement{}, err
		}
		l.Disputed = disputedOn(asOf, f.Holds[inv.ID])
		idx[inv.ID] = len(st.Lines)
		st.Lines = append(st.Lines, l)
	}
	// Notice costs are added to lines whose sums were checked above; the
	// line and statement totals below check the result.
	applyNoticeCosts(&st, f, byInvoice, idx)
	for i := range st.Lines {
		l := &st.Lines[i]
		var lineTotal int64
		c.add(&lineTotal, l.Principal)
		c.add(&lineTotal, l.Costs)
		c.add(&lineTotal, l.Interest)
		if c.err != nil {
			break
		}
		switch {
		case l.Total() <= 0:
			l.Status = "paid"
		case !l.Invoice.DueDate.Before(asOf):
			l.Status = "not_due"
		default:
			l.Status = "overdue"
		}
		c.add(&st.Principal, l.Principal)
		c.add(&st.Costs, l.Costs)
		c.add(&st.Interest, l.Interest)
	}
	// Total adds these without checking; check it once here.
	var total int64
	c.add(&total, st.Principal)
	c.add(&total, st.Costs)
	c.add(&total, st.Interest)
	if c.err != nil {
		return Statement{}, fmt.Errorf("statement of debtor %s: %w", f.Debtor.ID, c.err)
	}
	return st, nil
}

func buildLine(inv Invoice, entries []Entry, rates RateTable, asOf time.Time, pauses []Period, c *sums) (Line, error) {
	l := Line{Invoice: inv, InterestFrom: InterestStart("", inv.DueDate), OnHold: paused(asOf, pauses)}
	var changes []PrincipalChange
	var interestCharged int64
	for _, e := range entries {
		if e.BookedOn.After(asOf) {
			continue
		}
		switch e.Account {
		case AccountPrincipal:
			c.add(&l.Principal, e.Amount)
			changes = append(changes, PrincipalChange{On: e.BookedOn, Delta: e.Amount})
		case AccountCosts:
			c.add(&l.Costs, e.Amount)
		case AccountInterest:
			c.add(&l.Interest, e.Amount)
			if e.Kind == KindCharge {
				c.add(&interestCharged, e.Amount)
			}
		}
		if e.Amount < 0 && e.Account != AccountCredit {
			c.sub(&l.Paid, e.Amount)
		}
	}
	if c.err != nil {
		return Line{}, fmt.Errorf("invoice %s: %w", inv.ID, c.err)
	}
	if asOf.Before(l.InterestFrom) || len(rates) == 0 && l.Principal == 0 {
		return l, nil
	}
	accrued, err := Interest(changes, l.InterestFrom, asOf, rates, pauses...)
	if err != nil {
		return Line{}, err
	}
	// accrued and interestCharged are both >= 0, so the difference fits.
	if extra := accrued - interestCharged; extra > 0 {
		l.unbookedInterest, l.accruedInterest = extra, accrued
		c.add(&l.Interest, extra)
	}
	return l, nil
}

// applyNoticeCosts adds each notice's collection costs to its invoices once its
// deadline has passed with principal still open. Costs are computed by the WIK
// scale over the principal still open on the deadline (never more than the
// notice announced), and spread over the notice's invoices by their share of it.
// All notices together never charge more than the scale over the claim's
// combined principal (WIKCostsLeft): a repeated notice, or one that adds
// invoices to a claim already under notice, brings only what is left.
func applyNoticeCosts(st *Statement, f Facts, byInvoice map[string][]Entry, idx map[string]int) {
	booked := bookedNotices(f.Entries)
	claim := claimPrincipal(f, byInvoice, st.AsOf, nil)
	charged := costsCharged(f.Entries)
	for _, n := range f.Notices {
		dueFrom := n.Deadline.AddDate(0, 0, 1)
		if n.Waived || f.Creditor.WaiveCosts || f.WaiveCosts {
			continue
		}
		if st.AsOf.Before(dueFrom) {
			open := int64(0)
			for _, id := range n.InvoiceIDs {
				if i, ok := idx[id]; ok {
					open += st.Lines[i].Principal
				}
			}
			if open > 0 && (st.Next == nil || n.Deadline.Before(st.Next.Deadline)) {
				st.Next = &NextStep{Deadline: n.Deadline, Costs: min(WIKCosts(open), n.Costs, WIKCostsLeft(claim, charged))}
			}
			continue
		}
		for _, id := range n.InvoiceIDs {
			if i, ok := idx[id]; ok && booked[n.ID] {
				st.Lines[i].CostsSince = dueFrom
			}
		}
		if booked[n.ID] {
			continue
		}
		shares := make([]int64, len(n.InvoiceIDs))
		var open int64
		for k, id := range n.InvoiceIDs {
			// An invoice on hold when costs fell due, or on hold now, gets no costs.
			if pauses := f.pauses(id); paused(dueFrom, pauses) || paused(st.AsOf, pauses) {
				continue
			}
			shares[k] = principalOn(byInvoice[id], n.Deadline)
			open += shares[k]
		}
		if open <= 0 {
			continue
		}
		costs := min(WIKCosts(open), n.Costs, WIKCostsLeft(claim, charged))
		if costs <= 0 {
			continue
		}
		charged += costs
		rest := costs
		last := -1
		for k := range shares {
			if shares[k] > 0 {
				last = k
			}
		}
		for k, id := range n.InvoiceIDs {
			part := costs * shares[k] / open
			if k == last {
				part = rest // the last invoice that shares takes the rounding rest
			}
			rest -= part
			i, ok := idx[id]
			if !ok || part == 0 {
				continue
			}
			l := &st.Lines[i]
			l.Costs += part
			l.CostsSince = dueFrom
			st.unbookedCosts = append(st.unbookedCosts, Accrual{InvoiceID: id, Account: AccountCosts, Amount: part, NoticeID: n.ID})
		}
	}
}

// disputedOn reports whether a dispute of holds is open on day d: opened on
// or before d and not resolved by then. Unlike a pause, the day a dispute
// is resolved it no longer counts as open.
func disputedOn(d time.Time, holds []Period) bool {
	for _, h := range holds {
		if !DateOf(h.From).After(d) && (h.To.IsZero() || DateOf(h.To).After(d)) {
			return true
		}
	}
	return false
}

// principalOn is the open principal of one invoice at the end of day d.
func principalOn(entries []Entry, d time.Time) int64 {
	var p int64
	for _, e := range entries {
		if e.Account == AccountPrincipal && !e.BookedOn.After(d) {
			p += e.Amount
		}
	}
	return p
}
