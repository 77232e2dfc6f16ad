// Package lighthouse runs Lighthouse (the npm CLI make tools installs) on a
// few pages of a running Settle and reads the scores: issue P, goal 4. The
// portal's TestLighthouse (in make test) and settle-bench portal (make
// bench) both use it, so the test and the benchmark measure the same way.
//
// Lighthouse's performance score on two shared cores used to swing from 51
// to 100 for the same page: its mobile preset multiplies the main thread's
// measured time by 4, a factor meant for a fast desktop (benchmarkIndex
// about 1,500), and this machine measures 100 to 1,100 depending on what
// else runs. run.mjs does what Lighthouse's documents say for such a host:
//
//   - before every run it measures Lighthouse's own benchmarkIndex in the
//     same Chromium and sets throttling.cpuSlowdownMultiplier from it with the
//     calculator docs/throttling.md links ("Calibrating the CPU slowdown"):
//     1533 -> 4x, 1300 -> 3x, 800 -> 2x, 150 -> 1x, linear in between, so the
//     simulated phone is the same mid-tier phone however busy the host is;
//   - it runs each page several times and keeps the median run (Lighthouse's
//     computeMedianRun, docs/variability.md: the run closest to the median
//     First Contentful Paint and Time to Interactive), not the best one.
//     A run Chrome fails to trace is run once more; a page with a run that
//     fails twice fails (Run's error says which and why) rather than being
//     scored on fewer runs.
//
// Network throttling (simulated slow 4G) is Lighthouse's default and left
// alone, so a heavier page or another render-blocking request still costs
// what it costs. Accessibility and best practices do not depend on speed:
// the first run of each page scores them, later runs only performance.
package lighthouse

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed run.mjs
var driver []byte

// Floors are issue P's: at least these on the overview, invoice and pay pages.
var Floors = []Floor{{"performance", 0.98}, {"accessibility", 1}, {"best-practices", 1}}

// Floor is the lowest score (0 to 1) a category may have.
type Floor struct {
	Category string
	Min      float64
}

// Runs is how many times each page is run; the median run counts.
const Runs = 3

// DefaultCLI is where make tools installs the CLI, from the repository root.
const DefaultCLI = ".cache/tools/node_modules/.bin/lighthouse"

// Page is one page to run Lighthouse on.
type Page struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Options say what to run and how.
type Options struct {
	CLI      string            // the lighthouse CLI (its package is found from it)
	Chromium string            // the browser; "" is Debian's, or chromium on PATH
	Headers  map[string]string // sent with every request (a session cookie)
	Runs     int               // per page; 0 is Runs
	Pages    []Page
}

// Result is one page's outcome.
type Result struct {
	Page   Page
	Median Report // the median run: performance counts from here
	First  Report // the first run: accessibility and best practices
}

// Score is the category's score (0 to 1) from the run that scores it, and
// false when the report has none.
func (r Result) Score(category string) (float64, bool) {
	rep := r.First
	if category == "performance" {
		rep = r.Median
	}
	c, ok := rep.Categories[category]
	if !ok || c.Score == nil {
		return 0, false
	}
	return *c.Score, true
}

// Lost names the scored audits of a category below full marks, so a
// failure says what to fix.
func (r Result) Lost(category string) string {
	rep := r.First
	if category == "performance" {
		rep = r.Median
	}
	var lost []string
	for _, ref := range rep.Categories[category].AuditRefs {
		if a := rep.Audits[ref.ID]; ref.Weight > 0 && a.Score != nil && *a.Score < 1 {
			what := a.DisplayValue
			for _, it := range a.Details.Items {
				if it.Description != "" {
					what += " " + string(it.Source) + ": " + it.Description + " " + it.URL
				}
			}
			lost = append(lost, fmt.Sprintf("%s (%s, score %.2f)", a.Title, strings.TrimSpace(what), *a.Score))
		}
	}
	return strings.Join(lost, "; ")
}

// Report is the part of a Lighthouse report (LHR) this package reads.
type Report struct {
	FinalURL    string `json:"finalDisplayedUrl"`
	Environment struct {
		BenchmarkIndex float64 `json:"benchmarkIndex"`
	} `json:"environment"`
	// Calibration is run.mjs's: the benchmarkIndex measured just before
	// the run, which gave the run's CPU slowdown.
	Calibration struct {
		BenchmarkIndex float64 `json:"benchmarkIndex"`
	} `json:"calibration"`
	Settings struct {
		Throttling struct {
			CPUSlowdownMultiplier float64 `json:"cpuSlowdownMultiplier"`
		} `json:"throttling"`
	} `json:"configSettings"`
	Categories map[string]struct {
		Score     *float64 `json:"score"`
		AuditRefs []struct {
			ID     string  `json:"id"`
			Weight float64 `json:"weight"`
		} `json:"auditRefs"`
	} `json:"categories"`
	Audits map[string]struct {
		Title        string   `json:"title"`
		Score        *float64 `json:"score"`
		DisplayValue string   `json:"displayValue"`
		Details      struct {
			Items []struct {
				Source      json.RawMessage `json:"source"`
				Description string          `json:"description"`
				URL         string          `json:"url"`
			} `json:"items"`
		} `json:"details"`
	} `json:"audits"`
}

// Run runs Lighthouse on the pages, one after the other in one Node process
// and one Chromium. log is run.mjs's output: one JSON line per run with the
// benchmarkIndex it measured, the slowdown that gave and the score.
func Run(ctx context.Context, o Options) (results []Result, log []byte, err error) {
	if o.CLI, err = filepath.Abs(o.CLI); err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(o.CLI); err != nil {
		return nil, nil, fmt.Errorf("lighthouse CLI: %w (make tools installs it)", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, nil, fmt.Errorf("lighthouse needs Node: %w", err)
	}
	if o.Chromium == "" {
		o.Chromium = chromium()
	}
	if o.Chromium == "" {
		return nil, nil, errors.New("lighthouse needs Chromium: none at /usr/bin/chromium or on PATH")
	}
	if o.Runs == 0 {
		o.Runs = Runs
	}
	dir, err := os.MkdirTemp("", "settle-lighthouse-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	cfg, err := json.Marshal(map[string]any{"lighthouse": o.CLI, "chrome": o.Chromium, "headers": o.Headers,
		"runs": o.Runs, "out": dir, "pages": o.Pages})
	if err != nil {
		return nil, nil, err
	}
	script, cfgPath := filepath.Join(dir, "run.mjs"), filepath.Join(dir, "config.json")
	if err := os.WriteFile(script, driver, 0o600); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, node, script, cfgPath)
	cmd.Env = append(os.Environ(), "CI=1")
	log, err = cmd.CombinedOutput()
	if err != nil {
		if why := failures(log); why != "" {
			return nil, log, fmt.Errorf("lighthouse: %s", why)
		}
		return nil, log, fmt.Errorf("lighthouse: %w", err)
	}
	for _, p := range o.Pages {
		r := Result{Page: p}
		for _, f := range []struct {
			name string
			to   *Report
		}{{".median.json", &r.Median}, {".first.json", &r.First}} {
			b, err := os.ReadFile(filepath.Join(dir, p.Name+f.name))
			if err != nil {
				return nil, log, err
			}
			if err := json.Unmarshal(b, f.to); err != nil {
				return nil, log, fmt.Errorf("%s%s: %w", p.Name, f.name, err)
			}
		}
		results = append(results, r)
	}
	return results, log, nil
}

// failures says which pages run.mjs could not score, and why, from the
// lines it prints for them ({"page", "failed"}); "" when there is none.
func failures(log []byte) string {
	var out []string
	for _, line := range bytes.Split(log, []byte("\n")) {
		var f struct {
			Page   string `json:"page"`
			Failed string `json:"failed"`
		}
		if json.Unmarshal(line, &f) == nil && f.Failed != "" {
			out = append(out, "page "+f.Page+": "+f.Failed)
		}
	}
	return strings.Join(out, "; ")
}

// chromium is Debian's Chromium, or chromium on PATH, or "".
func chromium() string {
	if st, err := os.Stat("/usr/bin/chromium"); err == nil && !st.IsDir() {
		return "/usr/bin/chromium"
	}
	p, _ := exec.LookPath("chromium")
	return p
}

// CLI is the lighthouse CLI named by SETTLE_LIGHTHOUSE, else DefaultCLI.
func CLI() string {
	if p := os.Getenv("SETTLE_LIGHTHOUSE"); p != "" {
		return p
	}
	return DefaultCLI
}
