package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }

// With SETTLE_ADMIN_ADDR set, the admin listener serves the metrics and
// pprof; requests are counted under their route pattern (no ids, no
// tokens), webhook posts by outcome; the public app serves neither.
func TestAdminListenerCountsRequests(t *testing.T) {
	e, admin := adminApp(t)
	counters := []string{
		`settle_http_requests_total{method="GET",route="/healthz",status="2xx"}`,
		`settle_http_requests_total{method="GET",route="no route",status="4xx"}`,
		`settle_http_requests_total{method="GET",route="/l/:token",status="4xx"}`,
		`settle_webhook_events_total{outcome="refused",provider="mollie"}`,
	}
	before := scrape(t, admin)

	c := e.Client()
	for _, r := range []struct {
		path string
		want int
	}{{"/healthz", 200}, {"/no-such-page/inv_4711", 404}, {"/l/secret-token-4711", 0}} {
		got := c.Get(r.path).Status
		if r.want != 0 && got != r.want {
			t.Fatalf("GET %s: %d, want %d", r.path, got, r.want)
		}
		if r.want == 0 && (got < 400 || got > 499) {
			t.Fatalf("GET %s: %d, want a 4xx for an unknown link", r.path, got)
		}
	}
	if got := c.PostAsIs("/webhooks/mollie", url.Values{"id": {"tr_unknown"}}).Status; got != http.StatusBadRequest {
		t.Fatalf("webhook for an unknown payment: %d, want 400", got)
	}

	after := scrape(t, admin)
	for _, name := range counters {
		if value(after, name) <= value(before, name) {
			t.Errorf("%s did not move: %v before, %v after", name, value(before, name), value(after, name))
		}
	}
	for _, leak := range []string{"inv_4711", "secret-token-4711"} {
		if strings.Contains(after, leak) {
			t.Errorf("the metrics carry the raw path part %q", leak)
		}
	}
	for _, want := range []string{"settle_http_request_duration_seconds_bucket", "settle_db_pool_total_conns", "settle_db_pool_acquire_wait_seconds_total"} {
		if !strings.Contains(after, want) {
			t.Errorf("the metrics lack %s", want)
		}
	}

	if status, body := get(t, admin+"/debug/pprof/"); status != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("pprof on the admin listener: %d, want 200 with its index", status)
	}
	for _, path := range []string{"/debug/pprof/", "/metrics"} {
		if got := c.Get(path).Status; got != http.StatusNotFound {
			t.Errorf("GET %s on the public app: %d, want 404", path, got)
		}
	}
}

// Available River jobs show per queue, read from river_job at scrape time.
func TestAdminQueueDepth(t *testing.T) {
	e, admin := adminApp(t)
	if _, err := e.DB.PoolForTests().Exec(e.Ctx, `INSERT INTO river_job (args, kind, max_attempts, queue, state) VALUES ('{}', 'probe', 1, 'metrics_probe', 'available')`); err != nil {
		t.Fatal(err)
	}
	if got := value(scrape(t, admin), `settle_river_available_jobs{queue="metrics_probe"}`); got != 1 {
		t.Errorf("available jobs in metrics_probe: %v, want 1", got)
	}
}

// adminApp is an app built with SETTLE_ADMIN_ADDR and its admin listener
// on a free loopback port; it returns the listener's http address.
func adminApp(t *testing.T) (*apptest.Env, string) {
	e := apptest.New(t, apptest.Options{Config: config.Config{AdminAddr: "127.0.0.1:0"}})
	addr, stop, err := e.App.ListenAdmin(e.Cfg.AdminAddr, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return e, "http://" + addr.String()
}

func scrape(t *testing.T, admin string) string {
	t.Helper()
	status, body := get(t, admin+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics on the admin listener: %d", status)
	}
	return body
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// value is the sample of series in a scrape; 0 when it is not there.
func value(scrape, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(scrape)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}
