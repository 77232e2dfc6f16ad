package collect

import (
	"testing"
	"time"
)

func TestDebitsDue(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	ins := []PlanInstalment{
		{ID: "a", Due: day(1), Amount: 2500, Paid: 2500}, // paid by the iDEAL first payment
		{ID: "b", Due: day(8), Amount: 2500},
		{ID: "c", Due: day(15), Amount: 2500, Paid: 1000},
		{ID: "d", Due: day(22), Amount: 2500},
	}
	none := func(PlanInstalment) bool { return false }
	cases := []struct {
		name      string
		since     time.Time
		today     time.Time
		collected func(PlanInstalment) bool
		want      map[string]int64
	}{
		{"before any due date", day(1), day(7), none, map[string]int64{}},
		{"on the due date", day(1), day(8), none, map[string]int64{"b": 2500}},
		{"only what is left of a part", day(1), day(15), func(in PlanInstalment) bool { return in.ID == "b" }, map[string]int64{"c": 1500}},
		{"a part collected for its date is not collected again", day(1), day(8), func(in PlanInstalment) bool { return in.ID == "b" }, map[string]int64{}},
		{"parts due before the choice are left to the missed follow-up", day(10), day(22), none, map[string]int64{"c": 1500, "d": 2500}},
		{"a late job run still collects the days it missed", day(1), day(23), none, map[string]int64{"b": 2500, "c": 1500, "d": 2500}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := DebitsDue(ins, c.since, c.today, c.collected)
			if len(got) != len(c.want) {
				t.Fatalf("got %+v, want %v", got, c.want)
			}
			for _, d := range got {
				if c.want[d.Instalment.ID] != d.Amount {
					t.Fatalf("got %+v, want %v", got, c.want)
				}
			}
		})
	}
}
