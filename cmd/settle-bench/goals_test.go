package main

import (
	"strings"
	"testing"
)

func TestGoalLineRoundTrip(t *testing.T) {
	in := []goal{
		{Name: "2 webhooks: accepted events/s", Measured: "4120 (CPU 0.41 ms/event)", Ceiling: ">= 4000", Met: true},
		{Name: "3 bank import: import/COPY", Measured: "0.12", Ceiling: ">= 0.30", Met: false},
	}
	var out strings.Builder
	out.WriteString("some figures\n| a | table |\n")
	for _, g := range in {
		out.WriteString(g.String() + "\n")
	}
	got, err := parseGoals(strings.NewReader(out.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("parsed %d goal lines, want %d: %+v", len(got), len(in), got)
	}
	for i := range in {
		if got[i] != in[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], in[i])
		}
	}
}

func TestGoalNumber(t *testing.T) {
	for name, want := range map[string]int{
		"1 overview throughput vs pgx":  1,
		"2 webhooks: accept p99/p50":    2,
		"3 bank import: peak heap":      3,
		"Lighthouse performance":        4,
		"scale: p99 at 1,000,000":       5,
		"12 something else":             0,
		"letters per second":            0,
		"camt import ratio (no number)": 3,
	} {
		if got := goalNumber(name); got != want {
			t.Errorf("goalNumber(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestSummaryTableSaysNotRun(t *testing.T) {
	table := summaryTable([]goal{
		{Name: "2 webhooks: accepted events/s", Measured: "274", Ceiling: ">= 4000"},
		{Name: "2 webhooks: events booked exactly once", Measured: "9001 of 9001", Ceiling: "all, once", Met: true},
	})
	lines := strings.Split(table, "\n")
	find := func(s string) string {
		for _, l := range lines {
			if strings.Contains(l, s) {
				return l
			}
		}
		t.Fatalf("no line with %q in\n%s", s, table)
		return ""
	}
	for _, title := range []string{"1 overview page", "3 bank import", "4 page weight and Lighthouse", "5 scale on a curve"} {
		if l := find(title); !strings.Contains(l, "not run") {
			t.Errorf("goal %q without lines is not 'not run': %s", title, l)
		}
	}
	cells := func(l string) []string {
		f := strings.Split(strings.Trim(strings.TrimSpace(l), "|"), "|")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		return f
	}
	if c := cells(find("accepted events/s")); len(c) != 5 || c[0] != "2 webhooks" || c[4] != "no" {
		t.Errorf("unmet ceiling: %q", c)
	}
	if c := cells(find("booked exactly once")); len(c) != 5 || c[0] != "2 webhooks" || c[4] != "yes" {
		t.Errorf("met ceiling: %q", c)
	}
	if !strings.Contains(table, "1 of 2 ceilings met; goals not run: 1, 3, 4, 5") {
		t.Errorf("closing line missing:\n%s", table)
	}
}
