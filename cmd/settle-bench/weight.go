package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/settle/settle/internal/lighthouse"
)

// Goal 4 of issue P: the overview and its stylesheet at most 20 KB
// compressed, and no JavaScript needed. The one script allowed is the
// transfer block's copy buttons (deferred, our own; the page does
// everything without it: TestOverviewWeight and TestBrowserCopyIBAN).
const weightCeiling = 20 * 1024

var (
	scriptTag  = regexp.MustCompile(`(?i)<script\b`)
	copyScript = regexp.MustCompile(`<script src="(/static/copy\.js[^"]*)" defer></script>`)
)

// pageWeight fetches the overview with a session's cookie, the stylesheets
// it links and copy.js, and says what they weigh gzipped (level 6, what a
// proxy in front would send).
func pageWeight(ctx context.Context, base, cookie string) (goal, error) {
	get := fetcher(ctx, base, cookie)
	page, err := get("/overview")
	if err != nil {
		return goal{}, err
	}
	raw, packed := len(page), gzipped(page)
	for _, m := range regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`).FindAllSubmatch(page, -1) {
		css, err := get(string(m[1]))
		if err != nil {
			return goal{}, err
		}
		raw, packed = raw+len(css), packed+gzipped(css)
	}
	for _, m := range copyScript.FindAllSubmatch(page, -1) {
		js, err := get(string(m[1]))
		if err != nil {
			return goal{}, err
		}
		raw, packed = raw+len(js), packed+gzipped(js)
	}
	others := len(scriptTag.FindAll(copyScript.ReplaceAll(page, nil), -1))
	return goal{"4 page weight: overview, its CSS and copy.js gzipped; no other script",
		fmt.Sprintf("%.1f KB (%.1f KB raw), %d other script tags", float64(packed)/1024, float64(raw)/1024, others),
		"<= 20 KB, 0 other scripts", packed <= weightCeiling && others == 0}, nil
}

// fetcher GETs paths of base with a session's cookie.
func fetcher(ctx context.Context, base, cookie string) func(path string) ([]byte, error) {
	return func(path string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Cookie", cookie)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: status %d", path, res.StatusCode)
		}
		return io.ReadAll(res.Body)
	}
}

const (
	lighthouseName    = ": performance, accessibility, best practices"
	lighthouseCeiling = ">= 98, 100, 100"
)

var invoiceLink = regexp.MustCompile(`href="(/invoices/[0-9a-f-]{36})"`)

// lighthouseGoals runs Lighthouse (package lighthouse: mobile, CPU slowdown
// calibrated per run, median of 3 runs) on the overview, its first invoice
// and the pay page, as TestLighthouse does on the demo data: one goal line
// per page. cli "" skips them (-lighthouse "").
func lighthouseGoals(ctx context.Context, base, cookie, cli string) []goal {
	pages := []lighthouse.Page{{Name: "overview", URL: base + "/overview"}}
	overview, err := fetcher(ctx, base, cookie)("/overview")
	if err == nil {
		if m := invoiceLink.FindSubmatch(overview); m != nil {
			pages = append(pages, lighthouse.Page{Name: "invoice", URL: base + string(m[1])})
		}
	}
	pages = append(pages, lighthouse.Page{Name: "pay", URL: base + "/pay/method"})
	failed := func(why string) []goal {
		var gs []goal
		for _, p := range pages {
			gs = append(gs, goal{"4 Lighthouse " + p.Name + lighthouseName, "not run: " + why, lighthouseCeiling, false})
		}
		return gs
	}
	if cli == "" {
		return failed("-lighthouse is empty")
	}
	if err != nil {
		return failed(err.Error())
	}
	fmt.Printf("\nLighthouse (mobile, CPU slowdown calibrated per run, median of %d runs) on %d pages\n", lighthouse.Runs, len(pages))
	results, log, err := lighthouse.Run(ctx, lighthouse.Options{CLI: cli, Pages: pages, Headers: map[string]string{"Cookie": cookie}})
	fmt.Print(indent(string(log)))
	if err != nil {
		return failed(err.Error())
	}
	var gs []goal
	for _, r := range results {
		var scores []string
		met := true
		for _, f := range lighthouse.Floors {
			s, ok := r.Score(f.Category)
			met = met && ok && s >= f.Min
			scores = append(scores, fmt.Sprintf("%.0f", s*100))
		}
		gs = append(gs, goal{"4 Lighthouse " + r.Page.Name + lighthouseName,
			fmt.Sprintf("%s (median of %d runs; its CPU slowdown %.2fx from benchmarkIndex %.0f)", strings.Join(scores, ", "),
				lighthouse.Runs, r.Median.Settings.Throttling.CPUSlowdownMultiplier, r.Median.Calibration.BenchmarkIndex),
			lighthouseCeiling, met})
	}
	return gs
}

func gzipped(b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, 6)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Len()
}
