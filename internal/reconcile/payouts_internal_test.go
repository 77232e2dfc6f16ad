package reconcile

import (
	"math/rand/v2"
	"testing"
)

// TestFeeRounding: cents spread over four-decimal fees add up to the total
// asked and round each fee down or up, never further. (That fee shares add
// up exactly is money.Split's TestSplitShares.)
func TestFeeRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// floorCents is b/100 rounded towards minus infinity.
	floorCents := func(b int64) int64 {
		if b < 0 && b%100 != 0 {
			return b/100 - 1
		}
		return b / 100
	}
	for range 2000 {
		n := 1 + r.IntN(6)
		bips := make([]int64, n)
		var sumBips int64
		for i := range n {
			bips[i] = r.Int64N(200000) - 20000
			sumBips += bips[i]
		}
		for _, want := range []int64{floorCents(sumBips), -floorCents(-sumBips)} {
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
