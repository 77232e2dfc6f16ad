package collect

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// interestCase is a random but reproducible input for Interest: a few years
// of changes, rates (sometimes starting too late), pauses and, now and then,
// amounts large enough to overflow the int64 sums.
func interestCase(r *rand.Rand) (changes []PrincipalChange, start, asOf time.Time, rates RateTable, pauses []Period) {
	base := Day(2019+r.IntN(10), time.Month(1+r.IntN(12)), 1+r.IntN(28))
	if r.IntN(8) == 0 {
		base = Day(2024, time.February, 29) // anniversaries of a leap day
	}
	day := func(lo, hi int) time.Time { return base.AddDate(0, 0, lo+r.IntN(hi-lo+1)) }
	amount := func() int64 {
		switch r.IntN(20) {
		case 0:
			return math.MaxInt64/2 - r.Int64N(1000)
		case 1:
			return 1 + r.Int64N(1<<50)
		}
		return 1 + r.Int64N(5_000_000)
	}
	changes = []PrincipalChange{{On: day(-30, 30), Delta: amount()}}
	for k := r.IntN(4); k > 0; k-- {
		d := -amount() / int64(1+r.IntN(4))
		if r.IntN(3) == 0 {
			d = amount() / 3
		}
		changes = append(changes, PrincipalChange{On: day(-30, 1200), Delta: d})
	}
	start = day(-10, 40)
	asOf = start.AddDate(0, 0, r.IntN(5)*r.IntN(400)-5)
	if r.IntN(10) == 0 {
		asOf = start.AddDate(r.IntN(8), 0, 0) // on and around anniversaries
		asOf = asOf.AddDate(0, 0, r.IntN(3)-1)
	}
	from := base.AddDate(-1, 0, 0)
	if r.IntN(12) == 0 {
		from = base.AddDate(0, 0, 20+r.IntN(40)) // no rate for the first days
	}
	for k := 1 + r.IntN(8); k > 0; k-- {
		rates = append(rates, Rate{From: from, BasisPoints: int64(r.IntN(1600))})
		if r.IntN(30) == 0 {
			rates[len(rates)-1].BasisPoints = math.MaxInt64 / 3
		}
		from = from.AddDate(0, r.IntN(7)+1, 0)
	}
	for k := r.IntN(3); k > 0; k-- {
		p := Period{From: day(-40, 900)}
		if r.IntN(4) > 0 {
			p.To = p.From.AddDate(0, 0, r.IntN(120))
		}
		pauses = append(pauses, p)
	}
	return changes, start, asOf, rates, pauses
}

// TestInterestEqualsBig holds the integer Interest to the math/big
// definition, to the cent and to the error, over many generated cases.
func TestInterestEqualsBig(t *testing.T) {
	r := rand.New(rand.NewPCG(20261203, 1))
	var fast, compounded, failed int
	for n := 0; n < 3000; n++ {
		changes, start, asOf, rates, pauses := interestCase(r)
		want, wantErr := interestBig(changes, start, asOf, rates, pauses...)
		got, err := Interest(changes, start, asOf, rates, pauses...)
		if got != want || (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Fatalf("case %d: Interest(%v, %s, %s, %v, %v) = %d, %v; math/big gives %d, %v",
				n, changes, start.Format(time.DateOnly), asOf.Format(time.DateOnly), rates, pauses, got, err, want, wantErr)
		}
		switch {
		case err != nil:
			failed++
		case !start.AddDate(1, 0, 0).After(asOf):
			compounded++
		default:
			fast++
		}
	}
	t.Logf("%d within a year, %d compounded, %d errors", fast, compounded, failed)
	// The generator must reach every path, or the comparison proves little.
	if fast < 300 || compounded < 300 || failed < 30 {
		t.Fatalf("generator too narrow: %d within a year, %d compounded, %d errors", fast, compounded, failed)
	}
}

// FuzzInterest compares the two over cases grown from seeds the fuzzer picks.
func FuzzInterest(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(20261203), uint64(7))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		changes, start, asOf, rates, pauses := interestCase(rand.New(rand.NewPCG(a, b)))
		want, wantErr := interestBig(changes, start, asOf, rates, pauses...)
		got, err := Interest(changes, start, asOf, rates, pauses...)
		if got != want || (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Fatalf("Interest = %d, %v; math/big gives %d, %v", got, err, want, wantErr)
		}
	})
}
