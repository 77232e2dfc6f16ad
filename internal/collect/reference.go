package collect

import (
	"errors"
	"fmt"
	"strings"
)

// ErrReference is returned (wrapped) when a payment reference cannot be built.
var ErrReference = errors.New("invalid payment reference")

// rfMaxBody is the longest ISO 11649 reference body: 25 characters in all,
// less "RF" and two check digits.
const rfMaxBody = 21

// RFReference builds an ISO 11649 structured creditor reference: "RF", two
// check digits and body (1 to 21 letters or digits, uppercased), in the
// unspaced form banks report it in.
func RFReference(body string) (string, error) {
	body = strings.ToUpper(body)
	if body == "" || len(body) > rfMaxBody || !isAlnum(body) {
		return "", fmt.Errorf("rf reference body %q: want 1 to %d letters or digits: %w", body, rfMaxBody, ErrReference)
	}
	check := 98 - mod97(body+"RF00")
	return fmt.Sprintf("RF%02d%s", check, body), nil
}

// ValidRF reports whether s is a valid ISO 11649 reference; spaces are
// ignored and letters may be in either case, as people copy them.
func ValidRF(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(s) < 5 || len(s) > 4+rfMaxBody || !strings.HasPrefix(s, "RF") {
		return false
	}
	if !isDigits(s[2:4]) || !isAlnum(s[4:]) {
		return false
	}
	return mod97(s[4:]+s[:4]) == 1
}

// mod97 returns the ISO 7064 MOD 97-10 remainder of an alphanumeric string,
// letters counting as 10 (A) to 35 (Z), computed digit by digit so that no
// length overflows.
func mod97(s string) int {
	r := 0
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		default:
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r
}

// betalingskenmerkWeights are the weights of the weighted modulus 11 check,
// applied from the rightmost digit leftwards and repeated after ten digits,
// as specified by the Betaalvereniging Nederland.
var betalingskenmerkWeights = [10]int{2, 4, 8, 5, 10, 9, 7, 3, 6, 1}

// betalingskenmerkMax is one more than the largest 15-digit number.
const betalingskenmerkMax = 1_000_000_000_000_000

// Betalingskenmerk builds the Dutch 16-digit betalingskenmerk for n: a check
// digit followed by n as 15 zero-padded digits.
func Betalingskenmerk(n uint64) (string, error) {
	if n >= betalingskenmerkMax {
		return "", fmt.Errorf("betalingskenmerk for %d: more than 15 digits: %w", n, ErrReference)
	}
	digits := fmt.Sprintf("%015d", n)
	return string(betalingskenmerkCheck(digits)) + digits, nil
}

// ValidBetalingskenmerk reports whether s (spaces ignored) is a 16-digit
// betalingskenmerk with a correct check digit. The shorter forms of the
// standard (7 and 9 to 14 digits, with a length code) are not accepted
// because Settle only issues the 16-digit form.
func ValidBetalingskenmerk(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) != 16 || !isDigits(s) {
		return false
	}
	return s[0] == betalingskenmerkCheck(s[1:])
}

// betalingskenmerkCheck computes the check digit of the digits after it:
// C = 11 - (Σ digit×weight mod 11), where C = 10 becomes 1 and C = 11 becomes 0.
func betalingskenmerkCheck(digits string) byte {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		sum += d * betalingskenmerkWeights[i%len(betalingskenmerkWeights)]
	}
	c := 11 - sum%11
	switch c {
	case 10:
		c = 1
	case 11:
		c = 0
	}
	return byte('0' + c)
}

// ValidPaymentReference reports whether s is either a valid ISO 11649
// reference or a valid 16-digit betalingskenmerk.
func ValidPaymentReference(s string) bool {
	return ValidRF(s) || ValidBetalingskenmerk(s)
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isAlnum(s string) bool {
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return s != ""
}
