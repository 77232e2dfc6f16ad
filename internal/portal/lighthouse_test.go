package portal_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/browsertest"
	"github.com/settle/settle/internal/postgres"
)

// Issue P, goal 4: on a phone (Lighthouse's mobile preset: simulated slow
// 4G and a slower CPU) the overview, an invoice and the pay page score at
// least these. Performance is scored from paint and blocking times, so a
// page that needs JavaScript or a heavy stylesheet loses it.
var lighthouseFloor = map[string]float64{"performance": 0.98, "accessibility": 1, "best-practices": 1}

// lighthouseRuns is how many times each page is run; the median run counts.
const lighthouseRuns = 3

// TestLighthouse runs Lighthouse 12.2.3 with Debian's Chromium in its mobile
// mode on the demo data, signed in as a demo debtor, and fails below the
// floors, naming the audits that cost points. It runs in make test, which
// sets SETTLE_LIGHTHOUSE to the CLI make tools installed; without it the
// test fails under SETTLE_REQUIRE_BROWSER=1 and is skipped otherwise.
//
// Lighthouse's performance score on this machine used to swing from 51 to
// 100 for the same page: its mobile preset multiplies the main thread's
// measured time by 4, a factor meant for a fast desktop (benchmarkIndex
// about 1,500), and two cores shared with the rest of the suite measure
// 100 to 1,100. testdata/lighthouse.mjs does what Lighthouse's documents say
// for such a host (docs/performance.md, goal 4, has the figures):
//   - before every run it measures Lighthouse's benchmarkIndex in the same
//     Chromium and sets --throttling.cpuSlowdownMultiplier from it with the
//     calculator linked from docs/throttling.md ("Calibrating the CPU
//     slowdown"), so the simulated phone is the same mid-tier phone however
//     fast the host is at that moment;
//   - it runs each page lighthouseRuns times and keeps the median run
//     (Lighthouse's computeMedianRun, docs/variability.md), not the best.
//
// Accessibility and best practices do not depend on speed: the first run of
// each page scores them, the later runs only performance. Network
// throttling (slow 4G, simulated) is Lighthouse's default and untouched, so
// a heavier page or a render-blocking request still costs what it costs.
func TestLighthouse(t *testing.T) {
	lh := os.Getenv("SETTLE_LIGHTHOUSE")
	if lh == "" {
		if os.Getenv(browsertest.EnvRequireBrowser) == "1" {
			t.Fatalf("SETTLE_LIGHTHOUSE is not set and %s=1: run make test (it sets it after make tools), or make lighthouse", browsertest.EnvRequireBrowser)
		}
		t.Skipf("SETTLE_LIGHTHOUSE is not set; make test and make lighthouse set it (set %s=1 to fail instead)", browsertest.EnvRequireBrowser)
	}
	if _, err := os.Stat(lh); err != nil {
		t.Fatalf("SETTLE_LIGHTHOUSE=%s: %v (make tools installs Lighthouse)", lh, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("Lighthouse needs Node: %v", err)
	}
	chromium := browsertest.ChromiumPath()
	if chromium == "" {
		t.Fatal("Lighthouse needs Chromium: none at /usr/bin/chromium or on PATH")
	}
	driver, err := filepath.Abs(filepath.Join("testdata", "lighthouse.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	site := browsertest.Start(t)
	d := site.Debtor(t, "several invoices, English")
	st := severalOpen(t, site, d)
	// Signed in as the second factor would sign in (the journeys test that).
	token, err := site.DB.CreateSession(context.Background(), postgres.Session{Kind: "debtor", DebtorID: d.ID, CreditorID: d.CreditorID, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	type page struct {
		Name string `json:"name"`
		URL  string `json:"url"`
		path string
	}
	pages := []page{
		{Name: "overview", path: "/overview"},
		{Name: "invoice", path: "/invoices/" + st.Lines[0].Invoice.ID},
		{Name: "pay", path: "/pay/method"},
	}
	for i := range pages {
		pages[i].URL = site.URL + pages[i].path
	}
	dir := t.TempDir()
	cfg, _ := json.Marshal(map[string]any{
		"lighthouse": lh, "chrome": chromium, "runs": lighthouseRuns, "out": dir, "pages": pages,
		"headers": map[string]string{"Cookie": "settle_session=" + token},
	})
	cfgPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	cmd := exec.Command(node, driver, cfgPath)
	cmd.Env = append(os.Environ(), "CI=1")
	out, err := cmd.CombinedOutput()
	// One line per run: the benchmarkIndex, the multiplier it gave and the score.
	t.Logf("lighthouse runs (%s):\n%s", time.Since(began).Round(time.Second), out)
	if err != nil {
		t.Fatalf("lighthouse: %v", err)
	}
	for _, p := range pages {
		median := readLighthouse(t, filepath.Join(dir, p.Name+".median.json"))
		first := readLighthouse(t, filepath.Join(dir, p.Name+".first.json"))
		for _, r := range []lighthouseReport{median, first} {
			if !strings.HasSuffix(r.FinalURL, p.path) {
				t.Fatalf("lighthouse %s ended at %s, not %s (signed out?)", p.Name, r.FinalURL, p.path)
			}
		}
		var line []string
		for _, cat := range []string{"performance", "accessibility", "best-practices"} {
			// Performance from the median run, the others from the first.
			r := first
			if cat == "performance" {
				r = median
			}
			c, ok := r.Categories[cat]
			if !ok || c.Score == nil {
				t.Errorf("lighthouse %s: no %s score", p.Name, cat)
				continue
			}
			line = append(line, fmt.Sprintf("%s %.0f", cat, *c.Score*100))
			if floor := lighthouseFloor[cat]; *c.Score < floor {
				t.Errorf("lighthouse %s: %s %.0f, want at least %.0f; audits below 1: %s", p.Name, cat, *c.Score*100, floor*100, r.lost(cat))
			}
		}
		t.Logf("lighthouse %s (%s): %s; median run: benchmarkIndex %.0f, CPU slowdown %.2fx",
			p.Name, p.path, strings.Join(line, ", "), median.Environment.BenchmarkIndex, median.Settings.Throttling.CPUSlowdownMultiplier)
	}
}

// lighthouseReport is the part of a Lighthouse report the test reads.
type lighthouseReport struct {
	FinalURL    string `json:"finalDisplayedUrl"`
	Environment struct {
		BenchmarkIndex float64 `json:"benchmarkIndex"`
	} `json:"environment"`
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

func readLighthouse(t *testing.T, path string) lighthouseReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r lighthouseReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// lost names the scored audits of a category below full marks, so a
// failure says what to fix.
func (r lighthouseReport) lost(cat string) string {
	var lost []string
	for _, ref := range r.Categories[cat].AuditRefs {
		if a := r.Audits[ref.ID]; ref.Weight > 0 && a.Score != nil && *a.Score < 1 {
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

// TestOverviewWeight holds the overview of the demo debtor with the most
// invoices, with its stylesheets and scripts, to 20 KB gzipped (issue P,
// goal 4): the page must work and paint on a slow phone without a script.
// The one script allowed is the transfer block's copy buttons: deferred,
// from our own address, and the page does everything without it.
func TestOverviewWeight(t *testing.T) {
	site := browsertest.Start(t)
	d := site.Debtor(t, "several invoices, English")
	token, err := site.DB.CreateSession(context.Background(), postgres.Session{Kind: "debtor", DebtorID: d.ID, CreditorID: d.CreditorID, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) []byte {
		req, _ := http.NewRequest(http.MethodGet, site.URL+path, nil)
		req.Header.Set("Cookie", "settle_session="+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d, %v", path, res.StatusCode, err)
		}
		return b
	}
	page := get("/overview")
	if !strings.Contains(string(page), d.Name) {
		t.Fatalf("the overview does not name %s: not signed in?", d.Name)
	}
	raw, packed := len(page), gzipSize(page)
	links := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`).FindAllSubmatch(page, -1)
	if len(links) == 0 {
		t.Fatal("the overview links no stylesheet")
	}
	for _, m := range links {
		css := get(string(m[1]))
		raw, packed = raw+len(css), packed+gzipSize(css)
	}
	if !bytes.Contains(page, []byte(apptest.PortalScript)) {
		t.Error("the overview does not load the copy buttons' script")
	}
	js := get("/static/copy.js")
	raw, packed = raw+len(js), packed+gzipSize(js)
	t.Logf("overview, CSS and copy.js: %d bytes, %d gzipped", raw, packed)
	if packed > 20*1024 {
		t.Errorf("overview, CSS and copy.js are %d bytes gzipped, more than 20 KB", packed)
	}
	if regexp.MustCompile(`(?i)<script\b|\bon[a-z]+=`).Match(bytes.ReplaceAll(page, []byte(apptest.PortalScript), nil)) {
		t.Error("the overview has a script besides copy.js, or an inline event handler; it must work without JavaScript")
	}
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, 6)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Len()
}
