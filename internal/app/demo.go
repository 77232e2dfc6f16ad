package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/notify"
	"github.com/settle/settle/internal/postgres"
)

// FakeSMSPath is where `settle demo` serves the SMS gateway fake when no
// SETTLE_SMS_URL is set; its messages show on the console's demo page.
const FakeSMSPath = "/fake-sms"

// The fake gateway's account: it lives inside the app, so these only have
// to match each other.
const (
	fakeSMSSID   = "ACsettledemo"
	fakeSMSToken = "settledemo"
	fakeSMSFrom  = "Settle"
)

// mountFakeSMS serves the SMS fake inside the app, stamped with the store's
// clock, and points cfg's gateway at it.
func mountFakeSMS(cfg *config.Config, db *postgres.DB) (*notify.FakeSMS, func(*fiber.App)) {
	fake := notify.NewFakeSMS(fakeSMSSID, fakeSMSToken)
	fake.Now = func() time.Time { return db.Now() }
	cfg.SMSURL, cfg.SMSSID, cfg.SMSToken, cfg.SMSFrom = cfg.BaseURL+FakeSMSPath, fakeSMSSID, fakeSMSToken, fakeSMSFrom
	h := http.StripPrefix(FakeSMSPath, fake)
	return fake, func(app *fiber.App) { app.All(FakeSMSPath+"/*", adaptor.HTTPHandler(h)) }
}

// kickOutreach asks for an outreach run after the demo clock moved; when it
// cannot, the next periodic run does the work a little later.
func kickOutreach(client *jobs.Client, log *slog.Logger) func(context.Context) {
	return func(ctx context.Context) {
		if err := client.KickOutreach(ctx); err != nil {
			log.Warn("ask for an outreach run after the demo clock moved", "err", err)
		}
		// The days that passed may have raised early signals, and a check-in
		// message the outreach run then sends.
		if err := client.KickSignals(ctx); err != nil {
			log.Warn("ask for an early-signals run after the demo clock moved", "err", err)
		}
	}
}
