package access_test

import (
	"errors"
	"testing"

	"github.com/settle/settle/internal/access"
)

// FuzzVerify feeds arbitrary text to the magic-link token parser, which
// reads whatever sits in a link's path. It must never panic, must accept
// only tokens that carry every claim a link needs, and no token may pass
// the signature check (accepted or called expired) under two keys.
func FuzzVerify(f *testing.F) {
	valid, err := signer().Issue(claims())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	other := access.NewSigner(otherKey, clock)
	f.Fuzz(func(t *testing.T, token string) {
		c, err := signer().Verify(token)
		switch {
		case err == nil:
			if c.ID == "" || c.DebtorID == "" || c.CreditorID == "" || c.Issuer != "settle" {
				t.Fatalf("accepted %q with incomplete claims %+v", token, c)
			}
		case errors.Is(err, access.ErrTokenExpired), errors.Is(err, access.ErrTokenInvalid):
		default:
			t.Fatalf("Verify(%q): %v, want ErrTokenExpired or ErrTokenInvalid", token, err)
		}
		if _, otherErr := other.Verify(token); !errors.Is(err, access.ErrTokenInvalid) && !errors.Is(otherErr, access.ErrTokenInvalid) {
			t.Fatalf("both keys recognise %q: %v and %v", token, err, otherErr)
		}
	})
}
