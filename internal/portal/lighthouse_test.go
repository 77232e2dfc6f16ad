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

// Issue P, goal 4: on a phone (Lighthouse's mobile preset, simulated slow
// 4G and a slower CPU) the overview, an invoice and the pay page score at
// least these. Performance is scored from measured paint and blocking
// times, so a page that needs JavaScript or a heavy stylesheet loses it.
var lighthouseFloor = map[string]float64{"performance": 0.98, "accessibility": 1, "best-practices": 1}

// TestLighthouse runs Lighthouse 12.2.3 with Debian's Chromium on the demo
// data, signed in as a demo debtor, and fails below the floors. It runs
// when SETTLE_LIGHTHOUSE names the lighthouse CLI (make lighthouse sets it
// after make tools). It is not in make test yet: on the shared two cores the
// simulated phone's Total Blocking Time (measured main-thread time × 4)
// fails the performance floor whatever the page does (docs/performance.md).
func TestLighthouse(t *testing.T) {
	lh := os.Getenv("SETTLE_LIGHTHOUSE")
	if lh == "" {
		t.Skip("SETTLE_LIGHTHOUSE is not set; make lighthouse runs this")
	}
	if _, err := os.Stat(lh); err != nil {
		t.Fatalf("SETTLE_LIGHTHOUSE=%s: %v (make tools installs Lighthouse)", lh, err)
	}
	site := browsertest.Start(t)
	d := site.Debtor(t, "several invoices, English")
	st := severalOpen(t, site, d)
	// Signed in as the second factor would sign in (the journeys test that).
	token, err := site.DB.CreateSession(context.Background(), postgres.Session{Kind: "debtor", DebtorID: d.ID, CreditorID: d.CreditorID, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	headers, _ := json.Marshal(map[string]string{"Cookie": "settle_session=" + token})
	pages := []struct{ name, path string }{
		{"overview", "/overview"},
		{"invoice", "/invoices/" + st.Lines[0].Invoice.ID},
		{"pay", "/pay/method"},
	}
	dir := t.TempDir()
	for _, p := range pages {
		out := filepath.Join(dir, p.name+".json")
		cmd := exec.Command(lh, site.URL+p.path,
			"--chrome-path="+browsertest.ChromiumPath(),
			"--chrome-flags=--headless=new --no-sandbox --disable-gpu",
			"--only-categories=performance,accessibility,best-practices",
			"--extra-headers="+string(headers),
			"--output=json", "--output-path="+out, "--quiet", "--max-wait-for-load=30000")
		cmd.Env = append(os.Environ(), "CI=1")
		began := time.Now()
		b, err := cmd.CombinedOutput()
		if err != nil && strings.Contains(string(b), "Please run Lighthouse again") {
			// A trace Chrome failed to record (NO_NAVSTART and kin) says
			// nothing about the page; Lighthouse's own advice is one more run.
			retry := exec.Command(cmd.Path, cmd.Args[1:]...)
			retry.Env = cmd.Env
			b, err = retry.CombinedOutput()
		}
		if err != nil {
			t.Fatalf("lighthouse %s: %v\n%s", p.name, err, b)
		}
		var report struct {
			FinalURL   string `json:"finalDisplayedUrl"`
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
		b, err = os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &report); err != nil {
			t.Fatalf("lighthouse %s: %v", p.name, err)
		}
		if !strings.HasSuffix(report.FinalURL, p.path) {
			t.Fatalf("lighthouse %s ended at %s, not %s (signed out?)", p.name, report.FinalURL, p.path)
		}
		var line []string
		for cat, floor := range lighthouseFloor {
			c, ok := report.Categories[cat]
			if !ok || c.Score == nil {
				t.Errorf("lighthouse %s: no %s score", p.name, cat)
				continue
			}
			line = append(line, fmt.Sprintf("%s %.0f", cat, *c.Score*100))
			if *c.Score < floor {
				// Name the audits that cost points, so the failure says what to fix.
				var lost []string
				for _, r := range c.AuditRefs {
					if a := report.Audits[r.ID]; r.Weight > 0 && a.Score != nil && *a.Score < 1 {
						what := a.DisplayValue
						for _, it := range a.Details.Items {
							if it.Description != "" {
								what += " " + string(it.Source) + ": " + it.Description + " " + it.URL
							}
						}
						lost = append(lost, fmt.Sprintf("%s (%s, score %.2f)", a.Title, strings.TrimSpace(what), *a.Score))
					}
				}
				t.Errorf("lighthouse %s: %s %.0f, want at least %.0f; audits below 1: %s", p.name, cat, *c.Score*100, floor*100, strings.Join(lost, "; "))
			}
		}
		t.Logf("lighthouse %s (%s): %s in %s", p.name, p.path, strings.Join(line, ", "), time.Since(began).Round(time.Second))
	}
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
