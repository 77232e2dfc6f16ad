// Package i18n holds every debtor-facing text. The texts live in translation
// files, one per language, under web/locales/ (go-i18n v2, TOML): a format
// translators and their tools know, with plural forms per language (Arabic
// has six, Polish and Ukrainian four). Dutch is the reference and the
// fallback: a key missing elsewhere is shown in Dutch, never as a blank.
package i18n

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/web"
)

// Language is one language the portal can speak.
type Language struct {
	Code string // BCP 47 code, used in lang=""
	Name string // the language's own name, for the switch
	Dir  string // "ltr" or "rtl"
}

// Languages lists the languages offered, in the order of the switch. Each has
// a file web/locales/<code>.toml; the catalog test fails when one lacks a key.
var Languages = []Language{
	{Code: "nl", Name: "Nederlands", Dir: "ltr"},
	{Code: "en", Name: "English", Dir: "ltr"},
	{Code: "tr", Name: "Türkçe", Dir: "ltr"},
	{Code: "ar", Name: "العربية", Dir: "rtl"},
	{Code: "pl", Name: "Polski", Dir: "ltr"},
	{Code: "uk", Name: "Українська", Dir: "ltr"},
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

// Supported reports whether code is offered.
func Supported(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// FromAcceptLanguage returns the first language of a browser's
// Accept-Language header (in the order of its q weights) that the portal
// speaks, by base language ("ar-MA" is Arabic), or "" when none is.
func FromAcceptLanguage(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil {
		return ""
	}
	for _, t := range tags {
		if base, conf := t.Base(); conf != language.No && Supported(base.String()) {
			return base.String()
		}
	}
	return ""
}

// Codes lists the codes of the languages offered.
func Codes() []string {
	codes := make([]string, len(Languages))
	for i, l := range Languages {
		codes[i] = l.Code
	}
	return codes
}

// catalog is one language's file as parsed by go-i18n.
type catalog struct {
	localizer *goi18n.Localizer
	messages  map[string]*goi18n.Message
	// plain are the texts without plural forms, as the localizer gives them
	// (Dutch where this language lacks one), looked up once at start: asking
	// the localizer matches languages and executes the message's template
	// on every call, and a page asks for some sixty texts.
	plain map[string]string
}

var catalogs = mustLoad(web.Locales, "locales")

// mustLoad reads every <code>.toml under dir. A broken file stops the
// program at start, not on the page that happens to use the broken text.
func mustLoad(fsys fs.FS, dir string) map[string]catalog {
	bundle := goi18n.NewBundle(language.Dutch)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(fsys, path.Join(dir, "*.toml"))
	if err != nil || len(names) == 0 {
		panic(fmt.Sprintf("i18n: no translation files in %s: %v", dir, err))
	}
	files := map[string]*goi18n.MessageFile{}
	for _, name := range names {
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic(err)
		}
		mf, err := bundle.ParseMessageFileBytes(buf, name)
		if err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", name, err))
		}
		files[strings.TrimSuffix(path.Base(name), ".toml")] = mf
	}
	out := map[string]catalog{}
	for code, mf := range files {
		c := catalog{localizer: goi18n.NewLocalizer(bundle, code), messages: map[string]*goi18n.Message{}, plain: map[string]string{}}
		for _, m := range mf.Messages {
			c.messages[m.ID] = m
		}
		out[code] = c
	}
	for _, c := range out {
		for _, msgs := range []map[string]*goi18n.Message{c.messages, out[Default].messages} {
			for id := range msgs {
				if m := c.message(id, out); isPlural(m) {
					continue
				}
				if msg, err := c.localizer.Localize(&goi18n.LocalizeConfig{MessageID: id}); msg != "" || err == nil {
					c.plain[id] = msg
				}
			}
		}
	}
	return out
}

// message is the message T decides the plural forms by: this language's,
// else the Dutch one.
func (c catalog) message(key string, all map[string]catalog) *goi18n.Message {
	if m := c.messages[key]; m != nil {
		return m
	}
	return all[Default].messages[key]
}

// Printer formats texts, amounts and dates in one language.
type Printer struct {
	Lang Language
}

// For returns the printer of a language code (Dutch when unknown).
func For(code string) Printer { return Printer{Lang: Lookup(code)} }

// T returns the text for key with its %s/%d verbs filled in; a key that is
// missing in this language falls back to Dutch, so a page is never empty.
//
// A plural message (one/other, and few/many/two/zero where a language has
// them; a language where the words do not change may write one plain text)
// picks its form by the first whole number among args, following the
// language's CLDR rules. A form may leave that number out ("één rekening")
// by naming the other arguments by position: %[2]s.
func (p Printer) T(key string, args ...any) string {
	c, ok := catalogs[p.Lang.Code]
	if !ok {
		c = catalogs[Default]
	}
	msg, ok := c.plain[key]
	if !ok {
		lc := &goi18n.LocalizeConfig{MessageID: key}
		if m := c.message(key, catalogs); m != nil && isPlural(m) {
			if n, ok := count(args); ok {
				lc.PluralCount = n
			}
		}
		var err error
		if msg, err = c.localizer.Localize(lc); msg == "" && err != nil {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	if p.Lang.Dir == "rtl" {
		args = isolate(args)
	}
	return fmt.Sprintf(msg, args...)
}

// isolate wraps each text value in a first-strong isolate (FSI ... PDI), the
// plain-text <bdi>: in right-to-left text a Latin name, a phone number
// ("088 123 45 67") or a reference keeps its own order instead of being
// reordered by the Arabic around it.
func isolate(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok && s != "" {
			a = "\u2068" + s + "\u2069"
		}
		out[i] = a
	}
	return out
}

func isPlural(m *goi18n.Message) bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}

// count returns the first whole number among args: the number a plural agrees with.
func count(args []any) (int64, bool) {
	for _, a := range args {
		switch n := a.(type) {
		case int:
			return int64(n), true
		case int32:
			return int64(n), true
		case int64:
			return n, true
		case uint:
			return int64(n), true
		}
	}
	return 0, false
}

// Money formats cents for this language: "€ 1.234,56" in Dutch.
func (p Printer) Money(cents int64) string { return money.FormatCents(cents, p.Lang.Code) }

// months and weekdays are calendar data (CLDR), not text to translate, so
// they stay here rather than in the translation files.
var months = map[string][]string{
	"nl": {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"tr": {"Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"},
	"ar": {"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"},
	// Polish and Ukrainian say a date with the month in the genitive: "18 listopada".
	"pl": {"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"},
	"uk": {"січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"},
}

var weekdays = map[string][]string{
	"nl": {"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
	"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	"tr": {"Pazar", "Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi"},
	"ar": {"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"},
	"pl": {"niedziela", "poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota"},
	"uk": {"неділя", "понеділок", "вівторок", "середа", "четвер", "п'ятниця", "субота"},
}

// Date writes a date in full words, as people say it: "18 november 2026".
func (p Printer) Date(t time.Time) string {
	m, ok := months[p.Lang.Code]
	if !ok {
		m = months[Default]
	}
	return fmt.Sprintf("%d %s %d", t.Day(), m[t.Month()-1], t.Year())
}

// Day writes the weekday before the date, "maandag 18 mei 2026": for the one
// date a person must act on, harder to misread than a date alone.
func (p Printer) Day(t time.Time) string {
	w, ok := weekdays[p.Lang.Code]
	if !ok {
		w = weekdays[Default]
	}
	return w[t.Weekday()] + " " + p.Date(t)
}

// Time writes a clock time: "14:05".
func (p Printer) Time(t time.Time) string { return t.Format("15:04") }

// Catalog returns every text of one language, for the plain-language and
// completeness checks. A plural message gives one entry per form, keyed
// "key#one", "key#other" and so on.
func Catalog(code string) map[string]string {
	out := map[string]string{}
	for id, m := range catalogs[code].messages {
		if !isPlural(m) {
			out[id] = m.Other
			continue
		}
		for form, text := range Forms(m) {
			out[id+"#"+form] = text
		}
	}
	return out
}

// Forms returns the plural forms a message has, by CLDR name.
func Forms(m *goi18n.Message) map[string]string {
	out := map[string]string{}
	for form, text := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if text != "" {
			out[form] = text
		}
	}
	return out
}

// Messages returns one language's messages by id, for the catalog tests.
func Messages(code string) map[string]*goi18n.Message { return catalogs[code].messages }

// Files lists the language codes that have a translation file.
func Files() []string {
	codes := make([]string, 0, len(catalogs))
	for c := range catalogs {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// Complete reports the keys a language lacks compared with Dutch.
func Complete(code string) []string {
	var missing []string
	for k := range catalogs[Default].messages {
		if _, ok := catalogs[code].messages[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	return missing
}

// Join joins a list in words: "a, b en c".
func (p Printer) Join(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + p.T("and") + " " + items[len(items)-1]
}
