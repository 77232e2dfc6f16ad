package apptest

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/postgres/pgtest"
)

// BuildSettle builds the real settle binary into the test's temporary
// directory, for tests that run it as a process (cmd/settle's end-to-end
// and crash tests, scaletest's instances behind a pooler).
func BuildSettle(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "settle")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/settle/settle/cmd/settle").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// CleanEnv is the test's environment without anything that configures
// Settle or its providers, plus extra, so the binary sees only what the
// test sets.
func CleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "DATABASE_URL" || name == pgtest.EnvURL ||
			strings.HasPrefix(name, "SETTLE_") || strings.HasPrefix(name, "MOLLIE_") || strings.HasPrefix(name, "STRIPE_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// FreeAddr is a loopback address that nothing listened on a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// WaitReady polls http://addr/readyz until it answers 200. It fails the
// test when the process ends first (exited receives; nil when the caller
// watches that itself) or when within passes: a patient limit, not a
// speed check, because the suite shares two cores.
func WaitReady(t testing.TB, addr string, within time.Duration, exited <-chan error, logs func() string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(within)
	for {
		res, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("settle on %s exited before it was ready: %v\n%s", addr, err, logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("settle on %s not ready within %s\n%s", addr, within, logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
