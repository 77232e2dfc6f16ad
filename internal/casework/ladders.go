package casework

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/plainlang"
	"github.com/settle/settle/internal/postgres"
)

// The ladder use cases: an admin reads a creditor's ladder, with every
// step's words, and saves a new version of it.

// MinReadingEase is the Flesch-Douma score every Dutch message must reach,
// the gate the built-in templates pass (docs: plain language).
const MinReadingEase = 60

// LadderSave is an admin's new version of a creditor's ladder.
type LadderSave struct {
	CreditorID string
	Actor      string // "agent:<id>" or "cli"
	Steps      []collect.LadderStep
	MaxPerWeek int
}

// SaveLadder checks and stores a new version of a creditor's ladder, with
// its audit record; invoices already on the ladder keep the version they
// started on. A step's own words must parse, fill in with a message's
// facts, carry the link, and pass the plain-language gate; the error names
// the field and, for hard Dutch, the score.
func SaveLadder(ctx context.Context, db *postgres.DB, now time.Time, in LadderSave) (collect.Ladder, error) {
	l := collect.Ladder{CreditorID: in.CreditorID, Steps: in.Steps, MaxPerWeek: in.MaxPerWeek, CreatedBy: in.Actor}
	if err := l.Validate(); err != nil {
		return l, err
	}
	for i, s := range l.Steps {
		for _, name := range s.Templates {
			if _, ok := messageTemplates[name+".nl"]; !ok {
				return l, collect.Errorf(collect.EINVALID, "steps", "there is no message template %q", name)
			}
		}
		for _, lang := range slices.Sorted(maps.Keys(s.Texts)) {
			if err := checkMessageText(fmt.Sprintf("steps[%d].texts.%s", i, lang), lang, s.Texts[lang]); err != nil {
				return l, err
			}
		}
	}
	return db.SaveLadder(ctx, l, now)
}

// LadderBook is a creditor's ladder as an admin reads it: the version that
// new invoices start on, with each message step's words in every language
// (its own, else its named template's source), and the older versions,
// newest first.
type LadderBook struct {
	Creditor collect.Creditor
	Current  collect.Ladder
	Older    []collect.Ladder
	// Rewards are the creditor's rewards for paying well, set beside the ladder.
	Rewards collect.Rewards
}

// CreditorLadders loads the ladder versions of a creditor the admin may
// see; any other creditor is not found.
func CreditorLadders(ctx context.Context, db *postgres.DB, creditorIDs []string, creditorID string) (LadderBook, error) {
	if !slices.Contains(creditorIDs, creditorID) {
		return LadderBook{}, collect.Errorf(collect.ENOTFOUND, "", "creditor not found")
	}
	cr, err := db.Creditor(ctx, creditorID)
	if err != nil {
		return LadderBook{}, err
	}
	all, err := db.Ladders(ctx, creditorID)
	if err != nil {
		return LadderBook{}, err
	}
	b := LadderBook{Creditor: cr, Current: withTexts(all[0])}
	for _, l := range all[1:] {
		b.Older = append(b.Older, withTexts(l))
	}
	b.Rewards, err = db.RewardRules(ctx, creditorID)
	return b, err
}

// withTexts fills in the words of each message step that names a template
// instead, so an admin sees and edits every step's words alike.
func withTexts(l collect.Ladder) collect.Ladder {
	steps := slices.Clone(l.Steps)
	for i, s := range steps {
		if s.Kind == collect.StepTask {
			continue
		}
		texts := maps.Clone(s.Texts)
		if texts == nil {
			texts = map[string]collect.MessageText{}
		}
		for lang, name := range s.Templates {
			if _, own := texts[lang]; own {
				continue
			}
			if t, ok := messageTemplates[name+"."+lang]; ok {
				texts[lang] = collect.MessageText{Subject: source(t, "subject"), Text: source(t, "text"), SMS: source(t, "sms")}
			}
		}
		steps[i].Texts = texts
	}
	l.Steps = steps
	return l
}

// source is the template text of part def of t.
func source(t *template.Template, def string) string {
	p := t.Lookup(def)
	if p == nil || p.Tree == nil {
		return ""
	}
	return strings.TrimSpace(p.Tree.Root.String())
}

// parseMessageText parses a step's own words, each part on its own, so no
// part can end or redefine another.
func parseMessageText(name string, mt collect.MessageText) (*template.Template, error) {
	t := template.New(name).Option("missingkey=error")
	for _, part := range []struct{ def, src string }{{"subject", mt.Subject}, {"text", mt.Text}, {"sms", mt.SMS}} {
		if _, err := t.New(part.def).Parse(part.src); err != nil {
			return nil, collect.Errorf(collect.EINVALID, part.def, "%v", err)
		}
	}
	return t, nil
}

// sampleMessage is a message's facts as a step's words are checked with.
var sampleMessage = messageData{Name: "Sanne de Vries", Creditor: "Energie Noord", Invoice: "F-2026-118", Amount: "€ 245,50",
	DueDate: "2 december 2026", Link: "https://settle.example/b/7KQ4-M9XD", Phone: "050 123 45 67", PhoneHours: "ma-vr 9-17",
	Deadline: "18 december 2026", Costs: "€ 40,00", HasCosts: true, HelpPhone: "0800 8115"}

// checkMessageText holds a step's words in lang to what the built-in
// templates pass: they parse and fill in, email and SMS both carry the
// link, no banned word, and Dutch reads at MinReadingEase or more.
func checkMessageText(field, lang string, mt collect.MessageText) error {
	if !i18n.Supported(lang) {
		return collect.Errorf(collect.EINVALID, field, "Settle does not speak the language %q", lang)
	}
	if strings.TrimSpace(mt.Subject) == "" || strings.TrimSpace(mt.Text) == "" || strings.TrimSpace(mt.SMS) == "" {
		return collect.Errorf(collect.EINVALID, field, "a message needs a subject, a text and an SMS text")
	}
	t, err := parseMessageText(field, mt)
	if err != nil {
		e := err.(*collect.Error)
		return collect.Errorf(collect.EINVALID, field+"."+e.Field, "the template does not parse: %s", e.Message)
	}
	for _, part := range []struct {
		def string
		ch  collect.Channel
	}{{"text", collect.ChannelEmail}, {"sms", collect.ChannelSMS}} {
		f := field + "." + part.def
		r, err := renderTemplate(t, part.ch, sampleMessage)
		if err != nil {
			return collect.Errorf(collect.EINVALID, f, "the template cannot be filled in: %v", err)
		}
		if !strings.Contains(r.Text, sampleMessage.Link) {
			return collect.Errorf(collect.EINVALID, f, "the message needs the debtor's link: write {{.Link}}")
		}
		text := strings.TrimSpace(r.Subject + ".\n" + r.Text)
		if hits := plainlang.Banned(text); len(hits) > 0 {
			return collect.Errorf(collect.EINVALID, f, "debtors should not read %s: write plain words", strings.Join(hits, ", "))
		}
		if s := plainlang.FleschDouma(text); lang == "nl" && s.Value < MinReadingEase {
			return collect.Errorf(collect.EINVALID, f, "the text reads too hard: Flesch-Douma %.1f, at least %d needed; write shorter sentences and shorter words",
				s.Value, MinReadingEase)
		}
	}
	return nil
}

// messageTemplate is the template m is written from and its language: the
// words its ladder version gives the step in the person's language (else
// Dutch), else the named template in the first of those it speaks.
func (o *outreach) messageTemplate(ctx context.Context, m postgres.OutboxMessage, lang string) (*template.Template, string, error) {
	if m.Step >= 0 && m.LadderVersion > 0 {
		l, err := o.ladder(ctx, m.CreditorID, m.LadderVersion)
		if err != nil {
			return nil, "", err
		}
		if m.Step < len(l.Steps) {
			s := l.Steps[m.Step]
			for _, lg := range []string{lang, "nl"} {
				if mt, ok := s.Texts[lg]; ok {
					t, err := parseMessageText(fmt.Sprintf("%s.v%d.%s", s.Key, l.Version, lg), mt)
					return t, lg, err
				}
				if _, ok := messageTemplates[m.Template+"."+lg]; ok {
					break
				}
			}
		}
	}
	lg := messageLanguage(m.Template, lang)
	t, ok := messageTemplates[m.Template+"."+lg]
	if !ok {
		return nil, "", fmt.Errorf("message template %s.%s does not exist", m.Template, lg)
	}
	return t, lg, nil
}

// RewardSettings are the creditor's rewards for the console's form: one per
// occasion, a zero Kind where there is none.
func (b LadderBook) RewardSettings() []collect.RewardRule {
	var out []collect.RewardRule
	for _, o := range []collect.RewardOccasion{collect.RewardPlanKept, collect.RewardPaidEarly} {
		r, _ := b.Rewards.For(o)
		r.Occasion = o
		out = append(out, r)
	}
	return out
}

// RewardKinds are the choices of the console's reward form, "" for none.
func (LadderBook) RewardKinds() []collect.RewardKind {
	return []collect.RewardKind{"", collect.RewardWaiveCosts, collect.RewardCredit, collect.RewardThanks}
}
