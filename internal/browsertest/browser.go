package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Width and Height are the size of the browser window: a small phone.
const (
	Width  = 360
	Height = 800
)

// StepTimeout bounds each helper's browser work, so a page that never loads
// fails the test in seconds instead of at the test binary's timeout.
const StepTimeout = 30 * time.Second

// EnvRequireBrowser names the environment variable that turns a missing
// Chromium from a skip into a failure; make test and CI set it to 1.
const EnvRequireBrowser = "SETTLE_REQUIRE_BROWSER"

// ChromiumPath returns Debian's Chromium, or chromium on PATH, or "".
func ChromiumPath() string {
	if st, err := os.Stat("/usr/bin/chromium"); err == nil && !st.IsDir() {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// LighthouseCLI returns the Lighthouse CLI that make test and make
// lighthouse name in SETTLE_LIGHTHOUSE (after make tools). Without it the
// test is skipped, or fails when SETTLE_REQUIRE_BROWSER=1.
func LighthouseCLI(t testing.TB) string {
	t.Helper()
	cli := os.Getenv("SETTLE_LIGHTHOUSE")
	if cli == "" {
		if os.Getenv(EnvRequireBrowser) == "1" {
			t.Fatalf("SETTLE_LIGHTHOUSE is not set and %s=1: run make test (it sets it after make tools), or make lighthouse", EnvRequireBrowser)
		}
		t.Skipf("SETTLE_LIGHTHOUSE is not set; make test and make lighthouse set it (set %s=1 to fail instead)", EnvRequireBrowser)
	}
	return cli
}

// Browser starts a headless Chromium with a fresh profile and a 360 x 800
// window and returns its chromedp context (one tab). It is closed when the
// test ends. Without Chromium the test is skipped, or fails when
// SETTLE_REQUIRE_BROWSER=1.
func Browser(t *testing.T) context.Context {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		if os.Getenv(EnvRequireBrowser) == "1" {
			t.Fatalf("browsertest: Chromium not found at /usr/bin/chromium or on PATH, and %s=1 (install Debian's chromium package)", EnvRequireBrowser)
		}
		t.Skipf("browsertest: Chromium not found at /usr/bin/chromium or on PATH; skipping (set %s=1 to fail instead)", EnvRequireBrowser)
	}

	output := &syncBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(Width, Height),
		chromedp.CombinedOutput(output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser process to end
		if t.Failed() {
			if out := strings.TrimSpace(quiet(output.String())); out != "" {
				t.Logf("browsertest: Chromium output:\n%s", tail(out, 4000))
			}
		}
	})

	// The first action starts the browser, and the browser lives as long as
	// the context of that call, so it gets no timeout of its own; a watchdog
	// stops a browser that never comes up.
	started := make(chan error, 1)
	go func() {
		// The viewport, not only the window, is the phone's: headless windows
		// have a minimum width that the emulation does not.
		started <- chromedp.Do(ctx, chromedp.EmulateViewport(Width, Height))
	}()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("browsertest: start Chromium (%s): %v\n%s", path, err, tail(output.String(), 4000))
		}
	case <-time.After(time.Minute):
		cancelTab()
		t.Fatalf("browsertest: Chromium (%s) did not start within a minute\n%s", path, tail(output.String(), 4000))
	}
	return ctx
}

// step derives a context with StepTimeout from a browser context that has
// run once (Browser did), so the timeout ends the step, not the browser.
func step(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, StepTimeout)
}

// Open navigates to url, waits for the page to load and returns its HTTP
// status code.
func Open(t testing.TB, ctx context.Context, url string) int {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	resp, err := chromedp.Run(sctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("open %s: %v", redactLink(url), err)
	}
	return int(resp.Status)
}

// ClickAndWait clicks the first element that matches the CSS selector (a
// link or a submit button), waits for the page it leads to and returns that
// page's HTTP status code (after redirects).
func ClickAndWait(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	if resp == nil {
		t.Fatalf("click %s: no page loaded", sel)
	}
	return int(resp.Status)
}

// Fill types value into the first field that matches the CSS selector,
// replacing what was there, with real key events.
func Fill(t testing.TB, ctx context.Context, sel, value string) {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	// The field is emptied through the DevTools protocol, not with
	// chromedp.Clear, which fails on an empty <textarea> ("does not have
	// child #text node").
	empty := fmt.Sprintf(`(e => { e.value = ""; return true })(document.querySelector(%q))`, sel)
	err := chromedp.Do(sctx, chromedp.WaitReady(chromedp.CSS(sel)))
	if err == nil {
		_, err = chromedp.Run(sctx, chromedp.Evaluate[bool](empty))
	}
	if err == nil {
		err = chromedp.Do(sctx, chromedp.SendKeys(chromedp.CSS(sel), value))
	}
	if err != nil {
		t.Fatalf("fill %s: %v", sel, err)
	}
}

// Text returns the visible text (innerText) of the first element that
// matches the CSS selector, with runs of white space made single spaces.
func Text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// Exists reports whether an element matches the CSS selector now, without
// waiting for one to appear.
func Exists(t testing.TB, ctx context.Context, sel string) bool {
	t.Helper()
	return Eval[bool](t, ctx, fmt.Sprintf("document.querySelector(%q) !== null", sel))
}

// Eval evaluates a JavaScript expression in the page and returns its value
// decoded into T.
func Eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// Keys sends key events to the focused element, such as "\t" for Tab.
func Keys(t testing.TB, ctx context.Context, keys string) {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	if err := chromedp.Do(sctx, chromedp.KeyEvent(keys)); err != nil {
		t.Fatalf("keys %q: %v", keys, err)
	}
}

// KeysAndWait sends key events (such as "\r" to submit a form) and waits for
// the page they lead to; it returns that page's HTTP status code.
func KeysAndWait(t testing.TB, ctx context.Context, keys string) int {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, chromedp.KeyEvent(keys))
	if err != nil {
		t.Fatalf("keys %q: %v", keys, err)
	}
	if resp == nil {
		t.Fatalf("keys %q: no page loaded", keys)
	}
	return int(resp.Status)
}

// SetWidth changes the viewport width (the height stays Height); the page
// lays itself out again without a reload.
func SetWidth(t testing.TB, ctx context.Context, width int64) {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	if err := chromedp.Do(sctx, chromedp.EmulateViewport(width, Height)); err != nil {
		t.Fatalf("viewport %d px: %v", width, err)
	}
}

// Path returns the path of the page's URL, such as /overview.
func Path(t testing.TB, ctx context.Context) string {
	t.Helper()
	return Eval[string](t, ctx, "location.pathname")
}

// Screenshot saves a full-page PNG of the current page, at the viewport
// width, as artifacts/screenshots/<test name>/<name>.png under the repository
// root (a git-ignored folder that CI keeps as artifacts).
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	sctx, cancel := step(ctx)
	defer cancel()
	buf, err := chromedp.Run(sctx, fullPage)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(RepoRoot(t), "artifacts", "screenshots", safeName(t.Name()))
	resetDir(t, dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, safeName(name)+".png")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(buf)); err != nil {
		t.Errorf("screenshot %s: not a PNG: %v", name, err)
	} else {
		t.Logf("screenshot %s: %dx%d %s", name, cfg.Width, cfg.Height, file)
	}
}

// fullPage captures the whole page at the width of the viewport.
var fullPage chromedp.Action[[]byte] = func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
	m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	if m.CSSLayoutViewport == nil || m.CSSContentSize == nil {
		return nil, errors.New("no layout metrics")
	}
	r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		CaptureBeyondViewport: new(true),
		FromSurface:           new(true),
		Clip: &page.Viewport{
			Width:  float64(m.CSSLayoutViewport.ClientWidth),
			Height: max(m.CSSContentSize.Height, float64(m.CSSLayoutViewport.ClientHeight)),
			Scale:  1,
		},
	})
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}

// cleaned records the screenshot folders emptied in this run, so a test's
// folder holds only this run's pictures.
var cleaned sync.Map

func resetDir(t testing.TB, dir string) {
	if _, done := cleaned.LoadOrStore(dir, true); done {
		return
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._/-]+`)

// safeName keeps a test or picture name usable as a path: subtests become
// sub-folders, anything odd becomes "_".
func safeName(s string) string {
	s = unsafeChars.ReplaceAllString(s, "_")
	return strings.Trim(strings.ReplaceAll(s, "..", "_"), "/")
}

// RepoRoot returns the folder that holds go.mod, found by walking up from the
// working directory (go test runs in the package's folder).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("browsertest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// redactLink hides the token of a magic link, which must not reach logs.
func redactLink(url string) string {
	if i := strings.Index(url, "/l/"); i >= 0 && len(url) > i+3+8 {
		return url[:i+3] + "…"
	}
	return url
}

// quiet drops Chromium's complaints about the missing D-Bus of a container.
func quiet(out string) string {
	var keep []string
	for line := range strings.Lines(out) {
		if !strings.Contains(line, "dbus/") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "")
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// syncBuffer collects Chromium's output, which its own goroutine writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
