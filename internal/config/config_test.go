package config

import (
	"strings"
	"testing"
)

// Email and SMS are each off or complete; a half setting names what is missing.
func TestMessagingSettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // "" for no error, else a part of the error
	}{
		{"all off", nil, ""},
		{"email on", map[string]string{"SETTLE_SMTP_URL": "smtp://u:p@mail.example:587", "SETTLE_MAIL_FROM": "Settle <noreply@example.nl>"}, ""},
		{"email without from", map[string]string{"SETTLE_SMTP_URL": "smtp://mail.example:587"}, "SETTLE_MAIL_FROM is not"},
		{"from without email", map[string]string{"SETTLE_MAIL_FROM": "noreply@example.nl"}, "SETTLE_SMTP_URL is not"},
		{"unreadable smtp url", map[string]string{"SETTLE_SMTP_URL": "http://mail.example", "SETTLE_MAIL_FROM": "noreply@example.nl"}, "SETTLE_SMTP_URL:"},
		{"bad from", map[string]string{"SETTLE_SMTP_URL": "smtp://mail.example:25", "SETTLE_MAIL_FROM": "noreply"}, "SETTLE_MAIL_FROM \"noreply\""},
		{"sms on", map[string]string{"SETTLE_SMS_URL": "https://api.twilio.com", "SETTLE_SMS_SID": "AC1", "SETTLE_SMS_TOKEN": "t", "SETTLE_SMS_FROM": "+3197010000000"}, ""},
		{"sms half", map[string]string{"SETTLE_SMS_URL": "https://api.twilio.com", "SETTLE_SMS_SID": "AC1"}, "SETTLE_SMS_TOKEN, SETTLE_SMS_FROM not"},
		{"sms url not http", map[string]string{"SETTLE_SMS_URL": "ftp://x", "SETTLE_SMS_SID": "AC1", "SETTLE_SMS_TOKEN": "t", "SETTLE_SMS_FROM": "+3197010000000"}, "SETTLE_SMS_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"SETTLE_SMTP_URL", "SETTLE_MAIL_FROM", "SETTLE_SMS_URL", "SETTLE_SMS_SID", "SETTLE_SMS_TOKEN", "SETTLE_SMS_FROM"} {
				t.Setenv(k, tc.env[k])
			}
			_, err := FromEnv()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

// The admin listener is off by default and only ever on loopback.
func TestAdminAddr(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"", ""},
		{"127.0.0.1:9090", ""},
		{"127.0.0.1:0", ""},
		{"[::1]:9090", ""},
		{"localhost:9090", ""},
		{"0.0.0.0:9090", "must be a loopback address"},
		{":9090", "must be a loopback address"},
		{"192.168.1.5:9090", "must be a loopback address"},
		{"metrics.example.nl:9090", "must be a loopback address"},
		{"127.0.0.1", "is not host:port"},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			t.Setenv("SETTLE_ADMIN_ADDR", tc.addr)
			c, err := FromEnv()
			switch {
			case tc.want == "" && (err != nil || c.AdminAddr != tc.addr):
				t.Fatalf("error %v, AdminAddr %q; want none and %q", err, c.AdminAddr, tc.addr)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "SETTLE_ADMIN_ADDR")):
				t.Fatalf("error %v, want one naming SETTLE_ADMIN_ADDR with %q", err, tc.want)
			}
		})
	}
}

// Transaction pooling needs the pooler's URL and a direct one for the
// migrations; an unknown pooler stops the start.
func TestDBPooler(t *testing.T) {
	for _, tc := range []struct{ pooler, db, migrate, want string }{
		{"", "", "", ""},
		{"", "postgres://db/settle", "", ""},
		{"transaction", "postgres://pgbouncer:6432/settle", "postgres://db:5432/settle", ""},
		{"transaction", "postgres://pgbouncer:6432/settle", "", "needs SETTLE_MIGRATE_DATABASE_URL"},
		{"transaction", "", "postgres://db:5432/settle", "needs DATABASE_URL"},
		{"statement", "postgres://pgbouncer:6432/settle", "postgres://db:5432/settle", "must be empty or transaction"},
	} {
		t.Run(tc.pooler+" "+tc.db+" "+tc.migrate, func(t *testing.T) {
			t.Setenv("SETTLE_DB_POOLER", tc.pooler)
			t.Setenv("DATABASE_URL", tc.db)
			t.Setenv("SETTLE_MIGRATE_DATABASE_URL", tc.migrate)
			c, err := FromEnv()
			switch {
			case tc.want == "" && (err != nil || c.DBPooler != tc.pooler || c.MigrateDatabaseURL != tc.migrate):
				t.Fatalf("error %v, pooler %q, migrate %q; want none, %q and %q", err, c.DBPooler, c.MigrateDatabaseURL, tc.pooler, tc.migrate)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}
