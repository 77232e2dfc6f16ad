package collect

import (
	"testing"
	"time"
)

func TestDecideMunicipalSignal(t *testing.T) {
	table := MunicipalThresholds{
		{Kind: KindEnergy, From: Day(2021, 1, 1), MinDaysOverdue: 30, MinArrears: 10000},
		// A later row for energy: in force from 2027, so 2026 still reads the first.
		{Kind: KindEnergy, From: Day(2027, 1, 1), MinDaysOverdue: 60, MinArrears: 10000},
		{Kind: KindHousing, From: Day(2021, 1, 1), MinDaysOverdue: 30},
	}
	today := Day(2026, 6, 30)
	due := Day(2026, 5, 31) // 30 days before today
	on := func(d time.Time) *time.Time { return &d }
	efforts := func(f MunicipalFacts) MunicipalFacts {
		f.ReminderOn, f.PlanOfferedOn, f.ContactOn = on(Day(2026, 6, 3)), on(Day(2026, 6, 10)), on(Day(2026, 6, 20))
		return f
	}
	past := efforts(MunicipalFacts{Kind: KindEnergy, Consumer: true, Arrears: 10000, OldestDue: due})
	with := func(change func(*MunicipalFacts)) MunicipalFacts {
		f := past
		change(&f)
		return f
	}
	tests := []struct {
		name  string
		facts MunicipalFacts
		today time.Time
		want  string
	}{
		{"exactly the days and the amount, all efforts made", past, today, MunicipalRaised},
		{"one day short of the threshold", with(func(f *MunicipalFacts) { f.OldestDue = due.AddDate(0, 0, 1) }), today, NoMunicipalTooRecent},
		{"one cent short of the amount", with(func(f *MunicipalFacts) { f.Arrears = 9999 }), today, NoMunicipalTooSmall},
		{"no arrears", with(func(f *MunicipalFacts) { f.Arrears = 0 }), today, NoMunicipalArrears},
		{"reminder missing", with(func(f *MunicipalFacts) { f.ReminderOn = nil }), today, NoMunicipalReminder},
		{"reminder sent before the arrears began does not count", with(func(f *MunicipalFacts) { f.ReminderOn = on(due.AddDate(0, 0, -1)) }), today, NoMunicipalReminder},
		{"reminder on the due date counts", with(func(f *MunicipalFacts) { f.ReminderOn = on(due) }), today, MunicipalRaised},
		{"plan offer missing", with(func(f *MunicipalFacts) { f.PlanOfferedOn = nil }), today, NoMunicipalPlanOffer},
		{"contact attempt missing", with(func(f *MunicipalFacts) { f.ContactOn = nil }), today, NoMunicipalContact},
		{"contact attempt after today (a later record) does not count", with(func(f *MunicipalFacts) { f.ContactOn = on(today.AddDate(0, 0, 1)) }), today, NoMunicipalContact},
		{"a running plan holds the signal back", with(func(f *MunicipalFacts) { f.PlanRunning = true }), today, NoMunicipalPlan},
		{"a business is not signalled", with(func(f *MunicipalFacts) { f.Consumer = false }), today, NoMunicipalBusiness},
		{"a creditor of another kind gives no signals", with(func(f *MunicipalFacts) { f.Kind = KindOther }), today, NoMunicipalKind},
		{"no row for water", with(func(f *MunicipalFacts) { f.Kind = KindWater }), today, NoMunicipalThreshold},
		{"before the table starts", past, Day(2020, 12, 31), NoMunicipalThreshold},
		{"housing: any amount once 30 days overdue", with(func(f *MunicipalFacts) { f.Kind, f.Arrears = KindHousing, 1 }), today, MunicipalRaised},
		{"the later row applies from its day: 30 days is too recent", with(func(f *MunicipalFacts) {
			f.OldestDue = Day(2026, 12, 15)
			f.ReminderOn, f.PlanOfferedOn, f.ContactOn = on(Day(2026, 12, 20)), on(Day(2026, 12, 21)), on(Day(2026, 12, 22))
		}), Day(2027, 1, 14), NoMunicipalTooRecent},
	}
	for _, tt := range tests {
		got := DecideMunicipalSignal(tt.facts, table, tt.today)
		if got.Reason != tt.want || got.Raise != (tt.want == MunicipalRaised) {
			t.Errorf("%s: got %+v, want %q", tt.name, got, tt.want)
		}
	}
}

func TestPostcodes(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"6711 AA", "6711AA", true},
		{" 6711aa ", "6711AA", true},
		{"0711AA", "", false},
		{"6711A", "", false},
		{"67110A", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := Postcode6(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("Postcode6(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if f, to, ok := PostcodeRange("6711", "6719"); !ok || f != "6711AA" || to != "6719ZZ" {
		t.Errorf("PostcodeRange(6711, 6719) = %s, %s, %v", f, to, ok)
	}
	if _, _, ok := PostcodeRange("6719", "6711"); ok {
		t.Error("a range that runs backwards was accepted")
	}
}

func TestArrears(t *testing.T) {
	line := func(due time.Time, principal, costs int64, hold bool) Line {
		return Line{Invoice: Invoice{DueDate: due}, Principal: principal, Costs: costs, OnHold: hold}
	}
	st := Statement{Lines: []Line{
		line(Day(2026, 5, 1), 5000, 4000, false), // overdue: principal counts, costs do not
		line(Day(2026, 4, 1), 3000, 0, true),     // disputed or paused: left out
		line(Day(2026, 6, 1), 2500, 0, false),    // overdue
		line(Day(2026, 6, 30), 9900, 0, false),   // due today: not yet arrears
		line(Day(2026, 3, 1), 0, 0, false),       // paid
	}}
	sum, oldest := Arrears(st, Day(2026, 6, 30))
	if sum != 7500 || !oldest.Equal(Day(2026, 5, 1)) {
		t.Errorf("Arrears = %d since %s, want 7500 since 2026-05-01", sum, oldest.Format(time.DateOnly))
	}
}
