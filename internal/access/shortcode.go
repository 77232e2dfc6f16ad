package access

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
)

// ShortCodeAlphabet holds the characters of a short letter code: digits and
// capitals without the look-alikes 0/O, 1/I/L and U (beside V), so a code
// typed over from paper cannot be misread.
const ShortCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// ShortCodeLen is the number of characters in a short code (the dash not
// counted): 30^8, about 6.6·10^11 codes, against a rate-limited guesser.
const ShortCodeLen = 8

// ShortPath is the portal path a short code is opened under; with a normal
// host the whole link, https://host/b/XXXX-XXXX, stays under 40 characters.
const ShortPath = "/b/"

// ErrShortCodeInvalid means typed text is no short code at all.
var ErrShortCodeInvalid = errors.New("short code invalid")

// NewShortCode returns a random short code in its printed form, XXXX-XXXX.
func NewShortCode() (string, error) {
	const n = byte(len(ShortCodeAlphabet))
	// Bytes at or above the largest multiple of n are drawn again, so every
	// character is equally likely.
	const limit = 256 - 256%int(n)
	code := make([]byte, 0, ShortCodeLen)
	buf := make([]byte, 16)
	for len(code) < ShortCodeLen {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("short code: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(code) < ShortCodeLen {
				code = append(code, ShortCodeAlphabet[b%n])
			}
		}
	}
	return FormatShortCode(string(code)), nil
}

// FormatShortCode writes a canonical code of ShortCodeLen characters as XXXX-XXXX.
func FormatShortCode(canonical string) string {
	return canonical[:ShortCodeLen/2] + "-" + canonical[ShortCodeLen/2:]
}

// ParseShortCode reads a code as a person types it: any case, with or
// without the dash, with spaces around or between the halves. It returns
// the canonical form (eight capitals, no dash) or ErrShortCodeInvalid.
func ParseShortCode(typed string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r < 128 && strings.IndexByte(ShortCodeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", ErrShortCodeInvalid
		}
	}
	if b.Len() != ShortCodeLen {
		return "", ErrShortCodeInvalid
	}
	return b.String(), nil
}

// ShortCodeHash is what the database keeps of a canonical code, so the
// table does not list codes that open a debtor's file.
func ShortCodeHash(canonical string) []byte {
	h := sha256.Sum256([]byte("settle-short-code:" + canonical))
	return h[:]
}
