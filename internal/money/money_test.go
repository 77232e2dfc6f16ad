package money

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestNew(t *testing.T) {
	tests := []struct {
		currency string
		wantErr  bool
	}{
		{"EUR", false},
		{"USD", true},
		{"eur", true},
		{"", true},
	}
	for _, tt := range tests {
		m, err := New(1234, tt.currency)
		if tt.wantErr {
			if !errors.Is(err, ErrCurrency) {
				t.Errorf("New(%q) error = %v, want ErrCurrency", tt.currency, err)
			}
			continue
		}
		if err != nil || m != Euro(1234) {
			t.Errorf("New(%q) = %v, %v", tt.currency, m, err)
		}
	}
	_, err := New(1, "USD")
	if got, want := err.Error(), `currency "USD" is not supported: only EUR`; got != want {
		t.Errorf("error message = %q, want %q", got, want)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		cents int64
		lang  string
		want  string
	}{
		{123456, "nl", "€ 1.234,56"},
		{-123456, "nl", "-€ 1.234,56"},
		{0, "nl", "€ 0,00"},
		{5, "nl", "€ 0,05"},
		{100, "nl", "€ 1,00"},
		{123456789, "nl", "€ 1.234.567,89"},
		{123456, "en", "€1,234.56"},
		{-123456, "en", "-€1,234.56"},
		{0, "en", "€0.00"},
		{123456, "en-GB", "€1,234.56"},
		{123456, "nl_NL", "€ 1.234,56"},
		{123456, "de", "€ 1.234,56"},
		{123456, "", "€ 1.234,56"},
		{100000, "nl", "€ 1.000,00"},
		{99999, "nl", "€ 999,99"},
		{math.MinInt64, "nl", "-€ 92.233.720.368.547.758,08"},
		{123456, "tr", "€1.234,56"},
		{-5, "tr", "-€0,05"},
		{123456, "pl", "1\u00a0234,56\u00a0€"},
		{99999, "uk", "999,99\u00a0€"},
		{-123456, "uk", "-1\u00a0234,56\u00a0€"},
		{123456, "ar", "\u2066€ 1.234,56\u2069"},
		{-1250, "ar", "\u2066-€ 12,50\u2069"},
	}
	for _, tt := range tests {
		if got := Euro(tt.cents).Format(tt.lang); got != tt.want {
			t.Errorf("Euro(%d).Format(%q) = %q, want %q", tt.cents, tt.lang, got, tt.want)
		}
		if got := FormatCents(tt.cents, tt.lang); got != tt.want {
			t.Errorf("FormatCents(%d, %q) = %q, want %q", tt.cents, tt.lang, got, tt.want)
		}
	}
	if got := (Money{Cents: 150, Currency: "USD"}).Format("nl"); got != "USD 1,50" {
		t.Errorf("non-EUR format = %q", got)
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		cents int64
		want  string
	}{
		{123456, "1234.56"},
		{1000, "10.00"},
		{5, "0.05"},
		{0, "0.00"},
		{-550, "-5.50"},
		{-5, "-0.05"},
	}
	for _, tt := range tests {
		if got := Euro(tt.cents).Decimal(); got != tt.want {
			t.Errorf("Euro(%d).Decimal() = %q, want %q", tt.cents, got, tt.want)
		}
	}
}

// TestParseDecimal pins ParseDecimal (cents) and ParseDecimal4 (units of
// 1/10,000), and that ParseDecimal reads back what Decimal writes.
func TestParseDecimal(t *testing.T) {
	parsers := map[string]func(string) (int64, error){"ParseDecimal": ParseDecimal, "ParseDecimal4": ParseDecimal4}
	tests := []struct {
		parse   string
		in      string
		want    int64
		wantErr bool
	}{
		{"ParseDecimal", "10.00", 1000, false},
		{"ParseDecimal", "-5.5", -550, false},
		{"ParseDecimal", "10", 1000, false},
		{"ParseDecimal", "0.01", 1, false},
		{"ParseDecimal", "1234.56", 123456, false},
		{"ParseDecimal", "+3.1", 310, false},
		{"ParseDecimal", "10.000", 1000, false},
		{"ParseDecimal", "10.001", 0, true},
		{"ParseDecimal", "10.", 0, true},
		{"ParseDecimal", ".5", 0, true},
		{"ParseDecimal", "", 0, true},
		{"ParseDecimal", "-", 0, true},
		{"ParseDecimal", "1,00", 0, true},
		{"ParseDecimal", "1e3", 0, true},
		{"ParseDecimal", " 10.00", 0, true},
		{"ParseDecimal", "92233720368547758.07", math.MaxInt64, false},
		{"ParseDecimal", "92233720368547758.08", 0, true},
		{"ParseDecimal4", "2.5410", 25410, false},
		{"ParseDecimal4", "2.541", 25410, false},
		{"ParseDecimal4", "2", 20000, false},
		{"ParseDecimal4", "-0.0001", -1, false},
		{"ParseDecimal4", "2.54100", 25410, false},
		{"ParseDecimal4", "2.54101", 0, true},
		{"ParseDecimal4", "x", 0, true},
	}
	for _, tt := range tests {
		got, err := parsers[tt.parse](tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s(%q) = %d, %v; want %d, err %v", tt.parse, tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	// Round trip with Decimal.
	for _, c := range []int64{0, 1, 99, 100, 123456, -550} {
		got, err := ParseDecimal(Euro(c).Decimal())
		if err != nil || got != c {
			t.Errorf("round trip %d: got %d, %v", c, got, err)
		}
	}
}

func TestParseInput(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr error
	}{
		{"50", 5000, nil},
		{"50,00", 5000, nil},
		{"€ 50,5", 5050, nil},
		{"€50", 5000, nil},
		{"1.234,56", 123456, nil},
		{"1234.56", 123456, nil},
		{"1,234.56", 123456, nil},
		{" 12 ", 1200, nil},
		{"12,3", 1230, nil},
		{"0,01", 1, nil},
		{"0", 0, nil},
		{"1.234", 123400, nil},
		{"1,234", 123400, nil},
		{"1.234.567,89", 123456789, nil},
		{"1,234,567.89", 123456789, nil},
		{"50,-", 5000, nil},
		{"€ 1.250,-", 125000, nil},
		{"50 €", 5000, nil},
		{"EUR 50,00", 5000, nil},
		{"10.000.000.000", MaxInputCents, nil},
		{"", 0, ErrAmount},
		{"   ", 0, ErrAmount},
		{"€", 0, ErrAmount},
		{"-50", 0, ErrNegative},
		{"€ -50", 0, ErrNegative},
		{"abc", 0, ErrAmount},
		{"50a", 0, ErrAmount},
		{"5 0", 0, ErrAmount},
		{"12,345,6", 0, ErrAmount},
		{"1,2345", 0, ErrAmount},
		{"1.234,567", 0, ErrAmount},
		{"1.234.56", 0, ErrAmount},
		{"12,34,56", 0, ErrAmount},
		{"1,23.45", 0, ErrAmount},
		{"12.34,56", 0, ErrAmount},
		{"1234,567", 0, ErrAmount},
		{"50,", 0, ErrAmount},
		{",50", 0, ErrAmount},
		{"1e5", 0, ErrAmount},
		{"10.000.000.000,01", 0, ErrTooLarge},
		{"99999999999999999999", 0, ErrTooLarge},
		{"+50", 0, ErrAmount},
	}
	for _, tt := range tests {
		got, err := ParseInput(tt.in)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("ParseInput(%q) = %d, %v; want error %v", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseInput(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		total   int64
		weights []int64
		want    []int64
	}{
		{10000, []int64{1, 1, 1}, []int64{3334, 3333, 3333}},
		{10000, []int64{1}, []int64{10000}},
		{10000, []int64{1, 1, 1, 1}, []int64{2500, 2500, 2500, 2500}},
		{2, []int64{1, 1, 1}, []int64{1, 1, 0}},
		{10, []int64{1, 1, 1, 1}, []int64{3, 3, 2, 2}},
		{0, []int64{1, 1}, []int64{0, 0}},
		{-10000, []int64{1, 1, 1}, []int64{-3334, -3333, -3333}},
		{-10, []int64{1, 1, 1}, []int64{-4, -3, -3}},
		// 33.33 and 66.67: the larger remainder gets the cent.
		{100, []int64{1, 2}, []int64{33, 67}},
		{100, []int64{2, 1}, []int64{67, 33}},
		{7, []int64{3, 0, 4}, []int64{3, 0, 4}},
		{10000, []int64{0, 0}, []int64{0, 0}},
		{10000, nil, nil},
	}
	for _, tt := range tests {
		got := Split(tt.total, tt.weights)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Split(%d, %v) = %v, want %v", tt.total, tt.weights, got, tt.want)
		}
		var sum, wsum int64
		for _, p := range got {
			sum += p
		}
		for _, w := range tt.weights {
			wsum += w
		}
		if wsum > 0 && sum != tt.total {
			t.Errorf("Split(%d, %v) sums to %d", tt.total, tt.weights, sum)
		}
	}
}

// TestSplitShares: parts add up exactly, each the floor or the ceiling of
// its exact share.
func TestSplitShares(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		weights := make([]int64, 1+r.IntN(6))
		var wsum int64
		for i := range weights {
			weights[i] = 1 + r.Int64N(9)
			wsum += weights[i]
		}
		total := r.Int64N(2000000) - 1000000
		parts := Split(total, weights)
		var sum int64
		for i, p := range parts {
			sum += p
			if d := p*wsum - total*weights[i]; d <= -wsum || d >= wsum {
				t.Fatalf("Split(%d, %v) = %v: part %d is not floor or ceil", total, weights, parts, i)
			}
		}
		if sum != total {
			t.Fatalf("Split(%d, %v) = %v sums to %d", total, weights, parts, sum)
		}
	}
}

func TestApportion(t *testing.T) {
	tests := []struct {
		name    string
		exact   []int64
		den     int64
		total   int64
		want    []int64
		inReach bool
	}{
		{"all rounded down", []int64{150, 250, -50}, 100, 2, []int64{1, 2, -1}, true},
		{"ties to the earlier", []int64{150, 250, -50}, 100, 4, []int64{2, 3, -1}, true},
		{"largest remainder first", []int64{110, 190, 150}, 100, 4, []int64{1, 2, 1}, true},
		{"negative values round towards minus infinity", []int64{-110, -190}, 100, -3, []int64{-1, -2}, true},
		{"all rounded up", []int64{150, 250}, 100, 5, []int64{2, 3}, true},
		{"below reach", []int64{150, 250}, 100, 2, nil, false},
		{"above reach", []int64{150, 250}, 100, 6, nil, false},
		{"nothing", nil, 100, 0, []int64{}, true},
	}
	for _, tt := range tests {
		got, ok := Apportion(tt.exact, tt.den, tt.total)
		if ok != tt.inReach || !slices.Equal(got, tt.want) {
			t.Errorf("%s: Apportion(%v, %d, %d) = %v, %v; want %v, %v", tt.name, tt.exact, tt.den, tt.total, got, ok, tt.want, tt.inReach)
		}
	}
}
