package camt053

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Errors returned by ParseAmount. The parser embeds their text in a
// *ParseError, e.g. `amount "12,3x" is not a decimal`.
var (
	errAmountSyntax    = errors.New("is not a decimal")
	errAmountPrecision = errors.New("has more than 2 non-zero decimals")
	errAmountRange     = errors.New("is out of range")
)

// maxUnits is the largest whole-unit value whose cents fit in an int64.
const maxUnits = math.MaxInt64 / 100

// ParseAmount converts an ISO 20022 amount such as "1234.5" to cents
// (123450). It works on the decimal digits directly so the result is exact;
// floats would silently round values like "0.29".
//
// Accepted: digits with an optional '.' and fraction (".5" and "5." are valid
// xs:decimal and therefore accepted). More than two fraction digits are only
// accepted when the extra digits are zeros ("1.2300"): camt.053 allows up to
// five fraction digits, but a sub-cent value cannot be represented in cents
// and must not be rounded silently.
// Rejected: empty input, signs (camt.053 amounts are unsigned; the direction
// is in CdtDbtInd), exponents, commas, whitespace and values that do not fit
// in an int64 number of cents.
func ParseAmount(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, errAmountSyntax
	}
	// allDigits on frac also rejects a second '.', because Cut split only
	// at the first one.
	if !allDigits(whole) || !allDigits(frac) {
		return 0, errAmountSyntax
	}
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return 0, errAmountPrecision
		}
		frac = frac[:2]
	}
	var units int64
	for i := 0; i < len(whole); i++ {
		d := int64(whole[i] - '0')
		if units > (maxUnits-d)/10 {
			return 0, errAmountRange
		}
		units = units*10 + d
	}
	var fracCents int64
	if len(frac) > 0 {
		fracCents += int64(frac[0]-'0') * 10
	}
	if len(frac) > 1 {
		fracCents += int64(frac[1] - '0')
	}
	if units*100 > math.MaxInt64-fracCents {
		return 0, errAmountRange
	}
	return units*100 + fracCents, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatCents writes cents as "EUR 8.85" (or "EUR -1.20") for messages.
func FormatCents(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s %s%d.%02d", currency, sign, cents/100, cents%100)
}
