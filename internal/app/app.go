// Package app wires Settle's parts into one Fiber app. The binary and the
// end-to-end tests both build the app here, so tests run what ships.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/api"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/console"
	"github.com/settle/settle/internal/csrf"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/metrics"
	"github.com/settle/settle/internal/notify"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/mollie"
	"github.com/settle/settle/internal/pay/molliefake"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/portal"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/server"
	"github.com/settle/settle/internal/webhooks"
)

// FakeMolliePath is where `settle demo` serves the Mollie fake when no real
// key is set, so a newcomer can pay end to end on one machine.
const FakeMolliePath = "/fake-mollie"

// App is the built application and the parts tests may want to reach.
type App struct {
	Fiber      *fiber.App
	Portal     *portal.Portal
	Console    *console.Console
	API        *api.API
	Jobs       *jobs.Client
	JobDeps    jobs.Deps
	Providers  *pay.Registry
	MollieFake *molliefake.Fake // set when the demo runs against the fake
	SMSFake    *notify.FakeSMS  // set when the demo sends SMS to the fake
	// FakeWebhooks is the demo's webhook receiver, when it runs one.
	FakeWebhooks *FakeWebhooks
	// Admin serves /metrics and pprof when SETTLE_ADMIN_ADDR is set; nil
	// otherwise. It goes on its own listener (ListenAdmin), never on Fiber.
	Admin http.Handler
}

// Options change how the app is built.
type Options struct {
	// FakeMollie serves the Mollie fake inside the app and points the Mollie
	// client at it (the demo without keys).
	FakeMollie bool
	// FakeMollieState is the file where the fake keeps its state, so the
	// demo survives a restart as a real provider would; "" keeps it in memory.
	FakeMollieState string
	// Work runs River's workers in this process (serve); false only inserts jobs.
	Work bool
	// OutreachEvery is how often ladders and the outbox run; 0 is every
	// minute (the demo runs them more often).
	OutreachEvery time.Duration
	// FakeSMS serves the SMS gateway fake inside the app and sends SMS to
	// it (the demo without SETTLE_SMS_URL).
	FakeSMS bool
	// DemoClock is the demo's movable clock, already the store's clock;
	// nil in serve, which then has no route to move it.
	DemoClock *casework.DemoClock
	// FakeWebhooks serves a webhook receiver at /fake-webhooks that checks
	// signatures and lists what arrived (the demo).
	FakeWebhooks bool
	// MailInbox is the web inbox of the demo's Mailpit, shown in the console.
	MailInbox string
}

// Build wires the creditor API, the debtor portal, payments, webhooks and jobs.
func Build(cfg config.Config, db *postgres.DB, signer *access.Signer, log *slog.Logger, opts Options) (*App, error) {
	a := &App{}
	var mount []func(*fiber.App)
	mollieURL, mollieKey := cfg.MollieAPIURL, cfg.MollieAPIKey
	if opts.FakeMollie {
		a.MollieFake = molliefake.New(cfg.BaseURL + FakeMolliePath)
		if opts.FakeMollieState != "" {
			if err := a.MollieFake.Persist(opts.FakeMollieState); err != nil {
				return nil, err
			}
		}
		mollieURL, mollieKey = cfg.BaseURL+FakeMolliePath, "test_settledemo"
		h := http.StripPrefix(FakeMolliePath, a.MollieFake.Handler())
		mount = append(mount, func(app *fiber.App) { app.All(FakeMolliePath+"/*", adaptor.HTTPHandler(h)) })
	}
	a.Providers = &pay.Registry{
		Default: map[string]pay.Provider{},
		Method:  map[pay.Method]string{pay.IDEAL: cfg.IdealProvider, pay.Card: cfg.CardProvider},
		New: func(name, key string) pay.Provider {
			if name == "stripe" {
				return stripe.New(cfg.StripeAPIURL, key)
			}
			return mollie.NewProvider(mollieURL, key)
		},
	}
	if mollieKey != "" {
		a.Providers.Default["mollie"] = mollie.NewProvider(mollieURL, mollieKey)
	}
	if cfg.StripeKey != "" {
		a.Providers.Default["stripe"] = stripe.New(cfg.StripeAPIURL, cfg.StripeKey)
	}
	a.JobDeps = jobs.Deps{DB: db, Providers: a.Providers, ParseStripe: stripe.ParseStored, Log: log, BaseURL: cfg.BaseURL,
		PollOnly: cfg.DBPooler == config.TransactionPooler}
	payouts := Payouts(cfg, db, log)
	if opts.FakeMollie {
		payouts.Mollie = mollie.New(mollieURL, "access_settledemo") // the fake's settlements take any access_ token
	}
	if payouts.Configured() {
		a.JobDeps.SyncPayouts = func(ctx context.Context) error {
			_, err := payouts.Sync(ctx)
			return err
		}
	}
	if opts.FakeSMS {
		var mountSMS func(*fiber.App)
		a.SMSFake, mountSMS = mountFakeSMS(&cfg, db)
		mount = append(mount, mountSMS)
	}
	if opts.FakeWebhooks {
		var mountHooks func(*fiber.App)
		a.FakeWebhooks, mountHooks = mountFakeWebhooks(db)
		mount = append(mount, mountHooks)
	}
	var err error
	if a.JobDeps.Senders, err = Senders(cfg); err != nil {
		return nil, err
	}
	a.JobDeps.OutreachEvery = opts.OutreachEvery
	if a.Jobs, err = jobs.New(a.JobDeps, db.RiverDriver(), opts.Work); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	a.API = &api.API{DB: db, Signer: signer, BaseURL: cfg.BaseURL, Log: log, DemoClock: opts.DemoClock,
		LocalWebhooks: opts.DemoClock != nil || !cfg.SecureCookies()}
	a.Portal = &portal.Portal{DB: db, Signer: signer, Log: log, Secure: cfg.SecureCookies(), Now: func() time.Time { return db.Now() },
		Pay: &casework.Payments{DB: db, Providers: a.Providers, BaseURL: cfg.BaseURL, ParseStripe: stripe.ParseStored, Log: log}}
	hooks := &webhooks.Handlers{DB: db, Jobs: a.Jobs, StripeSecret: cfg.StripeWebhook, Log: log}
	if sp, ok := a.Providers.Default["stripe"].(*stripe.Provider); ok {
		hooks.ResolveIntent = sp.PaymentIDForIntent
	}
	// The server's app-wide CSRF check (package csrf) guards the
	// console's forms as it does the portal's.
	a.Console = &console.Console{DB: db, Log: log, Secure: cfg.SecureCookies(), Now: func() time.Time { return db.Now() }, Pay: a.Portal.Pay}
	if opts.DemoClock != nil {
		opts.DemoClock.AfterMove = kickOutreach(a.Jobs, log)
		a.Console.Demo = &console.Demo{Clock: opts.DemoClock, MailInbox: opts.MailInbox}
		if a.SMSFake != nil {
			a.Console.Demo.SMS = a.SMSFake.Messages
		}
	}
	mount = append(mount, hooks.Register, a.Portal.Register, a.Console.Register)
	var countRequests fiber.Handler
	if cfg.AdminAddr != "" {
		a.Admin = metrics.Handler(metrics.NewRegistry(metrics.Sources{Pool: db.PoolStat, QueueDepth: db.QueueDepth}))
		countRequests = metrics.Middleware()
	}
	a.Fiber = server.New(server.Deps{Metrics: countRequests, DB: db, Log: log, API: a.API.Register, APIError: a.API.WriteError, Mount: mount, HTMLError: a.Portal.ErrorPage,
		CSRFKey: signer.DeriveKey("csrf"), HTTPS: cfg.SecureCookies(),
		// A form's CSRF token is bound to the session of its part: the
		// debtor's (portal.go's sessionCookie) or the console user's.
		Sessions: []csrf.SessionCookie{{Path: "/", Name: "settle_session"}, {Path: "/console", Name: console.SessionCookie}},
		Uploads: []server.Upload{
			api.StatementUpload,
			{Method: fiber.MethodPost, Path: "/invoices/:id/dispute", Max: portal.MaxDisputeBody, Form: true},
			{Method: fiber.MethodPost, Path: "/console/finance/import", Max: api.MaxStatementBody, Hint: api.StatementHint, Form: true},
		}})
	return a, nil
}

// Start runs the job workers (when built with Work).
func (a *App) Start(ctx context.Context) error { return a.Jobs.River.Start(ctx) }

// Stop stops the job workers, letting running jobs finish.
func (a *App) Stop(ctx context.Context) error {
	if err := a.Jobs.River.Stop(ctx); err != nil && !strings.Contains(err.Error(), "not started") {
		return err
	}
	return nil
}
