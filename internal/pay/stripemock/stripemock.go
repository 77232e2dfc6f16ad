// Package stripemock runs stripe-mock, Stripe's own mock API server, for
// tests. stripe-mock checks every request against Stripe's OpenAPI spec and
// answers with fixture objects; it keeps no state, so it proves requests are
// well formed, not that a flow works. StartWithState puts a proxy in front of
// it that answers the objects a test set (a paid session, a refunded charge,
// a lost dispute) in the shape stripe-mock gives them.
package stripemock

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the stripe-mock pinned as a tool in go.mod. It names the cached
// binary, so bump it together with go.mod or a stale binary is reused.
const Version = "v0.203.0"

// EnvBin names a prebuilt stripe-mock binary to use instead of building one
// (CI images, or a machine without the module cache).
const EnvBin = "STRIPE_MOCK_BIN"

const (
	pkg          = "github.com/stripe/stripe-mock"
	startTimeout = 30 * time.Second
	listenPrefix = "Listening for HTTP at address: "
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// Start returns the base URL (for stripe.New) of a stripe-mock on a free
// loopback port. It fails t, never skips it: a Stripe test that silently does
// not run proves nothing.
//
// stripe-mock keeps no state, so the tests running at once share one process
// (it takes seconds of CPU to load Stripe's spec); it stops when the last
// test using it ends.
func Start(t testing.TB) (url string) {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.users == 0 {
		started := time.Now()
		base, stop, err := launch()
		if err != nil {
			t.Fatalf("stripemock: %v", err)
		}
		shared.base, shared.stop = base, stop
		t.Logf("stripemock: %s ready at %s after %s", Version, base, time.Since(started).Round(time.Millisecond))
	}
	shared.users++
	t.Cleanup(func() {
		shared.mu.Lock()
		defer shared.mu.Unlock()
		if shared.users--; shared.users == 0 {
			shared.stop()
		}
	})
	return shared.base
}

// shared is the stripe-mock process of the tests now running.
var shared struct {
	mu    sync.Mutex
	users int
	base  string
	stop  func()
}

// launch starts stripe-mock and waits until it answers.
func launch() (base string, stop func(), err error) {
	bin, err := binary()
	if err != nil {
		return "", nil, err
	}
	// Port 0 lets the kernel pick a free port, and stripe-mock prints the
	// one it got: no race between choosing a port and binding it. Asking
	// only for HTTP also keeps stripe-mock from opening its HTTPS port.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0")
	// Our own pipe rather than StdoutPipe: cmd.Wait, which runs
	// concurrently to notice an early exit, must not close it under the
	// reader.
	stdout, pw, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stdout = pw
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	err = cmd.Start()
	_ = pw.Close() // the child has its copy; EOF comes when it exits
	if err != nil {
		_ = stdout.Close()
		return "", nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), listenPrefix); ok {
				addr <- a
				break
			}
		}
		// Keep draining so stripe-mock never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, stdout)
		_ = stdout.Close()
	}()
	select {
	case a := <-addr:
		base = "http://" + a
	case <-exited:
		return "", nil, fmt.Errorf("%s exited before listening: %s", bin, stderr.String())
	case <-time.After(startTimeout):
		stop()
		return "", nil, fmt.Errorf("%s did not listen within %s: %s", bin, startTimeout, stderr.String())
	}
	if err := waitReady(base, exited); err != nil {
		stop()
		return "", nil, fmt.Errorf("%v: %s", err, stderr.String())
	}
	return base, stop, nil
}

// waitReady polls until stripe-mock answers an authenticated API call. The
// listener exists before the handler is installed, so "listening" alone is
// not "ready".
func waitReady(base string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/balance", nil)
		req.Header.Set("Authorization", "Bearer sk_test_stripemock")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("exited while starting")
		case <-ctx.Done():
			return fmt.Errorf("not ready within %s (last error %v)", startTimeout, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// binary finds stripe-mock: $STRIPE_MOCK_BIN, else a cached build of the
// pinned version, else a fresh build into the cache. It runs once per test
// binary.
func binary() (string, error) {
	binOnce.Do(func() { binPath, binErr = findOrBuild() })
	return binPath, binErr
}

func findOrBuild() (string, error) {
	if bin := os.Getenv(EnvBin); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("%s: %w", EnvBin, err)
		}
		return bin, nil
	}
	dir, err := cacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "stripe-mock-"+Version)
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("no %s set, no cached %s, and no go command to build it: %w", EnvBin, bin, err)
	}
	// Build beside the final name and rename: test binaries of several
	// packages may build at once, and none may see a half-written file.
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, filepath.Base(bin))
	// Run in the test's package directory, inside our module, so the tool
	// line in go.mod pins the version that is built.
	cmd := exec.Command(goBin, "build", "-o", out, pkg)
	var msg bytes.Buffer
	cmd.Stdout, cmd.Stderr = &msg, &msg
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s (is it a tool in go.mod?): %v\n%s", pkg, err, msg.String())
	}
	if err := os.Rename(out, bin); err != nil {
		return "", err
	}
	return bin, nil
}

// cacheDir is the user cache (so later runs reuse the build), or a temporary
// directory where there is none (no HOME in some sandboxes).
func cacheDir() (string, error) {
	if base, err := os.UserCacheDir(); err == nil {
		dir := filepath.Join(base, "settle")
		if err := os.MkdirAll(dir, 0o755); err == nil {
			return dir, nil
		}
	}
	return os.MkdirTemp("", "settle-stripe-mock-")
}

// lockedBuffer collects stderr from exec's copying goroutine while a test
// may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
