package lighthouse_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/settle/settle/internal/browsertest"
	"github.com/settle/settle/internal/lighthouse"
)

// A page that gives a valid report in some runs but not in all is not
// scored on the runs that are left: a failed run is tried once more, then
// Run fails and says which page, which run and why. The page here answers
// its first two requests (run.mjs's unmeasured visit and the first run)
// and then fails.
func TestRunFailsAPageWithoutAllItsRuns(t *testing.T) {
	cli := browsertest.LighthouseCLI(t)
	var served atomic.Int32
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/flaky" {
			http.NotFound(w, r)
			return
		}
		if served.Add(1) > 2 {
			http.Error(w, "gone", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Ok</title></head><body><h1>Ok</h1></body></html>`)
	}))
	defer site.Close()

	_, log, err := lighthouse.Run(context.Background(), lighthouse.Options{CLI: cli, Chromium: browsertest.ChromiumPath(), Runs: 2,
		Pages: []lighthouse.Page{{Name: "flaky", URL: site.URL + "/flaky"}}})
	t.Logf("lighthouse runs:\n%s", log)
	if err == nil {
		t.Fatal("Run scored a page on fewer valid runs than asked")
	}
	if msg := err.Error(); !strings.Contains(msg, "page flaky: run 2 of 2 gave no valid report, twice") {
		t.Errorf("Run's error %q does not say that page flaky's second run failed twice", msg)
	}
	if n := strings.Count(string(log), `"page":"flaky","run"`); n != 3 {
		t.Errorf("page flaky was run %d times, want 3 (one valid, one failed and tried once more)", n)
	}
}
