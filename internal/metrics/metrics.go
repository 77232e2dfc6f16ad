// Package metrics holds Settle's Prometheus collectors and the admin
// handler that serves them with pprof. Handlers and use cases count through
// the small functions here (WebhookEvent, PaymentBooked, MessageSent), so no
// other package imports the Prometheus client. The counters are process
// wide; each app's registry adds the collectors that read its own pool and
// queue.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "settle_http_requests_total",
		Help: "HTTP requests by method, route pattern and status class.",
	}, []string{"method", "route", "status"})
	httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "settle_http_request_duration_seconds",
		Help:    "HTTP request latency by method, route pattern and status class.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "status"})
	webhookEvents = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "settle_webhook_events_total",
		Help: "Provider webhook posts, accepted or refused, by provider.",
	}, []string{"provider", "outcome"})
	paymentsBooked = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "settle_payments_booked_total",
		Help: "Payment state changes booked from the provider's answer, by provider and state.",
	}, []string{"provider", "state"})
	messagesSent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "settle_messages_total",
		Help: "Outbox delivery outcomes recorded, by channel and state.",
	}, []string{"channel", "state"})
	// River's fetch polls every 200 ms (longer behind PgBouncer), and a job
	// may wait behind its queue's limit: buckets from 10 ms to minutes.
	jobWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "settle_river_job_wait_seconds",
		Help:    "Time from a River job's scheduled moment to the start of its attempt, by job kind.",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
	}, []string{"kind"})
	jobRun = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "settle_river_job_run_seconds",
		Help:    "Run time of a River job attempt, by job kind and outcome (ok or error).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"kind", "outcome"})
)

// Unmatched is the route label of requests no route answered (404s and
// refusals by middleware): the raw path would put ids and tokens in labels.
const Unmatched = "no route"

// WebhookEvent counts one provider webhook post, accepted or refused.
func WebhookEvent(provider string, accepted bool) {
	outcome := "refused"
	if accepted {
		outcome = "accepted"
	}
	webhookEvents.WithLabelValues(provider, outcome).Inc()
}

// PaymentBooked counts a payment state the store committed.
func PaymentBooked(provider, state string) { paymentsBooked.WithLabelValues(provider, state).Inc() }

// MessageSent counts an outbox delivery outcome the store committed.
func MessageSent(channel, state string) { messagesSent.WithLabelValues(channel, state).Inc() }

// JobStarted records how long a job waited between its scheduled moment
// and the start of this attempt.
func JobStarted(kind string, wait time.Duration) {
	jobWait.WithLabelValues(kind).Observe(max(wait, 0).Seconds())
}

// JobDone records the run time of a job attempt and whether it failed.
func JobDone(kind string, run time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	jobRun.WithLabelValues(kind, outcome).Observe(run.Seconds())
}

// Middleware counts every request under Fiber's matched route pattern. It
// runs outermost, so it hands an error to the app's error handler itself
// to see the status that handler writes.
func Middleware() fiber.Handler {
	var once sync.Once
	var routes map[*fiber.Handler]bool
	return func(c *fiber.Ctx) error {
		// Fiber tells a route from a middleware (app.Use) only through
		// GetRoutes; every copy of a route shares its handler slice.
		once.Do(func() { routes = handlerRoutes(c.App()) })
		start := time.Now()
		if err := c.Next(); err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		label := Unmatched
		if r := c.Route(); len(r.Handlers) > 0 && routes[&r.Handlers[0]] {
			label = r.Path
		}
		// fasthttp reuses the method's bytes after the request: copy them.
		method := strings.Clone(c.Method())
		status := strconv.Itoa(c.Response().StatusCode()/100) + "xx"
		httpRequests.WithLabelValues(method, label, status).Inc()
		httpDuration.WithLabelValues(method, label, status).Observe(time.Since(start).Seconds())
		return nil
	}
}

// handlerRoutes marks the first handler of every route that is not a
// middleware.
func handlerRoutes(app *fiber.App) map[*fiber.Handler]bool {
	m := map[*fiber.Handler]bool{}
	for _, r := range app.GetRoutes(true) {
		if len(r.Handlers) > 0 {
			m[&r.Handlers[0]] = true
		}
	}
	return m
}

// Sources are what an app's registry reads at scrape time.
type Sources struct {
	// Pool returns the pgx pool's statistics.
	Pool func() *pgxpool.Stat
	// QueueDepth returns the available River jobs per queue.
	QueueDepth func(ctx context.Context) (map[string]int64, error)
}

// NewRegistry is a registry with the process-wide counters, the Go runtime
// and process collectors, and the collectors over src.
func NewRegistry(src Sources) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(httpRequests, httpDuration, webhookEvents, paymentsBooked, messagesSent, jobWait, jobRun,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src.Pool != nil {
		reg.MustRegister(poolCollector{stat: src.Pool})
	}
	if src.QueueDepth != nil {
		reg.MustRegister(queueCollector{depth: src.QueueDepth})
	}
	return reg
}

// Handler serves /metrics from reg and net/http/pprof under /debug/pprof/.
// It belongs on the admin listener only.
func Handler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

var (
	poolAcquired = prometheus.NewDesc("settle_db_pool_acquired_conns", "Connections in use.", nil, nil)
	poolIdle     = prometheus.NewDesc("settle_db_pool_idle_conns", "Idle connections.", nil, nil)
	poolTotal    = prometheus.NewDesc("settle_db_pool_total_conns", "All open connections.", nil, nil)
	poolMax      = prometheus.NewDesc("settle_db_pool_max_conns", "The pool's limit.", nil, nil)
	poolWaits    = prometheus.NewDesc("settle_db_pool_empty_acquire_total", "Acquires that had to wait for a connection.", nil, nil)
	poolWait     = prometheus.NewDesc("settle_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.", nil, nil)
	queueDepth   = prometheus.NewDesc("settle_river_available_jobs", "River jobs ready to run, per queue.", []string{"queue"}, nil)
)

// poolCollector reads the pgx pool's statistics at scrape time.
type poolCollector struct{ stat func() *pgxpool.Stat }

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolAcquired, poolIdle, poolTotal, poolMax, poolWaits, poolWait} {
		ch <- d
	}
}

func (p poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := p.stat()
	ch <- prometheus.MustNewConstMetric(poolAcquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(poolIdle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, s.EmptyAcquireWaitTime().Seconds())
}

// queueCollector counts River's available jobs with one query per scrape.
type queueCollector struct {
	depth func(ctx context.Context) (map[string]int64, error)
}

func (queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDepth }

func (q queueCollector) Collect(ch chan<- prometheus.Metric) {
	// A slow database must not hang the scrape.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	depth, err := q.depth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDepth, errors.Join(errors.New("read river queue depth"), err))
		return
	}
	for queue, n := range depth {
		ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(n), queue)
	}
}
