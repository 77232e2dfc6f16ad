package casework

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/plainlang"
)

// Every message template, in every language and on every channel, passes
// the plain-language gate: Flesch-Douma 60 or more for Dutch, no banned
// words anywhere. Run with -v to see each score.
func TestMessageTemplatesArePlain(t *testing.T) {
	d := messageData{Name: "Sanne de Vries", Creditor: "Energie Noord", Invoice: "F-2026-118", Amount: "€ 245,50",
		DueDate: "2 december 2026", Link: "https://settle.example/b/7KQ4-M9XD", Phone: "050 123 45 67", PhoneHours: "ma-vr 9-17",
		Deadline: "18 december 2026", Costs: "€ 40,00", HasCosts: true, HelpPhone: "0800 8115"}
	if len(messageTemplates) == 0 {
		t.Fatal("no message templates embedded")
	}
	keys := slices.Sorted(maps.Keys(messageTemplates))
	for _, key := range keys {
		name, lang, _ := strings.Cut(key, ".")
		for _, ch := range []collect.Channel{collect.ChannelEmail, collect.ChannelSMS} {
			r, err := renderMessage(name, lang, ch, d)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.TrimSpace(r.Subject + ".\n" + r.Text)
			if hits := plainlang.Banned(text); len(hits) > 0 {
				t.Errorf("%s %s: banned words %v", key, ch, hits)
			}
			s := plainlang.FleschDouma(text)
			t.Logf("%-22s %-5s Flesch-Douma %5.1f (%d words, %d sentences)", key, ch, s.Value, s.Words, s.Sentences)
			if lang == "nl" && s.Value < 60 {
				t.Errorf("%s %s: Flesch-Douma %.1f, below 60:\n%s", key, ch, s.Value, text)
			}
			if !strings.Contains(r.Text, d.Link) {
				t.Errorf("%s %s: the text has no link", key, ch)
			}
		}
	}
}

// The reminders and the 14-day notice speak every portal language; an Arabic
// email is marked right to left, a Turkish one is not.
func TestMessagesInEveryLanguage(t *testing.T) {
	for _, l := range i18n.Languages {
		for _, name := range []string{"reminder_before", "reminder_after", "notice"} {
			if got := messageLanguage(name, l.Code); got != l.Code {
				t.Errorf("%s in %s is written in %s", name, l.Code, got)
			}
		}
	}
	d := messageData{Name: "Mohamed El Amrani", Creditor: "Energie Noord", Invoice: "F-1", Amount: i18n.For("ar").Money(24550),
		DueDate: "2 ديسمبر 2026", Link: "https://settle.example/b/7KQ4-M9XD", Phone: "050 123 45 67"}
	ar, err := renderMessage("reminder_before", "ar", collect.ChannelEmail, d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ar.HTML, `<html lang="ar" dir="rtl">`) || !strings.Contains(ar.Text, "\u2066€ 245,50\u2069") {
		t.Errorf("Arabic email: HTML %q, text %q", ar.HTML[:60], ar.Text)
	}
	tr, err := renderMessage("reminder_before", "tr", collect.ChannelEmail, d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tr.HTML, "rtl") {
		t.Errorf("Turkish email is marked right to left: %q", tr.HTML[:60])
	}
}
