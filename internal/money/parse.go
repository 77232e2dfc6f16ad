package money

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// ErrAmount is returned (wrapped) for text that is not an amount.
var ErrAmount = errors.New("not a valid amount")

// ErrNegative is returned (wrapped) when a debtor types a negative amount.
var ErrNegative = errors.New("amount must not be negative")

// ErrTooLarge is returned (wrapped) for amounts above MaxInputCents or int64.
var ErrTooLarge = errors.New("amount is too large")

// MaxInputCents is the largest amount ParseInput accepts (10 billion euro):
// anything above it is a typo, not a payment.
const MaxInputCents int64 = 1_000_000_000_000

// ParseDecimal parses a provider amount such as "10.00", "-5.5" or "10"
// into cents, exactly. More than two decimals are refused unless the extra
// ones are zeros ("10.000" is fine, "10.001" is not), because silently
// rounding a provider's amount would book a different sum than was paid.
func ParseDecimal(s string) (int64, error) {
	return parseFixed(s, 2)
}

// ParseDecimal4 parses a four-decimal amount such as "2.5410" into
// ten-thousandths of a euro (25410), for rates and fees quoted that finely.
func ParseDecimal4(s string) (int64, error) {
	return parseFixed(s, 4)
}

// parseFixed parses an optionally signed decimal with a dot into an integer
// scaled by 10^scale, refusing non-zero digits beyond scale.
func parseFixed(s string, scale int) (int64, error) {
	body := s
	neg := false
	if body != "" && (body[0] == '-' || body[0] == '+') {
		neg = body[0] == '-'
		body = body[1:]
	}
	whole, frac, hasDot := strings.Cut(body, ".")
	if whole == "" || (hasDot && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("parse %q: %w", s, ErrAmount)
	}
	if len(frac) > scale {
		if strings.Trim(frac[scale:], "0") != "" {
			return 0, fmt.Errorf("parse %q: more than %d decimals: %w", s, scale, ErrAmount)
		}
		frac = frac[:scale]
	}
	frac += strings.Repeat("0", scale-len(frac))
	v, ok := digitsValue(whole + frac)
	if !ok {
		return 0, fmt.Errorf("parse %q: %w", s, ErrTooLarge)
	}
	if neg {
		v = -v
	}
	return v, nil
}

// ParseInput parses an amount as a Dutch or English speaking person types
// it ("50", "50,00", "€ 50,5", "1.234,56", "1,234.56", "€ 50,-") into cents.
//
// The last "," or "." followed by one or two digits at the end is the
// decimal separator; every other separator must be a thousands separator
// (the other character) between groups of three digits. So "1.234" and
// "1,234" are both 1234 euro, and "1,2345" is refused rather than guessed.
// Negative, empty, lettered and absurdly large amounts are refused.
func ParseInput(s string) (int64, error) {
	t := strings.TrimSpace(s)
	for _, sym := range []string{"€", "EUR", "eur", "Eur"} {
		if rest, ok := strings.CutPrefix(t, sym); ok {
			t = strings.TrimSpace(rest)
			break
		}
		if rest, ok := strings.CutSuffix(t, sym); ok {
			t = strings.TrimSpace(rest)
			break
		}
	}
	if t == "" {
		return 0, fmt.Errorf("parse %q: empty: %w", s, ErrAmount)
	}
	if t[0] == '-' {
		return 0, fmt.Errorf("parse %q: %w", s, ErrNegative)
	}
	// "50,-" is the usual Dutch way to write a round amount.
	roundOnly := false
	if rest, ok := strings.CutSuffix(t, ",-"); ok {
		t, roundOnly = rest, true
	} else if rest, ok := strings.CutSuffix(t, ".-"); ok {
		t, roundOnly = rest, true
	}
	for i := range len(t) {
		if c := t[i]; !isDigit(c) && c != ',' && c != '.' {
			return 0, fmt.Errorf("parse %q: %w", s, ErrAmount)
		}
	}

	whole, frac := t, ""
	var decimalSep byte
	if i := strings.LastIndexAny(t, ",."); i >= 0 {
		n := len(t) - i - 1
		switch {
		case n == 0:
			return 0, fmt.Errorf("parse %q: nothing after the separator: %w", s, ErrAmount)
		case (n == 1 || n == 2) && !roundOnly:
			decimalSep, whole, frac = t[i], t[:i], t[i+1:]
		}
	}
	digits, ok := ungroup(whole, decimalSep)
	if !ok {
		return 0, fmt.Errorf("parse %q: %w", s, ErrAmount)
	}
	frac += strings.Repeat("0", 2-len(frac))
	v, ok := digitsValue(digits + frac)
	if !ok || v > MaxInputCents {
		return 0, fmt.Errorf("parse %q: %w", s, ErrTooLarge)
	}
	return v, nil
}

// ungroup removes thousands separators from whole, checking that they are
// all the same character, differ from the decimal separator and sit between
// groups of exactly three digits (the first group may have one to three).
func ungroup(whole string, decimalSep byte) (string, bool) {
	if whole == "" {
		return "", false
	}
	i := strings.IndexAny(whole, ",.")
	if i < 0 {
		return whole, true
	}
	sep := whole[i]
	if sep == decimalSep {
		return "", false
	}
	groups := strings.Split(whole, string(sep))
	if len(groups[0]) < 1 || len(groups[0]) > 3 {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", false
		}
	}
	joined := strings.Join(groups, "")
	if !allDigits(joined) {
		// The other separator appeared as well, e.g. "1.234,567".
		return "", false
	}
	return joined, true
}

// digitsValue converts a string of ASCII digits to int64, reporting false
// on overflow.
func digitsValue(digits string) (int64, bool) {
	var v int64
	for i := range len(digits) {
		d := int64(digits[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
