// Command settle-bench runs the benchmarks the issues ask for against a real
// PostgreSQL and the real app (make bench). It is not a test: it prints
// figures and the targets they are held to, and asserts nothing.
//
//	settle-bench portal    the debtor overview over HTTP (wrk) against the
//	                       same store calls straight through pgx (the ceiling)
//	settle-bench webhooks  signed Stripe events at POST /webhooks/stripe,
//	                       accepted and then booked by River's workers
//	settle-bench camt      a CAMT.053 file of 1,000,000 entries imported
//	                       against COPY of the same rows
//	settle-bench letters   a day's 14-day letters (PDF, both QR codes) for
//	                       100,000 debtors, in batches, one worker per core
//	settle-bench scale     the overview at 10,000, 100,000 and 1,000,000
//	                       debtors: req/s, p99 and CPU per page for each
//	settle-bench outreach  one outreach planning run and one early-signal
//	                       scan at 10,000 and 100,000 debtors: time, Go and
//	                       database CPU per debtor and per invoice
//	settle-bench summary   the GOAL lines of earlier runs' output as one
//	                       table (make bench)
//
// Without DATABASE_URL each command starts a throwaway PostgreSQL cluster
// (devpg, fsync off) in a temporary folder and removes it afterwards; -dir
// keeps the cluster in a folder of your choice so that a second run reuses
// the loaded data. With DATABASE_URL the data is loaded there, but only into
// an empty database (or one this command loaded before).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/settle/settle/internal/access"
	settleapp "github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/devpg"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "portal":
		err = cmdPortal(ctx, os.Args[2:])
	case "webhooks":
		err = cmdWebhooks(ctx, os.Args[2:])
	case "webhooks-client": // the load generator cmdWebhooks starts as a child process
		err = cmdWebhooksClient(ctx, os.Args[2:])
	case "camt":
		err = cmdCamt(ctx, os.Args[2:])
	case "letters":
		err = cmdLetters(ctx, os.Args[2:])
	case "scale":
		err = cmdScale(ctx, os.Args[2:])
	case "outreach":
		err = cmdOutreach(ctx, os.Args[2:])
	case "summary":
		err = cmdSummary(os.Args[2:], os.Stdout)
	case "-h", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "settle-bench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: settle-bench portal|scale|webhooks|camt|letters|outreach|summary [flags]   (settle-bench portal -h for the flags)`)
}

// benchLog is for the harness itself (devpg, River warnings): warnings only.
func benchLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// appLog is the app's logger: the real JSON access log at info, formatted
// for every request but written nowhere, so the benchmark pays for logging
// but not for a terminal.
func appLog() *slog.Logger {
	return slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// env is a database to benchmark against and how to clean it up.
type env struct {
	URL     string
	DB      *postgres.DB
	Cluster *devpg.Cluster
	close   func()
}

func (e *env) Close() { e.close() }

// openEnv connects to DATABASE_URL, or starts a throwaway cluster (in dir when
// given, else in a temporary folder removed afterwards), and migrates.
// poolMaxConns > 0 sets the app's pool size (pool_max_conns in the URL, as a
// deployment would); 0 keeps what postgres.Open gives (at least 16).
func openEnv(ctx context.Context, dir, dbname string, poolMaxConns int) (*env, error) {
	e := &env{close: func() {}}
	url := os.Getenv("DATABASE_URL")
	var cleanups []func()
	e.close = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	if url == "" {
		tmp := dir == ""
		if tmp {
			d, err := os.MkdirTemp("", "settle-bench-")
			if err != nil {
				return nil, err
			}
			dir = filepath.Join(d, "pg")
			cleanups = append(cleanups, func() { os.RemoveAll(d) })
		}
		began := time.Now()
		c, err := devpg.StartWith(ctx, dir, devpg.Options{Fast: true}, benchLog())
		if err != nil {
			e.close()
			return nil, err
		}
		e.Cluster = c
		setPostmaster(c.Dir)
		cleanups = append(cleanups, func() {
			if err := c.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "stop PostgreSQL:", err)
			}
			if tmp && c.Dir != dir {
				os.RemoveAll(c.Dir) // devpg relocated it (running as root)
			}
		})
		if err := c.EnsureDatabase(ctx, dbname); err != nil {
			e.close()
			return nil, err
		}
		url = c.URL(dbname)
		fmt.Printf("PostgreSQL (devpg, fsync off) at 127.0.0.1:%d in %s, ready in %s\n", c.Port, c.Dir, time.Since(began).Round(time.Millisecond))
	} else {
		fmt.Println("PostgreSQL from DATABASE_URL")
	}
	if err := postgres.Migrate(ctx, url); err != nil {
		e.close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	appURL := url
	if poolMaxConns > 0 {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		appURL += sep + "pool_max_conns=" + strconv.Itoa(poolMaxConns)
	}
	db, err := postgres.Open(ctx, appURL)
	if err != nil {
		e.close()
		return nil, err
	}
	cleanups = append(cleanups, db.Close)
	e.URL, e.DB = url, db
	return e, nil
}

// server is the real app served on 127.0.0.1.
type server struct {
	URL string
	App *settleapp.App
	ln  net.Listener
}

// startServer builds the app with app.Build, as `settle serve` does, and
// serves it on a free loopback port; each option adjusts the configuration
// (the webhook benchmark points Stripe's API at its fake).
func startServer(ctx context.Context, db *postgres.DB, work bool, webhookSecret string, options ...func(*config.Config)) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	deployGC()
	cfg := config.Config{
		Addr: ln.Addr().String(), BaseURL: base, LogLevel: "info",
		IdealProvider: "mollie", CardProvider: "stripe",
		MollieAPIURL: "http://127.0.0.1:1", StripeAPIURL: "http://127.0.0.1:1",
		StripeWebhook: webhookSecret,
	}
	for _, o := range options {
		o(&cfg)
	}
	signer := access.NewSigner([]byte("settle-bench-signing-key-0123456789abcdef"), db.Now)
	a, err := settleapp.Build(cfg, db, signer, appLog(), settleapp.Options{Work: work})
	if err != nil {
		ln.Close()
		return nil, err
	}
	if work {
		if err := a.Start(ctx); err != nil {
			ln.Close()
			return nil, fmt.Errorf("start job workers: %w", err)
		}
	}
	go func() {
		if err := a.Fiber.Listener(ln); err != nil && !errors.Is(err, net.ErrClosed) {
			fmt.Fprintln(os.Stderr, "serve:", err)
		}
	}()
	return &server{URL: base, App: a, ln: ln}, nil
}

func (s *server) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.App.Stop(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "stop job workers:", err)
	}
	_ = s.App.Fiber.ShutdownWithTimeout(5 * time.Second)
}

// newFlags is a flag set whose -h prints the command's flags.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("settle-bench "+name, flag.ContinueOnError)
	return fs
}
