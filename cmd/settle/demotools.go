package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/demo"
	"github.com/settle/settle/internal/notify/mailpit"
	"github.com/settle/settle/internal/postgres"
)

// demoOutreachEvery is how often the demo plans ladder steps and sends what
// is due: often, so that a newcomer waits seconds, not a minute.
const demoOutreachEvery = 10 * time.Second

// demoMailFrom is the demo's sender when SETTLE_MAIL_FROM is not set.
const demoMailFrom = "Settle demo <demo@settle.example>"

// demoExtras are what `settle demo` runs besides serve: its movable clock
// and, unless SETTLE_SMTP_URL is set, a Mailpit that catches every mail.
type demoExtras struct {
	clock     *casework.DemoClock
	mailInbox string // Mailpit's web inbox; "" when mail goes elsewhere
	fakeSMS   bool
}

// startDemoExtras makes the demo clock the store's clock and starts Mailpit
// when no SMTP server is configured, pointing cfg's mailer at it. A Mailpit
// that cannot start (no go command to build it) leaves email off, with a
// warning: the rest of the demo still works.
func startDemoExtras(ctx context.Context, cfg *config.Config, db *postgres.DB) (demoExtras, func(), error) {
	var x demoExtras
	var err error
	if x.clock, err = casework.StartDemoClock(ctx, db); err != nil {
		return x, nil, err
	}
	x.fakeSMS = cfg.SMSURL == ""
	if cfg.SMTPURL != "" {
		return x, func() {}, nil
	}
	mp, err := mailpit.Start(ctx, mailpit.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "settle demo: email is off: %v\n", err)
		return x, func() {}, nil
	}
	cfg.SMTPURL, x.mailInbox = mp.SMTPURL(), mp.WebURL
	if cfg.MailFrom == "" {
		cfg.MailFrom = demoMailFrom
	}
	return x, func() { _ = mp.Stop() }, nil
}

// print tells where the demo's clock, mails and SMS are, how its payments
// work and where its bank statement is.
func (x demoExtras) print(w io.Writer, cfg config.Config) {
	baseURL := cfg.BaseURL
	fmt.Fprintf(w, "\nDemo clock: %s (Amsterdam). Move it forward as an admin at %s/console/demo,\n",
		x.clock.Now().In(demoZone).Format("Mon 2 Jan 2006 15:04"), baseURL)
	fmt.Fprintf(w, "  or with a creditor's API key: curl -X POST -H 'Authorization: Bearer KEY' -H 'Content-Type: application/json' -d '{\"advance\":\"26h\"}' %s/api/v1/demo/clock\n", baseURL)
	if x.mailInbox != "" {
		fmt.Fprintf(w, "Mail: every email the demo sends arrives in Mailpit at %s\n", x.mailInbox)
	}
	if x.fakeSMS {
		fmt.Fprintf(w, "SMS: the built-in gateway sends nothing; its outbox is at %s/console/demo\n", baseURL)
	}
	fmt.Fprintf(w, "Webhooks: the demo creditors' events arrive, signed, at %s/fake-webhooks\n", baseURL)
	if cfg.MollieAPIKey == "" {
		fmt.Fprintf(w, "Payments: iDEAL and card both go through the same test checkout (no money moves); choose paid, failed, canceled or expired there.\n")
	}
	fmt.Fprintf(w, "Bank statement: %s (CAMT.053) pays some demo invoices by transfer.\n", filepath.Join(cfg.DataDir, demo.BankStatementFile))
	fmt.Fprintf(w, "  Import it as finance@settle.example on %s/console/finance (\"Import a bank statement\") or with: settle import camt FILE\n", baseURL)
}

// demoZone is the demo clock's time zone when printed: Settle's rules run
// on Dutch time.
var demoZone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()
