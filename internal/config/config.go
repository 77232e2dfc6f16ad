// Package config reads Settle's configuration from environment variables, once,
// into a Config that is passed down; nothing reads the environment later.
package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Config is everything Settle can be told through its environment.
type Config struct {
	DatabaseURL   string // DATABASE_URL; empty means: start a throwaway local PostgreSQL
	DataDir       string // SETTLE_DATA_DIR; local data (embedded PostgreSQL, demo.json, keys)
	Addr          string // SETTLE_ADDR; listen address
	BaseURL       string // SETTLE_BASE_URL; public URL used in links
	SigningKey    string // SETTLE_SIGNING_KEY; HMAC key for magic links
	LogLevel      string // SETTLE_LOG_LEVEL; debug, info, warn, error
	IdealProvider string // SETTLE_IDEAL_PROVIDER; mollie or stripe
	CardProvider  string // SETTLE_CARD_PROVIDER; mollie or stripe
	MollieAPIURL  string // MOLLIE_API_URL
	MollieAPIKey  string // MOLLIE_API_KEY
	StripeAPIURL  string // STRIPE_API_URL
	StripeKey     string // STRIPE_SECRET_KEY
	StripeWebhook string // STRIPE_WEBHOOK_SECRET
	UploadDir     string // SETTLE_UPLOAD_DIR; empty keeps evidence in PostgreSQL

	// MollieAccessToken is MOLLIE_ACCESS_TOKEN: an organization access
	// token (access_...) for the Settlements API, which refuses API keys.
	// Empty: Mollie payouts are not synced.
	MollieAccessToken string
}

// FromEnv reads the configuration with its defaults and checks it.
func FromEnv() (Config, error) {
	c := Config{
		DatabaseURL:   os.Getenv("DATABASE_URL"),
		DataDir:       env("SETTLE_DATA_DIR", ".settle"),
		Addr:          env("SETTLE_ADDR", "127.0.0.1:8080"),
		BaseURL:       os.Getenv("SETTLE_BASE_URL"),
		SigningKey:    os.Getenv("SETTLE_SIGNING_KEY"),
		LogLevel:      env("SETTLE_LOG_LEVEL", "info"),
		IdealProvider: env("SETTLE_IDEAL_PROVIDER", "mollie"),
		CardProvider:  env("SETTLE_CARD_PROVIDER", "stripe"),
		MollieAPIURL:  env("MOLLIE_API_URL", "https://api.mollie.com"),
		MollieAPIKey:  os.Getenv("MOLLIE_API_KEY"),
		StripeAPIURL:  env("STRIPE_API_URL", "https://api.stripe.com"),
		StripeKey:     os.Getenv("STRIPE_SECRET_KEY"),
		StripeWebhook: os.Getenv("STRIPE_WEBHOOK_SECRET"),
		UploadDir:     os.Getenv("SETTLE_UPLOAD_DIR"),
	}
	c.MollieAccessToken = os.Getenv("MOLLIE_ACCESS_TOKEN")
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("SETTLE_BASE_URL %q is not an http(s) URL", c.BaseURL)
	}
	for name, v := range map[string]string{"SETTLE_IDEAL_PROVIDER": c.IdealProvider, "SETTLE_CARD_PROVIDER": c.CardProvider} {
		if v != "mollie" && v != "stripe" {
			return c, fmt.Errorf("%s must be mollie or stripe, not %q", name, v)
		}
	}
	if c.SigningKey != "" && len(c.SigningKey) < 32 {
		return c, fmt.Errorf("SETTLE_SIGNING_KEY must be at least 32 characters")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return c, fmt.Errorf("SETTLE_DATA_DIR: %w", err)
	}
	c.DataDir = abs
	return c, nil
}

// SecureCookies reports whether cookies must carry the Secure flag: when the
// public URL is https.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
