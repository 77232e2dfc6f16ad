// Package money holds amounts as integer cents with a currency, and formats
// and parses them the way Dutch and English speaking debtors read and type
// them. Floats are never used: a cent that goes missing in a collection
// portal is a complaint, and a wrong balance is a legal problem.
package money

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// EUR is the only currency Settle collects in.
const EUR = "EUR"

// ErrCurrency is returned (wrapped) for any currency other than EUR.
var ErrCurrency = errors.New("currency is not supported")

// currencyError names the refused currency while still matching ErrCurrency,
// so the message reads naturally and errors.Is keeps working.
type currencyError struct{ currency string }

func (e currencyError) Error() string {
	return fmt.Sprintf("currency %q is not supported: only %s", e.currency, EUR)
}

func (e currencyError) Is(target error) bool { return target == ErrCurrency }

// Money is an amount in cents of one currency.
type Money struct {
	Cents    int64
	Currency string
}

// New returns an amount in cents of currency, refusing anything but EUR.
func New(cents int64, currency string) (Money, error) {
	if currency != EUR {
		return Money{}, currencyError{currency: currency}
	}
	return Money{Cents: cents, Currency: EUR}, nil
}

// Euro returns an amount in euro cents.
func Euro(cents int64) Money {
	return Money{Cents: cents, Currency: EUR}
}

// Format renders m for a debtor in lang: "nl" (the default for any
// unknown language) gives "€ 1.234,56", "en" gives "€1,234.56".
func (m Money) Format(lang string) string {
	if m.Currency != "" && m.Currency != EUR {
		// Never show a euro sign on an amount that is not in euros.
		s := formatNumber(m.Cents, ',', '.')
		if baseLang(lang) == "en" {
			s = formatNumber(m.Cents, '.', ',')
		}
		return m.Currency + " " + s
	}
	return FormatCents(m.Cents, lang)
}

// String renders m in Dutch notation, so %v in logs shows a readable amount.
func (m Money) String() string { return m.Format("nl") }

// Decimal renders m as "1234.56": exactly two decimals, a dot, no grouping,
// which is what payment provider APIs (Mollie's amount.value) expect.
func (m Money) Decimal() string {
	neg, abs := split(m.Cents)
	s := fmt.Sprintf("%d.%02d", abs/100, abs%100)
	if neg {
		return "-" + s
	}
	return s
}

// FormatCents renders euro cents in lang; see Money.Format.
func FormatCents(cents int64, lang string) string {
	neg, _ := split(cents)
	var body, sign string
	switch baseLang(lang) {
	case "en":
		body = "€" + formatNumber(cents, '.', ',')
	case "tr":
		body = "€" + formatNumber(cents, ',', '.')
	case "pl", "uk":
		// "1 234,56 €", with no-break spaces so an amount never wraps.
		body = strings.ReplaceAll(formatNumber(cents, ',', ' ')+" €", " ", "\u00a0")
	default:
		body = "€ " + formatNumber(cents, ',', '.')
	}
	if neg {
		sign = "-"
	}
	if baseLang(lang) == "ar" {
		// In right-to-left text the amount keeps the Dutch notation and
		// reads left to right inside a Unicode isolate (LRI ... PDI, the
		// plain-text <bdi>), so "€ 12,34" never becomes "12,34 €-" on a
		// page, in an email or in an SMS.
		return "\u2066" + sign + body + "\u2069"
	}
	return sign + body
}

// baseLang reduces "nl-NL" or "en_GB" to "nl" or "en".
func baseLang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return lang
}

// split returns the sign and absolute value of cents as uint64, so that
// math.MinInt64 does not overflow when negated.
func split(cents int64) (neg bool, abs uint64) {
	if cents < 0 {
		return true, uint64(-(cents + 1)) + 1
	}
	return false, uint64(cents)
}

// formatNumber renders the absolute value of cents (the caller adds the
// sign) with the given decimal and grouping separators: 123456 -> "1.234,56".
func formatNumber(cents int64, decimal, group byte) string {
	_, a := split(cents)
	whole := strconv.FormatUint(a/100, 10)
	var b strings.Builder
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(group)
		}
		b.WriteByte(whole[i])
	}
	b.WriteByte(decimal)
	frac := a % 100
	b.WriteByte(byte('0' + frac/10))
	b.WriteByte(byte('0' + frac%10))
	return b.String()
}

// Split divides total into parts proportional to weights that add up to
// total exactly, by largest remainder: each part is its exact share rounded
// down, and what is left goes one cent each to the parts with the largest
// remainders, ties to the earlier part (10000 by 1, 1, 1 -> 3334, 3333,
// 3333). A negative total is split as its opposite, so -total gives the
// opposite parts. Weights must not be negative; when they add up to 0 every
// part is 0.
func Split(total int64, weights []int64) []int64 {
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if sum == 0 {
		return make([]int64, len(weights))
	}
	neg := total < 0
	if neg {
		total = -total
	}
	exact := make([]int64, len(weights))
	for i, w := range weights {
		exact[i] = total * w
	}
	parts, _ := Apportion(exact, sum, total) // the shares add up to total exactly, so it is always in reach
	if neg {
		for i := range parts {
			parts[i] = -parts[i]
		}
	}
	return parts
}

// Apportion rounds exact values, each numerators[i]/den (den > 0), to whole
// units that add up to total, by largest remainder: each value is rounded
// down (towards minus infinity), and the units left go one each to the
// values with the largest remainders, ties to the earlier value. So every
// value moves by less than one unit. When total is out of that reach (below
// the sum of the rounded-down values, or more than len(numerators) above it)
// it returns false and no parts.
func Apportion(numerators []int64, den, total int64) ([]int64, bool) {
	parts := make([]int64, len(numerators))
	order := make([]int, len(numerators))
	var floors int64
	for i, n := range numerators {
		parts[i] = floorDiv(n, den)
		order[i] = i
		floors += parts[i]
	}
	extra := total - floors
	if extra < 0 || extra > int64(len(numerators)) {
		return nil, false
	}
	remainder := func(i int) int64 { return numerators[i] - parts[i]*den }
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(remainder(b), remainder(a)) })
	for _, i := range order[:extra] {
		parts[i]++
	}
	return parts, true
}

// floorDiv divides a by b > 0, rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
