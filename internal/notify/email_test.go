package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/notify"
	"github.com/settle/settle/internal/notify/mailpit"
)

const from = "Settle <noreply@settle.test>"

// startMailpit runs a Mailpit for one test and stops it when the test ends.
func startMailpit(t *testing.T, opts mailpit.Options) *mailpit.Server {
	t.Helper()
	srv, err := mailpit.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

func newMailer(t *testing.T, smtpURL string, roots *x509.CertPool) *notify.Mailer {
	t.Helper()
	cfg, err := notify.ParseSMTPURL(smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RootCAs = roots
	m, err := notify.NewMailer(cfg, from)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestMailerSendsTextAndHTMLToMailpit(t *testing.T) {
	srv := startMailpit(t, mailpit.Options{})
	mailer := newMailer(t, srv.SMTPURL(), nil)
	ctx := waitCtx(t)

	link := "https://settle.test/b/7KQ4-M9XD"
	res := mailer.Send(ctx, notify.Message{
		ID:      "notice-42",
		To:      "Jan de Vries <jan@example.com>",
		Subject: "Uw rekening van € 120,00",
		Text:    "Beste Jan,\n\nBetaal hier: " + link + "\n",
		HTML:    `<p>Beste Jan,</p><p><a href="` + link + `">Betaal hier</a></p>`,
	})
	if res.Outcome != notify.Sent || res.Err != nil {
		t.Fatalf("Send = %v (%v), want sent", res.Outcome, res.Err)
	}
	if res.ProviderID != "notice-42@settle.test" {
		t.Errorf("ProviderID = %q, want notice-42@settle.test", res.ProviderID)
	}

	got, err := srv.WaitFor(ctx, res.ProviderID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Uw rekening van € 120,00" {
		t.Errorf("Subject = %q", got.Subject)
	}
	if got.From.Address != "noreply@settle.test" || got.From.Name != "Settle" {
		t.Errorf("From = %+v", got.From)
	}
	if len(got.To) != 1 || got.To[0].Address != "jan@example.com" {
		t.Errorf("To = %+v", got.To)
	}
	if !strings.Contains(got.Text, "Betaal hier: "+link) {
		t.Errorf("text part lacks the link: %q", got.Text)
	}
	if !strings.Contains(got.HTML, `<a href="`+link+`">Betaal hier</a>`) {
		t.Errorf("HTML part lacks the link: %q", got.HTML)
	}
	if got.Username != "" {
		t.Errorf("logged in as %q without credentials in the URL", got.Username)
	}
}

func TestMailerSendsTextOnlyWithoutHTML(t *testing.T) {
	srv := startMailpit(t, mailpit.Options{})
	mailer := newMailer(t, srv.SMTPURL(), nil)
	ctx := waitCtx(t)

	res := mailer.Send(ctx, notify.Message{To: "jan@example.com", Subject: "Herinnering", Text: "Alleen tekst."})
	if res.Outcome != notify.Sent {
		t.Fatalf("Send = %v (%v), want sent", res.Outcome, res.Err)
	}
	got, err := srv.WaitFor(ctx, res.ProviderID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(got.Text) != "Alleen tekst." || got.HTML != "" {
		t.Errorf("Text = %q, HTML = %q", got.Text, got.HTML)
	}
}

func TestMailerLogsInOverRequiredSTARTTLS(t *testing.T) {
	cert, key, roots := selfSignedCert(t)
	srv := startMailpit(t, mailpit.Options{TLSCertFile: cert, TLSKeyFile: key})
	mailer := newMailer(t, "smtp://settle:s3cret@"+srv.SMTPAddr+"?starttls=required", roots)
	ctx := waitCtx(t)

	res := mailer.Send(ctx, notify.Message{ID: "tls-1", To: "jan@example.com", Subject: "Over TLS", Text: "Versleuteld."})
	if res.Outcome != notify.Sent {
		t.Fatalf("Send = %v (%v), want sent", res.Outcome, res.Err)
	}
	got, err := srv.WaitFor(ctx, res.ProviderID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Username != "settle" {
		t.Errorf("Username = %q, want the URL's user settle", got.Username)
	}
}

func TestMailerRefusesServerWithoutRequiredSTARTTLS(t *testing.T) {
	srv := startMailpit(t, mailpit.Options{})
	mailer := newMailer(t, srv.SMTPURL()+"?starttls=required", nil)

	res := mailer.Send(waitCtx(t), notify.Message{To: "jan@example.com", Subject: "x", Text: "x"})
	if res.Outcome != notify.TemporaryFailure {
		t.Fatalf("Send = %v (%v), want temporary failure", res.Outcome, res.Err)
	}
	if !strings.Contains(res.Err.Error(), "STARTTLS") {
		t.Errorf("error %q does not name STARTTLS", res.Err)
	}
}

func TestMailerDoesNotSendPasswordUnencrypted(t *testing.T) {
	// Opportunistic STARTTLS against a server without it: the login must not
	// go in plain text, so the send fails instead.
	srv := startMailpit(t, mailpit.Options{})
	mailer := newMailer(t, "smtp://settle:s3cret@"+srv.SMTPAddr, nil)

	res := mailer.Send(waitCtx(t), notify.Message{To: "jan@example.com", Subject: "x", Text: "x"})
	if res.Outcome != notify.TemporaryFailure {
		t.Fatalf("Send = %v (%v), want temporary failure", res.Outcome, res.Err)
	}
	if strings.Contains(res.Err.Error(), "s3cret") {
		t.Errorf("error %q shows the password", res.Err)
	}
}

func TestMailerClassifiesRefusals(t *testing.T) {
	srv := startMailpit(t, mailpit.Options{Chaos: true})
	mailer := newMailer(t, srv.SMTPURL(), nil)
	ctx := waitCtx(t)

	tests := []struct {
		name     string
		chaos    mailpit.Chaos
		to       string
		want     notify.Outcome
		wantCode string
	}{
		{"recipient unknown", mailpit.Chaos{Recipient: mailpit.Trigger{ErrorCode: 550, Probability: 100}}, "jan@example.com", notify.PermanentFailure, "550"},
		{"recipient greylisted", mailpit.Chaos{Recipient: mailpit.Trigger{ErrorCode: 451, Probability: 100}}, "jan@example.com", notify.TemporaryFailure, "451"},
		{"our sender refused", mailpit.Chaos{Sender: mailpit.Trigger{ErrorCode: 550, Probability: 100}}, "jan@example.com", notify.TemporaryFailure, "550"},
		{"server busy", mailpit.Chaos{Sender: mailpit.Trigger{ErrorCode: 421, Probability: 100}}, "jan@example.com", notify.TemporaryFailure, "421"},
		{"not an address", mailpit.Chaos{}, "jan.example.com", notify.PermanentFailure, ""},
		{"empty address", mailpit.Chaos{}, "", notify.PermanentFailure, ""},
		{"accepted", mailpit.Chaos{}, "jan@example.com", notify.Sent, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := srv.SetChaos(ctx, tt.chaos); err != nil {
				t.Fatal(err)
			}
			res := mailer.Send(ctx, notify.Message{To: tt.to, Subject: "Herinnering", Text: "Betaal."})
			if res.Outcome != tt.want || res.Code != tt.wantCode {
				t.Errorf("Send = %v code %q (%v), want %v code %q", res.Outcome, res.Code, res.Err, tt.want, tt.wantCode)
			}
			if (res.Err == nil) != (tt.want == notify.Sent) {
				t.Errorf("Err = %v with outcome %v", res.Err, res.Outcome)
			}
		})
	}
}

func TestMailerServerUnreachableIsTemporary(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now
	mailer := newMailer(t, "smtp://"+addr, nil)

	res := mailer.Send(waitCtx(t), notify.Message{To: "jan@example.com", Subject: "x", Text: "x"})
	if res.Outcome != notify.TemporaryFailure {
		t.Fatalf("Send = %v (%v), want temporary failure", res.Outcome, res.Err)
	}
}

func TestMailerRejectsCallerMistakesAsTemporary(t *testing.T) {
	mailer := newMailer(t, "smtp://127.0.0.1:1", nil) // never dialled
	for _, m := range []notify.Message{
		{To: "jan@example.com", Subject: "no body"},
		{ID: "has space", To: "jan@example.com", Text: "x"},
		{ID: "<a@b>", To: "jan@example.com", Text: "x"},
	} {
		if res := mailer.Send(context.Background(), m); res.Outcome != notify.TemporaryFailure {
			t.Errorf("Send(%+v) = %v, want temporary failure", m, res.Outcome)
		}
	}
}

func TestNewMailerValidatesFrom(t *testing.T) {
	cfg, err := notify.ParseSMTPURL("smtp://mail.example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "settle", "Settle <noreply>"} {
		if _, err := notify.NewMailer(cfg, bad); err == nil {
			t.Errorf("NewMailer accepted from %q", bad)
		}
	}
	if _, err := notify.NewMailer(notify.SMTPConfig{}, from); err == nil {
		t.Error("NewMailer accepted a config without host")
	}
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts it.
func selfSignedCert(t *testing.T) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}
