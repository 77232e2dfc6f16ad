package i18n_test

import (
	"strings"
	"testing"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/settle/settle/internal/i18n"
)

func TestDate(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang string
		t    time.Time
		want string
	}{
		{"nl", time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), "18 november 2026"},
		{"en", time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), "18 November 2026"},
		{"nl", time.Date(2026, 5, 18, 0, 0, 0, 0, time.UTC), "18 mei 2026"},
		{"en", time.Date(2026, 5, 18, 0, 0, 0, 0, time.UTC), "18 May 2026"},
		{"nl", time.Date(2027, 1, 1, 23, 30, 0, 0, ams), "1 januari 2027"},
		{"en", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), "31 December 2026"},
		{"nl", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "5 maart 2026"},
		{"tr", time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), "18 Kasım 2026"},
		{"pl", time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), "18 listopada 2026"},
		{"uk", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), "1 травня 2026"},
		{"ar", time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), "18 نوفمبر 2026"},
		// An unknown language is written in Dutch.
		{"xx", time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), "18 november 2026"},
	}
	for _, tt := range tests {
		if got := i18n.For(tt.lang).Date(tt.t); got != tt.want {
			t.Errorf("For(%q).Date(%v) = %q, want %q", tt.lang, tt.t, got, tt.want)
		}
	}
}

func TestTime(t *testing.T) {
	if got := i18n.For("nl").Time(time.Date(2026, 11, 23, 9, 5, 0, 0, time.UTC)); got != "09:05" {
		t.Errorf("Time = %q, want 09:05", got)
	}
}

func TestMoney(t *testing.T) {
	tests := []struct {
		lang  string
		cents int64
		want  string
	}{
		{"nl", 4000, "€ 40,00"},
		{"en", 4000, "€40.00"},
		{"nl", 123456, "€ 1.234,56"},
		{"en", 123456, "€1,234.56"},
		{"nl", 5, "€ 0,05"},
		{"nl", 0, "€ 0,00"},
		{"nl", 100000000, "€ 1.000.000,00"},
		{"en", 100000000, "€1,000,000.00"},
		{"nl", -1250, "-€ 12,50"},
	}
	for _, tt := range tests {
		if got := i18n.For(tt.lang).Money(tt.cents); got != tt.want {
			t.Errorf("For(%q).Money(%d) = %q, want %q", tt.lang, tt.cents, got, tt.want)
		}
	}
}

func TestT(t *testing.T) {
	nl, en := i18n.For("nl"), i18n.For("en")
	if got := nl.T("next.deadline", "18 november 2026", "€ 40,00"); got != "Betaal uiterlijk op 18 november 2026. Daarna komen er € 40,00 extra kosten bij." {
		t.Errorf("nl next.deadline = %q", got)
	}
	if got := en.T("signout"); got != "Sign out" {
		t.Errorf("en signout = %q", got)
	}
	if got := nl.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key = %q, want the key", got)
	}
}

func TestLanguages(t *testing.T) {
	if i18n.Default != "nl" || i18n.Languages[0].Code != "nl" {
		t.Errorf("Dutch must be the default and first language")
	}
	for _, code := range []string{"nl", "en", "tr", "ar", "pl", "uk"} {
		if !i18n.Supported(code) {
			t.Errorf("Supported(%q) = false", code)
		}
	}
	for _, code := range []string{"", "xx", "NL", "de"} {
		if i18n.Supported(code) {
			t.Errorf("Supported(%q) = true for a language that is not offered", code)
		}
		if got := i18n.For(code).Lang.Code; got != "nl" {
			t.Errorf("For(%q) speaks %q, want nl", code, got)
		}
	}
	for _, l := range i18n.Languages {
		if l.Name == "" {
			t.Errorf("language %q has no name for the switch", l.Code)
		}
		if want := map[bool]string{true: "rtl", false: "ltr"}[l.Code == "ar"]; l.Dir != want {
			t.Errorf("dir of %s = %q, want %q", l.Code, l.Dir, want)
		}
	}
}

func TestJoinAndPlural(t *testing.T) {
	nl, en := i18n.For("nl"), i18n.For("en")
	for _, tt := range []struct {
		p     i18n.Printer
		items []string
		want  string
	}{
		{nl, nil, ""},
		{nl, []string{"a"}, "a"},
		{nl, []string{"a", "b"}, "a en b"},
		{nl, []string{"a", "b", "c"}, "a, b en c"},
		{en, []string{"a", "b", "c"}, "a, b and c"},
	} {
		if got := tt.p.Join(tt.items); got != tt.want {
			t.Errorf("%s Join(%v) = %q, want %q", tt.p.Lang.Code, tt.items, got, tt.want)
		}
	}
	// A plural picks its form by the first whole number among the arguments.
	for _, tt := range []struct {
		p    i18n.Printer
		n    int
		want string
	}{
		{nl, 1, "U heeft nog één rekening open bij Eneco."},
		{nl, 0, "U heeft nog 0 rekeningen open bij Eneco."},
		{nl, 2, "U heeft nog 2 rekeningen open bij Eneco."},
		{en, 1, "You have one open bill from Eneco."},
		{en, 3, "You have 3 open bills from Eneco."},
	} {
		if got := tt.p.T("overview.count", tt.n, "Eneco"); got != tt.want {
			t.Errorf("%s overview.count(%d) = %q, want %q", tt.p.Lang.Code, tt.n, got, tt.want)
		}
	}
}

// Arabic has six plural forms; go-i18n picks them by CLDR's rules, and every
// text value is isolated (FSI ... PDI) so a Latin name or a phone number
// keeps its order in right-to-left text.
func TestArabicPluralsAndIsolates(t *testing.T) {
	ar := i18n.For("ar")
	if ar.Lang.Dir != "rtl" {
		t.Fatalf("ar dir = %q", ar.Lang.Dir)
	}
	name := "\u2068Eneco\u2069"
	for n, want := range map[int]string{
		0:   "ليست لديك فواتير مفتوحة لدى " + name + ".",
		1:   "لديك فاتورة واحدة مفتوحة لدى " + name + ".",
		2:   "لديك فاتورتان مفتوحتان لدى " + name + ".",
		3:   "لديك 3 فواتير مفتوحة لدى " + name + ".",
		11:  "لديك 11 فاتورةً مفتوحة لدى " + name + ".",
		100: "لديك 100 فاتورة مفتوحة لدى " + name + ".",
		103: "لديك 103 فواتير مفتوحة لدى " + name + ".",
	} {
		if got := ar.T("overview.count", n, "Eneco"); got != want {
			t.Errorf("ar overview.count(%d) = %q, want %q", n, got, want)
		}
	}
	if got := ar.T("contact.call", "088 123 45 67", "9:00-17:00"); !strings.Contains(got, "\u2068088 123 45 67\u2069") {
		t.Errorf("ar contact.call does not isolate the phone number: %q", got)
	}
	if got := i18n.For("nl").T("contact.call", "088 123 45 67", "9:00-17:00"); strings.ContainsRune(got, '\u2068') {
		t.Errorf("nl contact.call has isolates: %q", got)
	}
	if got := ar.Money(1234); got != "\u2066€ 12,34\u2069" {
		t.Errorf("ar Money = %q", got)
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	for header, want := range map[string]string{
		"":                          "",
		"de-DE":                     "",
		"ar-MA,ar;q=0.9,fr;q=0.8":   "ar",
		"de-DE, tr;q=0.8, en;q=0.5": "tr",
		"en;q=0.5, nl;q=0.9":        "nl",
		"en-GB":                     "en",
		"*":                         "",
		"not a header;;;":           "",
		"fr;q=0, tr;q=0.1":          "tr",
		"NL-be":                     "nl",
	} {
		if got := i18n.FromAcceptLanguage(header); got != want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", header, got, want)
		}
	}
}

// Polish and Ukrainian have one, few and many: 1 próba, 2 próby, 5 prób, 22 próby.
func TestSlavicPlurals(t *testing.T) {
	pl, uk := i18n.For("pl"), i18n.For("uk")
	for _, tt := range []struct {
		p    i18n.Printer
		n    int
		want string
	}{
		{pl, 1, "Została 1 próba."},
		{pl, 2, "Zostały 2 próby."},
		{pl, 4, "Zostały 4 próby."},
		{pl, 5, "Zostało 5 prób."},
		{pl, 12, "Zostało 12 prób."},
		{pl, 22, "Zostały 22 próby."},
		{uk, 1, "Залишилася 1 спроба."},
		{uk, 3, "Залишилося 3 спроби."},
		{uk, 11, "Залишилося 11 спроб."},
		{uk, 21, "Залишилася 21 спроба."},
	} {
		if got := tt.p.T("verify.wrong", tt.n); !strings.HasSuffix(got, tt.want) {
			t.Errorf("%s verify.wrong(%d) = %q, want it to end in %q", tt.p.Lang.Code, tt.n, got, tt.want)
		}
	}
}

// TestPlainTextsAreTheFiles: every text without plural forms, in every
// language, is the one its file holds, or the Dutch one where the file
// lacks it (T looks them up once at start instead of asking go-i18n on
// every call, so a wrong table would show here).
func TestPlainTextsAreTheFiles(t *testing.T) {
	nl := i18n.Messages(i18n.Default)
	for _, code := range i18n.Codes() {
		own := i18n.Messages(code)
		n := 0
		for _, msgs := range []map[string]*goi18n.Message{own, nl} {
			for id := range msgs {
				m := own[id]
				if m == nil {
					m = nl[id]
				}
				if len(i18n.Forms(m)) > 1 || m.Other == "" || strings.Contains(m.Other, "{{") {
					continue
				}
				n++
				if got := i18n.For(code).T(id); got != m.Other {
					t.Errorf("%s %s = %q, want %q", code, id, got, m.Other)
				}
			}
		}
		if n < 100 {
			t.Errorf("%s: only %d plain texts checked", code, n)
		}
	}
	if got := i18n.For("en").T("no.such.key"); got != "no.such.key" {
		t.Errorf("an unknown key gives %q, want the key", got)
	}
}
