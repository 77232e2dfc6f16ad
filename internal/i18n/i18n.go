// Package i18n holds every debtor-facing text: Dutch first, then English, and
// the structure for more languages (Turkish, Arabic from right to left).
package i18n

import (
	"fmt"
	"strings"
	"time"

	"github.com/settle/settle/internal/money"
)

// Language is one language the portal can speak.
type Language struct {
	Code string // BCP 47 code, used in lang=""
	Name string // the language's own name, for the switch
	Dir  string // "ltr" or "rtl"
}

// Languages lists the languages with a complete catalog, in the order of the switch.
// Turkish and Arabic have their Language entry ready (Arabic right to left)
// and become available once their catalog is complete; see Complete.
var Languages = []Language{
	{Code: "nl", Name: "Nederlands", Dir: "ltr"},
	{Code: "en", Name: "English", Dir: "ltr"},
}

// Planned are languages whose catalogs are on their way.
var Planned = []Language{
	{Code: "tr", Name: "Türkçe", Dir: "ltr"},
	{Code: "ar", Name: "العربية", Dir: "rtl"},
}

// Default is the language used when nothing else is known.
const Default = "nl"

// Lookup returns the supported language for code, or Dutch.
func Lookup(code string) Language {
	for _, l := range Languages {
		if l.Code == code {
			return l
		}
	}
	return Languages[0]
}

// Supported reports whether code has a complete catalog.
func Supported(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Printer formats texts, amounts and dates in one language.
type Printer struct {
	Lang Language
}

// For returns the printer of a language code (Dutch when unknown).
func For(code string) Printer { return Printer{Lang: Lookup(code)} }

// T returns the text for key with its %s/%d verbs filled in; a key that is
// missing in this language falls back to Dutch, so a page is never empty.
func (p Printer) T(key string, args ...any) string {
	msg, ok := catalogs[p.Lang.Code][key]
	if !ok {
		msg, ok = catalogs[Default][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Money formats cents for this language: "€ 1.234,56" in Dutch.
func (p Printer) Money(cents int64) string { return money.FormatCents(cents, p.Lang.Code) }

var months = map[string][]string{
	"nl": {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// Date writes a date in full words, as people say it: "18 november 2026".
func (p Printer) Date(t time.Time) string {
	m, ok := months[p.Lang.Code]
	if !ok {
		m = months[Default]
	}
	return fmt.Sprintf("%d %s %d", t.Day(), m[t.Month()-1], t.Year())
}

// Time writes a clock time: "14:05".
func (p Printer) Time(t time.Time) string { return t.Format("15:04") }

// Catalog returns every text of one language, for the plain-language check.
func Catalog(code string) map[string]string { return catalogs[code] }

// Complete reports the keys a language lacks compared with Dutch.
func Complete(code string) []string {
	var missing []string
	for k := range catalogs[Default] {
		if _, ok := catalogs[code][k]; !ok {
			missing = append(missing, k)
		}
	}
	return missing
}

var catalogs = map[string]map[string]string{"nl": nl, "en": en}

// Plural picks one or other by n: Dutch and English both need just these two forms.
func Plural(n int, one, other string) string {
	if n == 1 {
		return one
	}
	return other
}

// Join joins a list in words: "a, b en c".
func (p Printer) Join(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + p.T("and") + " " + items[len(items)-1]
}
