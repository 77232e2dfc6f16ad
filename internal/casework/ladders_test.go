package casework_test

import (
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// plainReminder is an admin's own reminder that passes the gate.
var plainReminder = collect.MessageText{
	Subject: "Betaal rekening {{.Invoice}}",
	Text:    "Beste {{.Name}},\n\nU moet nog {{.Amount}} betalen. Dat kan hier:\n{{.Link}}\n\nLukt het niet? Kies een regeling via de link.",
	SMS:     "{{.Creditor}}: u moet nog {{.Amount}} betalen. Kijk hier: {{.Link}}",
}

// An admin's version 2 with its own words: a new invoice starts on it, its
// message says version 2 and reads v2's words; the file lists both
// versions, newest first.
func TestSaveLadderOwnWords(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	english := plainReminder
	english.Text, english.SMS = "Dear {{.Name}}, please pay {{.Amount}}: {{.Link}}", "Please pay {{.Amount}}: {{.Link}}"
	l, err := casework.SaveLadder(b.ctx, b.db, b.clk.Now(), casework.LadderSave{CreditorID: b.cr.ID, Actor: "agent:x", MaxPerWeek: 2,
		Steps: []collect.LadderStep{{Key: "nudge", Kind: collect.StepMessage, Day: 1,
			Texts: map[string]collect.MessageText{"nl": plainReminder, "en": english}}}})
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != 1 {
		t.Fatalf("version %d, want 1", l.Version)
	}
	d, _ := b.debtor(t, "L", "nl", collect.ContactWishes{Channels: []collect.Channel{collect.ChannelSMS}, Phone: "+31611111111"})
	b.run(t, time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC), time.Hour, nil)
	ms := b.messages(t, d.ID)
	if len(ms) != 1 || ms[0].LadderVersion != 1 || ms[0].Kind != "nudge" || ms[0].State != collect.MessageSent {
		t.Fatalf("messages %+v, want one sent nudge of version 1", ms)
	}
	if !strings.HasPrefix(ms[0].Text, "Energie Noord: u moet nog € 100,") || !strings.Contains(ms[0].Text, "Kijk hier: https://settle.example/b/") {
		t.Errorf("SMS %q, want the admin's words", ms[0].Text)
	}
	book, err := casework.CreditorLadders(b.ctx, b.db, []string{b.cr.ID}, b.cr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if book.Current.Version != 1 || len(book.Older) != 1 || book.Older[0].Version != 0 {
		t.Errorf("book current v%d, older %+v; want v1 and the default v0", book.Current.Version, book.Older)
	}
	if got := book.Older[0].Steps[0].Texts["nl"].SMS; !strings.Contains(got, "{{.Link}}") {
		t.Errorf("the default ladder's first SMS reads %q, want its template source", got)
	}
	if _, err := casework.CreditorLadders(b.ctx, b.db, []string{"00000000-0000-0000-0000-000000000000"}, b.cr.ID); !collect.IsNotFound(err) {
		t.Errorf("another creditor's ladder: %v, want not found", err)
	}
}

// A step's words that fail the checks are refused, naming the field (and
// the score for hard Dutch); nothing is stored.
func TestSaveLadderRefusesWords(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	hard := plainReminder
	hard.Text = "Geachte heer of mevrouw, wij constateren dat de openstaande rekening, ondanks herhaaldelijke herinneringen, " +
		"nog immer onbetaald is gebleven, waardoor wij genoodzaakt zijn aanvullende incassomaatregelen te overwegen: {{.Link}}"
	for _, tc := range []struct {
		name  string
		edit  func(*collect.MessageText)
		field string
		says  string
	}{
		{"hard Dutch", func(m *collect.MessageText) { *m = hard }, "steps[0].texts.nl.text", "Flesch-Douma"},
		{"does not parse", func(m *collect.MessageText) { m.SMS = "Betaal {{.Amount" }, "steps[0].texts.nl.sms", "does not parse"},
		{"unknown fact", func(m *collect.MessageText) { m.SMS = "Betaal {{.Bedrag}}: {{.Link}}" }, "steps[0].texts.nl.sms", "cannot be filled in"},
		{"no link", func(m *collect.MessageText) { m.SMS = "Betaal {{.Amount}}." }, "steps[0].texts.nl.sms", "{{.Link}}"},
		{"banned word", func(m *collect.MessageText) { m.SMS = "Uw vordering is open: {{.Link}}" }, "steps[0].texts.nl.sms", "vordering"},
	} {
		nl := plainReminder
		tc.edit(&nl)
		_, err := casework.SaveLadder(b.ctx, b.db, b.clk.Now(), casework.LadderSave{CreditorID: b.cr.ID, Actor: "agent:x", MaxPerWeek: 2,
			Steps: []collect.LadderStep{{Key: "nudge", Kind: collect.StepMessage, Day: 1,
				Texts: map[string]collect.MessageText{"nl": nl, "en": plainReminder}}}})
		var e *collect.Error
		if err == nil || collect.ErrorCode(err) != collect.EINVALID {
			t.Errorf("%s: %v, want invalid", tc.name, err)
			continue
		}
		if e = err.(*collect.Error); e.Field != tc.field || !strings.Contains(e.Message, tc.says) {
			t.Errorf("%s: %s: %s; want field %s saying %q", tc.name, e.Field, e.Message, tc.field, tc.says)
		}
	}
	if l, err := b.db.Ladder(b.ctx, b.cr.ID); err != nil || l.Version != 0 {
		t.Errorf("ladder v%d (%v) after refusals, want the default still", l.Version, err)
	}
}
