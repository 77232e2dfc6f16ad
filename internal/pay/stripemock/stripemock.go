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
	pkg = "github.com/stripe/stripe-mock"
	// stripe-mock parses Stripe's whole OpenAPI document before it listens:
	// a second on a quiet machine, but more than 30 on two cores shared with
	// a dozen test binaries. A generous limit only costs time on a real hang.
	startTimeout = 2 * time.Minute
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
// stripe-mock keeps no state, so all tests of a run share one process: it
// takes seconds of CPU to load Stripe's spec, and a package's tests run one
// after another as often as at once. It stops idleStop after the last test
// using it ends (a next test within that time reuses it), and on Linux also
// when the test binary exits.
func Start(t testing.TB) (url string) {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.gen++ // an idle stop already scheduled no longer applies
	if shared.p == nil || shared.p.dead() {
		started := time.Now()
		p, err := launch()
		if err != nil {
			t.Fatalf("stripemock: %v", err)
		}
		shared.p = p
		t.Logf("stripemock: %s ready at %s after %s", Version, p.base, time.Since(started).Round(time.Millisecond))
	}
	shared.users++
	t.Cleanup(release)
	return shared.p.base
}

// idleStop is how long stripe-mock outlives its last user.
const idleStop = 5 * time.Second

// shared is the one stripe-mock of the test binary.
var shared struct {
	mu    sync.Mutex
	users int
	gen   int // counts Starts, so an idle stop knows whether it still applies
	p     *process
}

// release ends one test's use, and stops stripe-mock when no test starts
// using it within idleStop.
func release() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.users--; shared.users > 0 {
		return
	}
	gen := shared.gen
	time.AfterFunc(idleStop, func() {
		shared.mu.Lock()
		defer shared.mu.Unlock()
		if shared.users == 0 && shared.gen == gen && shared.p != nil {
			shared.p.stop()
			shared.p = nil
		}
	})
}

// process is a running stripe-mock.
type process struct {
	base   string
	cmd    *exec.Cmd
	exited chan struct{}
}

func (p *process) dead() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

func (p *process) stop() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// launch starts stripe-mock and waits until it answers.
func launch() (*process, error) {
	bin, err := binary()
	if err != nil {
		return nil, err
	}
	// Port 0 lets the kernel pick a free port, and stripe-mock prints the
	// one it got: no race between choosing a port and binding it. HTTPS
	// gets one too, since stripe-mock opens it anyway and its default
	// (12112) makes every second stripe-mock on the machine fail.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	cmd.SysProcAttr = dieWithParent()
	// Our own pipe rather than StdoutPipe: cmd.Wait, which runs
	// concurrently to notice an early exit, must not close it under the
	// reader.
	stdout, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = pw
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	p := &process{cmd: cmd, exited: make(chan struct{})}
	startErr := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that started the
		// child exits, not only the process: keep this thread for as long
		// as the child runs.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := cmd.Start()
		startErr <- err
		if err == nil {
			_ = cmd.Wait()
		}
		close(p.exited)
	}()
	err = <-startErr
	_ = pw.Close() // the child has its copy; EOF comes when it exits
	if err != nil {
		_ = stdout.Close()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
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
		p.base = "http://" + a
	case <-p.exited:
		return nil, fmt.Errorf("%s exited before listening: %s", bin, stderr.String())
	case <-time.After(startTimeout):
		p.stop()
		return nil, fmt.Errorf("%s did not listen within %s: %s", bin, startTimeout, stderr.String())
	}
	if err := waitReady(p.base, p.exited); err != nil {
		p.stop()
		return nil, fmt.Errorf("%v: %s", err, stderr.String())
	}
	return p, nil
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
