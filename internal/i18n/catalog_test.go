package i18n_test

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/settle/settle/internal/i18n"
)

// Every offered language has a file, and every file is an offered language:
// a translation nobody can choose is as wrong as a choice with no translation.
func TestEveryLanguageHasAFile(t *testing.T) {
	files := i18n.Files()
	for _, l := range i18n.Languages {
		if !slices.Contains(files, l.Code) {
			t.Errorf("language %s is offered but web/locales/%s.toml is missing", l.Code, l.Code)
		}
	}
	for _, code := range files {
		if !i18n.Supported(code) {
			t.Errorf("web/locales/%s.toml exists but %s is not in i18n.Languages", code, code)
		}
	}
}

// Every key of Dutch is in every language, and no language has a key that
// Dutch lacks (a typo there would never be shown).
func TestEveryLanguageHasEveryKey(t *testing.T) {
	nl := i18n.Messages("nl")
	if len(nl) < 100 {
		t.Fatalf("Dutch has only %d messages", len(nl))
	}
	for _, code := range i18n.Files() {
		msgs := i18n.Messages(code)
		for _, k := range slices.Sorted(maps.Keys(nl)) {
			if _, ok := msgs[k]; !ok {
				t.Errorf("%s lacks %q (Dutch: %q)", code, k, nl[k].Other)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(msgs)) {
			if _, ok := nl[k]; !ok {
				t.Errorf("%s has %q, which Dutch lacks", code, k)
			}
		}
		for k, text := range i18n.Catalog(code) {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s %q is empty", code, k)
			}
		}
	}
}

// pluralForms are the CLDR plural categories of each language for whole numbers.
var pluralForms = map[string][]string{
	"nl": {"one", "other"},
	"en": {"one", "other"},
	"tr": {"one", "other"},
	"ar": {"zero", "one", "two", "few", "many", "other"},
	"pl": {"one", "few", "many", "other"},
	"uk": {"one", "few", "many", "other"},
}

// A plural message gives exactly the forms its language has: a missing
// form would show "other" where the grammar needs another ending.
func TestPluralFormsPerLanguage(t *testing.T) {
	for _, code := range i18n.Files() {
		want, ok := pluralForms[code]
		if !ok {
			t.Errorf("no plural forms known for %s: add them to pluralForms", code)
			continue
		}
		for k, m := range i18n.Messages(code) {
			forms := slices.Collect(maps.Keys(i18n.Forms(m)))
			if len(forms) == 1 {
				continue // one text for every number
			}
			slices.Sort(forms)
			w := slices.Sorted(slices.Values(want))
			if !slices.Equal(forms, w) {
				t.Errorf("%s %q has forms %v, want %v", code, k, forms, w)
			}
		}
	}
}

var verb = regexp.MustCompile(`%(\[(\d+)\])?[-+# 0-9.]*([a-zA-Z%])`)

// args returns the arguments a text fills in as "n:verb", numbered the way
// fmt numbers them (an explicit [n] moves the count on from there).
func args(text string) ([]string, error) {
	var out []string
	next := 1
	for _, m := range verb.FindAllStringSubmatch(text, -1) {
		if m[3] == "%" {
			continue
		}
		if m[3] != "s" && m[3] != "d" {
			return nil, fmt.Errorf("verb %q: only %%s and %%d are used", m[0])
		}
		if m[2] != "" {
			next, _ = strconv.Atoi(m[2])
		}
		out = append(out, fmt.Sprintf("%d:%s", next, m[3]))
		next++
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Every translation fills in the same values as Dutch, each as the same kind
// (%s or %d), or a page would show a name where an amount belongs. Only a
// plural form other than "other" may leave out the number it agrees with
// ("één rekening").
func TestPlaceholdersMatchDutch(t *testing.T) {
	nl := i18n.Messages("nl")
	for _, code := range i18n.Files() {
		for k, m := range i18n.Messages(code) {
			ref, ok := nl[k]
			if !ok {
				continue
			}
			want, err := args(ref.Other)
			if err != nil {
				t.Errorf("nl %q: %v", k, err)
				continue
			}
			countArg := ""
			for _, a := range want {
				if strings.HasSuffix(a, ":d") {
					countArg = a
					break
				}
			}
			for form, text := range i18n.Forms(m) {
				got, err := args(text)
				if err != nil {
					t.Errorf("%s %q [%s]: %v", code, k, form, err)
					continue
				}
				w := want
				if form != "other" && !slices.Contains(got, countArg) {
					w = slices.DeleteFunc(slices.Clone(want), func(a string) bool { return a == countArg })
				}
				if !slices.Equal(got, w) {
					t.Errorf("%s %q [%s] fills in %v, Dutch %v: %q", code, k, form, got, w, text)
				}
			}
		}
	}
}

func TestArgs(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"Bel %s. Dat kan %s.", []string{"1:s", "2:s"}},
		{"U heeft nog één rekening open bij %[2]s.", []string{"2:s"}},
		{"%[2]s heeft %[1]d rekeningen, %s", []string{"1:d", "2:s"}},
		{"100%% en %d", []string{"1:d"}},
	} {
		got, err := args(tt.text)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("args(%q) = %v, %v; want %v", tt.text, got, err, tt.want)
		}
	}
	if _, err := args("%v"); err == nil {
		t.Error("args accepted the verb v")
	}
}
