package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/settle/settle/internal/access"
	settleapp "github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/demo"
	"github.com/settle/settle/internal/jobs"
)

func cmdServe(ctx context.Context, args []string, isDemo bool) error {
	fresh := false
	for _, a := range args {
		switch a {
		case "--fresh":
			fresh = true
		default:
			return usageError{fmt.Sprintf("unknown flag %q", a)}
		}
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	key, err := signingKey(cfg, isDemo)
	if err != nil {
		return err
	}
	db, stop, err := database(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stop()

	var demoTools demoExtras
	if isDemo {
		var stopExtras func()
		if demoTools, stopExtras, err = startDemoExtras(ctx, &cfg, db); err != nil {
			return err
		}
		defer stopExtras()
	}
	// After the demo clock became the store's clock: the signer reads it.
	signer := access.NewSigner(key, db.Now)
	// The demo pays against the in-process Mollie fake unless real keys are
	// set; card payments then go through Mollie too, as stripe-mock keeps no state.
	fake := isDemo && cfg.MollieAPIKey == ""
	if isDemo && cfg.StripeKey == "" {
		cfg.CardProvider, cfg.IdealProvider = "mollie", "mollie"
	}
	opts := settleapp.Options{FakeMollie: fake, Work: true}
	if isDemo {
		opts.DemoClock, opts.MailInbox, opts.FakeSMS = demoTools.clock, demoTools.mailInbox, demoTools.fakeSMS
		opts.FakeWebhooks = true
		opts.OutreachEvery = demoOutreachEvery
	}
	if fake {
		opts.FakeMollieState = filepath.Join(cfg.DataDir, "mollie-fake.json")
	}
	built, err := settleapp.Build(cfg, db, signer, log, opts)
	if err != nil {
		return err
	}
	jobs.CheckRates(ctx, built.JobDeps)
	if err := built.Start(ctx); err != nil {
		return fmt.Errorf("start job workers: %w", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := built.Stop(sctx); err != nil {
			log.Error("stop job workers", "err", err)
		}
	}()
	app := built.Fiber
	if cfg.AdminAddr != "" {
		addr, stopAdmin, err := built.ListenAdmin(cfg.AdminAddr, log)
		if err != nil {
			return err
		}
		defer stopAdmin()
		log.Info("admin listener", "addr", addr.String())
		if isDemo {
			fmt.Printf("Metrics at http://%s/metrics and pprof at http://%s/debug/pprof/ (this machine only).\n", addr, addr)
		}
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if isDemo {
		out, reused, err := demo.Seed(ctx, db, signer, cfg.BaseURL, filepath.Join(cfg.DataDir, "demo.json"), fresh)
		if err != nil {
			ln.Close()
			return fmt.Errorf("demo data: %w", err)
		}
		if reused {
			fmt.Println("Reusing the demo data from the last run, with today's amounts and new links (start with --fresh for new data).")
		} else {
			fmt.Println("Created fresh demo data.")
		}
		var creditors []string
		for _, c := range out.Creditors {
			creditors = append(creditors, c.ID)
		}
		if err := built.PointDemoWebhooks(ctx, db, cfg.BaseURL, creditors); err != nil {
			ln.Close()
			return fmt.Errorf("demo webhooks: %w", err)
		}
		demo.Print(os.Stdout, out)
		demoTools.print(os.Stdout, cfg)
		fmt.Printf("\nSettle runs at %s. Press Ctrl-C to stop.\n", cfg.BaseURL)
	}
	log.Info("listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL)

	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	if err := app.ShutdownWithTimeout(10 * time.Second); err != nil {
		log.Error("shutdown", "err", err)
	}
	return nil
}

// signingKey returns the key that signs magic links: SETTLE_SIGNING_KEY, or for
// the demo a random key kept in the data folder so links survive a restart.
func signingKey(cfg config.Config, isDemo bool) ([]byte, error) {
	if cfg.SigningKey != "" {
		return []byte(cfg.SigningKey), nil
	}
	path := filepath.Join(cfg.DataDir, "signing.key")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if !isDemo {
		return nil, errors.New("SETTLE_SIGNING_KEY is not set: set it to a random string of at least 32 characters (settle demo makes one for you)")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	k := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("keep signing key: %w", err)
	}
	return []byte(k), nil
}
