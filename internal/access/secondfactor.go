package access

import (
	"crypto/subtle"
	"strings"
	"time"
	"unicode"

	"github.com/settle/settle/internal/collect"
)

// MaxAttempts is how many wrong answers one link allows before it locks.
const MaxAttempts = 5

// LockDuration is how long a link stays locked after too many wrong answers.
const LockDuration = 15 * time.Minute

// Answer is what a debtor typed on the second-factor page.
type Answer struct {
	Postcode    string
	HouseNumber string
	BirthDate   string // YYYY-MM-DD
}

// CheckSecondFactor reports whether the answer matches the debtor, for the
// kind of question the creditor chose. Postcodes compare without spaces and case.
func CheckSecondFactor(kind string, d collect.Debtor, a Answer) bool {
	if kind == "birth_date" {
		if d.BirthDate == nil {
			return false
		}
		return equal(strings.TrimSpace(a.BirthDate), d.BirthDate.Format("2006-01-02"))
	}
	if d.Address.Postcode == "" || d.Address.HouseNumber == "" {
		return false
	}
	return equal(normalise(a.Postcode), normalise(d.Address.Postcode)) &&
		equal(normalise(a.HouseNumber), normalise(d.Address.HouseNumber))
}

func normalise(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
