package collect

import (
	"fmt"
	"time"
)

// StepKind says what a ladder step does.
type StepKind string

// The step kinds. A notice step posts the 14-day letter and sends a message
// on the person's own channel that points to it; a task step asks an agent
// to follow up in person and sends nothing itself.
const (
	StepMessage StepKind = "message"
	StepNotice  StepKind = "notice"
	StepTask    StepKind = "task"
)

// LadderStep is one rung of a creditor's collection ladder.
type LadderStep struct {
	// Key names the step in the file and in message kinds ("reminder_before").
	Key  string   `json:"key"`
	Kind StepKind `json:"kind"`
	// Day is the step's day counted from the invoice's due date; negative
	// is before it.
	Day int `json:"day"`
	// Channels limits the step to these channels; empty uses the channels
	// the person accepts, in their order.
	Channels []Channel `json:"channels,omitempty"`
	// Templates names the message template per language ("nl", "en").
	Templates map[string]string `json:"templates,omitempty"`
	// Texts are an admin's own words per language; where a language has
	// them they take the place of the named template.
	Texts map[string]MessageText `json:"texts,omitempty"`
}

// MessageText is a step's message in one language, as Go text/template
// source over the message's facts ({{.Amount}}, {{.Link}}, ...): the
// subject and text of an email or letter, and the short text of an SMS.
type MessageText struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	SMS     string `json:"sms"`
}

// HasMessage reports whether the step has words in lang: its own text or a
// named template.
func (s LadderStep) HasMessage(lang string) bool {
	return s.Templates[lang] != "" || s.Texts[lang] != (MessageText{})
}

// Ladder is a creditor's collection ladder, kept as versioned data: a
// change makes a new version and every invoice keeps the version it
// started on.
type Ladder struct {
	CreditorID string
	Version    int
	Steps      []LadderStep
	// MaxPerWeek caps the messages one debtor gets in any 7 days; a message
	// over the cap waits, it is never dropped.
	MaxPerWeek int
	CreatedAt  time.Time
	CreatedBy  string
}

// DefaultMaxPerWeek is the weekly cap of the default ladder.
const DefaultMaxPerWeek = 3

// DefaultLadder is the ladder of a creditor that set none: a friendly
// reminder 3 days before the due date, a reminder 7 days after, the 14-day
// letter on day 14 and a personal follow-up by an agent on day 35.
func DefaultLadder() Ladder {
	tmpl := func(key string) map[string]string { return map[string]string{"nl": key, "en": key} }
	return Ladder{Version: 0, MaxPerWeek: DefaultMaxPerWeek, Steps: []LadderStep{
		{Key: "reminder_before", Kind: StepMessage, Day: -3, Templates: tmpl("reminder_before")},
		{Key: "reminder_after", Kind: StepMessage, Day: 7, Templates: tmpl("reminder_after")},
		{Key: "notice", Kind: StepNotice, Day: 14, Templates: tmpl("notice")},
		{Key: "follow_up", Kind: StepTask, Day: 35},
	}}
}

// Validate checks a ladder before it is stored: keys unique and set, days
// strictly rising, known kinds and channels, a template per message, and a
// weekly cap between 1 and 14.
func (l Ladder) Validate() error {
	if l.MaxPerWeek < 1 || l.MaxPerWeek > 14 {
		return Errorf(EINVALID, "max_per_week", "the weekly cap must be between 1 and 14")
	}
	if len(l.Steps) == 0 {
		return Errorf(EINVALID, "steps", "a ladder needs at least one step")
	}
	seen := map[string]bool{}
	for i, s := range l.Steps {
		field := fmt.Sprintf("steps[%d]", i)
		switch {
		case s.Key == "" || seen[s.Key]:
			return Errorf(EINVALID, field, "each step needs its own key")
		case s.Kind != StepMessage && s.Kind != StepNotice && s.Kind != StepTask:
			return Errorf(EINVALID, field, "kind must be message, notice or task")
		case i > 0 && s.Day <= l.Steps[i-1].Day:
			return Errorf(EINVALID, field, "steps must come on rising days")
		case s.Kind != StepTask && (!s.HasMessage("nl") || !s.HasMessage("en")):
			return Errorf(EINVALID, field, "a message needs a Dutch and an English template")
		}
		for _, c := range s.Channels {
			if !validChannel(c) {
				return Errorf(EINVALID, field, "unknown channel %q", c)
			}
		}
		seen[s.Key] = true
	}
	return nil
}

func validChannel(c Channel) bool {
	for _, k := range Channels {
		if c == k {
			return true
		}
	}
	return false
}

// LadderProgress is where one invoice stands on its ladder.
type LadderProgress struct {
	Version int
	// Done counts the steps done or skipped; the next is Steps[Done].
	Done int
	// ShiftDays moves every later step: the days the ladder was paused,
	// plus the days a step ran late, so steps keep their spacing.
	ShiftDays int
	// PausedSince is the day a pause was first seen; zero when running.
	PausedSince time.Time
}

// LadderHold is what stops a ladder today.
type LadderHold struct {
	Disputed  bool // an open dispute on the invoice
	Breathing bool // the debtor is in breathing space
	PlanKept  bool // an approved plan the debtor keeps
	// Promise is a promise to pay that has not yet failed (filled in once
	// promises exist).
	Promise bool
}

// Paused reports whether any hold stops the ladder.
func (h LadderHold) Paused() bool { return h.Disputed || h.Breathing || h.PlanKept || h.Promise }

// NextLadderStep decides, for an invoice due on due, which step of l runs
// today (-1 for none) and the progress after it. While held nothing runs;
// afterwards the ladder goes on from where it was, later by the days it was
// held. One call runs at most one step, and a step that runs late pushes the
// next ones back by as much, so missed steps never come in a burst. A step
// before the due date no longer applies once the due date has passed and is
// skipped without a message.
func NextLadderStep(l Ladder, due, today time.Time, p LadderProgress, hold LadderHold) (int, LadderProgress) {
	due, today = DateOf(due), DateOf(today)
	if hold.Paused() {
		if p.PausedSince.IsZero() {
			p.PausedSince = today
		}
		return -1, p
	}
	if !p.PausedSince.IsZero() {
		p.ShiftDays += daysBetween(DateOf(p.PausedSince), today)
		p.PausedSince = time.Time{}
	}
	for p.Done < len(l.Steps) {
		s := l.Steps[p.Done]
		day := addDays(due, s.Day+p.ShiftDays)
		if today.Before(day) {
			return -1, p
		}
		p.Done++
		if s.Day < 0 && today.After(due) {
			continue
		}
		p.ShiftDays += daysBetween(day, today)
		return p.Done - 1, p
	}
	return -1, p
}

// StepDay is the day step i of l is planned for under progress p.
func StepDay(l Ladder, due time.Time, p LadderProgress, i int) time.Time {
	return addDays(DateOf(due), l.Steps[i].Day+p.ShiftDays)
}

// daysBetween counts the calendar days from a to b (both dates at midnight UTC).
func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// StepChannels are the channels a step's message may go on for a person,
// in order: the person's accepted channels (WhatsApp as SMS until a
// WhatsApp provider exists), limited to the step's own, without blocked
// ones, each once.
func StepChannels(s LadderStep, accepted []Channel, blocked func(Channel) bool) []Channel {
	var out []Channel
	for _, c := range accepted {
		if c == ChannelWhatsApp {
			c = ChannelSMS
		}
		if len(s.Channels) > 0 && !containsChannel(s.Channels, c) {
			continue
		}
		if containsChannel(out, c) || (blocked != nil && blocked(c)) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func containsChannel(cs []Channel, c Channel) bool {
	for _, k := range cs {
		if k == c {
			return true
		}
	}
	return false
}
