package letters

import (
	"time"

	"github.com/settle/settle/internal/i18n"
)

// words formats the texts, amounts and dates of one letter.
type words struct {
	p i18n.Printer
}

// wordsFor returns the words of a letter in lang. The letter's fonts (the
// Go fonts) have no Arabic script and fpdf does not shape or reorder it, so
// a debtor who reads a right-to-left language gets the letter in Dutch; the
// portal, email and SMS speak their language.
func wordsFor(lang string) words {
	if i18n.Lookup(lang).Dir == "rtl" {
		lang = i18n.Default
	}
	return words{p: i18n.For(lang)}
}

// t returns the letter text for key with its verbs filled in. The letter's
// texts (letter.*, notice.*) live in the portal's translation files
// (web/locales), so a translator sees them beside the pages that say the same.
func (w words) t(key string, args ...any) string { return w.p.T(key, args...) }

// money formats cents the way the portal does: "€ 245,50".
func (w words) money(cents int64) string { return w.p.Money(cents) }

// date formats a date the way the portal does: "18 mei 2026".
func (w words) date(t time.Time) string { return w.p.Date(t) }

// day names the weekday as well, for the one date the debtor must act on:
// "maandag 18 mei 2026" is harder to misread than a date alone.
func (w words) day(t time.Time) string { return w.p.Day(t) }

// help returns the portal's text of key about free debt help.
func (w words) help(key string, args ...any) string { return w.p.T(key, args...) }
