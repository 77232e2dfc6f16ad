package money

import (
	"errors"
	"fmt"
)

// ErrOverflow is returned (wrapped) when a sum of cents does not fit in an
// int64: wrapping around would turn a huge debt into a credit.
var ErrOverflow = errors.New("sum of amounts overflows")

// Add returns a + b, or ErrOverflow when the result does not fit in int64.
func Add(a, b int64) (int64, error) {
	s := a + b
	// Overflow happened exactly when both operands have the same sign and
	// the sum's sign differs from it.
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		return 0, fmt.Errorf("%d + %d: %w", a, b, ErrOverflow)
	}
	return s, nil
}

// Sum adds amounts with Add, stopping at the first overflow.
func Sum(amounts ...int64) (int64, error) {
	var total int64
	for _, a := range amounts {
		var err error
		if total, err = Add(total, a); err != nil {
			return 0, err
		}
	}
	return total, nil
}
