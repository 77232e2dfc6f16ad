package i18n_test

import (
	"regexp"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/settle/settle/internal/i18n"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	nl, en := i18n.Catalog("nl"), i18n.Catalog("en")
	if len(nl) == 0 || len(en) == 0 {
		t.Fatalf("empty catalog: nl %d, en %d keys", len(nl), len(en))
	}
	for _, k := range sortedKeys(nl) {
		if _, ok := en[k]; !ok {
			t.Errorf("key %q is in nl but not in en", k)
		}
	}
	for _, k := range sortedKeys(en) {
		if _, ok := nl[k]; !ok {
			t.Errorf("key %q is in en but not in nl", k)
		}
	}
	for _, l := range i18n.Languages {
		if missing := i18n.Complete(l.Code); len(missing) > 0 {
			sort.Strings(missing)
			t.Errorf("language %s is offered but lacks %v", l.Code, missing)
		}
	}
}

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// Both languages fill in the same values in the same order, or the page would
// show a name where an amount belongs.
func TestCatalogsHaveTheSameVerbs(t *testing.T) {
	nl, en := i18n.Catalog("nl"), i18n.Catalog("en")
	for _, k := range sortedKeys(nl) {
		e, ok := en[k]
		if !ok {
			continue
		}
		a, b := verb.FindAllString(nl[k], -1), verb.FindAllString(e, -1)
		if !slices.Equal(a, b) {
			t.Errorf("%s: nl has %v, en has %v", k, a, b)
		}
	}
}

func TestNoEmptyTexts(t *testing.T) {
	for _, code := range []string{"nl", "en"} {
		for k, v := range i18n.Catalog(code) {
			if v == "" {
				t.Errorf("%s: %q is empty", code, k)
			}
		}
	}
}

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
	for _, code := range []string{"nl", "en"} {
		if !i18n.Supported(code) {
			t.Errorf("Supported(%q) = false", code)
		}
	}
	for _, code := range []string{"", "xx", "NL", "tr", "ar"} {
		if i18n.Supported(code) {
			t.Errorf("Supported(%q) = true without a complete catalog", code)
		}
		if got := i18n.For(code).Lang.Code; got != "nl" {
			t.Errorf("For(%q) speaks %q, want nl", code, got)
		}
	}
	// The structure is ready for Turkish and Arabic, Arabic right to left.
	dirs := map[string]string{}
	for _, l := range append(slices.Clone(i18n.Languages), i18n.Planned...) {
		if l.Name == "" {
			t.Errorf("language %q has no name for the switch", l.Code)
		}
		dirs[l.Code] = l.Dir
	}
	for code, want := range map[string]string{"nl": "ltr", "en": "ltr", "tr": "ltr", "ar": "rtl"} {
		if dirs[code] != want {
			t.Errorf("dir of %s = %q, want %q", code, dirs[code], want)
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
	if i18n.Plural(1, "one", "other") != "one" || i18n.Plural(0, "one", "other") != "other" || i18n.Plural(2, "one", "other") != "other" {
		t.Error("Plural picks the wrong form")
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
