package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// link stores a link of a new consumer debtor ref on channel, issued now
// and valid for days, and returns the debtor's id and the link's id.
func (f *fixture) link(t *testing.T, ref, channel string, days int) (debtorID, jti string) {
	t.Helper()
	debtorID, jti = f.debtor(t, ref, collect.Consumer), uuid.NewString()
	now := f.clock.Now()
	if err := f.db.CreateLink(context.Background(), postgres.Link{JTI: jti, CreditorID: f.creditor.ID, DebtorID: debtorID,
		Channel: channel, IssuedAt: now, ExpiresAt: now.AddDate(0, 0, days)}); err != nil {
		t.Fatal(err)
	}
	return debtorID, jti
}

func TestClaimAttemptLockout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	_, jti := f.link(t, "K-1", "letter", 60)
	const maxAttempts, lockFor = 5, 15 * time.Minute
	for i := 1; i < maxAttempts; i++ {
		f.clock.Add(time.Minute)
		l, claimed, err := f.db.ClaimAttempt(ctx, jti, maxAttempts, lockFor)
		if err != nil || !claimed {
			t.Fatalf("attempt %d: claimed %v, %v", i, claimed, err)
		}
		if l.FailedAttempts != i || l.LockedUntil != nil {
			t.Fatalf("after %d attempts: attempts %d, locked until %v", i, l.FailedAttempts, l.LockedUntil)
		}
	}
	at := f.clock.Add(time.Minute)
	l, claimed, err := f.db.ClaimAttempt(ctx, jti, maxAttempts, lockFor)
	if err != nil || !claimed {
		t.Fatalf("fifth attempt: claimed %v, %v", claimed, err)
	}
	if l.LockedUntil == nil || !l.LockedUntil.Equal(at.Add(lockFor)) {
		t.Fatalf("after 5 attempts: locked until %v, want %v", l.LockedUntil, at.Add(lockFor))
	}
	// Locked: nothing can be claimed until the clock passes the lock.
	f.clock.Add(14 * time.Minute)
	if _, claimed, err := f.db.ClaimAttempt(ctx, jti, maxAttempts, lockFor); err != nil || claimed {
		t.Fatalf("14 minutes later: claimed %v, %v; want locked", claimed, err)
	}
	f.clock.Add(2 * time.Minute)
	if l, claimed, err = f.db.ClaimAttempt(ctx, jti, maxAttempts, lockFor); err != nil || !claimed || l.FailedAttempts != 1 || l.LockedUntil != nil {
		t.Fatalf("after the lock: %+v claimed %v, %v", l, claimed, err)
	}
	if err := f.db.ResetAttempts(ctx, jti); err != nil {
		t.Fatal(err)
	}
	if l, _ = f.db.LinkByJTI(ctx, jti); l.FailedAttempts != 0 || l.LockedUntil != nil {
		t.Errorf("after reset: %+v", l)
	}
	if _, _, err := f.db.ClaimAttempt(ctx, uuid.NewString(), maxAttempts, lockFor); !collect.IsNotFound(err) {
		t.Errorf("unknown link: %v, want not found", err)
	}
}

// Answers sent in parallel get no more than the allowed attempts.
func TestClaimAttemptParallel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	_, jti := f.link(t, "K-2", "letter", 60)
	var wg sync.WaitGroup
	var mu sync.Mutex
	claims := 0
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := f.db.ClaimAttempt(ctx, jti, 5, 15*time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				claims++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if claims != 5 {
		t.Fatalf("%d of 30 parallel attempts were let through, want 5", claims)
	}
}

func TestSessionLifetimes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	start := f.clock.Now()
	d, jti := f.link(t, "K-1", "sms", 14)
	newSession := func() string {
		t.Helper()
		tok, err := f.db.CreateSession(ctx, postgres.Session{Kind: "debtor", DebtorID: d, CreditorID: f.creditor.ID, LinkJTI: jti, Language: "nl"})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	alive := func(tok string) bool {
		t.Helper()
		s, err := f.db.SessionByToken(ctx, "debtor", tok)
		if collect.IsNotFound(err) {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		if s.DebtorID != d || s.CreditorID != f.creditor.ID || s.LinkJTI != jti || !s.LastSeenAt.Equal(f.clock.Now()) {
			t.Errorf("session %+v", s)
		}
		return true
	}

	// Idle timeout: 30 minutes after the last request.
	tok := newSession()
	if _, err := f.db.SessionByToken(ctx, "agent", tok); !collect.IsNotFound(err) {
		t.Errorf("a debtor session used as an agent session: %v", err)
	}
	f.clock.Add(29 * time.Minute)
	if !alive(tok) {
		t.Fatal("session gone after 29 idle minutes")
	}
	f.clock.Add(30*time.Minute - time.Second)
	if !alive(tok) {
		t.Fatal("session gone after 29:59 idle minutes")
	}
	f.clock.Add(30 * time.Minute)
	if alive(tok) {
		t.Fatal("session alive after 30 idle minutes")
	}

	// Maximum: 12 hours however active.
	f.clock.Set(start)
	tok = newSession()
	for f.clock.Now().Before(start.Add(12*time.Hour - 25*time.Minute)) {
		f.clock.Add(25 * time.Minute)
		if !alive(tok) {
			t.Fatalf("active session gone after %v", f.clock.Now().Sub(start))
		}
	}
	f.clock.Set(start.Add(12*time.Hour - time.Second))
	if !alive(tok) {
		t.Fatal("active session gone just before 12 hours")
	}
	f.clock.Set(start.Add(12 * time.Hour))
	if alive(tok) {
		t.Fatal("session alive after 12 hours")
	}
	n, err := f.db.DeleteExpiredSessions(ctx)
	if err != nil || n != 2 {
		t.Errorf("deleted %d expired sessions, %v; want 2", n, err)
	}
	if err := f.db.DeleteSession(ctx, newSession()); err != nil {
		t.Fatal(err)
	}
}
