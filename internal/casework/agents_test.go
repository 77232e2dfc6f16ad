package casework_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

const agentPassword = "correct horse battery staple"

// agentsBundle is one test's database and clock with a creditor and a
// console user of each role, all with agentPassword and no second factor.
type agentsBundle struct{ caseDB }

func setupAgents(t *testing.T) *agentsBundle {
	t.Helper()
	b := &agentsBundle{newCaseDB(t, apptest.Start, collect.Creditor{Name: "Energie Noord B.V."})}
	hash, err := access.HashPassword(agentPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"agent", "admin"} {
		if _, err := b.db.CreateAgent(b.ctx, role+"@example.nl", role, hash, []string{b.cr.ID}); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (b *agentsBundle) signIn(email, pw string) (casework.AgentSignIn, error) {
	return casework.SignInAgent(b.ctx, b.db, casework.AgentCredentials{Email: email, Password: pw, Address: "192.0.2.1"})
}

// wantSignsIn fails the test, saying when, unless agent@example.nl signs
// in with the right password.
func (b *agentsBundle) wantSignsIn(t *testing.T, when string) {
	t.Helper()
	if res, err := b.signIn("agent@example.nl", agentPassword); err != nil || res.Session == "" {
		t.Fatalf("%s: %+v, %v", when, res, err)
	}
}

func (b *agentsBundle) agent(t *testing.T, email string) postgres.Agent {
	t.Helper()
	a, err := b.db.AgentByEmail(b.ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (b *agentsBundle) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, b.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// An agent without a second factor signs in with the password alone; the
// session names the agent and the creditors they may see, and ends on
// sign-out. A wrong password, an unknown email and an empty form all fail
// alike.
func TestSignInAgentWithPassword(t *testing.T) {
	b := setupAgents(t)
	for _, tc := range []struct{ email, pw string }{
		{"agent@example.nl", "wrong"}, {"nobody@example.nl", agentPassword}, {"", ""},
	} {
		if _, err := b.signIn(tc.email, tc.pw); !errors.Is(err, casework.ErrSignInFailed) {
			t.Errorf("sign in %q: err %v, want ErrSignInFailed", tc.email, err)
		}
	}
	res, err := b.signIn("agent@example.nl", agentPassword)
	if err != nil || res.Session == "" || res.Pending != "" {
		t.Fatalf("sign in: %+v, %v; want a session", res, err)
	}
	a, ids, err := casework.AgentSession(b.ctx, b.db, res.Session)
	if err != nil || a.Email != "agent@example.nl" || len(ids) != 1 || ids[0] != b.cr.ID {
		t.Fatalf("session: %q %v %v", a.Email, ids, err)
	}
	if got := b.agent(t, "agent@example.nl"); got.Failed != 0 {
		t.Errorf("failed count %d after a right password, want 0", got.Failed)
	}
	if err := casework.SignOutAgent(b.ctx, b.db, res.Session); err != nil {
		t.Fatal(err)
	}
	if _, _, err := casework.AgentSession(b.ctx, b.db, res.Session); !collect.IsNotFound(err) {
		t.Errorf("session after sign-out: %v, want not found", err)
	}
	if _, _, err := casework.AgentSession(b.ctx, b.db, ""); !collect.IsNotFound(err) {
		t.Errorf("no token: %v, want not found", err)
	}
}

// access.MaxLoginFailures wrong passwords lock the account: the right one
// fails too until access.LockDuration has passed.
func TestSignInAgentLockout(t *testing.T) {
	b := setupAgents(t)
	for range access.MaxLoginFailures {
		if _, err := b.signIn("agent@example.nl", "wrong"); !errors.Is(err, casework.ErrSignInFailed) {
			t.Fatalf("wrong password: %v", err)
		}
	}
	if _, err := b.signIn("agent@example.nl", agentPassword); !errors.Is(err, casework.ErrSignInFailed) {
		t.Fatalf("right password while locked: %v, want ErrSignInFailed", err)
	}
	b.clk.Advance(access.LockDuration + time.Second)
	b.wantSignsIn(t, "after the lock")
}

// More than access.MaxAddressAttempts attempts from one address in the
// window are refused before any account is looked at.
func TestSignInAgentAddressLimit(t *testing.T) {
	b := setupAgents(t)
	for i := range access.MaxAddressAttempts {
		if _, err := b.signIn(fmt.Sprintf("nobody%d@example.nl", i), "wrong"); !errors.Is(err, casework.ErrSignInFailed) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := b.signIn("agent@example.nl", agentPassword); !errors.Is(err, casework.ErrTooManySignIns) {
		t.Fatalf("past the limit: %v, want ErrTooManySignIns", err)
	}
	if _, err := casework.ConfirmAgentCode(b.ctx, b.db, b.clk.Now(), casework.AgentCode{Address: "192.0.2.1"}); !errors.Is(err, casework.ErrTooManySignIns) {
		t.Fatalf("code past the limit: %v, want ErrTooManySignIns", err)
	}
	b.clk.Advance(access.AddressWindow + time.Second)
	b.wantSignsIn(t, "after the window")
}

// An admin without a second factor enrols at sign-in: the password starts
// a pending sign-in with a key; a wrong code keeps it pending, the right one
// confirms the key and signs in, and the same code cannot sign in again.
func TestAdminEnrolsAtSignIn(t *testing.T) {
	b := setupAgents(t)
	res, err := b.signIn("admin@example.nl", agentPassword)
	if err != nil || res.Session != "" || res.Pending == "" || res.Enrol == nil {
		t.Fatalf("admin password: %+v, %v; want a pending sign-in with a key", res, err)
	}
	key := res.Enrol.Secret
	in := casework.AgentCode{Pending: res.Pending, Code: "000000", Address: "192.0.2.1"}
	if in.Code == b.code(t, key) {
		in.Code = "111111"
	}
	wrong, err := casework.ConfirmAgentCode(b.ctx, b.db, b.clk.Now(), in)
	if !errors.Is(err, casework.ErrCodeWrong) || wrong.Enrol == nil || wrong.Enrol.Secret != key {
		t.Fatalf("wrong code: %+v, %v; want ErrCodeWrong with the key", wrong, err)
	}
	in.Code = b.code(t, key)
	done, err := casework.ConfirmAgentCode(b.ctx, b.db, b.clk.Now(), in)
	if err != nil || done.Session == "" {
		t.Fatalf("right code: %+v, %v", done, err)
	}
	if a := b.agent(t, "admin@example.nl"); a.TOTPSecret != key || a.TOTPPending != "" {
		t.Errorf("after enrolment: secret %q pending %q; want the key confirmed", a.TOTPSecret, a.TOTPPending)
	}
	if _, err := casework.ConfirmAgentCode(b.ctx, b.db, b.clk.Now(), in); !errors.Is(err, casework.ErrSignInExpired) {
		t.Errorf("the finished pending sign-in again: %v, want ErrSignInExpired", err)
	}
	again, err := b.signIn("admin@example.nl", agentPassword)
	if err != nil || again.Pending == "" || again.Enrol != nil {
		t.Fatalf("second sign-in: %+v, %v; want a pending sign-in without a key", again, err)
	}
	in.Pending = again.Pending
	if _, err := casework.ConfirmAgentCode(b.ctx, b.db, b.clk.Now(), in); !errors.Is(err, casework.ErrCodeUsed) {
		t.Errorf("the used code again: %v, want ErrCodeUsed", err)
	}
}

// A signed-in agent turns on a second factor: the key shown stays the same
// until a code confirms it; then it is on.
func TestTOTPEnrolment(t *testing.T) {
	b := setupAgents(t)
	a := b.agent(t, "agent@example.nl")
	k, err := casework.ConfirmTOTPEnrolment(b.ctx, b.db, b.clk.Now(), a, "123456")
	if !errors.Is(err, casework.ErrNoTOTPKey) || k.Secret == "" {
		t.Fatalf("code before a key: %+v, %v; want ErrNoTOTPKey with a key", k, err)
	}
	a = b.agent(t, "agent@example.nl")
	if shown, err := casework.StartTOTPEnrolment(b.ctx, b.db, a); err != nil || shown.Secret != k.Secret {
		t.Fatalf("security page: %+v, %v; want the key shown before", shown, err)
	}
	if _, err := casework.ConfirmTOTPEnrolment(b.ctx, b.db, b.clk.Now(), a, b.code(t, k.Secret)); err != nil {
		t.Fatalf("right code: %v", err)
	}
	a = b.agent(t, "agent@example.nl")
	if a.TOTPSecret != k.Secret {
		t.Fatalf("secret %q, want %q", a.TOTPSecret, k.Secret)
	}
	if _, err := casework.StartTOTPEnrolment(b.ctx, b.db, a); !errors.Is(err, casework.ErrTOTPOn) {
		t.Errorf("security page when on: %v, want ErrTOTPOn", err)
	}
	if res, err := b.signIn("agent@example.nl", agentPassword); err != nil || res.Pending == "" || res.Session != "" {
		t.Errorf("sign-in with a second factor: %+v, %v; want a pending sign-in", res, err)
	}
}
