package main

import (
	"strings"
	"testing"
	"time"
)

// TestMunicipalityRows: the operator's CSV becomes normalised ranges; a bad
// line is refused with its number.
func TestMunicipalityRows(t *testing.T) {
	from := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	rows, err := municipalityRows(strings.NewReader("postcode_from;postcode_to;code;name\n6711;6719;GM0228;Ede\n1011 AB;1011ab;0363;Amsterdam\n"), from, "CBS 2027")
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	if r := rows[0]; r.From != "6711AA" || r.To != "6719ZZ" || r.Code != "GM0228" || r.Name != "Ede" || !r.ValidFrom.Equal(from) {
		t.Errorf("first row = %+v", r)
	}
	if r := rows[1]; r.From != "1011AB" || r.To != "1011AB" || r.Code != "GM0363" {
		t.Errorf("second row = %+v", r)
	}
	for _, bad := range []string{"6719;6711;GM0228;Ede", "6711;6719;GM228;Ede", "6711;6719;GM0228; ", "67;6719;GM0228;Ede"} {
		if _, err := municipalityRows(strings.NewReader("h;h;h;h\n"+bad+"\n"), from, "x"); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%q: %v, want line 2 refused", bad, err)
		}
	}
}

func TestThresholdFlags(t *testing.T) {
	got, err := thresholdFlags("housing", "2027-01-01", 30, "250,00", "Stb. 2027, 1")
	if err != nil || got.MinDaysOverdue != 30 || got.MinArrears != 25000 || got.From.Format(time.DateOnly) != "2027-01-01" {
		t.Errorf("thresholdFlags = %+v, %v", got, err)
	}
	for _, bad := range [][5]string{{"other", "2027-01-01", "30", "0", "s"}, {"housing", "2027-13-01", "30", "0", "s"}, {"housing", "2027-01-01", "-1", "0", "s"},
		{"housing", "2027-01-01", "30", "abc", "s"}, {"housing", "2027-01-01", "30", "0", " "}} {
		days := map[string]int{"30": 30, "-1": -1}[bad[2]]
		if _, err := thresholdFlags(bad[0], bad[1], days, bad[3], bad[4]); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
