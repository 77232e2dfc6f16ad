package mailpit_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/notify/mailpit"
)

func TestStartServesInboxAndStops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err := mailpit.Start(ctx, mailpit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })

	if !strings.HasPrefix(srv.SMTPURL(), "smtp://127.0.0.1:") {
		t.Errorf("SMTPURL = %q", srv.SMTPURL())
	}
	resp, err := http.Get(srv.WebURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Mailpit") {
		t.Errorf("web inbox answered %d: %.200s", resp.StatusCode, page)
	}
	if msgs, err := srv.Messages(ctx); err != nil || len(msgs) != 0 {
		t.Errorf("Messages = %v, %v; want none", msgs, err)
	}
	if err := srv.SetChaos(ctx, mailpit.Chaos{}); err == nil {
		t.Error("SetChaos worked without Options.Chaos")
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if conn, err := net.Dial("tcp", srv.SMTPAddr); err == nil {
		_ = conn.Close()
		t.Error("SMTP port still open after Stop")
	}
}

func TestStartRejectsHalfTLS(t *testing.T) {
	if _, err := mailpit.Start(context.Background(), mailpit.Options{TLSCertFile: "cert.pem"}); err == nil {
		t.Fatal("Start accepted a certificate without a key")
	}
}
