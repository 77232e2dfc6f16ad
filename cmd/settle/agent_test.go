package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// TestAgentAdd: weak passwords are refused with a clear message; an admin
// is created with a password that passes the rules and a TOTP key that
// signs in.
func TestAgentAdd(t *testing.T) {
	bin := apptest.BuildSettle(t)
	_, url := pgtest.New(t)
	env := apptest.CleanEnv("DATABASE_URL="+url, "SETTLE_DATA_DIR="+filepath.Join(t.TempDir(), "data"))
	for pw, why := range map[string]string{
		strings.Repeat(" ", 12): "only spaces",
		"password1234":          "too common",
		"aaaaaaaaaaaa":          "too common",
		"ops@example.nl":        "email address",
	} {
		cmd := exec.Command(bin, "agent", "add", "--email", "ops@example.nl", "--password-stdin")
		cmd.Env = env
		cmd.Stdin = strings.NewReader(pw + "\n")
		if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), why) {
			t.Errorf("agent add with password %q: %v: %s; want a refusal saying %q", pw, err, out, why)
		}
	}

	cmd := exec.Command(bin, "agent", "add", "--email", "boss@example.nl", "--role", "admin", "--json")
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("settle agent add: %v\n%s", err, stderr.String())
	}
	var out map[string]string
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("stdout is not one JSON object: %v: %q", err, stdout.String())
	}
	if err := access.CheckNewPassword("boss@example.nl", out["password"]); err != nil {
		t.Errorf("the printed password %q fails the rules: %v", out["password"], err)
	}
	if out["totp_secret"] == "" || !strings.HasPrefix(out["totp_uri"], "otpauth://totp/") {
		t.Fatalf("an admin without a TOTP key: %v", out)
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.AgentByEmail(ctx, "boss@example.nl")
	if err != nil || a.TOTPSecret != out["totp_secret"] {
		t.Fatalf("stored admin %+v, %v; want the printed TOTP secret", a, err)
	}
	now := time.Now()
	code, err := totp.GenerateCode(out["totp_secret"], now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := access.MatchTOTP(a.TOTPSecret, code, now); !ok {
		t.Error("a code from the printed key does not match")
	}
}
