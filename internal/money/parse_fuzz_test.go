package money_test

import (
	"errors"
	"testing"

	"github.com/settle/settle/internal/money"
)

// FuzzParseInput feeds what a debtor might type into an amount field. An
// accepted amount is within 0..MaxInputCents, and what Settle shows for it
// (Dutch and English) parses back to the same cents.
func FuzzParseInput(f *testing.F) {
	for _, s := range []string{"50", "50,00", "€ 50,5", "1.234,56", "1,234.56", "€ 50,-", "EUR 12", "-1", "1,2345", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := money.ParseInput(s)
		if err != nil {
			if !errors.Is(err, money.ErrAmount) && !errors.Is(err, money.ErrNegative) && !errors.Is(err, money.ErrTooLarge) {
				t.Fatalf("ParseInput(%q): %v is none of ErrAmount, ErrNegative, ErrTooLarge", s, err)
			}
			return
		}
		if v < 0 || v > money.MaxInputCents {
			t.Fatalf("ParseInput(%q) = %d, outside 0..%d", s, v, money.MaxInputCents)
		}
		for _, lang := range []string{"nl", "en"} {
			shown := money.FormatCents(v, lang)
			if back, err := money.ParseInput(shown); err != nil || back != v {
				t.Fatalf("ParseInput(%q) = %d, shown as %q, which parses as %d, %v", s, v, shown, back, err)
			}
		}
	})
}

// FuzzParseDecimal feeds provider amounts ("10.00"). An accepted amount is
// exact: written back the way providers expect, it parses to the same cents.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"10.00", "-5.5", "10", "10.000", "10.001", "+1.00", ".5", "1e3", "92233720368547758.07"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := money.ParseDecimal(s)
		if err != nil {
			if !errors.Is(err, money.ErrAmount) && !errors.Is(err, money.ErrTooLarge) {
				t.Fatalf("ParseDecimal(%q): %v is neither ErrAmount nor ErrTooLarge", s, err)
			}
			return
		}
		d := money.Euro(v).Decimal()
		if back, err := money.ParseDecimal(d); err != nil || back != v {
			t.Fatalf("ParseDecimal(%q) = %d, written %q, which parses as %d, %v", s, v, d, back, err)
		}
	})
}
