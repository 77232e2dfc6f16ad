package money

import (
	"errors"
	"math"
	"testing"
)

func TestAdd(t *testing.T) {
	cases := []struct {
		name     string
		a, b     int64
		want     int64
		overflow bool
	}{
		{"small", 150, 250, 400, false},
		{"negative", -150, 50, -100, false},
		{"largest", math.MaxInt64 - 1, 1, math.MaxInt64, false},
		{"smallest", math.MinInt64 + 1, -1, math.MinInt64, false},
		{"mixed signs never overflow", math.MaxInt64, math.MinInt64, -1, false},
		{"over the top", math.MaxInt64, 1, 0, true},
		{"the issue's amount twice", 9223372036854775807, 9223372036854775807, 0, true},
		{"under the bottom", math.MinInt64, -1, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Add(tc.a, tc.b)
			if tc.overflow {
				if !errors.Is(err, ErrOverflow) {
					t.Fatalf("Add(%d, %d) = %d, %v; want ErrOverflow", tc.a, tc.b, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Add(%d, %d) = %d, %v; want %d", tc.a, tc.b, got, err, tc.want)
			}
		})
	}
}

func TestSum(t *testing.T) {
	if got, err := Sum(100, 200, -50); err != nil || got != 250 {
		t.Fatalf("Sum = %d, %v; want 250", got, err)
	}
	if _, err := Sum(math.MaxInt64/2, math.MaxInt64/2, 2); !errors.Is(err, ErrOverflow) {
		t.Fatalf("Sum past int64: err = %v, want ErrOverflow", err)
	}
}
