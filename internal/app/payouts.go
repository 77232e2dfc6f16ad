package app

import (
	"log/slog"

	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/pay/mollie"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile"
)

// PayoutDeps builds what reconcile.SyncPayouts needs from configuration:
// Mollie when MOLLIE_ACCESS_TOKEN is set, Stripe when STRIPE_SECRET_KEY is
// set. Payouts of creditors with their own provider account are not synced.
func PayoutDeps(cfg config.Config, db *postgres.DB, log *slog.Logger) reconcile.PayoutDeps {
	d := reconcile.PayoutDeps{DB: db, Log: log}
	if cfg.MollieAccessToken != "" {
		d.Mollie = mollie.New(cfg.MollieAPIURL, cfg.MollieAccessToken)
	}
	if cfg.StripeKey != "" {
		d.Stripe = stripe.NewPayouts(cfg.StripeAPIURL, cfg.StripeKey)
	}
	return d
}
