package console_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/console"
	"github.com/settle/settle/internal/postgres"
)

// TestParallelGuessesCannotSignInOnceLocked sends 19 wrong passwords and the
// right one at once. Each attempt is claimed in PostgreSQL before its
// password is checked, so once the fifth claim locks the account no attempt
// still in flight may sign in: the account never ends up both signed in
// and locked.
func TestParallelGuessesCannotSignInOnceLocked(t *testing.T) {
	t.Parallel()
	e, _ := newAgentEnv(t)
	const n = 20
	clients := e.Clients(n, "/console/login")
	pws := apptest.Guesses(n)
	statuses := apptest.AllAtOnce(n, func(i int) int {
		return clients[i].Post("/console/login", url.Values{"email": {"agent@example.nl"}, "password": {pws[i]}}).Status
	})

	signedIn := 0
	for i, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			signedIn++
			if i != n/2 {
				t.Errorf("wrong password %d signed in", i)
			}
		case http.StatusUnauthorized:
		default:
			t.Errorf("attempt %d: status %d", i, s)
		}
	}
	var sessions int
	if err := e.DB.PoolForTests().QueryRow(e.Ctx, `SELECT count(*) FROM sessions s JOIN agents a ON a.id = s.agent_id WHERE a.email = 'agent@example.nl'`).Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if sessions != signedIn {
		t.Errorf("%d sessions in PostgreSQL, %d sign-ins answered", sessions, signedIn)
	}
	a, err := e.DB.AgentByEmail(e.Ctx, "agent@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	locked := a.LockedUntil != nil && a.LockedUntil.After(e.DB.Now())
	if sessions > 0 && locked {
		t.Fatalf("signed in while the account is locked until %v", a.LockedUntil)
	}
	if sessions == 0 && !locked {
		t.Fatalf("19 wrong passwords at once left the account unlocked (%d failures)", a.Failed)
	}
	t.Logf("signed in: %d, locked: %v", sessions, locked)
}

// TestAddressLimit counts sign-in attempts per network address in
// PostgreSQL: two app instances on one database share the count.
func TestAddressLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.Build(e.DB)
	c1, c2 := e.Client(), e.Client().On(other)
	c1.Get("/console/login")
	c2.Get("/console/login")
	for i := range access.MaxAddressAttempts {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		// No password: the address counts before anything else, and no
		// slow password hash is spent on the test.
		apptest.WantStatus(t, fmt.Sprintf("attempt %d", i+1), c.Post("/console/login", url.Values{"email": {"someone@example.nl"}, "password": {""}}), http.StatusUnauthorized)
	}
	r := c2.Post("/console/login", url.Values{"email": {"someone@example.nl"}, "password": {""}})
	apptest.WantStatus(t, fmt.Sprintf("attempt %d from one address", access.MaxAddressAttempts+1), r, http.StatusTooManyRequests)
	apptest.WantContains(t, "too many attempts", r.Body, "Too many sign-in attempts", "Wait 15 minutes and try again")
	// The code step counts too.
	apptest.WantStatus(t, "a code from the same address", c1.Post("/console/login/code", url.Values{"code": {"123456"}}), http.StatusTooManyRequests)
	e.Clock.Advance(access.AddressWindow)
	apptest.WantStatus(t, "after the window", c1.Post("/console/login", url.Values{"email": {"someone@example.nl"}, "password": {""}}), http.StatusUnauthorized)
}

func TestTwoStepSignIn(t *testing.T) {
	t.Parallel()
	e, _ := newAgentEnv(t)
	c := e.signedIn("agent@example.nl")

	// Enrol: the page shows the key and the otpauth URI; a code confirms it.
	r := c.Get("/console/security")
	apptest.WantStatus(t, "security page", r, http.StatusOK)
	a, err := e.DB.AgentByEmail(e.Ctx, "agent@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	apptest.WantContains(t, "enrolment", r.Body, a.TOTPPending, html.EscapeString("otpauth://totp/Settle:agent@example.nl?"))
	apptest.WantStatus(t, "wrong enrolment code", c.Post("/console/security", url.Values{"code": {"000000"}}), http.StatusUnprocessableEntity)
	r = c.Post("/console/security", url.Values{"code": {e.Code("agent@example.nl")}})
	apptest.WantStatus(t, "enrolment code", r, http.StatusOK)
	apptest.WantContains(t, "enrolment code", r.Body, "Two-step sign-in is on")
	apptest.WantStatus(t, "sign out", c.Post("/console/logout", nil), http.StatusOK)

	// The password alone gives no session; the code step follows.
	e.Clock.Advance(30 * time.Second)
	r = c.Login("agent@example.nl", password)
	apptest.WantStatus(t, "right password", r, http.StatusOK)
	apptest.WantContains(t, "code step", r.Body, `action="/console/login/code"`)
	if ck := r.Cookie(console.SessionCookie); ck != nil && ck.Value != "" {
		t.Fatal("a session cookie before the second factor")
	}
	apptest.WantStatus(t, "queue before the code", c.Get("/console"), http.StatusSeeOther)
	r = c.Post("/console/login/code", url.Values{"code": {"000000"}})
	apptest.WantStatus(t, "wrong code", r, http.StatusUnauthorized)
	apptest.WantContains(t, "wrong code", r.Body, "The code is not right")
	code := e.Code("agent@example.nl")
	apptest.WantStatus(t, "right code", c.Post("/console/login/code", url.Values{"code": {code}}), http.StatusSeeOther)
	apptest.WantStatus(t, "queue", c.Get("/console"), http.StatusOK)
	apptest.WantStatus(t, "sign out", c.Post("/console/logout", nil), http.StatusOK)

	// The same code again, in the same time step, is refused.
	c.Login("agent@example.nl", password)
	r = c.Post("/console/login/code", url.Values{"code": {code}})
	apptest.WantStatus(t, "replayed code", r, http.StatusUnauthorized)
	apptest.WantContains(t, "replayed code", r.Body, "This code was used already")
	e.Clock.Advance(30 * time.Second)
	apptest.WantStatus(t, "the next code", c.Post("/console/login/code", url.Values{"code": {e.Code("agent@example.nl")}}), http.StatusSeeOther)
	apptest.WantStatus(t, "queue", c.Get("/console"), http.StatusOK)
	apptest.WantStatus(t, "sign out", c.Post("/console/logout", nil), http.StatusOK)

	// Wrong codes count toward the lockout: after MaxLoginFailures of them,
	// even the right code does not get in.
	e.Clock.Advance(30 * time.Second)
	c.Login("agent@example.nl", password)
	for i := range access.MaxLoginFailures {
		apptest.WantStatus(t, fmt.Sprintf("wrong code %d", i+1), c.Post("/console/login/code", url.Values{"code": {fmt.Sprintf("%06d", i)}}), http.StatusUnauthorized)
	}
	r = c.Post("/console/login/code", url.Values{"code": {e.Code("agent@example.nl")}})
	apptest.WantStatus(t, "right code while locked", r, http.StatusUnauthorized)
	apptest.WantContains(t, "right code while locked", r.Body, html.EscapeString("The email address or password is not right"))
	apptest.WantStatus(t, "queue", c.Get("/console"), http.StatusSeeOther)
}

// TestAdminMustEnrol: an admin without a second factor sets one up before
// getting in, and needs a code from then on.
func TestAdminMustEnrol(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.Agent("admin@example.nl", "admin")
	c := e.Client()
	r := c.Login("admin@example.nl", password)
	apptest.WantStatus(t, "admin's password", r, http.StatusOK)
	a, err := e.DB.AgentByEmail(e.Ctx, "admin@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	if a.TOTPPending == "" || a.TOTPSecret != "" {
		t.Fatalf("after the password: pending %q, secret %q; want a pending secret only", a.TOTPPending, a.TOTPSecret)
	}
	apptest.WantContains(t, "enrolment at sign-in", r.Body, "Set up your sign-in code", a.TOTPPending, "otpauth://totp/")
	apptest.WantStatus(t, "queue before enrolling", c.Get("/console"), http.StatusSeeOther)
	apptest.WantStatus(t, "enrolment code", c.Post("/console/login/code", url.Values{"code": {e.Code("admin@example.nl")}}), http.StatusSeeOther)
	apptest.WantStatus(t, "queue", c.Get("/console"), http.StatusOK)
	apptest.WantStatus(t, "sign out", c.Post("/console/logout", nil), http.StatusOK)

	e.Clock.Advance(30 * time.Second)
	r = c.Login("admin@example.nl", password)
	apptest.WantContains(t, "second sign-in", r.Body, "Enter your sign-in code")
	apptest.WantNotContains(t, "second sign-in", r.Body, a.TOTPPending)
	// A code step without a pending sign-in starts over.
	d := e.Client()
	d.Get("/console/login")
	r = d.Post("/console/login/code", url.Values{"code": {e.Code("admin@example.nl")}})
	apptest.WantStatus(t, "code without a password", r, http.StatusUnauthorized)
	apptest.WantContains(t, "code without a password", r.Body, "Your sign-in has expired")
}

// TestLockedByOthersWhileChecking: a right password whose claim was taken
// before other attempts locked the account does not sign in.
func TestLockedByOthersWhileChecking(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	a := e.Agent("agent@example.nl", "agent", cr.ID)
	mine, err := e.DB.ClaimLogin(e.Ctx, a.ID, access.MaxLoginFailures, access.LockDuration)
	if err != nil || !mine.Claimed || mine.Lock != nil {
		t.Fatalf("first claim: %+v, %v", mine, err)
	}
	var last = mine
	for range access.MaxLoginFailures - 1 {
		if last, err = e.DB.ClaimLogin(e.Ctx, a.ID, access.MaxLoginFailures, access.LockDuration); err != nil || !last.Claimed {
			t.Fatalf("claim: %+v, %v", last, err)
		}
	}
	if last.Lock == nil {
		t.Fatalf("the %dth claim set no lock", access.MaxLoginFailures)
	}
	if c, err := e.DB.ClaimLogin(e.Ctx, a.ID, access.MaxLoginFailures, access.LockDuration); err != nil || c.Claimed {
		t.Fatalf("claim while locked: %+v, %v", c, err)
	}
	if ok, err := e.DB.FinishLogin(e.Ctx, a.ID, mine); err != nil || ok {
		t.Fatalf("finishing the first claim after the lock: %v, %v; want false", ok, err)
	}
	if ok, err := e.DB.ReleaseLogin(e.Ctx, a.ID, mine, access.MaxLoginFailures); err != nil || ok {
		t.Fatalf("releasing the first claim after the lock: %v, %v; want false", ok, err)
	}
	// The claim that set the lock, if its answer is right, may finish.
	if ok, err := e.DB.FinishLogin(e.Ctx, a.ID, last); err != nil || !ok {
		t.Fatalf("finishing the locking claim: %v, %v; want true", ok, err)
	}
	got, err := e.DB.AgentByEmail(e.Ctx, "agent@example.nl")
	if err != nil || got.LockedUntil != nil || got.Failed != 0 {
		t.Fatalf("after finishing: %+v, %v", got, err)
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	e, _ := newAgentEnv(t)

	c := e.Client()
	r := c.Get("/console")
	apptest.WantStatus(t, "queue before sign-in", r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/console/login" {
		t.Fatalf("queue before sign-in: location %q, want /console/login", loc)
	}

	// A wrong password and an unknown email get the same answer.
	wrong := c.Login("agent@example.nl", "not the password at all")
	apptest.WantStatus(t, "wrong password", wrong, http.StatusUnauthorized)
	unknown := c.Login("nobody@example.nl", "not the password at all")
	apptest.WantStatus(t, "unknown email", unknown, http.StatusUnauthorized)
	msg := html.EscapeString("The email address or password is not right")
	apptest.WantContains(t, "wrong password", wrong.Body, msg)
	apptest.WantContains(t, "unknown email", unknown.Body, msg)
	if a, b := strings.ReplaceAll(wrong.Body, "agent@example.nl", "X"), strings.ReplaceAll(unknown.Body, "nobody@example.nl", "X"); stripCSRF(a) != stripCSRF(b) {
		t.Errorf("wrong password and unknown email give different pages:\n%s\n---\n%s", a, b)
	}
	if ck := wrong.Cookie(console.SessionCookie); ck != nil && ck.Value != "" {
		t.Error("a wrong password set a session cookie")
	}

	r = c.Login("Agent@Example.nl ", password)
	apptest.WantStatus(t, "right password", r, http.StatusSeeOther)
	ck := r.Cookie(console.SessionCookie)
	if ck == nil || ck.Value == "" {
		t.Fatal("no session cookie after signing in")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/console" || ck.Secure {
		t.Errorf("session cookie: HttpOnly %v, SameSite %v, Path %q, Secure %v; want HttpOnly, Lax, /console, not Secure on http",
			ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure)
	}
	r = c.Get("/console")
	apptest.WantStatus(t, "queue", r, http.StatusOK)
	apptest.WantContains(t, "queue", r.Body, "<h1>Work queue</h1>", "agent@example.nl")
	// The right password cleared the count of wrong ones.
	a, err := e.DB.AgentByEmail(e.Ctx, "agent@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	if a.Failed != 0 || a.LockedUntil != nil {
		t.Errorf("after a right password: %d failures, locked until %v", a.Failed, a.LockedUntil)
	}
	// The sign-in page sends a signed-in user on to the queue.
	apptest.WantStatus(t, "sign-in page when signed in", c.Get("/console/login"), http.StatusSeeOther)

	// Sign out: the session is gone in the database, not only the cookie.
	tok := ck.Value
	r = c.Post("/console/logout", nil)
	apptest.WantStatus(t, "sign out", r, http.StatusOK)
	apptest.WantContains(t, "sign out", r.Body, "You are signed out")
	if _, err := e.DB.SessionByToken(e.Ctx, "agent", tok); !collect.IsNotFound(err) {
		t.Errorf("session after sign-out: %v, want not found", err)
	}
	c.Jar[console.SessionCookie] = tok
	apptest.WantStatus(t, "old cookie after sign-out", c.Get("/console"), http.StatusSeeOther)
}

func stripCSRF(s string) string { return apptest.CSRFField.ReplaceAllString(s, "") }

func TestSessionIdleAndCookieSecureOnHTTPS(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, config.Config{BaseURL: "https://settle.example"})
	cr := e.creditor("Zonnestroom")
	e.Agent("agent@example.nl", "agent", cr.ID)
	c := e.Client()
	// Over https, with no Referer at all (every page says no-referrer): the
	// CSRF check needs none.
	c.Header.Set("X-Forwarded-Proto", "https")
	r := c.Login("agent@example.nl", password)
	apptest.WantStatus(t, "sign in over https", r, http.StatusSeeOther)
	if ck := r.Cookie(console.SessionCookie); ck == nil || !ck.Secure {
		t.Fatalf("session cookie over https: %+v, want Secure", ck)
	}
	r = c.Get("/console")
	apptest.WantStatus(t, "queue", r, http.StatusOK)
	if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("console Referrer-Policy = %q, want no-referrer", got)
	}
	// A note posted over https with the page's token is accepted.
	d := e.debtor(cr, "D", "Jan Jansen")
	c.Get("/console/debtors/" + d.ID)
	c.Header.Set("Referer", "https://settle.test/console/debtors/"+d.ID)
	apptest.WantStatus(t, "note over https", c.Post("/console/debtors/"+d.ID+"/notes", url.Values{"body": {"hello"}}), http.StatusSeeOther)
	// Idle for longer than the sessions table allows: signed out.
	e.Clock.Advance(postgres.SessionIdle + time.Minute)
	apptest.WantStatus(t, "queue after idling", c.Get("/console"), http.StatusSeeOther)
}

func TestBruteForceLocks(t *testing.T) {
	t.Parallel()
	e, _ := newAgentEnv(t)
	c := e.Client()
	for i := range access.MaxLoginFailures {
		apptest.WantStatus(t, fmt.Sprintf("wrong password %d", i+1), c.Login("agent@example.nl", fmt.Sprintf("guess number %d!", i)), http.StatusUnauthorized)
	}
	a, err := e.DB.AgentByEmail(e.Ctx, "agent@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	if a.LockedUntil == nil || !a.LockedUntil.After(e.DB.Now()) {
		t.Fatalf("after %d wrong passwords: locked until %v, want a lock in PostgreSQL", access.MaxLoginFailures, a.LockedUntil)
	}
	// Locked: even the right password does not get in, with the same message.
	r := c.Login("agent@example.nl", password)
	apptest.WantStatus(t, "right password while locked", r, http.StatusUnauthorized)
	apptest.WantContains(t, "right password while locked", r.Body, html.EscapeString("The email address or password is not right"))
	e.Clock.Advance(access.LockDuration - time.Minute)
	apptest.WantStatus(t, "right password a minute before the lock ends", c.Login("agent@example.nl", password), http.StatusUnauthorized)
	e.Clock.Advance(time.Minute + time.Second)
	c.SignInAgent("agent@example.nl")
}
