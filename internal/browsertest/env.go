// Package browsertest runs Settle end to end for browser journeys: the whole
// app on a fresh database with demo data, served on a local port, and a
// headless Chromium driven with chromedp, with helpers for screenshots and
// axe-core accessibility checks.
//
// A test package that uses it calls pgtest.Main from its TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }
//
// and a journey looks like:
//
//	env := browsertest.Start(t)
//	ctx := browsertest.Browser(t)
//	browsertest.Open(t, ctx, env.Debtor(t, "partly paid").Link)
//	browsertest.Axe(t, ctx, "second factor")
package browsertest

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/demo"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// Env is one running Settle: its own database, the app on a local port and
// the demo data in it.
type Env struct {
	// URL is the base URL of the app, such as http://127.0.0.1:41234.
	URL string
	// DB is the app's store. Its clock is Clock.
	DB *postgres.DB
	// Demo is what demo.Seed created: creditors, debtors with their links and
	// second factors, agents.
	Demo demo.Output
	// Clock is the clock of DB and the link signer. It runs in real time
	// until a test sets it.
	Clock *Clock
	// App is the built app, for tests that need to reach its parts.
	App *app.App
	// Signer signs and verifies magic links with the app's key.
	Signer *access.Signer
}

// Options say how StartWith builds the app.
type Options struct {
	// Config is the app's configuration; StartWith sets BaseURL.
	Config config.Config
	// App are the build options of the app.
	App app.Options
}

// DemoOptions build the app as `settle demo` does without payment keys:
// iDEAL and card payments go to the Mollie fake inside the app, and the job
// workers run.
func DemoOptions() Options {
	return Options{
		Config: config.Config{IdealProvider: "mollie", CardProvider: "mollie"},
		App:    app.Options{FakeMollie: true, Work: true},
	}
}

// Start builds the whole app as the demo runs it (DemoOptions) on a fresh
// database, serves it on 127.0.0.1 on a free port, seeds demo data and stops
// it all when the test ends.
func Start(t *testing.T) *Env {
	t.Helper()
	return StartWith(t, DemoOptions())
}

// StartWith is Start with other options.
func StartWith(t *testing.T, opts Options) *Env {
	t.Helper()
	ctx := context.Background()
	_, dbURL := pgtest.New(t)
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	t.Cleanup(db.Close)
	clock := &Clock{}
	clock.Set(time.Now())
	db.Now = clock.Now

	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	signer := access.NewSigner(key, db.Now)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("browsertest: listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	// Warnings and errors (a 5xx logs one) show in the test output; the
	// access log of every request does not.
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := opts.Config
	cfg.BaseURL = base
	a, err := app.Build(cfg, db, signer, log, opts.App)
	if err != nil {
		ln.Close()
		t.Fatalf("browsertest: build app: %v", err)
	}
	if opts.App.Work {
		workCtx, stopWork := context.WithCancel(context.Background())
		if err := a.Start(workCtx); err != nil {
			stopWork()
			ln.Close()
			t.Fatalf("browsertest: start job workers: %v", err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := a.Stop(sctx); err != nil {
				t.Errorf("browsertest: stop job workers: %v", err)
			}
			stopWork()
		})
	}
	served := make(chan error, 1)
	go func() { served <- a.Fiber.Listener(ln) }()
	t.Cleanup(func() {
		// The browser is gone by now, but a connection it dropped mid-request
		// can keep fasthttp's shutdown waiting until its deadline: that is
		// the test harness's cleanup, not the journey, so it is logged. Any
		// other shutdown error still fails the test.
		if err := a.Fiber.ShutdownWithTimeout(10 * time.Second); errors.Is(err, context.DeadlineExceeded) {
			t.Logf("browsertest: shutdown: %v (a connection stayed open; the journey's checks are done)", err)
		} else if err != nil {
			t.Errorf("browsertest: shutdown: %v", err)
		}
		if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("browsertest: serve: %v", err)
		}
	})

	out, _, err := demo.Seed(ctx, db, signer, base, filepath.Join(t.TempDir(), "demo.json"), true)
	if err != nil {
		t.Fatalf("browsertest: seed demo data: %v", err)
	}
	return &Env{URL: base, DB: db, Demo: out, Clock: clock, App: a, Signer: signer}
}

// Debtor returns the demo debtor in the situation given (as demo.Seed names
// it, such as "past the 14-day term: costs added"), or fails the test.
func (e *Env) Debtor(t testing.TB, situation string) demo.Debtor {
	t.Helper()
	for _, d := range e.Demo.Debtors {
		if d.Situation == situation {
			return d
		}
	}
	t.Fatalf("browsertest: no demo debtor in situation %q", situation)
	return demo.Debtor{}
}

// Clock is a clock that tests can stop and move. Its zero value runs in real
// time. It is safe for concurrent use, since the app reads it on every request.
type Clock struct {
	mu  sync.Mutex
	set bool
	at  time.Time
	// since is when Set was called, so a set clock keeps ticking.
	since time.Time
}

// Now returns the current time of the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.set {
		return time.Now()
	}
	return c.at.Add(time.Since(c.since))
}

// Set makes the clock read t from now on, ticking forward in real time.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set, c.at, c.since = true, t, time.Now()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	now := c.Now()
	c.Set(now.Add(d))
}

// Real puts the clock back on real time.
func (c *Clock) Real() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set = false
}
