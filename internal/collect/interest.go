package collect

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/settle/settle/internal/money"
)

// DebtorKind says which statutory interest applies: consumer (art. 6:119 BW)
// or commercial (art. 6:119a BW).
type DebtorKind string

// The kinds of debtor.
const (
	Consumer DebtorKind = "consumer"
	Business DebtorKind = "business"
)

// ErrNoRate is returned (wrapped with the date) when the rate table has no
// rate for a day: interest is then unknown, never zero.
var ErrNoRate = errors.New("no statutory interest rate")

// ErrRateTable is returned (wrapped) for a rate table an operator got wrong.
var ErrRateTable = errors.New("invalid rate table")

// Rate is a statutory interest rate in force from a date until the next one.
type Rate struct {
	From        time.Time
	BasisPoints int64 // 1015 is 10.15% a year
}

// RateTable is the dated rates of one kind of statutory interest, sorted by
// From. It is data an operator extends, not code; the last row stays in
// force until a later row is added.
type RateTable []Rate

// At returns the rate in force on d, or ErrNoRate when no row covers d.
func (t RateTable) At(d time.Time) (Rate, error) {
	d = DateOf(d)
	// Search from the end: the rows are sorted and recent days are asked most.
	for i := len(t) - 1; i >= 0; i-- {
		if !DateOf(t[i].From).After(d) {
			return t[i], nil
		}
	}
	return Rate{}, fmt.Errorf("rate on %s: %w", d.Format(time.DateOnly), ErrNoRate)
}

// Validate reports rows out of date order, on the same date twice or with a
// negative rate, any of which would make At ambiguous or wrong.
func (t RateTable) Validate() error {
	for i, r := range t {
		if r.BasisPoints < 0 {
			return fmt.Errorf("rate from %s is negative: %w", DateOf(r.From).Format(time.DateOnly), ErrRateTable)
		}
		if i > 0 && !DateOf(r.From).After(DateOf(t[i-1].From)) {
			return fmt.Errorf("rate from %s is not after %s: %w",
				DateOf(r.From).Format(time.DateOnly), DateOf(t[i-1].From).Format(time.DateOnly), ErrRateTable)
		}
	}
	return nil
}

// PrincipalChange is a change of one invoice's open principal: +amount when
// it starts, negative for payments applied to principal or credit notes.
type PrincipalChange struct {
	On    time.Time
	Delta int64
}

// InterestStart returns the first day statutory interest runs on an invoice
// with a fixed due date: the day after it, for consumers because they are
// then in default without notice (art. 6:83 sub a, 6:119 BW) and for
// businesses because commercial interest runs from the day after the agreed
// date (art. 6:119a BW). Kind is taken so that other starts (a notice of
// default, 30 days after receipt) can be added without changing callers.
func InterestStart(kind DebtorKind, dueDate time.Time) time.Time {
	return addDays(DateOf(dueDate), 1)
}

// Interest returns the statutory interest in cents accrued from start (the
// first day interest runs) through asOf, both inclusive, on an open
// principal that changes as changes say, with the rate in force each day.
//
// How it counts:
//   - A change dated d counts for day d itself: a payment on d stops interest
//     on the paid part from d on; changes before start count from start.
//   - Each day earns base × rate / 365, or / 366 for a day in a leap year, so
//     a full calendar year at a fixed rate earns exactly the rate.
//   - Interest is simple within each year counted from start; at each
//     anniversary of start the interest of the year just ended is added to
//     the base (art. 6:119 lid 2 BW). Interest is never charged on costs.
//   - A principal below zero (credited too much) earns nothing.
//   - Payments applied to interest are not in changes; callers that want the
//     capitalized part to shrink with them must split the computation.
//
// Everything is exact (math/big) and rounded half up to the cent once, at
// the end, so splitting a period never gains or loses more than a cent.
// It returns 0 when asOf is before start, and an error when a day has no
// rate or the table is invalid.
//
// Days inside any of pauses earn no interest: an invoice on hold during a
// dispute, or a debtor in breathing space.
func Interest(changes []PrincipalChange, start, asOf time.Time, rates RateTable, pauses ...Period) (int64, error) {
	start, asOf = DateOf(start), DateOf(asOf)
	if asOf.Before(start) {
		return 0, nil
	}
	if err := rates.Validate(); err != nil {
		return 0, fmt.Errorf("interest: %w", err)
	}
	sorted := slices.Clone(changes)
	slices.SortStableFunc(sorted, func(a, b PrincipalChange) int {
		return DateOf(a.On).Compare(DateOf(b.On))
	})

	var (
		principal   int64
		next        int            // first change in sorted not yet applied
		accrued     = new(big.Rat) // all interest so far, in cents
		capitalized = new(big.Rat) // interest added to the base at anniversaries
		yearLengths = [2]int64{365, 366}
	)
	for year := 0; ; year++ {
		from := start.AddDate(year, 0, 0)
		if from.After(asOf) {
			break
		}
		anniversary := start.AddDate(year+1, 0, 0)
		// Per year length: Σ principal×bp over the days, and Σ bp (for the
		// capitalized interest, which is constant within the year).
		var principalBP [2]*big.Int
		var sumBP [2]int64
		for i := range principalBP {
			principalBP[i] = new(big.Int)
		}
		for d := from; d.Before(anniversary) && !d.After(asOf); d = addDays(d, 1) {
			for next < len(sorted) && !DateOf(sorted[next].On).After(d) {
				p, err := money.Add(principal, sorted[next].Delta)
				if err != nil {
					return 0, fmt.Errorf("interest: principal: %w", err)
				}
				principal = p
				next++
			}
			if paused(d, pauses) {
				continue
			}
			rate, err := rates.At(d)
			if err != nil {
				return 0, fmt.Errorf("interest: %w", err)
			}
			leap := 0
			if isLeap(d.Year()) {
				leap = 1
			}
			sumBP[leap] += rate.BasisPoints
			if principal > 0 {
				p := new(big.Int).Mul(big.NewInt(principal), big.NewInt(rate.BasisPoints))
				principalBP[leap].Add(principalBP[leap], p)
			}
		}
		yearInterest := new(big.Rat)
		for i, days := range yearLengths {
			// (Σ principal×bp + capitalized × Σ bp) / (10000 × days)
			part := new(big.Rat).Mul(capitalized, new(big.Rat).SetInt64(sumBP[i]))
			part.Add(part, new(big.Rat).SetInt(principalBP[i]))
			part.Quo(part, new(big.Rat).SetInt64(10_000*days))
			yearInterest.Add(yearInterest, part)
		}
		accrued.Add(accrued, yearInterest)
		if !anniversary.After(asOf) {
			capitalized.Add(capitalized, yearInterest)
		}
	}
	cents, ok := roundHalfUp(accrued)
	if !ok {
		return 0, fmt.Errorf("interest: %s cents does not fit in int64", accrued.FloatString(2))
	}
	return cents, nil
}

// roundHalfUp rounds a non-negative rational to the nearest integer, halves up.
func roundHalfUp(r *big.Rat) (int64, bool) {
	num := new(big.Int).Mul(r.Num(), big.NewInt(2))
	num.Add(num, r.Denom())
	den := new(big.Int).Mul(r.Denom(), big.NewInt(2))
	q := new(big.Int).Quo(num, den)
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}

// isLeap reports whether y is a leap year in the Gregorian calendar.
func isLeap(y int) bool {
	return y%4 == 0 && (y%100 != 0 || y%400 == 0)
}

// CoveredThrough is the last day the table is known to cover. Statutory rates
// are set per half year (1 January and 1 July), so the last row covers the
// rest of its half year; after that an operator must add the next rate.
func (t RateTable) CoveredThrough() time.Time {
	if len(t) == 0 {
		return time.Time{}
	}
	last := DateOf(t[len(t)-1].From)
	if last.Month() <= time.June {
		return Day(last.Year(), time.June, 30)
	}
	return Day(last.Year(), time.December, 31)
}
