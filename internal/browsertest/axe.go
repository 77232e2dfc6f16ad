package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// EnvAxeJS names the environment variable with the path of axe.min.js; the
// Makefile exports it, and `make tools` installs axe-core there.
const EnvAxeJS = "SETTLE_AXE_JS"

// AxeTags are the rule sets every page must pass: WCAG 2.0, 2.1 and 2.2 at
// levels A and AA.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// AxeViolation is one rule a page breaks, with the elements that break it.
type AxeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []AxeNode `json:"nodes"`
}

// AxeNode is one element that breaks a rule.
type AxeNode struct {
	Target  []string `json:"target"`
	HTML    string   `json:"html"`
	Summary string   `json:"summary"`
}

// AxeResult is a summary of one axe run.
type AxeResult struct {
	Violations []AxeViolation `json:"violations"`
	// Passes, Incomplete and Inapplicable count rules; Incomplete are the
	// rules axe could not decide and a person should review.
	Passes       int      `json:"passes"`
	Incomplete   []string `json:"incomplete"`
	Inapplicable int      `json:"inapplicable"`
	Version      string   `json:"version"`
}

// Axe runs axe-core on the current page at WCAG 2.2 A and AA and fails the
// test listing every violation. page names the page in messages.
//
// The pages' CSP (default-src 'none') blocks any injected <script>, so the
// axe source is evaluated through the DevTools protocol (Runtime.evaluate),
// which the CSP does not govern.
func Axe(t testing.TB, ctx context.Context, page string) AxeResult {
	t.Helper()
	res := RunAxe(t, ctx)
	n := len(res.Violations)
	t.Logf("axe %s: %d violations (axe %s: %d rules passed, %d inapplicable, needs review: %s)",
		page, n, res.Version, res.Passes, res.Inapplicable, orNone(res.Incomplete))
	if n > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "axe %s (%s): %d violations of WCAG 2.2 A/AA:", page, Path(t, ctx), n)
		for _, v := range res.Violations {
			fmt.Fprintf(&b, "\n- %s (%s): %s [%s]", v.ID, v.Impact, v.Help, v.HelpURL)
			for _, node := range v.Nodes {
				fmt.Fprintf(&b, "\n    %s: %s", strings.Join(node.Target, " "), node.HTML)
				if node.Summary != "" {
					fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(node.Summary, "\n", "\n      "))
				}
			}
		}
		t.Error(b.String())
	}
	return res
}

// RunAxe runs axe-core on the current page and returns the result without
// judging it.
func RunAxe(t testing.TB, ctx context.Context) AxeResult {
	t.Helper()
	src := axeSource(t)
	sctx, cancel := step(ctx)
	defer cancel()
	// Each new document needs its own copy.
	loaded, err := chromedp.Run(sctx, chromedp.Evaluate[bool](`typeof axe === "object"`))
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	if !loaded {
		ok, err := chromedp.Run(sctx, chromedp.Evaluate[bool](src+"\n;typeof axe === \"object\" && typeof axe.run === \"function\""))
		if err != nil {
			t.Fatalf("axe: inject axe.min.js: %v", err)
		}
		if !ok {
			t.Fatal("axe: axe.min.js ran but defined no axe.run")
		}
	}
	tags := `["` + strings.Join(AxeTags, `","`) + `"]`
	js := `axe.run(document, {runOnly: {type: 'tag', values: ` + tags + `}}).then(r => ({
  version: r.testEngine.version,
  passes: r.passes.length,
  inapplicable: r.inapplicable.length,
  incomplete: r.incomplete.map(v => v.id),
  violations: r.violations.map(v => ({
    id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, summary: n.failureSummary || ""})),
  })),
}))`
	res, err := chromedp.Run(sctx, chromedp.Evaluate[AxeResult](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe: run: %v", err)
	}
	return res
}

var axeCache struct {
	sync.Mutex
	path, src string
}

// axeSource reads axe.min.js from SETTLE_AXE_JS, or from where `make tools`
// puts it under the repository root.
func axeSource(t testing.TB) string {
	t.Helper()
	path := os.Getenv(EnvAxeJS)
	if path == "" {
		path = filepath.Join(RepoRoot(t), ".cache", "tools", "node_modules", "axe-core", "axe.min.js")
	}
	axeCache.Lock()
	defer axeCache.Unlock()
	if axeCache.path == path {
		return axeCache.src
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe: cannot read axe-core (%v); run `make tools` to install it, or set %s to axe.min.js", err, EnvAxeJS)
	}
	axeCache.path, axeCache.src = path, string(b)
	return axeCache.src
}

func orNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
