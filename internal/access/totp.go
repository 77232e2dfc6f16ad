package access

import (
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTPIssuer names Settle in authenticator apps.
const TOTPIssuer = "Settle"

// totpPeriod and totpSkew follow RFC 6238's defaults: 30-second steps, and
// one step either side allowed for clocks that drift.
const (
	totpPeriod = 30
	totpSkew   = 1
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPKey is a second-factor secret for one console user, with the
// otpauth:// URI an authenticator app reads (typed in, or as a QR code).
type TOTPKey struct {
	Secret string // base32, what a user types into an app
	URI    string
}

// NewTOTPKey makes a fresh 160-bit TOTP secret for the console user with this email.
func NewTOTPKey(email string) (TOTPKey, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: email, Period: totpPeriod})
	if err != nil {
		return TOTPKey{}, fmt.Errorf("make totp secret: %w", err)
	}
	return TOTPKey{Secret: k.Secret(), URI: k.URL()}, nil
}

// TOTPKeyOf rebuilds the key of a stored secret, to show its URI again.
func TOTPKeyOf(email, secret string) (TOTPKey, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		return TOTPKey{}, fmt.Errorf("decode totp secret: %w", err)
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: email, Period: totpPeriod, Secret: raw})
	if err != nil {
		return TOTPKey{}, fmt.Errorf("totp key: %w", err)
	}
	return TOTPKey{Secret: k.Secret(), URI: k.URL()}, nil
}

// TOTPStep is the number of the RFC 6238 time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// MatchTOTP checks a six-digit code against the secret at time now and
// returns the time step it belongs to. The caller must refuse a step that
// was already used (RFC 6238 section 5.2: a code is good once), so a code
// seen over a shoulder or replayed cannot sign in again.
func MatchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, code)
	if len(code) != 6 {
		return 0, false
	}
	step := TOTPStep(now)
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}
