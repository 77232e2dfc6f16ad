package collect

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// consumerRates and commercialRates are the published rates from
// docs/domain.md; in production they are loaded from the database.
var consumerRates = RateTable{
	{Day(2023, time.January, 1), 400},
	{Day(2023, time.July, 1), 600},
	{Day(2024, time.January, 1), 700},
	{Day(2024, time.July, 1), 700},
	{Day(2025, time.January, 1), 600},
	{Day(2025, time.July, 1), 600},
	{Day(2026, time.January, 1), 400},
}

var commercialRates = RateTable{
	{Day(2023, time.January, 1), 1050},
	{Day(2023, time.July, 1), 1200},
	{Day(2024, time.January, 1), 1250},
	{Day(2024, time.July, 1), 1225},
	{Day(2025, time.January, 1), 1115},
	{Day(2025, time.July, 1), 1015},
	{Day(2026, time.January, 1), 1015},
	{Day(2026, time.July, 1), 1040},
}

var flat4 = RateTable{{Day(2000, time.January, 1), 400}}

func opened(on time.Time, cents int64) []PrincipalChange {
	return []PrincipalChange{{On: on, Delta: cents}}
}

func TestInterest(t *testing.T) {
	tests := []struct {
		name    string
		changes []PrincipalChange
		start   time.Time
		asOf    time.Time
		rates   RateTable
		want    int64
	}{
		{"full year at 4% on 1000.00", opened(Day(2026, 1, 1), 100000), Day(2026, 1, 1), Day(2026, 12, 31), flat4, 4000},
		{"full leap year at 4% on 1000.00", opened(Day(2028, 1, 1), 100000), Day(2028, 1, 1), Day(2028, 12, 31), flat4, 4000},
		{"commercial 10.15% on both sides of 1 January", opened(Day(2025, 12, 1), 100000), Day(2025, 12, 1), Day(2026, 1, 31), commercialRates, 1724},
		{"consumer 6% then 4% from 1 January 2026", opened(Day(2025, 12, 1), 100000), Day(2025, 12, 1), Day(2026, 1, 31), consumerRates, 849},
		{"leap day counts at 1/366", opened(Day(2028, 2, 28), 100000000), Day(2028, 2, 28), Day(2028, 3, 1), flat4, 32787},
		{"same three days outside a leap year at 1/365", opened(Day(2027, 2, 27), 100000000), Day(2027, 2, 27), Day(2027, 3, 1), flat4, 32877},
		{"29 February alone", opened(Day(2028, 2, 29), 100000000), Day(2028, 2, 29), Day(2028, 2, 29), flat4, 10929},
		{"two years: second year's base includes the first year's interest", opened(Day(2026, 1, 1), 100000), Day(2026, 1, 1), Day(2027, 12, 31), flat4, 8160},
		{"anniversary is counted from the start, not 1 January", opened(Day(2026, 3, 15), 100000), Day(2026, 3, 15), Day(2028, 3, 14), flat4, 8169},
		{"published consumer rates, compounded on 1 January 2026", opened(Day(2024, 11, 1), 100000), Day(2025, 1, 1), Day(2026, 1, 31), consumerRates, 6360},
		{"published consumer rates over two years from 1 October", opened(Day(2024, 11, 1), 100000), Day(2024, 10, 1), Day(2026, 9, 30), consumerRates, 10413},
		{"half the principal paid on 1 July", []PrincipalChange{{Day(2026, 1, 1), 100000}, {Day(2026, 7, 1), -50000}}, Day(2026, 1, 1), Day(2026, 12, 31), flat4, 2992},
		{"paid in full on 1 February: interest stops that day", []PrincipalChange{{Day(2026, 2, 1), -100000}, {Day(2026, 1, 1), 100000}}, Day(2026, 1, 1), Day(2026, 12, 31), flat4, 340},
		{"credited more than owed earns nothing", []PrincipalChange{{Day(2026, 1, 1), 100000}, {Day(2026, 1, 2), -150000}}, Day(2026, 1, 1), Day(2026, 1, 31), flat4, 11},
		{"changes after asOf are ignored", []PrincipalChange{{Day(2026, 1, 1), 100000}, {Day(2027, 1, 1), -100000}}, Day(2026, 1, 1), Day(2026, 12, 31), flat4, 4000},
		{"one day, exactly half a cent rounds up", opened(Day(2026, 1, 1), 1500), Day(2026, 1, 1), Day(2026, 1, 1), RateTable{{Day(2026, 1, 1), 3650}}, 2},
		{"one day, just under half a cent rounds down", opened(Day(2026, 1, 1), 1499), Day(2026, 1, 1), Day(2026, 1, 1), RateTable{{Day(2026, 1, 1), 3650}}, 1},
		{"asOf before start", opened(Day(2026, 1, 1), 100000), Day(2026, 1, 1), Day(2025, 12, 31), flat4, 0},
		{"asOf before start needs no rate", opened(Day(2026, 1, 1), 100000), Day(2026, 1, 1), Day(2025, 12, 31), nil, 0},
		{"no principal", nil, Day(2026, 1, 1), Day(2026, 12, 31), flat4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Interest(tt.changes, tt.start, tt.asOf, tt.rates)
			if err != nil || got != tt.want {
				t.Errorf("Interest = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestInterestErrors(t *testing.T) {
	tests := []struct {
		name    string
		start   time.Time
		rates   RateTable
		want    error
		mention string
	}{
		{"no rate before the first row", Day(2022, 12, 31), consumerRates, ErrNoRate, "2022-12-31"},
		{"empty table", Day(2026, 1, 1), nil, ErrNoRate, "2026-01-01"},
		{"rows out of order", Day(2026, 1, 1), RateTable{{Day(2026, 1, 1), 400}, {Day(2025, 7, 1), 600}}, ErrRateTable, "2025-07-01"},
		{"same date twice", Day(2026, 1, 1), RateTable{{Day(2026, 1, 1), 400}, {Day(2026, 1, 1), 600}}, ErrRateTable, "2026-01-01"},
		{"negative rate", Day(2026, 1, 1), RateTable{{Day(2026, 1, 1), -1}}, ErrRateTable, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Interest(opened(tt.start, 100000), tt.start, Day(2026, 3, 1), tt.rates)
			if !errors.Is(err, tt.want) || got != 0 {
				t.Fatalf("Interest = %d, %v; want error %v", got, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

func TestRateTableAt(t *testing.T) {
	tests := []struct {
		day  time.Time
		want int64
	}{
		{Day(2025, 12, 31), 1015},
		{Day(2026, 1, 1), 1015},
		{Day(2026, 6, 30), 1015},
		{Day(2026, 7, 1), 1040},
		{Day(2030, 1, 1), 1040}, // the last row stays in force
		{Day(2023, 1, 1), 1050},
		{time.Date(2024, 7, 1, 13, 0, 0, 0, time.UTC), 1225},
	}
	for _, tt := range tests {
		r, err := commercialRates.At(tt.day)
		if err != nil || r.BasisPoints != tt.want {
			t.Errorf("At(%s) = %v, %v; want %d", tt.day.Format(time.DateOnly), r, err, tt.want)
		}
	}
	if _, err := commercialRates.At(Day(2022, 12, 31)); !errors.Is(err, ErrNoRate) {
		t.Errorf("At before the table: err = %v, want ErrNoRate", err)
	}
}

func TestInterestStart(t *testing.T) {
	for _, kind := range []DebtorKind{Consumer, Business, ""} {
		got := InterestStart(kind, time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC))
		if want := Day(2026, 4, 1); !got.Equal(want) {
			t.Errorf("InterestStart(%q) = %s, want %s", kind, got.Format(time.DateOnly), want.Format(time.DateOnly))
		}
	}
}

// Interest up to a date plus interest after it differ from the whole period
// by at most the two roundings.
func TestInterestSplitPeriod(t *testing.T) {
	ch := opened(Day(2026, 1, 1), 123457)
	whole, err := Interest(ch, Day(2026, 1, 1), Day(2026, 6, 30), consumerRates)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := Interest(ch, Day(2026, 1, 1), Day(2026, 3, 31), consumerRates)
	second, _ := Interest(ch, Day(2026, 4, 1), Day(2026, 6, 30), consumerRates)
	if d := whole - first - second; d < -1 || d > 1 {
		t.Errorf("whole %d, parts %d + %d", whole, first, second)
	}
}

func TestRateTableCoveredThrough(t *testing.T) {
	for _, tc := range []struct {
		from, want time.Time
	}{
		{Day(2026, 7, 1), Day(2026, 12, 31)},
		{Day(2026, 1, 1), Day(2026, 6, 30)},
		{Day(2025, 3, 15), Day(2025, 6, 30)},
	} {
		got := RateTable{{From: Day(2020, 1, 1), BasisPoints: 800}, {From: tc.from, BasisPoints: 400}}.CoveredThrough()
		if !got.Equal(tc.want) {
			t.Errorf("last row %s: covered through %s, want %s", tc.from.Format("2006-01-02"), got.Format("2006-01-02"), tc.want.Format("2006-01-02"))
		}
	}
	if !(RateTable{}).CoveredThrough().IsZero() {
		t.Error("an empty table covers nothing")
	}
}
