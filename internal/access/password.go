package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommended option, with 64 MiB).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// MinPasswordLength is the shortest console password, in characters
// (NIST SP 800-63B asks for at least 8; console users move money).
const MinPasswordLength = 12

// MaxPasswordLength bounds a password in bytes: NIST asks to allow at least
// 64 characters, and the strength estimate grows faster than the length.
const MaxPasswordLength = 256

// MinPasswordScore is the lowest zxcvbn score (0-4) a console password may have:
// 3 means "safely unguessable" (about 10^8 guesses and more).
const MinPasswordScore = 3

// CheckNewPassword tells why pw may not be a console password for the user
// with this email, following NIST SP 800-63B: at least MinPasswordLength
// characters, not the email or its name part (with digits or signs around
// it), and not common or guessable by zxcvbn's frequency lists and patterns.
// It returns nil for a good password; the error is a sentence for the user.
func CheckNewPassword(email, pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return fmt.Errorf("the password needs at least %d characters", MinPasswordLength)
	}
	if len(pw) > MaxPasswordLength {
		return fmt.Errorf("the password may have at most %d characters", MaxPasswordLength)
	}
	if strings.TrimSpace(pw) == "" {
		return errors.New("the password may not be only spaces")
	}
	email = strings.ToLower(strings.TrimSpace(email))
	local, _, _ := strings.Cut(email, "@")
	lower := strings.ToLower(pw)
	// Strip what people add around a name to make it "longer" (digits,
	// signs, spaces) and the separators inside it, so "Jan.Jansen2024!" is
	// caught for jan.jansen@example.nl.
	bare := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) {
				return r
			}
			return -1
		}, s)
	}
	if email != "" && (strings.Contains(lower, email) || (len(bare(local)) >= 3 && bare(lower) == bare(local))) {
		return errors.New("the password may not be your email address or a variant of it")
	}
	inputs := []string{email, local}
	inputs = append(inputs, strings.FieldsFunc(local, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })...)
	if zxcvbn.PasswordStrength(pw, inputs).Score < MinPasswordScore {
		return errors.New("the password is too common or too easy to guess: use a longer phrase of unrelated words")
	}
	return nil
}

// HashPassword hashes a console password with argon2id, in the PHC string
// format. Whether the password is good enough is CheckNewPassword's job.
func HashPassword(pw string) (string, error) {
	if len(pw) < MinPasswordLength {
		return "", fmt.Errorf("a password needs at least %d characters", MinPasswordLength)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches a hash made by HashPassword.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewPassword makes a random one-time password for a new console user: 120 random bits.
func NewPassword() string {
	for {
		b := make([]byte, 15)
		_, _ = rand.Read(b)
		// Random bytes can, very rarely, spell a pattern zxcvbn scores low;
		// draw again then, so every password handed out passes CheckNewPassword.
		if pw := base64.RawURLEncoding.EncodeToString(b); CheckNewPassword("", pw) == nil {
			return pw
		}
	}
}

// Roles of console users.
var Roles = []string{"agent", "finance", "admin"}

// MaxLoginFailures is how many wrong answers in a row (passwords or
// second-factor codes) lock a console account for LockDuration.
const MaxLoginFailures = 5

// MaxAddressAttempts is how many sign-in attempts (passwords and codes,
// right or wrong, on any account) one network address may make per
// AddressWindow; it stops guessing spread over many accounts.
const MaxAddressAttempts = 30

// AddressWindow is the period over which MaxAddressAttempts counts.
const AddressWindow = 15 * time.Minute
