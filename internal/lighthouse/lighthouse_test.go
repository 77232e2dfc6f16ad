package lighthouse

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestScoresAndLost: performance is read from the median run, the other
// categories from the first, and a failure names exactly the weighted
// audits below full marks.
func TestScoresAndLost(t *testing.T) {
	var median, first Report
	if err := json.Unmarshal([]byte(`{
		"categories": {"performance": {"score": 0.93, "auditRefs": [
			{"id": "total-blocking-time", "weight": 30}, {"id": "largest-contentful-paint", "weight": 25},
			{"id": "max-potential-fid", "weight": 0}]}},
		"audits": {
			"total-blocking-time": {"title": "Total Blocking Time", "score": 0.7, "displayValue": "420 ms"},
			"largest-contentful-paint": {"title": "Largest Contentful Paint", "score": 1, "displayValue": "1.1 s"},
			"max-potential-fid": {"title": "Max Potential First Input Delay", "score": 0.2}}}`), &median); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`{"categories": {
		"performance": {"score": 1}, "accessibility": {"score": 1}, "best-practices": {"score": 0.96, "auditRefs": [{"id": "errors-in-console", "weight": 1}]}},
		"audits": {"errors-in-console": {"title": "Browser errors were logged to the console", "score": 0,
			"details": {"items": [{"source": "network", "description": "404 (Not Found)", "url": "http://x/favicon.ico"}]}}}}`), &first); err != nil {
		t.Fatal(err)
	}
	r := Result{Page: Page{Name: "invoice"}, Median: median, First: first}
	for cat, want := range map[string]float64{"performance": 0.93, "accessibility": 1, "best-practices": 0.96} {
		if got, ok := r.Score(cat); !ok || got != want {
			t.Errorf("Score(%s) = %v, %v; want %v", cat, got, ok, want)
		}
	}
	if _, ok := r.Score("seo"); ok {
		t.Error("Score(seo) found a category the reports do not have")
	}
	if got, want := r.Lost("performance"), "Total Blocking Time (420 ms, score 0.70)"; got != want {
		t.Errorf("Lost(performance) = %q, want %q", got, want)
	}
	if got := r.Lost("best-practices"); !strings.Contains(got, `"network": 404 (Not Found) http://x/favicon.ico`) {
		t.Errorf("Lost(best-practices) = %q, want the console error and its address", got)
	}
}

// TestFailures: the pages run.mjs could not score are named with why, and
// the per-run lines are not taken for failures.
func TestFailures(t *testing.T) {
	log := []byte(`{"page":"overview","run":1,"performance":1,"error":null}
{"page":"pay","run":1,"error":"NO_NAVSTART","message":"no navstart"}
{"page":"pay","failed":"run 1 of 3 gave no valid report, twice (last: NO_NAVSTART: no navstart); the score is the median of all 3 runs"}
not json
`)
	want := "page pay: run 1 of 3 gave no valid report, twice (last: NO_NAVSTART: no navstart); the score is the median of all 3 runs"
	if got := failures(log); got != want {
		t.Errorf("failures = %q, want %q", got, want)
	}
	if got := failures([]byte(`{"page":"overview","run":1,"performance":1}`)); got != "" {
		t.Errorf("failures of a clean log = %q, want none", got)
	}
}
