package letters

import (
	"fmt"
	"time"

	"github.com/settle/settle/internal/i18n"
)

// wording holds the letter's texts per language, keyed like the portal's
// catalogs so that they can move to the translation files as they are. The
// lines about free debt help are not here: the letter takes them from the
// portal's catalog (help.*), so both say the same. Each text follows
// docs/plain-language.md: who writes, what is open, how much, until when,
// what happens after that date, then the ways out.
var wording = map[string]map[string]string{
	"nl": {
		"letter.date":        "Datum: %s",
		"letter.number":      "Briefnummer: %s",
		"letter.reference":   "Betaalkenmerk: %s",
		"letter.page":        "Brief %s, pagina %d",
		"notice.title":       "U heeft nog %s open bij %s",
		"notice.hello":       "Beste %s,",
		"notice.open.one":    "Deze brief komt van %s. U heeft nog 1 rekening open bij ons. Het gaat om %s.",
		"notice.open.many":   "Deze brief komt van %s. U heeft nog %d rekeningen open bij ons. Samen is dat %s.",
		"notice.col.invoice": "Rekening",
		"notice.col.open":    "Nog te betalen",
		"notice.col.total":   "Totaal",
		"notice.deadline":    "Betaal %s uiterlijk op %s.",
		"notice.free":        "Dan komen er geen extra kosten bij.",
		"notice.costs":       "Betaalt u niet op tijd? Dan komen er %s extra kosten bij. U moet dan %s betalen.",
		"notice.nocosts":     "Betaalt u niet op tijd? Dan belt of schrijft een medewerker u.",
		"notice.how":         "Zo betaalt u",
		"notice.online":      "Scan de QR-code links met de camera van uw telefoon. Of typ dit adres: %s. Daar betaalt u met iDEAL. U kunt er ook vragen om in delen te betalen.",
		"notice.bank":        "Of scan de QR-code rechts met de app van uw bank. Dan staat alles al klaar.",
		"notice.transfer":    "U kunt ook zelf %s overmaken naar %s op naam van %s. Zet dit kenmerk erbij: %s.",
		"notice.qr.link":     "Betaal online",
		"notice.qr.bank":     "Scan met uw bank-app",
		"notice.stuck":       "Lukt het niet?",
		"notice.stuck.text":  "Kunt u niet alles in één keer betalen? Of klopt de rekening niet? Ga dan naar %s. Of bel ons op %s.",
		"notice.hours":       "Dat kan %s.",
		"notice.mail":        "Mailen kan ook: %s.",
		"notice.bye":         "Met vriendelijke groet,",
	},
	"en": {
		"letter.date":        "Date: %s",
		"letter.number":      "Letter number: %s",
		"letter.reference":   "Payment reference: %s",
		"letter.page":        "Letter %s, page %d",
		"notice.title":       "You still have %s to pay to %s",
		"notice.hello":       "Dear %s,",
		"notice.open.one":    "This letter is from %s. You still have 1 bill open with us. It is for %s.",
		"notice.open.many":   "This letter is from %s. You still have %d bills open with us. Together that is %s.",
		"notice.col.invoice": "Bill",
		"notice.col.open":    "Still to pay",
		"notice.col.total":   "Total",
		"notice.deadline":    "Please pay %s by %s at the latest.",
		"notice.free":        "Then no extra costs are added.",
		"notice.costs":       "If you do not pay in time, %s in extra costs is added. You then have to pay %s.",
		"notice.nocosts":     "If you do not pay in time, someone from our team will call or write to you.",
		"notice.how":         "How to pay",
		"notice.online":      "Scan the QR code on the left with your phone's camera. Or type this address: %s. There you pay with iDEAL. You can also ask to pay in parts there.",
		"notice.bank":        "Or scan the QR code on the right with your banking app. Everything is then filled in for you.",
		"notice.transfer":    "You can also transfer %s yourself to %s in the name of %s. Add this reference: %s.",
		"notice.qr.link":     "Pay online",
		"notice.qr.bank":     "Scan with your banking app",
		"notice.stuck":       "Is paying not possible?",
		"notice.stuck.text":  "Can you not pay it all at once? Or is the bill not right? Then go to %s. Or call us on %s.",
		"notice.hours":       "You can call %s.",
		"notice.mail":        "You can also email %s.",
		"notice.bye":         "Kind regards,",
	},
}

var weekdays = map[string][7]string{
	"nl": {"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
	"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
}

// words formats the texts, amounts and dates of one letter.
type words struct {
	lang string
	p    i18n.Printer
}

func wordsFor(lang string) words { return words{lang: lang, p: i18n.For(lang)} }

// t returns the letter text for key with its verbs filled in.
func (w words) t(key string, args ...any) string {
	return fmt.Sprintf(wording[w.lang][key], args...)
}

// money formats cents the way the portal does: "€ 245,50".
func (w words) money(cents int64) string { return w.p.Money(cents) }

// date formats a date the way the portal does: "18 mei 2026".
func (w words) date(t time.Time) string { return w.p.Date(t) }

// day names the weekday as well, for the one date the debtor must act on:
// "maandag 18 mei 2026" is harder to misread than a date alone.
func (w words) day(t time.Time) string { return weekdays[w.lang][t.Weekday()] + " " + w.p.Date(t) }

// help returns the portal's text of key about free debt help.
func (w words) help(key string, args ...any) string { return w.p.T(key, args...) }
