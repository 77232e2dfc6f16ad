// Package access decides who may see what: magic-link tokens, the second
// factor, and the rules for sessions.
package access

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Link channels and their default lifetimes: a letter lies on a table for weeks,
// an SMS or email is read the same day.
var defaultTTL = map[string]time.Duration{
	"letter": 60 * 24 * time.Hour,
	"sms":    14 * 24 * time.Hour,
	"email":  14 * 24 * time.Hour,
}

// DefaultTTL is the default lifetime of a link sent through channel; ok is false for an unknown channel.
func DefaultTTL(channel string) (time.Duration, bool) {
	d, ok := defaultTTL[channel]
	return d, ok
}

// LinkClaims are the claims a magic link carries.
type LinkClaims struct {
	DebtorID   string `json:"deb"`
	CreditorID string `json:"crd"`
	Channel    string `json:"chn"`
	jwt.RegisteredClaims
}

// ErrTokenExpired means the link's lifetime has passed: the debtor needs a new one.
var ErrTokenExpired = errors.New("link expired")

// ErrTokenInvalid means the token is malformed, tampered with or signed by
// someone else. Callers show the same page as for an unknown link.
var ErrTokenInvalid = errors.New("link invalid")

const issuer = "settle"

// Signer issues and verifies magic-link tokens with one HMAC key.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner returns a Signer; now is the clock (tests set it).
func NewSigner(key []byte, now func() time.Time) *Signer {
	return &Signer{key: key, now: now}
}

// Issue signs claims as an HS256 JWT.
func (s *Signer) Issue(c LinkClaims) (string, error) {
	c.Issuer = issuer
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("sign link: %w", err)
	}
	return tok, nil
}

// Verify checks a token's signature (HS256 only: "none" and other algorithms
// are refused), issuer, expiry and not-before time, and returns its claims.
// The caller still checks the jti against the database for revocation.
func (s *Signer) Verify(token string) (LinkClaims, error) {
	var c LinkClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(s.now),
		jwt.WithLeeway(0),
	)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired):
		// Only a correctly signed token may claim to be expired: jwt checks the
		// signature before the claims, so an expired error implies a valid signature.
		return c, ErrTokenExpired
	default:
		return LinkClaims{}, ErrTokenInvalid
	}
	if c.ID == "" || c.DebtorID == "" || c.CreditorID == "" {
		return LinkClaims{}, ErrTokenInvalid
	}
	return c, nil
}

// DeriveKey derives a key for another purpose (such as CSRF tokens) from the
// link-signing key, so one configured secret serves both without reuse.
func (s *Signer) DeriveKey(purpose string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("settle:" + purpose))
	return m.Sum(nil)
}
