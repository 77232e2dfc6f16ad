package jobs_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/settle/settle/internal/metrics"
)

// A webhook's request id reaches the sync job it enqueues: River keeps it
// in the job's metadata and the worker's log lines carry it, so one grep
// for the id shows the request and the booking it caused, whichever
// instance ran the job. The run also lands in the job latency histograms.
func TestRequestIDFollowsJob(t *testing.T) {
	w := newWorld(t)
	in := w.instance(true)
	w.fake.WebhookDisabled.Store(true) // the test posts the webhook itself, with its own request id
	p := w.mollie(in, 10000, w.invs[0].ID)
	if err := w.fake.SetStatus(p.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	admin := httptest.NewServer(metrics.Handler(metrics.NewRegistry(metrics.Sources{})))
	defer admin.Close()
	waitSeries := `settle_river_job_wait_seconds_count{kind="sync_payment"}`
	runSeries := `settle_river_job_run_seconds_count{kind="sync_payment",outcome="ok"}`
	before := scrapeJobs(t, admin.URL)

	const id = "req-4711-webhook"
	req, err := http.NewRequest(http.MethodPost, in.base+"/webhooks/mollie", strings.NewReader(url.Values{"id": {p.ProviderID}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Request-ID", id)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %d, want 200", res.StatusCode)
	}
	w.settle()
	w.wantBookedOnce(p, 10000)

	if n := w.Count(`SELECT count(*) FROM river_job WHERE kind = 'sync_payment' AND metadata->>'request_id' = $1`, id); n != 1 {
		t.Errorf("sync jobs carrying request id %s in their metadata: %d, want 1", id, n)
	}
	var jobLine, requestLine bool
	for _, line := range strings.Split(w.Logs.String(), "\n") {
		if !strings.Contains(line, "request_id="+id) {
			continue
		}
		requestLine = requestLine || strings.Contains(line, "msg=request ") && strings.Contains(line, "path=/webhooks/mollie")
		jobLine = jobLine || strings.Contains(line, `msg="job done"`) && strings.Contains(line, "kind=sync_payment")
	}
	if !requestLine || !jobLine {
		t.Errorf("log lines with request_id=%s: access log %v, sync job %v; want both", id, requestLine, jobLine)
	}

	after := scrapeJobs(t, admin.URL)
	for _, s := range []string{waitSeries, runSeries} {
		if sample(after, s) <= sample(before, s) {
			t.Errorf("%s did not move: %v before, %v after", s, sample(before, s), sample(after, s))
		}
	}
}

func scrapeJobs(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sample is the value of series in a scrape; 0 when it is not there.
func sample(scrape, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(scrape)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}
