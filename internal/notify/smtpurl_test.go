package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/notify"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		raw  string
		want notify.SMTPConfig
	}{
		{"smtp://user:pass@mail.example.com:587", notify.SMTPConfig{Host: "mail.example.com", Port: 587, Username: "user", Password: "pass", TLS: notify.STARTTLSOpportunistic, Timeout: notify.DefaultSMTPTimeout}},
		{"smtp://mail.example.com", notify.SMTPConfig{Host: "mail.example.com", Port: 587, TLS: notify.STARTTLSOpportunistic, Timeout: notify.DefaultSMTPTimeout}},
		{"smtp://127.0.0.1:1025/", notify.SMTPConfig{Host: "127.0.0.1", Port: 1025, TLS: notify.STARTTLSOpportunistic, Timeout: notify.DefaultSMTPTimeout}},
		{"smtps://user:pass@mail.example.com", notify.SMTPConfig{Host: "mail.example.com", Port: 465, Username: "user", Password: "pass", TLS: notify.ImplicitTLS, Timeout: notify.DefaultSMTPTimeout}},
		{"smtp://mail.example.com:25?starttls=required", notify.SMTPConfig{Host: "mail.example.com", Port: 25, TLS: notify.STARTTLSRequired, Timeout: notify.DefaultSMTPTimeout}},
		{"smtp://mail.example.com?starttls=opportunistic&timeout=30s", notify.SMTPConfig{Host: "mail.example.com", Port: 587, TLS: notify.STARTTLSOpportunistic, Timeout: 30 * time.Second}},
		{"smtp://noreply%40example.com:p%40ss%3Aw0rd@mail.example.com", notify.SMTPConfig{Host: "mail.example.com", Port: 587, Username: "noreply@example.com", Password: "p@ss:w0rd", TLS: notify.STARTTLSOpportunistic, Timeout: notify.DefaultSMTPTimeout}},
		{"smtp://apikey@mail.example.com", notify.SMTPConfig{Host: "mail.example.com", Port: 587, Username: "apikey", TLS: notify.STARTTLSOpportunistic, Timeout: notify.DefaultSMTPTimeout}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := notify.ParseSMTPURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseSMTPURL: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseSMTPURLRejects(t *testing.T) {
	tests := []struct {
		raw     string
		wantErr string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"mail.example.com:587", "scheme"},
		{"http://user:s3cret@mail.example.com", `scheme "http"`},
		{"smtp://user:s3cret@", "no host"},
		{"smtp:user:s3cret@mail.example.com", "no host"},
		{"smtp://user:s3cret@mail.example.com:smtp", "invalid port"},
		{"smtp://user:s3cret@mail.example.com:0", "port"},
		{"smtp://user:s3cret@mail.example.com:70000", "port"},
		{"smtp://:s3cret@mail.example.com", "password without a user name"},
		{"smtp://user:s3cret@[::1]:25", "IPv6"},
		{"smtp://user:s3cret@mail.example.com/inbox", "path"},
		{"smtp://user:s3cret@mail.example.com#x", "fragment"},
		{"smtp://user:s3cret@mail.example.com?starttls=yes", "starttls"},
		{"smtps://user:s3cret@mail.example.com?starttls=required", "smtps"},
		{"smtp://user:s3cret@mail.example.com?timeout=soon", "timeout"},
		{"smtp://user:s3cret@mail.example.com?timeout=-1s", "timeout"},
		{"smtp://user:s3cret@mail.example.com?tls=1", "unknown option"},
		{"smtp://user:s3cret@mail.example.com?timeout=1s&timeout=2s", "2 times"},
		{"smtp://user:s3cret@mail.exa mple.com", "invalid character"},
		{"smtp://user:s3cret%zz@mail.example.com", "invalid URL escape"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := notify.ParseSMTPURL(tt.raw)
			if err == nil {
				t.Fatal("ParseSMTPURL accepted it")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestSMTPConfigStringHidesPassword(t *testing.T) {
	cfg, err := notify.ParseSMTPURL("smtp://user:s3cret@mail.example.com:2525?starttls=required&timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.String()
	if strings.Contains(got, "s3cret") {
		t.Errorf("String() = %q shows the password", got)
	}
	if want := "smtp://user:xxxxx@mail.example.com:2525?starttls=required&timeout=5s"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	again, err := notify.ParseSMTPURL(strings.Replace(got, "xxxxx", "s3cret", 1))
	if err != nil || again != cfg {
		t.Errorf("String() does not round-trip: %+v, %v", again, err)
	}
}
