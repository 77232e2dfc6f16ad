package app

import (
	"log/slog"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/pay/mollie"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/postgres"
)

// Payouts builds the payout sync from configuration: Mollie when
// MOLLIE_ACCESS_TOKEN is set, Stripe when STRIPE_SECRET_KEY is set.
// Payouts of creditors with their own provider account are not synced.
func Payouts(cfg config.Config, db *postgres.DB, log *slog.Logger) casework.Payouts {
	ps := casework.Payouts{DB: db, Log: log}
	if cfg.MollieAccessToken != "" {
		ps.Mollie = mollie.New(cfg.MollieAPIURL, cfg.MollieAccessToken)
	}
	if cfg.StripeKey != "" {
		ps.Stripe = stripe.NewPayouts(cfg.StripeAPIURL, cfg.StripeKey)
	}
	return ps
}
