package collect

import (
	"testing"
	"time"
)

func TestCheckPromise(t *testing.T) {
	today := Day(2026, 12, 2)
	debtorKept := Promise{InvoiceID: "a", Status: PromiseKept, MadeBy: MadeByDebtor}
	openAll := Promise{Status: PromiseOpen, MadeBy: MadeByDebtor, PromisedOn: Day(2026, 12, 9)}
	moved := Promise{InvoiceID: "a", Status: PromiseBroken, MadeBy: MadeByDebtor, MovedFrom: "x"}
	tests := []struct {
		name    string
		invoice string
		on      time.Time
		agent   bool
		earlier []Promise
		want    string // error code, "" for allowed
	}{
		{"today", "a", today, false, nil, ""},
		{"the last day of the limit", "a", Day(2026, 12, 16), false, nil, ""},
		{"a day past the limit", "a", Day(2026, 12, 17), false, nil, EINVALID},
		{"yesterday", "a", Day(2026, 12, 1), false, nil, EINVALID},
		{"no date", "a", time.Time{}, false, nil, EINVALID},
		{"a second promise for a bill", "a", Day(2026, 12, 5), false, []Promise{debtorKept}, ECONFLICT},
		{"an agent may agree a second one", "a", Day(2026, 12, 5), true, []Promise{debtorKept}, ""},
		{"another bill", "b", Day(2026, 12, 5), false, []Promise{debtorKept}, ""},
		{"everything after one bill", "", Day(2026, 12, 5), false, []Promise{debtorKept}, ECONFLICT},
		{"a bill under an open promise for everything, even for an agent", "b", Day(2026, 12, 5), true, []Promise{openAll}, ECONFLICT},
		{"a moved promise is not a second promise", "b", Day(2026, 12, 5), false, []Promise{moved}, ""},
	}
	for _, tt := range tests {
		err := CheckPromise(DefaultPromisePolicy, tt.invoice, tt.on, today, tt.agent, tt.earlier)
		if got := codeOf(err); got != tt.want {
			t.Errorf("%s: CheckPromise = %v, want code %q", tt.name, err, tt.want)
		}
	}
}

func TestCheckMove(t *testing.T) {
	today := Day(2026, 12, 10)
	open := Promise{Status: PromiseOpen}
	broken := Promise{Status: PromiseBroken}
	tests := []struct {
		name      string
		p         Promise
		on        time.Time
		successor bool
		want      string
	}{
		{"an open promise, once", open, Day(2026, 12, 20), false, ""},
		{"a broken promise, the day after", broken, Day(2026, 12, 11), false, ""},
		{"moved before", broken, Day(2026, 12, 11), true, ECONFLICT},
		{"a promise that is itself a move", Promise{Status: PromiseOpen, MovedFrom: "x"}, Day(2026, 12, 11), false, ECONFLICT},
		{"a kept promise", Promise{Status: PromiseKept}, Day(2026, 12, 11), false, ECONFLICT},
		{"past the limit", open, Day(2026, 12, 25), false, EINVALID},
	}
	for _, tt := range tests {
		if got := codeOf(CheckMove(DefaultPromisePolicy, tt.p, tt.on, today, tt.successor)); got != tt.want {
			t.Errorf("%s: CheckMove code %q, want %q", tt.name, got, tt.want)
		}
	}
	if MovedStatus(open) != PromiseMoved || MovedStatus(broken) != PromiseBroken {
		t.Errorf("MovedStatus: open -> %s, broken -> %s; want moved, broken", MovedStatus(open), MovedStatus(broken))
	}
}

func TestPromiseOutcome(t *testing.T) {
	p := Promise{Status: PromiseOpen, Amount: 5000, PromisedOn: Day(2026, 12, 9)}
	tests := []struct {
		name       string
		p          Promise
		paid, open int64
		today      time.Time
		want       PromiseStatus
	}{
		{"paid in full before the date", p, 5000, 0, Day(2026, 12, 5), PromiseKept},
		{"paid on the day", p, 5000, 100, Day(2026, 12, 9), PromiseKept},
		{"the scope was paid otherwise", p, 0, 0, Day(2026, 12, 10), PromiseKept},
		{"part paid, the date not passed", p, 4999, 1, Day(2026, 12, 9), PromiseOpen},
		{"part paid, the day after", p, 4999, 1, Day(2026, 12, 10), PromiseBroken},
		{"nothing paid, the day after", p, 0, 5000, Day(2026, 12, 10), PromiseBroken},
		{"settled stays settled", Promise{Status: PromiseMoved, Amount: 5000}, 5000, 0, Day(2026, 12, 10), PromiseMoved},
	}
	for _, tt := range tests {
		if got := PromiseOutcome(tt.p, tt.paid, tt.open, tt.today); got != tt.want {
			t.Errorf("%s: PromiseOutcome = %s, want %s", tt.name, got, tt.want)
		}
	}
	if !p.Holds("a", Day(2026, 12, 9)) || p.Holds("a", Day(2026, 12, 10)) {
		t.Errorf("a promise for everything holds through its date and not after")
	}
	one := Promise{Status: PromiseOpen, InvoiceID: "a", PromisedOn: Day(2026, 12, 9)}
	if one.Holds("b", Day(2026, 12, 1)) {
		t.Errorf("a promise for one bill holds another")
	}
}

func TestMissedInstalments(t *testing.T) {
	ins := func(paid int64) []PlanInstalment {
		out := []PlanInstalment{{Seq: 1, Due: Day(2026, 10, 1), Amount: 100}, {Seq: 2, Due: Day(2026, 11, 1), Amount: 100}, {Seq: 3, Due: Day(2026, 12, 1), Amount: 100}}
		FillInstalments(out, paid)
		return out
	}
	tests := []struct {
		name               string
		ins                []PlanInstalment
		today              time.Time
		limit              int
		late               int
		broken, lastChance bool
	}{
		{"on the due date nothing is missed", ins(0), Day(2026, 10, 1), 2, 0, false, false},
		{"the day after: one missed, one more breaks it", ins(0), Day(2026, 10, 2), 2, 1, false, true},
		{"two missed break it", ins(0), Day(2026, 11, 2), 2, 2, true, false},
		{"caught up: only the newest is missed", ins(100), Day(2026, 11, 2), 2, 1, false, true},
		{"paid late in full: nothing missed", ins(200), Day(2026, 11, 20), 2, 0, false, false},
		{"a limit of three warns at two", ins(0), Day(2026, 11, 2), 3, 2, false, true},
		{"a limit of three, one missed: no warning yet", ins(0), Day(2026, 10, 2), 3, 1, false, false},
		{"a limit of one breaks at once", ins(0), Day(2026, 10, 2), 1, 1, true, false},
	}
	for _, tt := range tests {
		m := MissedInstalments(tt.ins, tt.today, tt.limit)
		if len(m.Late) != tt.late || m.Broken != tt.broken || m.LastChance != tt.lastChance {
			t.Errorf("%s: %d late, broken %v, last chance %v; want %d, %v, %v", tt.name, len(m.Late), m.Broken, m.LastChance, tt.late, tt.broken, tt.lastChance)
		}
	}
}

// codeOf is an error's code, "" for no error.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return ErrorCode(err)
}

func TestCheckPromisePolicy(t *testing.T) {
	tests := []struct {
		pol  PromisePolicy
		want string
	}{
		{DefaultPromisePolicy, ""},
		{PromisePolicy{MaxDays: 60, MissedLimit: 6}, ""},
		{PromisePolicy{MaxDays: 0, MissedLimit: 2}, EINVALID},
		{PromisePolicy{MaxDays: 61, MissedLimit: 2}, EINVALID},
		{PromisePolicy{MaxDays: 14, MissedLimit: 0}, EINVALID},
		{PromisePolicy{MaxDays: 14, MissedLimit: 7}, EINVALID},
	}
	for _, tt := range tests {
		if got := codeOf(CheckPromisePolicy(tt.pol)); got != tt.want {
			t.Errorf("CheckPromisePolicy(%+v) = %q, want %q", tt.pol, got, tt.want)
		}
	}
}
