package access_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/collect"
)

var (
	testKey  = []byte("test-signing-key-of-at-least-32-bytes!")
	otherKey = []byte("another-signing-key-of-32-bytes-or-more")
	// now is the fixed clock of every token test; no test depends on the real date.
	now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
)

const (
	jti      = "5d1f7a43-1c2e-4f55-9d0b-2a4c7e9f1b36"
	debtor   = "0b8f2c61-7e43-4a9d-8c15-3f6e2d1a9b70"
	creditor = "9a3e5d17-2b6c-4f81-a0d4-7c9e1b3f5a28"
)

func clock() time.Time { return now }

func signer() *access.Signer { return access.NewSigner(testKey, clock) }

// claims are valid link claims as of now: issued an hour ago, valid for 14 days.
func claims() access.LinkClaims {
	return access.LinkClaims{
		DebtorID: debtor, CreditorID: creditor, Channel: "sms",
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        jti,
			Issuer:    "settle",
			IssuedAt:  jwt.NewNumericDate(now.Add(-time.Hour)),
			NotBefore: jwt.NewNumericDate(now.Add(-time.Hour)),
			ExpiresAt: jwt.NewNumericDate(now.Add(14 * 24 * time.Hour)),
		},
	}
}

// sign signs c with any method and key, bypassing Signer.Issue, the way an attacker could.
func sign(t *testing.T, m jwt.SigningMethod, c access.LinkClaims, key any) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func issue(t *testing.T, c access.LinkClaims) string {
	t.Helper()
	tok, err := signer().Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerifyAcceptsGoodToken(t *testing.T) {
	tok := issue(t, claims())
	got, err := signer().Verify(tok)
	if err != nil {
		t.Fatalf("Verify(good token) = %v", err)
	}
	if got.ID != jti || got.DebtorID != debtor || got.CreditorID != creditor || got.Channel != "sms" || got.Issuer != "settle" {
		t.Errorf("claims = %+v", got)
	}
}

func TestVerifyExpired(t *testing.T) {
	c := claims()
	c.IssuedAt = jwt.NewNumericDate(now.Add(-61 * 24 * time.Hour))
	c.NotBefore = c.IssuedAt
	c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Second))
	got, err := signer().Verify(issue(t, c))
	if !errors.Is(err, access.ErrTokenExpired) {
		t.Fatalf("Verify(expired) = %v, want ErrTokenExpired", err)
	}
	// The portal needs the jti of an expired link to name the creditor.
	if got.ID != jti || got.CreditorID != creditor {
		t.Errorf("expired claims = %+v, want the token's claims", got)
	}

	// Expiry is exact: no leeway.
	c.ExpiresAt = jwt.NewNumericDate(now)
	if _, err := signer().Verify(issue(t, c)); !errors.Is(err, access.ErrTokenExpired) {
		t.Errorf("Verify(exp == now) = %v, want ErrTokenExpired", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	good := issue(t, claims())
	parts := strings.Split(good, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		token func(t *testing.T) string
	}{
		{"empty", func(*testing.T) string { return "" }},
		{"garbage", func(*testing.T) string { return "not-a-token" }},
		{"not yet valid", func(t *testing.T) string {
			c := claims()
			c.NotBefore = jwt.NewNumericDate(now.Add(time.Minute))
			return issue(t, c)
		}},
		{"issued in the future", func(t *testing.T) string {
			c := claims()
			c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour))
			c.NotBefore = nil
			return issue(t, c)
		}},
		{"tampered signature", func(*testing.T) string {
			sig := []byte(parts[2])
			// Change a character in the middle: the last one may only carry padding bits.
			i := len(sig) / 2
			if sig[i] == 'A' {
				sig[i] = 'B'
			} else {
				sig[i] = 'A'
			}
			return parts[0] + "." + parts[1] + "." + string(sig)
		}},
		{"signature removed", func(*testing.T) string { return parts[0] + "." + parts[1] + "." }},
		{"tampered payload", func(t *testing.T) string {
			payload := decode(t, parts[1])
			payload["deb"] = "11111111-2222-4333-8444-555555555555"
			return parts[0] + "." + encode(t, payload) + "." + parts[2]
		}},
		{"tampered expiry", func(t *testing.T) string {
			payload := decode(t, parts[1])
			payload["exp"] = now.Add(365 * 24 * time.Hour).Unix()
			return parts[0] + "." + encode(t, payload) + "." + parts[2]
		}},
		{"alg none", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodNone, claims(), jwt.UnsafeAllowNoneSignatureType)
		}},
		{"alg none header on a good token", func(t *testing.T) string {
			return encode(t, map[string]any{"alg": "none", "typ": "JWT"}) + "." + parts[1] + "."
		}},
		{"HS384 with the right key", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS384, claims(), testKey) }},
		{"HS512 with the right key", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS512, claims(), testKey) }},
		{"RS256", func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, claims(), rsaKey) }},
		{"another key", func(t *testing.T) string {
			tok, err := access.NewSigner(otherKey, clock).Issue(claims())
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}},
		{"another issuer", func(t *testing.T) string {
			c := claims()
			c.Issuer = "someone-else"
			return sign(t, jwt.SigningMethodHS256, c, testKey)
		}},
		{"missing jti", issuedWithout(func(c *access.LinkClaims) { c.ID = "" })},
		{"missing debtor", issuedWithout(func(c *access.LinkClaims) { c.DebtorID = "" })},
		{"missing creditor", issuedWithout(func(c *access.LinkClaims) { c.CreditorID = "" })},
		{"missing expiry", issuedWithout(func(c *access.LinkClaims) { c.ExpiresAt = nil })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := signer().Verify(tt.token(t))
			if !errors.Is(err, access.ErrTokenInvalid) {
				t.Fatalf("Verify = %v, want ErrTokenInvalid", err)
			}
			if got.ID != "" || got.DebtorID != "" || got.CreditorID != "" {
				t.Errorf("refused token returned claims %+v", got)
			}
		})
	}
}

// issuedWithout is a token issued by the right signer for claims() with
// one claim taken away by drop.
func issuedWithout(drop func(c *access.LinkClaims)) func(t *testing.T) string {
	return func(t *testing.T) string {
		c := claims()
		drop(&c)
		return issue(t, c)
	}
}

// An expired token whose signature is wrong is invalid, not expired: only a
// correctly signed token may make the portal look up its jti.
func TestVerifyExpiredAndForged(t *testing.T) {
	c := claims()
	c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Hour))
	for name, tok := range map[string]string{
		"another key": sign(t, jwt.SigningMethodHS256, c, otherKey),
		"alg none":    sign(t, jwt.SigningMethodNone, c, jwt.UnsafeAllowNoneSignatureType),
		"HS384":       sign(t, jwt.SigningMethodHS384, c, testKey),
	} {
		if _, err := signer().Verify(tok); !errors.Is(err, access.ErrTokenInvalid) {
			t.Errorf("%s: Verify(expired, forged) = %v, want ErrTokenInvalid", name, err)
		}
	}
}

func TestIssueRoundTrip(t *testing.T) {
	c := claims()
	c.Issuer = "" // Issue sets it
	tok := issue(t, c)
	header := decode(t, strings.Split(tok, ".")[0])
	if header["alg"] != "HS256" {
		t.Errorf("alg = %v, want HS256", header["alg"])
	}
	if _, err := signer().Verify(tok); err != nil {
		t.Errorf("Verify(Issue(c)) = %v", err)
	}
}

func TestDefaultTTL(t *testing.T) {
	for ch, want := range map[string]time.Duration{"letter": 60 * 24 * time.Hour, "sms": 14 * 24 * time.Hour, "email": 14 * 24 * time.Hour} {
		if got, ok := access.DefaultTTL(ch); !ok || got != want {
			t.Errorf("DefaultTTL(%q) = %v, %v; want %v", ch, got, ok, want)
		}
	}
	if _, ok := access.DefaultTTL("pigeon"); ok {
		t.Error("DefaultTTL(pigeon) ok")
	}
}

func TestCheckSecondFactor(t *testing.T) {
	birth := time.Date(1980, 2, 29, 0, 0, 0, 0, time.UTC)
	d := collect.Debtor{
		Address:   collect.Address{Street: "Dorpsstraat", HouseNumber: "12a", Postcode: "1234 AB", City: "Ergens"},
		BirthDate: &birth,
	}
	noAddress := collect.Debtor{BirthDate: &birth}
	noBirth := collect.Debtor{Address: d.Address}

	tests := []struct {
		name string
		kind string
		d    collect.Debtor
		a    access.Answer
		want bool
	}{
		{"exact", "address", d, access.Answer{Postcode: "1234 AB", HouseNumber: "12a"}, true},
		{"postcode without space, lower case", "address", d, access.Answer{Postcode: "1234ab", HouseNumber: "12a"}, true},
		{"postcode with extra spaces", "address", d, access.Answer{Postcode: "  1234  ab ", HouseNumber: " 12A "}, true},
		{"house number upper case with space", "address", d, access.Answer{Postcode: "1234AB", HouseNumber: "12 A"}, true},
		{"empty kind means address", "", d, access.Answer{Postcode: "1234AB", HouseNumber: "12a"}, true},
		{"wrong postcode", "address", d, access.Answer{Postcode: "1234 AC", HouseNumber: "12a"}, false},
		{"wrong house number", "address", d, access.Answer{Postcode: "1234 AB", HouseNumber: "12"}, false},
		{"other house number", "address", d, access.Answer{Postcode: "1234 AB", HouseNumber: "13a"}, false},
		{"postcode only", "address", d, access.Answer{Postcode: "1234 AB"}, false},
		{"house number only", "address", d, access.Answer{HouseNumber: "12a"}, false},
		{"empty answer", "address", d, access.Answer{}, false},
		{"birth date given for address question", "address", d, access.Answer{BirthDate: "1980-02-29"}, false},
		{"debtor without address", "address", noAddress, access.Answer{}, false},
		{"debtor without address, answer given", "address", noAddress, access.Answer{Postcode: "1234 AB", HouseNumber: "12a"}, false},
		{"debtor with half an address", "address", collect.Debtor{Address: collect.Address{Postcode: "1234 AB"}}, access.Answer{Postcode: "1234 AB"}, false},

		{"birth date", "birth_date", d, access.Answer{BirthDate: "1980-02-29"}, true},
		{"birth date with spaces", "birth_date", d, access.Answer{BirthDate: " 1980-02-29 "}, true},
		{"wrong birth date", "birth_date", d, access.Answer{BirthDate: "1980-03-01"}, false},
		{"birth date other notation", "birth_date", d, access.Answer{BirthDate: "29-02-1980"}, false},
		{"address given for birth date question", "birth_date", d, access.Answer{Postcode: "1234 AB", HouseNumber: "12a"}, false},
		{"empty birth date", "birth_date", d, access.Answer{}, false},
		{"debtor without birth date", "birth_date", noBirth, access.Answer{BirthDate: "1980-02-29"}, false},
		{"debtor without birth date, empty answer", "birth_date", noBirth, access.Answer{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := access.CheckSecondFactor(tt.kind, tt.d, tt.a); got != tt.want {
				t.Errorf("CheckSecondFactor(%q, %+v) = %v, want %v", tt.kind, tt.a, got, tt.want)
			}
		})
	}
}

func decode(t *testing.T, seg string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encode(t *testing.T, m map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}
