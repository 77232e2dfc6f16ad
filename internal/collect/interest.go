package collect

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
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
// Everything is exact and rounded half up to the cent once, at the end, so
// splitting a period never gains or loses more than a cent. It returns 0 when
// asOf is before start, and an error when a day has no rate or the table is
// invalid.
//
// Days inside any of pauses earn no interest: an invoice on hold during a
// dispute, or a debtor in breathing space.
//
// The overview computes this for every open invoice on every page, so the
// day loop runs on day numbers and int64 sums, and the first year (no
// capitalized interest yet) is divided in 128-bit integers. Only a later
// year's capitalized base, or a sum that would overflow, takes math/big
// (interestBig, the definition this must equal to the cent; a fuzz test
// compares the two).
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
	changeDay := make([]int64, len(sorted))
	for i, c := range sorted {
		changeDay[i] = dayNumber(c.On)
	}
	rateDay := make([]int64, len(rates))
	for i, r := range rates {
		rateDay[i] = dayNumber(r.From)
	}
	type span struct{ from, to int64 } // to is math.MaxInt64 while open
	spans := make([]span, len(pauses))
	for i, p := range pauses {
		spans[i] = span{dayNumber(p.From), math.MaxInt64}
		if !p.To.IsZero() {
			spans[i].to = dayNumber(p.To)
		}
	}
	asOfDay := dayNumber(asOf)

	var (
		principal int64
		next      int   // first change in sorted not yet applied
		ri        = -1  // rate in force on the day, -1 before the first
		leapUntil int64 // the first day of the year after the day's year
		leap      int
		// The interest so far is num / interestDenominator cents while no
		// interest has been capitalized; after that it is accrued (big).
		num         u128
		accrued     *big.Rat
		capitalized *big.Rat
	)
	leapUntil = math.MinInt64
	for year := 0; ; year++ {
		from := start.AddDate(year, 0, 0)
		if from.After(asOf) {
			break
		}
		anniversary := start.AddDate(year+1, 0, 0)
		last := min(dayNumber(anniversary)-1, asOfDay)
		// Per year length: Σ principal×bp over the days, and Σ bp (for the
		// capitalized interest, which is constant within the year).
		var principalBP, sumBP [2]int64
		for d := dayNumber(from); d <= last; d++ {
			for next < len(sorted) && changeDay[next] <= d {
				p, err := money.Add(principal, sorted[next].Delta)
				if err != nil {
					return 0, fmt.Errorf("interest: principal: %w", err)
				}
				principal = p
				next++
			}
			off := false
			for _, s := range spans {
				if d >= s.from && d <= s.to {
					off = true
					break
				}
			}
			if off {
				continue
			}
			for ri+1 < len(rates) && rateDay[ri+1] <= d {
				ri++
			}
			if ri < 0 {
				_, err := rates.At(dayTime(d))
				return 0, fmt.Errorf("interest: %w", err)
			}
			if d >= leapUntil {
				y := dayTime(d).Year()
				leap, leapUntil = 0, dayNumber(Day(y+1, time.January, 1))
				if isLeap(y) {
					leap = 1
				}
			}
			bp := rates[ri].BasisPoints
			sumBP[leap] += bp
			if principal > 0 {
				hi, lo := bits.Mul64(uint64(principal), uint64(bp))
				sum := principalBP[leap] + int64(lo)
				if hi != 0 || lo > math.MaxInt64 || sum < 0 {
					return interestBig(changes, start, asOf, rates, pauses...)
				}
				principalBP[leap] = sum
			}
		}
		if capitalized == nil {
			// (Σ365 / 3,650,000 + Σ366 / 3,660,000) = (Σ365×366 + Σ366×365) / interestDenominator
			year := mul128(uint64(principalBP[0]), 366).add(mul128(uint64(principalBP[1]), 365))
			var ok bool
			if num, ok = num.plus(year); !ok {
				return interestBig(changes, start, asOf, rates, pauses...)
			}
			if !anniversary.After(asOf) {
				// From the next year on the base holds a fraction of a cent: big.
				accrued = num.rat()
				capitalized = new(big.Rat).Set(accrued)
			}
			continue
		}
		yearInterest := new(big.Rat)
		for i, days := range [2]int64{365, 366} {
			part := new(big.Rat).Mul(capitalized, new(big.Rat).SetInt64(sumBP[i]))
			part.Add(part, new(big.Rat).SetInt64(principalBP[i]))
			part.Quo(part, new(big.Rat).SetInt64(10_000*days))
			yearInterest.Add(yearInterest, part)
		}
		accrued.Add(accrued, yearInterest)
		if !anniversary.After(asOf) {
			capitalized.Add(capitalized, yearInterest)
		}
	}
	if accrued == nil {
		// Half up: ⌊(2·num + d) / 2d⌋.
		twice, ok := num.plus(num)
		if ok {
			twice, ok = twice.plus(u128{lo: interestDenominator})
		}
		if ok && twice.hi < 2*interestDenominator {
			q, _ := bits.Div64(twice.hi, twice.lo, 2*interestDenominator)
			if q <= math.MaxInt64 {
				return int64(q), nil
			}
		}
		accrued = num.rat()
	}
	cents, ok := roundHalfUp(accrued)
	if !ok {
		return 0, fmt.Errorf("interest: %s cents does not fit in int64", accrued.FloatString(2))
	}
	return cents, nil
}

// interestDenominator is 10,000 (basis points) × 365 × 366: one year's
// interest of both year lengths over one denominator.
const interestDenominator = 10_000 * 365 * 366

// u128 is an unsigned 128-bit integer, enough for a year's Σ principal×bp
// times 366 without math/big.
type u128 struct{ hi, lo uint64 }

func mul128(a, b uint64) u128 {
	hi, lo := bits.Mul64(a, b)
	return u128{hi, lo}
}

// plus adds, and reports false on overflow.
func (a u128) plus(b u128) (u128, bool) {
	lo, carry := bits.Add64(a.lo, b.lo, 0)
	hi, over := bits.Add64(a.hi, b.hi, carry)
	return u128{hi, lo}, over == 0
}

func (a u128) add(b u128) u128 { s, _ := a.plus(b); return s }

// rat is a / interestDenominator.
func (a u128) rat() *big.Rat {
	n := new(big.Int).SetUint64(a.hi)
	n.Lsh(n, 64)
	n.Or(n, new(big.Int).SetUint64(a.lo))
	return new(big.Rat).SetFrac(n, big.NewInt(interestDenominator))
}

// dayNumber is the days since 1 January 1970 of t's date (DateOf).
func dayNumber(t time.Time) int64 { return DateOf(t).Unix() / 86400 }

// dayTime is the date of a day number, at midnight UTC.
func dayTime(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

// interestBig is Interest in math/big from day to day: the plain reading of
// the rules, kept for the sums the int64 path cannot hold and as the
// reference the fast path is tested against.
func interestBig(changes []PrincipalChange, start, asOf time.Time, rates RateTable, pauses ...Period) (int64, error) {
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
