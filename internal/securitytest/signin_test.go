package securitytest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
)

// TestParallelSignInGuesses is the probe: 19 wrong passwords and the right
// one sent at once over real connections. However they interleave, the
// account never ends up both signed in and locked, and once it is locked the
// right password gets no session. Then the per-address limit: past
// access.MaxAddressAttempts attempts from one address, every further one is
// refused with 429 before any password is looked at.
func TestParallelSignInGuesses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{})
	const n = 20
	clients := e.Clients(n, "/console/login")
	pws := apptest.Guesses(n)
	statuses := apptest.AllAtOnce(n, func(i int) int {
		c := clients[i]
		form := url.Values{"_csrf": {c.CSRF}, "email": {e.agent.Email}, "password": {pws[i]}}
		r, err := c.Try(http.MethodPost, "/console/login", strings.NewReader(form.Encode()),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
		if err != nil {
			t.Errorf("attempt %d: %v", i, err)
		}
		return r.Status
	})
	for i, s := range statuses {
		if s != http.StatusUnauthorized && !(i == n/2 && s == http.StatusSeeOther) {
			t.Errorf("attempt %d: status %d", i, s)
		}
	}
	sessions := e.Count(`SELECT count(*) FROM sessions WHERE agent_id = $1`, e.agent.ID)
	a, err := e.DB.AgentByID(e.Ctx, e.agent.ID)
	if err != nil {
		t.Fatal(err)
	}
	locked := a.LockedUntil != nil && a.LockedUntil.After(e.DB.Now())
	switch {
	case sessions > 0 && locked:
		t.Fatalf("signed in while the account is locked until %v", a.LockedUntil)
	case sessions == 0 && !locked:
		t.Fatalf("19 wrong passwords at once left the account unlocked (%d failures)", a.Failed)
	case sessions > 1:
		t.Fatalf("%d sessions from one right password", sessions)
	}
	if statuses[n/2] == http.StatusSeeOther && sessions != 1 {
		t.Errorf("the right password was answered as signed in, but %d sessions exist", sessions)
	}
	// Once locked, the right password gets no session.
	if locked {
		r := e.Client().Login(e.agent.Email, password)
		wantStatus(t, "right password while locked", r, http.StatusUnauthorized)
		if got := e.Count(`SELECT count(*) FROM sessions WHERE agent_id = $1`, e.agent.ID); got != 0 {
			t.Errorf("%d sessions after the right password while locked", got)
		}
	}

	// The per-address limit counts every attempt from this address, those
	// above included, and then refuses even the right password of another
	// account.
	used := n + 1
	c := e.Client()
	for i := used; i < access.MaxAddressAttempts; i++ {
		wantStatus(t, fmt.Sprintf("attempt %d from one address", i+1), c.Login("nobody@example.nl", "wrong"), http.StatusUnauthorized)
	}
	r := c.Login(e.finance.Email, password)
	wantStatus(t, "the finance user's right password past the address limit", r, http.StatusTooManyRequests)
	if got := e.Count(`SELECT count(*) FROM sessions WHERE agent_id = $1`, e.finance.ID); got != 0 {
		t.Errorf("%d sessions past the address limit", got)
	}
}
