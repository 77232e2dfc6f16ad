package portal_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
)

func TestRevokedLink(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)

	check := func(what string, r response) {
		t.Helper()
		apptest.WantStatus(t, what, r, http.StatusGone)
		apptest.WantContains(t, what, r.Body, nl.T("error.link.revoked"), creditorName, creditorPhone, "klantenservice@example.nl")
		checkNoLeak(t, what, r.Body, debtorName, "Dorpsstraat", "7311 KL")
	}

	// Revoked through the API.
	tok, l := e.link(cr, d, "sms")
	req := httptest.NewRequest(http.MethodDelete, "/api/v1/links/"+l.JTI, nil)
	req.Header.Set("Authorization", "Bearer "+cr.Key)
	resp, err := e.App.Fiber.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE link: status %d", resp.StatusCode)
	}
	check("revoked by API", e.Client().Get("/l/"+tok))

	// Revoked in the database while the debtor is on the second-factor page.
	tok, l = e.link(cr, d, "email")
	c := e.Client()
	apptest.WantStatus(t, "open", c.OpenLink(tok), http.StatusOK)
	if err := e.DB.RevokeLink(e.Ctx, cr.ID, l.JTI); err != nil {
		t.Fatal(err)
	}
	check("revoked, verify form", c.Get("/verify"))
	check("revoked, answer", c.Answer("7311 KL", "12"))

	// A new letter ends the older letter's link.
	tok, _ = e.link(cr, d, "letter")
	e.link(cr, d, "letter")
	check("older letter", e.Client().Get("/l/"+tok))

	// Revoking a link signs out the sessions it opened.
	tok, l = e.link(cr, d, "sms")
	c = e.Client()
	c.SignInDebtor(tok, d)
	apptest.WantStatus(t, "overview", c.Get("/overview"), http.StatusOK)
	if err := e.DB.RevokeLink(e.Ctx, cr.ID, l.JTI); err != nil {
		t.Fatal(err)
	}
	apptest.WantStatus(t, "overview after revoke", c.Get("/overview"), http.StatusUnauthorized)
}

func TestExpiredLink(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)
	c, tok := e.opened(cr, d)

	e.Clock.Advance(61 * 24 * time.Hour)
	for what, r := range map[string]response{
		"open":   e.Client().Get("/l/" + tok),
		"form":   c.Get("/verify"),
		"answer": c.Answer("7311 KL", "12"),
	} {
		apptest.WantStatus(t, what, r, http.StatusGone)
		apptest.WantContains(t, what, r.Body, "werkt niet meer", nl.T("error.link.expired"), creditorName, creditorPhone, "klantenservice@example.nl")
		checkNoLeak(t, what, r.Body, debtorName, "Dorpsstraat")
		if r.Cookie("settle_session") != nil {
			t.Errorf("%s: expired link gave a session", what)
		}
	}

	// An SMS link lasts 14 days.
	e.Clock.Set(start)
	tok, _ = e.link(cr, d, "sms")
	e.Clock.Advance(14*24*time.Hour - time.Minute)
	apptest.WantStatus(t, "sms link on day 14", e.Client().Get("/l/"+tok), http.StatusSeeOther)
	e.Clock.Advance(time.Minute)
	apptest.WantStatus(t, "sms link after 14 days", e.Client().Get("/l/"+tok), http.StatusGone)
}

// TestInvalidLinksLookAlike: a tampered token, a token for another creditor or
// debtor, an unknown jti and random garbage all give one and the same page.
func TestInvalidLinksLookAlike(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	other := e.creditor("Water Zuid B.V.", "030 765 43 21")
	d := e.debtor(cr, "K-1", debtorName, "7311 KL", "12")
	d2 := e.debtor(cr, "K-2", "Piet Pieters", "5678 CD", "3")
	tok, l := e.link(cr, d, "letter")

	parts := strings.Split(tok, ".")
	sig := []byte(parts[2])
	if sig[len(sig)/2] == 'A' {
		sig[len(sig)/2] = 'B'
	} else {
		sig[len(sig)/2] = 'A'
	}
	forge := func(c access.LinkClaims) string {
		c.RegisteredClaims = jwt.RegisteredClaims{ID: c.ID, IssuedAt: jwt.NewNumericDate(start), ExpiresAt: jwt.NewNumericDate(start.Add(24 * time.Hour))}
		s, err := e.Signer.Issue(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	withID := func(id string) access.LinkClaims {
		return access.LinkClaims{DebtorID: d.ID, CreditorID: cr.ID, Channel: "letter", RegisteredClaims: jwt.RegisteredClaims{ID: id}}
	}
	otherCreditor := withID(l.JTI)
	otherCreditor.CreditorID = other.ID
	otherDebtor := withID(l.JTI)
	otherDebtor.DebtorID = d2.ID
	wrongKey, err := access.NewSigner([]byte("a-completely-different-key-of-32-bytes"), e.Clock.Now).Issue(withID(l.JTI))
	if err != nil {
		t.Fatal(err)
	}

	tokens := map[string]string{
		"tampered signature": parts[0] + "." + parts[1] + "." + string(sig),
		"tampered payload":   parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2],
		"truncated":          tok[:len(tok)-10],
		"another key":        wrongKey,
		"unknown jti":        forge(withID("3f0c7a52-8d1e-4b6a-9c2f-5e7d1a3b9c40")),
		"another creditor":   forge(otherCreditor),
		"another debtor":     forge(otherDebtor),
		"not a uuid jti":     forge(withID("1")),
		"alg none":           "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",
		"percent":            "%2e%2e%2f",
	}
	c := e.Client()
	c.Get("/") // one CSRF token for all pages below, so only the content can differ
	garbage := c.Get("/l/k3j4h5g6f7d8s9a0")
	apptest.WantStatus(t, "garbage", garbage, http.StatusNotFound)
	apptest.WantContains(t, "garbage", garbage.Body, nl.T("error.link.invalid"))
	checkNoLeak(t, "garbage", garbage.Body, creditorName, creditorPhone, debtorName)
	for name, bad := range tokens {
		r := c.Get("/l/" + bad)
		if r.Status != garbage.Status || r.Body != garbage.Body {
			t.Errorf("%s: status %d, body differs from an unknown link's:\n%s\n---\n%s", name, r.Status, r.Body, garbage.Body)
		}
		if r.Cookie("settle_link") != nil {
			t.Errorf("%s: set a link cookie", name)
		}
	}
	// The real token still works: nothing above locked or revoked it.
	apptest.WantStatus(t, "real token", e.Client().Get("/l/"+tok), http.StatusSeeOther)

	// A tampered token smuggled into the link cookie is no better.
	c.Jar["settle_link"] = tokens["tampered signature"]
	r := c.Get("/verify")
	apptest.WantStatus(t, "tampered cookie", r, http.StatusNotFound)
	apptest.WantNotContains(t, "tampered cookie", r.Body, creditorName)
	delete(c.Jar, "settle_link")
	r = c.Get("/verify")
	apptest.WantStatus(t, "no link cookie", r, http.StatusNotFound)
}

func TestLockout(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)
	c, tok := e.opened(cr, d)

	for i := 1; i < access.MaxAttempts; i++ {
		r := c.Answer("9999 ZZ", "1")
		apptest.WantStatus(t, "wrong answer", r, http.StatusUnprocessableEntity)
		apptest.WantContains(t, "wrong answer", r.Body, nl.T("verify.wrong", access.MaxAttempts-i))
	}
	r := c.Answer("9999 ZZ", "1")
	checkLocked(t, "fifth wrong answer", r, "10:15")

	// Locked: the right answer is refused, and so is the form.
	r = c.Answer("7311 KL", "12")
	checkLocked(t, "right answer while locked", r, "10:15")
	if r.Cookie("settle_session") != nil {
		t.Error("a locked link gave a session")
	}
	checkLocked(t, "form while locked", c.Get("/verify"), "10:15")
	e.Clock.Advance(14*time.Minute + 59*time.Second)
	checkLocked(t, "right answer a second early", c.Answer("7311 KL", "12"), "10:15")

	// After 15 minutes the right answer works.
	e.Clock.Advance(time.Second)
	r = c.Get("/verify")
	apptest.WantStatus(t, "form after the lock", r, http.StatusOK)
	r = c.Answer("7311 KL", "12")
	apptest.WantStatus(t, "right answer after the lock", r, http.StatusSeeOther)
	apptest.WantStatus(t, "overview", c.Get("/overview"), http.StatusOK)

	// The count starts again after a right answer.
	c2 := e.Client()
	c2.OpenLink(tok)
	r = c2.Answer("9999 ZZ", "1")
	apptest.WantContains(t, "wrong after sign-in", r.Body, nl.T("verify.wrong", access.MaxAttempts-1))
}

func checkLocked(t *testing.T, what string, r response, until string) {
	t.Helper()
	apptest.WantStatus(t, what, r, http.StatusTooManyRequests)
	apptest.WantContains(t, what, r.Body, nl.T("verify.locked", until), creditorPhone, nl.T("verify.locked.title"))
	apptest.WantNotContains(t, what, r.Body, `name="postcode"`, debtorName)
	checkNoLeak(t, what, r.Body)
}

// TestLockoutSharedByInstances: two server processes on one database count
// the wrong answers for a link together.
func TestLockoutSharedByInstances(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)
	tok, _ := e.link(cr, d, "letter")
	second := e.Build(e.OpenDB())

	one := e.Client()
	one.OpenLink(tok)
	two := one.On(second)
	for i := 1; i < access.MaxAttempts; i++ {
		c := one
		if i%2 == 0 {
			c = two
		}
		r := c.Answer("9999 ZZ", "1")
		apptest.WantStatus(t, "wrong answer", r, http.StatusUnprocessableEntity)
		apptest.WantContains(t, "wrong answer", r.Body, nl.T("verify.wrong", access.MaxAttempts-i))
		one.CSRF, two.CSRF = c.CSRF, c.CSRF
	}
	checkLocked(t, "fifth wrong answer, first instance", one.Answer("9999 ZZ", "1"), "10:15")
	two.CSRF = one.CSRF
	checkLocked(t, "second instance", two.Get("/verify"), "10:15")
	checkLocked(t, "right answer, second instance", two.Answer("7311 KL", "12"), "10:15")
	checkLocked(t, "right answer, first instance", one.Answer("7311 KL", "12"), "10:15")

	e.Clock.Advance(access.LockDuration)
	two.Get("/verify")
	apptest.WantStatus(t, "after the lock, second instance", two.Answer("7311 KL", "12"), http.StatusSeeOther)
}

func TestBirthDateQuestion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, start)
	cr, key, err := e.DB.CreateCreditor(e.Ctx, collect.Creditor{Name: creditorName, Phone: creditorPhone, PhoneHours: "op werkdagen", Email: "a@example.nl", SecondFactor: "birth_date"})
	if err != nil {
		t.Fatal(err)
	}
	crf := creditorFixture{Creditor: cr, Key: key}
	d := e.debtor(crf, "K-1", debtorName, "7311 KL", "12")
	tok, _ := e.link(crf, d, "sms")
	c := e.Client()
	r := c.OpenLink(tok)
	apptest.WantContains(t, "birth date form", r.Body, `name="birth_date"`, nl.T("verify.birth"))
	apptest.WantNotContains(t, "birth date form", r.Body, `name="postcode"`, "1975")
	apptest.WantStatus(t, "address answer", c.Answer("7311 KL", "12"), http.StatusUnprocessableEntity)
	apptest.WantStatus(t, "wrong date", c.Post("/verify", url.Values{"birth_date": {"1975-08-13"}}), http.StatusUnprocessableEntity)
	apptest.WantStatus(t, "right date", c.Post("/verify", url.Values{"birth_date": {"1975-08-14"}}), http.StatusSeeOther)
	apptest.WantStatus(t, "overview", c.Get("/overview"), http.StatusOK)
}

func TestSessionCookieSecure(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		baseURL string
		secure  bool
	}{
		{"http://settle.test", false},
		{"https://settle.test", true},
	} {
		t.Run(tt.baseURL, func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, start, config.Config{BaseURL: tt.baseURL})
			cr := e.creditor(creditorName, creditorPhone)
			d := e.debtor(cr, "K-1", debtorName, "7311 KL", "12")
			tok, _ := e.link(cr, d, "sms")
			c := e.Client()
			r := c.Get("/l/" + tok)
			apptest.WantStatus(t, "open link", r, http.StatusSeeOther)
			if ck := r.Cookie("settle_link"); ck == nil || ck.Secure != tt.secure {
				t.Errorf("link cookie = %+v, want Secure=%v", ck, tt.secure)
			}
			c.Get("/verify")
			r = c.Answer("7311 KL", "12")
			apptest.WantStatus(t, "verify", r, http.StatusSeeOther)
			ck := r.Cookie("settle_session")
			if ck == nil {
				t.Fatal("no session cookie")
			}
			if ck.Secure != tt.secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie = %+v, want Secure=%v, HttpOnly, SameSite=Lax", ck, tt.secure)
			}
			if ck := r.Cookie("settle_csrf"); ck != nil && (ck.Secure != tt.secure || ck.SameSite != http.SameSiteLaxMode) {
				t.Errorf("csrf cookie = %+v, want Secure=%v, SameSite=Lax", ck, tt.secure)
			}
		})
	}
}

func TestSessionIdle(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)
	c := e.signIn(cr, d)

	// Every page view keeps the session alive.
	for range 3 {
		e.Clock.Advance(29 * time.Minute)
		apptest.WantStatus(t, "overview within 30 minutes", c.Get("/overview"), http.StatusOK)
	}
	e.Clock.Advance(31 * time.Minute)
	r := c.Get("/overview")
	apptest.WantStatus(t, "overview after 31 idle minutes", r, http.StatusUnauthorized)
	apptest.WantContains(t, "idle", r.Body, nl.T("error.session"))
	checkNoLeak(t, "idle", r.Body, debtorName)
	if _, ok := c.Jar["settle_session"]; ok {
		t.Error("the ended session's cookie was not cleared")
	}
}

func TestSessionMax(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)
	c := e.signIn(cr, d)
	signedIn := e.Clock.Now()

	for e.Clock.Now().Add(25 * time.Minute).Before(signedIn.Add(12 * time.Hour)) {
		e.Clock.Advance(25 * time.Minute)
		apptest.WantStatus(t, "active session at "+e.Clock.Now().Format("15:04"), c.Get("/overview"), http.StatusOK)
	}
	e.Clock.Set(signedIn.Add(12 * time.Hour))
	r := c.Get("/overview")
	apptest.WantStatus(t, "active session after 12 hours", r, http.StatusUnauthorized)
	apptest.WantContains(t, "12 hours", r.Body, nl.T("error.session"))
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)
	c, tok := e.opened(cr, d)

	for what, form := range map[string]url.Values{
		"verify without _csrf":      {"postcode": {"7311 KL"}, "house_number": {"12"}},
		"verify with empty _csrf":   {"_csrf": {""}, "postcode": {"7311 KL"}, "house_number": {"12"}},
		"verify with another token": {"_csrf": {"forged-token"}, "postcode": {"7311 KL"}, "house_number": {"12"}},
	} {
		r := c.Do(http.MethodPost, "/verify", form)
		apptest.WantStatus(t, what, r, http.StatusForbidden)
		apptest.WantContains(t, what, r.Body, nl.T("error.forbidden"))
		checkNoLeak(t, what, r.Body, debtorName)
		if r.Cookie("settle_session") != nil {
			t.Errorf("%s: gave a session", what)
		}
	}
	// The right token from the page works; a token without its cookie does not.
	saved := c.CSRF
	delete(c.Jar, "settle_csrf")
	apptest.WantStatus(t, "token without cookie", c.Do(http.MethodPost, "/verify", url.Values{"_csrf": {saved}, "postcode": {"7311 KL"}, "house_number": {"12"}}), http.StatusForbidden)
	c.Get("/verify")
	c.SignInDebtor(tok, d)

	for _, path := range []string{"/signout", "/language"} {
		r := c.Do(http.MethodPost, path, url.Values{"lang": {"en"}, "back": {"/overview"}})
		apptest.WantStatus(t, path+" without _csrf", r, http.StatusForbidden)
	}
	// Neither went through: still signed in, still Dutch.
	r := c.Get("/overview")
	apptest.WantStatus(t, "overview", r, http.StatusOK)
	apptest.WantContains(t, "overview", r.Body, `<html lang="nl"`)

	// Every form on every page carries the token.
	for _, page := range []string{"/overview", "/verify"} {
		r := c.Get(page)
		if forms, tokens := strings.Count(r.Body, "<form"), strings.Count(r.Body, `name="_csrf" value="`+c.CSRF+`"`); forms != tokens || c.CSRF == "" {
			t.Errorf("%s: %d forms, %d carry the CSRF token", page, forms, tokens)
		}
	}
}

// TestWrongAnswerKeepsTyped: after a wrong second-factor answer the form
// shows the postcode and house number as typed, so one typo is one fix.
func TestWrongAnswerKeepsTyped(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)
	c, _ := e.opened(cr, d)
	r := c.Answer("7311 KM", "12a")
	apptest.WantStatus(t, "wrong answer", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "wrong answer", r.Body, `id="wrong"`, `value="7311 KM"`, `value="12a"`)
	apptest.WantNotContains(t, "fresh form", c.Get("/verify").Body, `value="7311 KM"`)
}
