// Package config reads Settle's configuration from environment variables, once,
// into a Config that is passed down; nothing reads the environment later.
package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/settle/settle/internal/notify"
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

	// MollieAccessToken is MOLLIE_ACCESS_TOKEN: an organization access
	// token (access_...) for the Settlements API, which refuses API keys.
	// Empty: Mollie payouts are not synced.
	MollieAccessToken string

	// Outgoing messages. A channel with no settings is off: its messages
	// fall back to the person's next channel or fail where agents see it.
	SMTPURL  string // SETTLE_SMTP_URL; smtp://user:pass@host:587 (STARTTLS where offered) or smtps://
	MailFrom string // SETTLE_MAIL_FROM; the From of every email, "Name <address>" or an address
	SMSURL   string // SETTLE_SMS_URL; the root of a gateway with Twilio's Messages API
	SMSSID   string // SETTLE_SMS_SID; the gateway account and basic-auth user
	SMSToken string // SETTLE_SMS_TOKEN; the basic-auth password
	SMSFrom  string // SETTLE_SMS_FROM; the sending number (E.164) or sender id

	// AdminAddr is SETTLE_ADMIN_ADDR: where /metrics and pprof listen, on
	// loopback only; "" is off.
	AdminAddr string

	// DBPooler is SETTLE_DB_POOLER: "" when DATABASE_URL reaches
	// PostgreSQL itself (or a pooler in session mode), "transaction" when it
	// reaches PgBouncer in transaction mode, where a server connection is
	// ours only for one transaction: no prepared statements by name, no
	// LISTEN, no session locks.
	DBPooler string
	// MigrateDatabaseURL is SETTLE_MIGRATE_DATABASE_URL: a direct
	// connection for the migrations, whose lock is held by the session.
	// Required with DBPooler "transaction"; otherwise DATABASE_URL.
	MigrateDatabaseURL string
}

// TransactionPooler is the SETTLE_DB_POOLER value for PgBouncer's
// pool_mode = transaction.
const TransactionPooler = "transaction"

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
	}
	c.MollieAccessToken = os.Getenv("MOLLIE_ACCESS_TOKEN")
	c.SMTPURL, c.MailFrom = os.Getenv("SETTLE_SMTP_URL"), os.Getenv("SETTLE_MAIL_FROM")
	c.SMSURL, c.SMSSID, c.SMSToken, c.SMSFrom = os.Getenv("SETTLE_SMS_URL"), os.Getenv("SETTLE_SMS_SID"), os.Getenv("SETTLE_SMS_TOKEN"), os.Getenv("SETTLE_SMS_FROM")
	if err := c.checkMessaging(); err != nil {
		return c, err
	}
	c.AdminAddr = os.Getenv("SETTLE_ADMIN_ADDR")
	if err := checkAdminAddr(c.AdminAddr); err != nil {
		return c, err
	}
	c.DBPooler, c.MigrateDatabaseURL = os.Getenv("SETTLE_DB_POOLER"), os.Getenv("SETTLE_MIGRATE_DATABASE_URL")
	if err := c.checkPooler(); err != nil {
		return c, err
	}
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

// checkMessaging checks the email and SMS settings: each channel is either
// off (nothing set) or complete and readable.
func (c Config) checkMessaging() error {
	if c.SMTPURL != "" || c.MailFrom != "" {
		if c.SMTPURL == "" {
			return fmt.Errorf("SETTLE_MAIL_FROM is set but SETTLE_SMTP_URL is not: set both to send email, or neither")
		}
		if _, err := notify.ParseSMTPURL(c.SMTPURL); err != nil {
			return fmt.Errorf("SETTLE_SMTP_URL: %w", err)
		}
		if c.MailFrom == "" {
			return fmt.Errorf("SETTLE_SMTP_URL is set but SETTLE_MAIL_FROM is not: email needs a From address")
		}
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			return fmt.Errorf("SETTLE_MAIL_FROM %q is not an email address", c.MailFrom)
		}
	}
	sms := map[string]string{"SETTLE_SMS_URL": c.SMSURL, "SETTLE_SMS_SID": c.SMSSID, "SETTLE_SMS_TOKEN": c.SMSToken, "SETTLE_SMS_FROM": c.SMSFrom}
	var set, missing []string
	for _, name := range []string{"SETTLE_SMS_URL", "SETTLE_SMS_SID", "SETTLE_SMS_TOKEN", "SETTLE_SMS_FROM"} {
		if sms[name] != "" {
			set = append(set, name)
		} else {
			missing = append(missing, name)
		}
	}
	if len(set) == 0 {
		return nil
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s set but %s not: set all four to send SMS, or none", strings.Join(set, ", "), strings.Join(missing, ", "))
	}
	if _, err := notify.NewSMSGateway(c.SMSConfig(), nil); err != nil {
		return fmt.Errorf("SETTLE_SMS_URL, SETTLE_SMS_SID, SETTLE_SMS_TOKEN, SETTLE_SMS_FROM: %w", err)
	}
	return nil
}

// checkPooler checks the pooler settings: transaction pooling needs a
// DATABASE_URL (the pooler) and a direct URL for the migrations.
func (c Config) checkPooler() error {
	switch c.DBPooler {
	case "":
	case TransactionPooler:
		if c.DatabaseURL == "" {
			return fmt.Errorf("SETTLE_DB_POOLER=transaction needs DATABASE_URL (the pooler's address)")
		}
		if c.MigrateDatabaseURL == "" {
			return fmt.Errorf("SETTLE_DB_POOLER=transaction needs SETTLE_MIGRATE_DATABASE_URL: migrations hold a session lock, which a transaction pooler cannot keep, so they need a direct connection to PostgreSQL")
		}
	default:
		return fmt.Errorf("SETTLE_DB_POOLER must be empty or transaction, not %q", c.DBPooler)
	}
	return nil
}

// checkAdminAddr refuses an admin address off loopback: pprof and the
// metrics say too much about the server to leave this machine unguarded.
func checkAdminAddr(addr string) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("SETTLE_ADMIN_ADDR %q is not host:port (for example 127.0.0.1:9090)", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("SETTLE_ADMIN_ADDR %q must be a loopback address (127.0.0.1, ::1 or localhost): metrics and pprof are not for the public", addr)
	}
	return nil
}

// SMSConfig is the SMS gateway's settings; SMS is off when SMSURL is "".
func (c Config) SMSConfig() notify.SMSConfig {
	return notify.SMSConfig{BaseURL: c.SMSURL, AccountSID: c.SMSSID, AuthToken: c.SMSToken, From: c.SMSFrom}
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
