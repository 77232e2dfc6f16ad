package apptest

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// Amsterdam is the time zone of the creditors and debtors the tests seed.
var Amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Start is where a test's clock starts unless it says otherwise: Monday 23
// November 2026, 10:00 in Amsterdam, so that no test depends on the real date.
var Start = time.Date(2026, 11, 23, 10, 0, 0, 0, Amsterdam)

// Password is the password of every agent the fixtures create.
const Password = "correct horse battery staple"

// BaseURL is the public address of an app that is not served on a socket.
const BaseURL = "http://settle.test"

// signingKey signs the magic links of every test app; tests never see it.
var signingKey = []byte("apptest-signing-key-of-32-bytes!!!!!")

// LogBuffer collects an app's log lines, for tests that check them and for
// the dump of a failed test.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; apps log from many goroutines at once.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns what was logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// NewDB opens a pool on a fresh database cloned from pgtest's template,
// with now as the store's clock (nil keeps the real one), and returns it
// with the database's URL.
func NewDB(t testing.TB, now func() time.Time) (*postgres.DB, string) {
	t.Helper()
	_, u := pgtest.New(t)
	return OpenDB(t, u, now), u
}

// OpenDB opens a pool on the database at u, closed when the test ends,
// with now as the store's clock (nil keeps the real one).
func OpenDB(t testing.TB, u string, now func() time.Time) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if now != nil {
		db.Now = now
	}
	return db
}

// Env is one test's app on its own fresh database, on a clock the test sets.
type Env struct {
	T   *testing.T
	Ctx context.Context
	// URL is the database's address, for more pools on it.
	URL    string
	DB     *postgres.DB
	Clock  *pgtest.Clock
	Signer *access.Signer
	Cfg    config.Config
	// App is nil for an Env made by NewStore.
	App  *app.App
	Logs *LogBuffer
	// Base is where the app's listener answers; "" when it is not served
	// and clients call it in process.
	Base string
	// Check runs on every response a client of this Env receives.
	Check func(t *testing.T, what string, r Response)
}

// Options say how New builds the app.
type Options struct {
	// At is where the clock starts; zero is Start.
	At time.Time
	// Config is the app's configuration. An empty BaseURL is BaseURL, or
	// the listener's address when the app is served.
	Config config.Config
	// Serve serves the app on a real socket on 127.0.0.1.
	Serve bool
	// Work runs River's workers until the test ends.
	Work bool
	// Check runs on every response a client receives.
	Check func(t *testing.T, what string, r Response)
}

// NewStore is an Env with its database, clock, signer and logs but no app:
// for tests that build their own app instances with BuildWith.
func NewStore(t *testing.T, at time.Time) *Env {
	t.Helper()
	if at.IsZero() {
		at = Start
	}
	e := &Env{T: t, Ctx: context.Background(), Clock: pgtest.NewClock(at), Logs: &LogBuffer{}}
	e.DB, e.URL = NewDB(t, e.Clock.Now)
	e.Signer = access.NewSigner(signingKey, e.Clock.Now)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("app logs:\n%s", e.Logs.String())
		}
	})
	return e
}

// New builds the whole app, as the binary does, on a fresh database.
func New(t *testing.T, o Options) *Env {
	t.Helper()
	e := NewStore(t, o.At)
	e.Check = o.Check
	e.Cfg = o.Config
	var ln net.Listener
	if o.Serve {
		ln, e.Base = Listen(t)
	}
	if e.Cfg.BaseURL == "" {
		e.Cfg.BaseURL = BaseURL
		if o.Serve {
			e.Cfg.BaseURL = e.Base
		}
	}
	e.App = e.BuildWith(e.DB, e.Cfg, app.Options{Work: o.Work})
	if o.Serve {
		Serve(t, e.App, ln)
	}
	if o.Work {
		StartWork(t, e.App)
	}
	return e
}

// OpenDB opens another pool on the test's database, on the same clock.
func (e *Env) OpenDB() *postgres.DB {
	e.T.Helper()
	return OpenDB(e.T, e.URL, e.Clock.Now)
}

// Build builds another app, with the Env's configuration, on db.
func (e *Env) Build(db *postgres.DB) *app.App {
	e.T.Helper()
	return e.BuildWith(db, e.Cfg, app.Options{})
}

// BuildWith builds an app on db that logs into the Env's logs and signs
// links with the Env's key on db's clock.
func (e *Env) BuildWith(db *postgres.DB, cfg config.Config, o app.Options) *app.App {
	e.T.Helper()
	log := slog.New(slog.NewTextHandler(e.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.Build(cfg, db, access.NewSigner(signingKey, db.Now), log, o)
	if err != nil {
		e.T.Fatal(err)
	}
	return a
}

// Listen opens a listener on a free port of 127.0.0.1 and returns it with
// its http address.
func Listen(t testing.TB) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, "http://" + ln.Addr().String()
}

// Serve serves a on ln until the test ends.
func Serve(t testing.TB, a *app.App, ln net.Listener) {
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = a.Fiber.Listener(ln)
	}()
	t.Cleanup(func() {
		_ = a.Fiber.ShutdownWithTimeout(5 * time.Second)
		<-served
	})
}

// StartWork runs a's River workers until the test ends.
func StartWork(t testing.TB, a *app.App) {
	t.Helper()
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Stop(ctx); err != nil {
			t.Errorf("stop river: %v", err)
		}
	})
}
