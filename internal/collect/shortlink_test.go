package collect

import (
	"testing"
	"time"
)

func TestLinkExpiry(t *testing.T) {
	issued := time.Date(2026, 4, 30, 10, 0, 0, 0, time.UTC)
	ttl := 60 * 24 * time.Hour
	plan := func(status PlanStatus, lastDue time.Time) Plan {
		return Plan{Status: status, Instalments: []PlanInstalment{{Seq: 1, Due: Day(2026, 5, 1)}, {Seq: 2, Due: lastDue}}}
	}
	tests := []struct {
		name  string
		plans []Plan
		want  time.Time
	}{
		{"no plan: the channel's lifetime", nil, issued.Add(ttl)},
		{"running plan ending late: last instalment + 30 days, to the end of that day",
			[]Plan{plan(PlanApproved, Day(2026, 12, 1))}, Day(2027, 1, 1)},
		{"proposed plan counts too", []Plan{plan(PlanProposed, Day(2026, 12, 1))}, Day(2027, 1, 1)},
		{"counter-offer counts too", []Plan{plan(PlanCountered, Day(2026, 12, 1))}, Day(2027, 1, 1)},
		{"plan ending early: the lifetime is longer", []Plan{plan(PlanApproved, Day(2026, 5, 2))}, issued.Add(ttl)},
		{"a broken plan does not stretch the link", []Plan{plan(PlanBroken, Day(2026, 12, 1))}, issued.Add(ttl)},
		{"a completed plan does not stretch the link", []Plan{plan(PlanCompleted, Day(2026, 12, 1))}, issued.Add(ttl)},
		{"the latest of several plans wins",
			[]Plan{plan(PlanApproved, Day(2026, 11, 1)), plan(PlanCountered, Day(2027, 2, 10)), plan(PlanRejected, Day(2028, 1, 1))},
			Day(2027, 3, 13)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LinkExpiry(issued, ttl, tt.plans); !got.Equal(tt.want) {
				t.Errorf("LinkExpiry = %s, want %s", got, tt.want)
			}
		})
	}
}
