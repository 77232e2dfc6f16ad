package collect

import (
	"slices"
	"testing"
	"time"
)

func TestDefaultLadderIsValid(t *testing.T) {
	l := DefaultLadder()
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	var days []int
	for _, s := range l.Steps {
		days = append(days, s.Day)
	}
	if !slices.Equal(days, []int{-3, 7, 14, 35}) || l.MaxPerWeek != 3 {
		t.Fatalf("default ladder days %v, cap %d; want -3, 7, 14, 35 and 3", days, l.MaxPerWeek)
	}
}

// A step with its own words in both languages needs no named template.
func TestLadderStepTexts(t *testing.T) {
	l := DefaultLadder()
	l.Steps = slices.Clone(l.Steps)
	l.Steps[1].Templates = nil
	l.Steps[1].Texts = map[string]MessageText{"nl": {Subject: "s", Text: "t", SMS: "m"}, "en": {Subject: "s", Text: "t", SMS: "m"}}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestLadderValidate(t *testing.T) {
	good := DefaultLadder()
	for _, tc := range []struct {
		name  string
		edit  func(l *Ladder)
		field string
	}{
		{"no cap", func(l *Ladder) { l.MaxPerWeek = 0 }, "max_per_week"},
		{"no steps", func(l *Ladder) { l.Steps = nil }, "steps"},
		{"same key twice", func(l *Ladder) { l.Steps[1].Key = l.Steps[0].Key }, "steps[1]"},
		{"days not rising", func(l *Ladder) { l.Steps[2].Day = 7 }, "steps[2]"},
		{"unknown kind", func(l *Ladder) { l.Steps[0].Kind = "call" }, "steps[0]"},
		{"no English template", func(l *Ladder) { l.Steps[1].Templates = map[string]string{"nl": "x"} }, "steps[1]"},
		{"English text only", func(l *Ladder) {
			l.Steps[1].Templates = nil
			l.Steps[1].Texts = map[string]MessageText{"en": {Subject: "s", Text: "t", SMS: "m"}}
		}, "steps[1]"},
		{"unknown channel", func(l *Ladder) { l.Steps[0].Channels = []Channel{"fax"} }, "steps[0]"},
	} {
		l := DefaultLadder()
		l.Steps = slices.Clone(good.Steps)
		tc.edit(&l)
		err := l.Validate()
		var e *Error
		if err == nil || ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v, want invalid", tc.name, err)
			continue
		}
		if e = err.(*Error); e.Field != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, e.Field, tc.field)
		}
	}
}

// The ladder runs one step at a time on its days; pauses move it later by
// their length; a late run never makes a burst.
func TestNextLadderStep(t *testing.T) {
	l := DefaultLadder()
	due := Day(2026, 12, 2)
	on := func(d int) time.Time { return due.AddDate(0, 0, d) }
	type run struct {
		day  int
		hold LadderHold
		step int // -1: none
	}
	for _, tc := range []struct {
		name  string
		start LadderProgress
		runs  []run
		shift int
	}{
		{"every day on time", LadderProgress{}, []run{
			{day: -4, step: -1}, {day: -3, step: 0}, {day: -2, step: -1}, {day: 6, step: -1}, {day: 7, step: 1},
			{day: 13, step: -1}, {day: 14, step: 2}, {day: 34, step: -1}, {day: 35, step: 3}, {day: 90, step: -1},
		}, 0},
		{"invoice entered after its due date skips the early reminder", LadderProgress{}, []run{
			{day: 2, step: -1}, {day: 7, step: 1},
		}, 0},
		{"ten days late: one step, the next keeps its spacing", LadderProgress{Done: 1}, []run{
			{day: 17, step: 1}, {day: 18, step: -1}, {day: 23, step: -1}, {day: 24, step: 2},
		}, 10},
		{"a dispute from day 5 to day 20 moves the rest by 15 days", LadderProgress{Done: 1}, []run{
			{day: 5, hold: LadderHold{Disputed: true}, step: -1}, {day: 7, hold: LadderHold{Disputed: true}, step: -1},
			{day: 19, hold: LadderHold{Disputed: true}, step: -1}, {day: 20, step: -1}, {day: 21, step: -1}, {day: 22, step: 1},
			{day: 28, step: -1}, {day: 29, step: 2},
		}, 15},
		{"breathing space, a kept plan and a promise hold too", LadderProgress{Done: 1}, []run{
			{day: 7, hold: LadderHold{Breathing: true}, step: -1}, {day: 8, hold: LadderHold{PlanKept: true}, step: -1},
			{day: 9, hold: LadderHold{Promise: true}, step: -1}, {day: 9, step: 1}, {day: 10, step: -1},
		}, 2},
	} {
		p := tc.start
		for _, r := range tc.runs {
			var step int
			step, p = NextLadderStep(l, due, on(r.day), p, r.hold)
			if step != r.step {
				t.Errorf("%s: day %d gave step %d, want %d (progress %+v)", tc.name, r.day, step, r.step, p)
			}
		}
		if p.ShiftDays != tc.shift {
			t.Errorf("%s: shift %d days, want %d", tc.name, p.ShiftDays, tc.shift)
		}
	}
}

func TestStepChannels(t *testing.T) {
	msg := LadderStep{Kind: StepMessage}
	post := LadderStep{Kind: StepMessage, Channels: []Channel{ChannelPost}}
	noEmail := func(c Channel) bool { return c == ChannelEmail }
	for _, tc := range []struct {
		name     string
		step     LadderStep
		accepted []Channel
		blocked  func(Channel) bool
		want     []Channel
	}{
		{"the person's order", msg, []Channel{ChannelSMS, ChannelEmail, ChannelPost}, nil, []Channel{ChannelSMS, ChannelEmail, ChannelPost}},
		{"whatsapp goes as sms, once", msg, []Channel{ChannelWhatsApp, ChannelSMS}, nil, []Channel{ChannelSMS}},
		{"a blocked address is skipped", msg, []Channel{ChannelEmail, ChannelPost}, noEmail, []Channel{ChannelPost}},
		{"a post-only step", post, []Channel{ChannelEmail, ChannelPost}, nil, []Channel{ChannelPost}},
		{"nothing left", post, []Channel{ChannelEmail}, nil, nil},
	} {
		if got := StepChannels(tc.step, tc.accepted, tc.blocked); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
