package access_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/settle/settle/internal/access"
)

func TestMatchTOTP(t *testing.T) {
	k, err := access.NewTOTPKey("admin@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(k.URI)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != k.Secret || u.Query().Get("issuer") != access.TOTPIssuer {
		t.Fatalf("URI %q: want otpauth://totp with the secret and issuer (%v)", k.URI, err)
	}
	again, err := access.TOTPKeyOf("admin@example.nl", k.Secret)
	if err != nil || again != k {
		t.Fatalf("TOTPKeyOf = %+v, %v; want %+v", again, err, k)
	}
	now := time.Date(2026, 11, 23, 10, 0, 15, 0, time.UTC)
	code, err := totp.GenerateCode(k.Secret, now)
	if err != nil {
		t.Fatal(err)
	}
	step, ok := access.MatchTOTP(k.Secret, code, now)
	if !ok || step != access.TOTPStep(now) {
		t.Fatalf("the current code: step %d, %v; want %d, true", step, ok, access.TOTPStep(now))
	}
	// One step of drift either way is allowed, and named by its own step.
	if step, ok := access.MatchTOTP(k.Secret, code, now.Add(30*time.Second)); !ok || step != access.TOTPStep(now) {
		t.Errorf("30 s later: step %d, %v; want %d, true", step, ok, access.TOTPStep(now))
	}
	if _, ok := access.MatchTOTP(k.Secret, code, now.Add(90*time.Second)); ok {
		t.Error("a code three steps old was accepted")
	}
	if _, ok := access.MatchTOTP(k.Secret, code[:3]+" "+code[3:], now); !ok {
		t.Error("a code typed with a space was refused")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := access.MatchTOTP(k.Secret, bad, now); ok {
			t.Errorf("code %q accepted", bad)
		}
	}
}
