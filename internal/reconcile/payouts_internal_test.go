package reconcile

import (
	"math/rand/v2"
	"testing"
)

// TestFeeRounding: shares add up exactly, each within one unit of its exact
// value; cents spread over four-decimal fees add up to the total asked and
// round each fee down or up, never further.
func TestFeeRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := 1 + r.IntN(6)
		weights := make([]int64, n)
		bips := make([]int64, n)
		var sumBips int64
		for i := range n {
			weights[i] = 1 + r.Int64N(9)
			bips[i] = r.Int64N(200000) - 20000
			sumBips += bips[i]
		}
		total := r.Int64N(2000000) - 1000000
		parts := shareByWeight(total, weights)
		var sum, wsum int64
		for _, w := range weights {
			wsum += w
		}
		for i, p := range parts {
			sum += p
			if d := p*wsum - total*weights[i]; d <= -wsum || d >= wsum {
				t.Fatalf("share(%d, %v) = %v: part %d is not floor or ceil", total, weights, parts, i)
			}
		}
		if sum != total {
			t.Fatalf("share(%d, %v) = %v sums to %d", total, weights, parts, sum)
		}
		for _, want := range []int64{floorDivCents(sumBips, 100), -floorDivCents(-sumBips, 100)} {
			cents := bipsToCents(bips, want)
			var got int64
			for i, c := range cents {
				got += c
				if d := c*100 - bips[i]; d <= -100 || d >= 100 {
					t.Fatalf("bipsToCents(%v, %d) = %v: %d is more than a cent off", bips, want, cents, c)
				}
			}
			if got != want {
				t.Fatalf("bipsToCents(%v, %d) = %v sums to %d", bips, want, cents, got)
			}
		}
	}
}
