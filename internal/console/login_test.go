package console_test

import (
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/console"
)

// TestParallelGuessesCannotSignInOnceLocked sends 19 wrong passwords and the
// right one at once. Each attempt is claimed in PostgreSQL before its
// password is checked, so once the fifth claim locks the account no attempt
// still in flight may sign in: the account never ends up both signed in
// and locked.
func TestParallelGuessesCannotSignInOnceLocked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	e.agent("agent@example.nl", "agent", cr.ID)
	const n = 20
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = e.client()
		clients[i].get("/console/login")
	}
	statuses := make([]int, n)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	for i, c := range clients {
		pw := fmt.Sprintf("wrong guess number %d", i)
		if i == n/2 {
			pw = password
		}
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			statuses[i] = c.post("/console/login", url.Values{"email": {"agent@example.nl"}, "password": {pw}}).Status
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()

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
	if err := e.db.PoolForTests().QueryRow(e.ctx, `SELECT count(*) FROM sessions s JOIN agents a ON a.id = s.agent_id WHERE a.email = 'agent@example.nl'`).Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if sessions != signedIn {
		t.Errorf("%d sessions in PostgreSQL, %d sign-ins answered", sessions, signedIn)
	}
	a, err := e.db.AgentByEmail(e.ctx, "agent@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	locked := a.LockedUntil != nil && a.LockedUntil.After(e.db.Now())
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
	other, err := app.Build(config.Config{BaseURL: "http://settle.test"}, e.db,
		access.NewSigner([]byte("console-test-signing-key-32-bytes!!"), e.db.Now), slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := e.client(), e.client()
	c2.app = other
	c1.get("/console/login")
	c2.get("/console/login")
	for i := range access.MaxAddressAttempts {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		// No password: the address counts before anything else, and no
		// slow password hash is spent on the test.
		wantStatus(t, fmt.Sprintf("attempt %d", i+1), c.post("/console/login", url.Values{"email": {"someone@example.nl"}, "password": {""}}), http.StatusUnauthorized)
	}
	r := c2.post("/console/login", url.Values{"email": {"someone@example.nl"}, "password": {""}})
	wantStatus(t, fmt.Sprintf("attempt %d from one address", access.MaxAddressAttempts+1), r, http.StatusTooManyRequests)
	wantContains(t, "too many attempts", r.Body, "Too many sign-in attempts", "Wait 15 minutes and try again")
	// The code step counts too.
	wantStatus(t, "a code from the same address", c1.post("/console/login/code", url.Values{"code": {"123456"}}), http.StatusTooManyRequests)
	e.clk.Advance(access.AddressWindow)
	wantStatus(t, "after the window", c1.post("/console/login", url.Values{"email": {"someone@example.nl"}, "password": {""}}), http.StatusUnauthorized)
}

func TestTwoStepSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	e.agent("agent@example.nl", "agent", cr.ID)
	c := e.client()
	c.signIn("agent@example.nl")

	// Enrol: the page shows the key and the otpauth URI; a code confirms it.
	r := c.get("/console/security")
	wantStatus(t, "security page", r, http.StatusOK)
	a, err := e.db.AgentByEmail(e.ctx, "agent@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, "enrolment", r.Body, a.TOTPPending, html.EscapeString("otpauth://totp/Settle:agent@example.nl?"))
	wantStatus(t, "wrong enrolment code", c.post("/console/security", url.Values{"code": {"000000"}}), http.StatusUnprocessableEntity)
	r = c.post("/console/security", url.Values{"code": {e.code("agent@example.nl")}})
	wantStatus(t, "enrolment code", r, http.StatusOK)
	wantContains(t, "enrolment code", r.Body, "Two-step sign-in is on")
	wantStatus(t, "sign out", c.post("/console/logout", nil), http.StatusOK)

	// The password alone gives no session; the code step follows.
	e.clk.Advance(30 * time.Second)
	r = c.login("agent@example.nl", password)
	wantStatus(t, "right password", r, http.StatusOK)
	wantContains(t, "code step", r.Body, `action="/console/login/code"`)
	if ck := r.cookie(console.SessionCookie); ck != nil && ck.Value != "" {
		t.Fatal("a session cookie before the second factor")
	}
	wantStatus(t, "queue before the code", c.get("/console"), http.StatusSeeOther)
	r = c.post("/console/login/code", url.Values{"code": {"000000"}})
	wantStatus(t, "wrong code", r, http.StatusUnauthorized)
	wantContains(t, "wrong code", r.Body, "The code is not right")
	code := e.code("agent@example.nl")
	wantStatus(t, "right code", c.post("/console/login/code", url.Values{"code": {code}}), http.StatusSeeOther)
	wantStatus(t, "queue", c.get("/console"), http.StatusOK)
	wantStatus(t, "sign out", c.post("/console/logout", nil), http.StatusOK)

	// The same code again, in the same time step, is refused.
	c.login("agent@example.nl", password)
	r = c.post("/console/login/code", url.Values{"code": {code}})
	wantStatus(t, "replayed code", r, http.StatusUnauthorized)
	wantContains(t, "replayed code", r.Body, "This code was used already")
	e.clk.Advance(30 * time.Second)
	wantStatus(t, "the next code", c.post("/console/login/code", url.Values{"code": {e.code("agent@example.nl")}}), http.StatusSeeOther)
	wantStatus(t, "queue", c.get("/console"), http.StatusOK)
	wantStatus(t, "sign out", c.post("/console/logout", nil), http.StatusOK)

	// Wrong codes count toward the lockout: after MaxLoginFailures of them,
	// even the right code does not get in.
	e.clk.Advance(30 * time.Second)
	c.login("agent@example.nl", password)
	for i := range access.MaxLoginFailures {
		wantStatus(t, fmt.Sprintf("wrong code %d", i+1), c.post("/console/login/code", url.Values{"code": {fmt.Sprintf("%06d", i)}}), http.StatusUnauthorized)
	}
	r = c.post("/console/login/code", url.Values{"code": {e.code("agent@example.nl")}})
	wantStatus(t, "right code while locked", r, http.StatusUnauthorized)
	wantContains(t, "right code while locked", r.Body, html.EscapeString("The email address or password is not right"))
	wantStatus(t, "queue", c.get("/console"), http.StatusSeeOther)
}

// TestAdminMustEnrol: an admin without a second factor sets one up before
// getting in, and needs a code from then on.
func TestAdminMustEnrol(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.agent("admin@example.nl", "admin")
	c := e.client()
	r := c.login("admin@example.nl", password)
	wantStatus(t, "admin's password", r, http.StatusOK)
	a, err := e.db.AgentByEmail(e.ctx, "admin@example.nl")
	if err != nil {
		t.Fatal(err)
	}
	if a.TOTPPending == "" || a.TOTPSecret != "" {
		t.Fatalf("after the password: pending %q, secret %q; want a pending secret only", a.TOTPPending, a.TOTPSecret)
	}
	wantContains(t, "enrolment at sign-in", r.Body, "Set up your sign-in code", a.TOTPPending, "otpauth://totp/")
	wantStatus(t, "queue before enrolling", c.get("/console"), http.StatusSeeOther)
	wantStatus(t, "enrolment code", c.post("/console/login/code", url.Values{"code": {e.code("admin@example.nl")}}), http.StatusSeeOther)
	wantStatus(t, "queue", c.get("/console"), http.StatusOK)
	wantStatus(t, "sign out", c.post("/console/logout", nil), http.StatusOK)

	e.clk.Advance(30 * time.Second)
	r = c.login("admin@example.nl", password)
	wantContains(t, "second sign-in", r.Body, "Enter your sign-in code")
	wantNotContains(t, "second sign-in", r.Body, a.TOTPPending)
	// A code step without a pending sign-in starts over.
	d := e.client()
	d.get("/console/login")
	r = d.post("/console/login/code", url.Values{"code": {e.code("admin@example.nl")}})
	wantStatus(t, "code without a password", r, http.StatusUnauthorized)
	wantContains(t, "code without a password", r.Body, "Your sign-in has expired")
}

// TestLockedByOthersWhileChecking: a right password whose claim was taken
// before other attempts locked the account does not sign in.
func TestLockedByOthersWhileChecking(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	a := e.agent("agent@example.nl", "agent", cr.ID)
	mine, err := e.db.ClaimLogin(e.ctx, a.ID, access.MaxLoginFailures, access.LockDuration)
	if err != nil || !mine.Claimed || mine.Lock != nil {
		t.Fatalf("first claim: %+v, %v", mine, err)
	}
	var last = mine
	for range access.MaxLoginFailures - 1 {
		if last, err = e.db.ClaimLogin(e.ctx, a.ID, access.MaxLoginFailures, access.LockDuration); err != nil || !last.Claimed {
			t.Fatalf("claim: %+v, %v", last, err)
		}
	}
	if last.Lock == nil {
		t.Fatalf("the %dth claim set no lock", access.MaxLoginFailures)
	}
	if c, err := e.db.ClaimLogin(e.ctx, a.ID, access.MaxLoginFailures, access.LockDuration); err != nil || c.Claimed {
		t.Fatalf("claim while locked: %+v, %v", c, err)
	}
	if ok, err := e.db.FinishLogin(e.ctx, a.ID, mine); err != nil || ok {
		t.Fatalf("finishing the first claim after the lock: %v, %v; want false", ok, err)
	}
	if ok, err := e.db.ReleaseLogin(e.ctx, a.ID, mine, access.MaxLoginFailures); err != nil || ok {
		t.Fatalf("releasing the first claim after the lock: %v, %v; want false", ok, err)
	}
	// The claim that set the lock, if its answer is right, may finish.
	if ok, err := e.db.FinishLogin(e.ctx, a.ID, last); err != nil || !ok {
		t.Fatalf("finishing the locking claim: %v, %v; want true", ok, err)
	}
	got, err := e.db.AgentByEmail(e.ctx, "agent@example.nl")
	if err != nil || got.LockedUntil != nil || got.Failed != 0 {
		t.Fatalf("after finishing: %+v, %v", got, err)
	}
}
