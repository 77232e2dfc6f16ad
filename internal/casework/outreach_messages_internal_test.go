package casework

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

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

// Every kind of message has a template in every language the portal
// offers, so no debtor who chose Turkish, Arabic, Polish or Ukrainian gets a
// Dutch message; no template is in a language the portal does not offer.
// Each translation uses the same template actions as the Dutch one (a lost
// {{if .LastChance}} or {{.Missed}} would drop a fact the debtor needs), and
// each fills in with that language's money and date, on every channel and
// with every condition both ways, without a missing key.
func TestEveryMessageKindInEveryLanguage(t *testing.T) {
	kinds := map[string]bool{}
	for key := range messageTemplates {
		name, lang, _ := strings.Cut(key, ".")
		kinds[name] = true
		if !i18n.Supported(lang) {
			t.Errorf("template %s is in %q, which the portal does not offer", key, lang)
		}
	}
	// The kinds the code sends by name must be among them.
	for _, k := range append(slices.Clone(collect.AnswerKinds), collect.KindSignalCheckin, "reminder_before", "reminder_after", "notice") {
		if !kinds[k] {
			t.Errorf("no template for kind %s", k)
		}
	}
	actions := regexp.MustCompile(`\{\{.*?\}\}`)
	source := func(key string) []string {
		b, err := messageFS.ReadFile("messages/" + key + ".tmpl")
		if err != nil {
			t.Fatal(err)
		}
		a := actions.FindAllString(string(b), -1)
		slices.Sort(a)
		return a
	}
	due := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for _, name := range slices.Sorted(maps.Keys(kinds)) {
		for _, l := range i18n.Languages {
			key := name + "." + l.Code
			if _, ok := messageTemplates[key]; !ok {
				t.Errorf("%s has no template in %s (%s)", name, l.Code, l.Name)
				continue
			}
			if got := messageLanguage(name, l.Code); got != l.Code {
				t.Errorf("%s in %s is written in %s", name, l.Code, got)
			}
			if a, nl := source(key), source(name+".nl"); !slices.Equal(a, nl) {
				t.Errorf("%s uses other template actions than the Dutch one:\n%q\nDutch:\n%q", key, a, nl)
			}
			p := i18n.For(l.Code)
			for _, on := range []bool{false, true} {
				d := messageData{Name: "Mohamed El Amrani", Creditor: "Energie Noord", Invoice: "F-2026-118",
					Amount: p.Money(24550), DueDate: p.Date(due), Link: "https://settle.example/b/7KQ4-M9XD",
					Phone: "050 123 45 67", Deadline: p.Date(due.AddDate(0, 0, 16)), Costs: p.Money(4000),
					HasCosts: on, LastChance: on, Missed: p.Money(7500), MissedOn: p.Date(due.AddDate(0, 0, -1))}
				if on {
					d.PhoneHours, d.HelpPhone = "ma-vr 9-17", "0800 8115"
				}
				for _, ch := range []collect.Channel{collect.ChannelEmail, collect.ChannelSMS, collect.ChannelPost} {
					r, err := renderMessage(name, l.Code, ch, d)
					if err != nil {
						t.Errorf("%s %s: %v", key, ch, err)
						continue
					}
					if !strings.Contains(r.Text, d.Link) {
						t.Errorf("%s %s: the text has no link", key, ch)
					}
					if ch == collect.ChannelEmail && (l.Dir == "rtl") != strings.Contains(r.HTML, `dir="rtl"`) {
						t.Errorf("%s email: right to left is %v, HTML starts %q", key, l.Dir == "rtl", r.HTML[:60])
					}
				}
			}
		}
	}
}

// An Arabic email is marked right to left and keeps the amount's digits
// left to right; a Turkish one is not marked.
func TestMessagesInEveryLanguage(t *testing.T) {
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
