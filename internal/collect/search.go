package collect

import (
	"regexp"
	"strings"
	"unicode"
)

// SearchTerms is what an agent typed in the console's search box, read as
// every kind of lookup it could be. The store matches each non-empty term on
// the same normalised form its index holds, so "1234 ab", "1234AB" and
// "1234" all find the postcode 1234 AB.
type SearchTerms struct {
	Text        string // the query as typed, trimmed, for the page
	NamePattern string // LIKE pattern on lower(name): %part%, with % _ \ escaped
	Postcode    string // a postcode or its first digits, upper case without spaces
	Email       string // lower case, only when the query holds an @
	Phone       string // the last nine digits of a phone number
	Number      string // an invoice number, upper case
	Reference   string // an RF payment reference, upper case without spaces
	CustomerRef string // the creditor's own reference of the debtor, as typed
}

// Search query limits, in characters.
const (
	SearchMinLen = 2
	SearchMaxLen = 100
)

var (
	postcodePrefix = regexp.MustCompile(`^[0-9]{4}[A-Z]{0,2}$`)
	phoneChars     = regexp.MustCompile(`^[0-9 +()./-]+$`)
	rfReference    = regexp.MustCompile(`^RF[0-9]{2}[0-9A-Z]{1,21}$`)
)

// ParseSearch reads a console search query. Too short or too long a query
// is an error on the field q, so the page can say what to type.
func ParseSearch(raw string) (SearchTerms, error) {
	text := strings.Join(strings.Fields(raw), " ")
	switch n := len([]rune(text)); {
	case n < SearchMinLen:
		return SearchTerms{}, Errorf(EINVALID, "q", "type at least %d characters", SearchMinLen)
	case n > SearchMaxLen:
		return SearchTerms{}, Errorf(EINVALID, "q", "type at most %d characters", SearchMaxLen)
	}
	t := SearchTerms{Text: text, CustomerRef: text, Number: strings.ToUpper(text)}
	t.NamePattern = "%" + likeEscape(strings.ToLower(text)) + "%"
	compact := strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, text))
	if postcodePrefix.MatchString(compact) {
		t.Postcode = compact
	}
	if strings.Contains(text, "@") {
		t.Email = strings.ToLower(text)
	}
	if phoneChars.MatchString(text) {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, text)
		if len(digits) >= 9 {
			t.Phone = digits[len(digits)-9:]
		}
	}
	if rfReference.MatchString(compact) {
		t.Reference = compact
	}
	return t, nil
}

// likeEscape makes s match itself in a LIKE pattern (escape character \).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
