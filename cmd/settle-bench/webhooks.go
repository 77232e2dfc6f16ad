package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/devpg"
)

// Ceilings from issue P, goal 2.
const (
	webhookRateTarget    = 4000.0 // accepted events/s
	webhookTailTarget    = 3.0    // accept p99 / p50
	webhookBookingTarget = 1000.0 // booked events/s
)

const nsStripePayment uint64 = 16

func cmdWebhooks(ctx context.Context, args []string) error {
	fs := newFlags("webhooks")
	unique := fs.Int("payments", 9000, "payments, each paid by one unique event")
	dups := fs.Int("duplicates", 1000, "redeliveries: exact copies of earlier events")
	conns := fs.Int("c", 64, "concurrent connections")
	pool := fs.Int("pool", 0, "the app's pgx pool size (pool_max_conns); 0 keeps what postgres.Open gives")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the server (HTTP handlers and job workers; the load generator is a child process) while the events are fired")
	wait := fs.Duration("wait", 5*time.Minute, "how long to wait for every payment to be booked")
	storm := fs.Int("storm", 200, "identical posts of one more event, fired among the others (a storm: one provider fetch)")
	bookprofile := fs.String("bookprofile", "", "write a CPU profile of the server while the backlog is booked")
	statements := fs.Bool("statements", false, "log every statement while the backlog is booked (log_min_duration_statement=0) and count them per booking; costs CPU, so the CPU figures of such a run are not comparable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	*dups = min(*dups, *unique)
	secret := "whsec_settle_bench_" + fmt.Sprint(time.Now().UnixNano())
	e, err := openEnv(ctx, "", "settle_bench_webhooks", *pool)
	if err != nil {
		return err
	}
	defer e.Close()
	db := e.DB
	var n int64
	if err := db.PoolForTests().QueryRow(ctx, `SELECT (SELECT count(*) FROM debtors) + (SELECT count(*) FROM payments)`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the database already holds debtors or payments; benchmark an empty database")
	}

	// One payment more than the unique events: the storm's.
	pays, err := loadWebhookData(ctx, db, e.URL, *unique+1)
	if err != nil {
		return err
	}
	api := newFakeStripe(pays)
	defer api.Close()
	srv, err := startServer(ctx, db, true, secret, func(c *config.Config) {
		c.StripeAPIURL, c.StripeKey = api.URL, "sk_test_settle_bench"
	})
	if err != nil {
		return err
	}
	defer srv.Stop()
	// Accepting is measured alone: the workers wait until every event is
	// in, then book the backlog, which is measured alone in turn.
	if err := srv.App.Jobs.River.QueuePause(ctx, jobs.QueuePayments, nil); err != nil {
		return err
	}
	// The other jobs (outreach plans a letter for each of the benchmark's
	// debtors when it starts) would be counted in the CPU per event.
	if err := srv.App.Jobs.River.QueuePause(ctx, river.QueueDefault, nil); err != nil {
		return err
	}

	// The deliveries: every payment's checkout.session.completed once, and
	// copies of earlier events, each placed somewhere after its original.
	rng := rand.New(rand.NewPCG(4, 2))
	type delivery struct {
		at     float64
		event  int
		repeat bool
	}
	order := make([]delivery, 0, *unique+*dups)
	for i := range *unique {
		order = append(order, delivery{at: float64(i), event: i})
	}
	for _, j := range rng.Perm(*unique)[:*dups] {
		order = append(order, delivery{at: float64(j) + 0.5 + rng.Float64()*float64(*unique-j), event: j, repeat: true})
	}
	for k := range *storm {
		order = append(order, delivery{at: float64(*unique)/2 + float64(k)*0.001, event: *unique, repeat: k > 0})
	}
	slices.SortFunc(order, func(a, b delivery) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	// Signed just before sending: Stripe's signatures are good for 5 minutes.
	bodies, headers := make([][]byte, len(pays)), make([]string, len(pays))
	for i, p := range pays {
		bodies[i], headers[i] = stripe.SignedEvent(secret, stripe.EventSessionCompleted, map[string]any{
			"id": p.session, "object": "checkout.session", "client_reference_id": p.id,
			"metadata":       map[string]any{stripe.MetadataKey: p.id},
			"payment_intent": "pi_" + strings.TrimPrefix(p.session, "cs_"), "status": "complete", "payment_status": "paid",
			"amount_total": p.amount, "currency": "eur",
		})
	}
	evOrder := func(ds []delivery) []int {
		out := make([]int, len(ds))
		for i, d := range ds {
			out[i] = d.event
		}
		return out
	}
	fmt.Printf("\nfiring %d signed events (%d unique, %d redeliveries, a storm of %d identical posts) at POST /webhooks/stripe over %d connections; River's queue paused meanwhile\n",
		len(order), *unique, *dups, *storm, *conns)

	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
	}
	// The load comes from a child process, so this process's CPU (and its
	// profile) is the server's alone; the child's is reported beside it.
	cpu0, pool0 := cpuNow(), db.PoolForTests().Stat()
	shot, clientCPU, err := fireFromChild(ctx, webhookShot{URL: srv.URL + "/webhooks/stripe", Conns: *conns, Bodies: bodies, Headers: headers, Order: evOrder(order)})
	if err != nil {
		return err
	}
	cpu1, pool1 := cpuNow(), db.PoolForTests().Stat()
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	fired := shot.Fired
	per := [][]time.Duration{shot.Latencies}
	accepted, refused, failed := shot.Accepted, shot.Refused, shot.Failed
	lat := latencies(per)
	rate := float64(accepted) / fired.Seconds()
	p50, p99 := percentile(lat, 50), percentile(lat, 99)
	fmt.Printf("    sent %d in %s: %d accepted, %d refused, %d failed; %.0f events/s; latency p50 %s, p90 %s, p99 %s, max %s\n",
		len(order), fired.Round(time.Millisecond), accepted, refused, failed, rate,
		ms(p50), ms(percentile(lat, 90)), ms(p99), ms(percentile(lat, 100)))
	if shot.FirstProblem != "" {
		fmt.Println("    first problem:", shot.FirstProblem)
	}
	fmt.Println("    " + cpuSplit(cpu0, cpu1, clientCPU, "load generator (child process)"))
	acceptCPU := cpuPer(cpu0, cpu1, accepted)
	fmt.Println("    " + strings.Replace(cpuPerOp(cpu0, cpu1, 0, accepted), "request", "accepted event (server alone: Go process and PostgreSQL)", 1))
	if accepted > 0 {
		fmt.Printf("    load generator (not counted above): %.2f ms CPU per accepted event\n", clientCPU.Seconds()*1000/float64(accepted))
	}
	fmt.Println("    " + poolStats(pool0, pool1))
	// The group commit's batch size sets the CPU per event: the
	// transactions that last wrote the stored events (a redelivery's batch
	// rewrites its event's row, so this undercounts a little).
	var commits int64
	if err := db.PoolForTests().QueryRow(ctx, `SELECT count(DISTINCT xmin::text) FROM webhook_events WHERE provider = 'stripe'`).Scan(&commits); err != nil {
		return err
	}
	if commits > 0 {
		fmt.Printf("    group commits: about %d transactions stored the events, %.0f posts each\n", commits, float64(len(order))/float64(commits))
	}

	// Book the backlog: resume the queue and wait for every payment.
	want := int64(len(pays))
	fmt.Printf("\nbooking the %d stored events: River's %s queue resumed (%d workers)\n", want, jobs.QueuePayments, jobs.PaymentWorkers)
	var stmts *statementLog
	if *statements {
		if stmts, err = logStatements(ctx, db, e.Cluster); err != nil {
			return err
		}
	}
	if *bookprofile != "" {
		pf, err := os.Create(*bookprofile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
	}
	locks := sampleLocks(ctx, db)
	if err := srv.App.Jobs.River.QueueResume(ctx, jobs.QueuePayments, nil); err != nil {
		return err
	}
	bookStart := time.Now()
	deadline := bookStart.Add(*wait)
	var paid, keys int64
	// Polled cheaply (only the status changes since the last look), so the
	// polling's own queries hardly count in PostgreSQL's CPU per booking;
	// the exact count confirms the end, and runs once a second in case a
	// change committed behind one already seen.
	var seen, lastID int64
	for i := 1; ; i++ {
		if seen < want {
			var n int64
			if err := db.PoolForTests().QueryRow(ctx, `SELECT coalesce(max(id), $1), count(*) FILTER (WHERE to_status = 'paid')
				FROM payment_status_history WHERE id > $1`, lastID).Scan(&lastID, &n); err != nil {
				return err
			}
			seen += n
		}
		if seen >= want || i%50 == 0 {
			if paid, keys, err = booked(ctx, db); err != nil {
				return err
			}
		}
		if (paid >= want && keys >= want) || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if paid < want {
		if paid, keys, err = booked(ctx, db); err != nil {
			return err
		}
	}
	booking := time.Since(bookStart)
	cpu2 := cpuNow()
	if *bookprofile != "" {
		pprof.StopCPUProfile()
	}
	lockShare := locks.stop()
	bookRate := float64(paid) / booking.Seconds()
	bookCPU := cpuPer(cpu1, cpu2, paid)
	fmt.Printf("    %d booked in %s: %.0f bookings/s\n", paid, booking.Round(time.Millisecond), bookRate)
	fmt.Println("    " + cpuSplit(cpu1, cpu2, 0, ""))
	fmt.Println("    " + strings.Replace(cpuPerOp(cpu1, cpu2, 0, paid), "request", "booking", 1))
	fmt.Println("    " + poolStats(pool1, db.PoolForTests().Stat()))
	fmt.Println("    " + lockShare.String())
	if stmts != nil {
		n, err := stmts.stop(ctx, db)
		if err != nil {
			return err
		}
		fmt.Printf("    statements executed while booking (server log; River's own included, the benchmark's own not): %d, %.1f per booking\n", n, float64(n)/float64(max(paid, 1)))
	}
	// Let River mark the last jobs completed before counting them.
	time.Sleep(500 * time.Millisecond)

	c, err := check(ctx, db)
	if err != nil {
		return err
	}
	fetches, most := api.Fetches()
	exactlyOnce := paid == want && keys == want && c.bookedCents == c.paymentCents && c.histories == want &&
		c.events == want && c.deliveries == int64(len(order)) && c.jobs == want
	stormFetches := api.FetchesOf(pays[*unique].session)
	fmt.Printf("\nWebhook benchmark: %d events (%d unique + %d redeliveries + a storm of %d), %d connections, %d cores shared by client, server, workers and PostgreSQL\n\n",
		len(order), *unique, *dups, *storm, *conns, numCPU())
	fmt.Printf("| %-8s | %-8s | %-10s | %-10s | %-10s | %-10s | %-10s | %-13s |\n", "events", "accepted", "accepted/s", "accept p50", "accept p99", "booking", "booked/s", "booked")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 10), strings.Repeat("-", 10), strings.Repeat("-", 12), strings.Repeat("-", 12), strings.Repeat("-", 12), strings.Repeat("-", 12), strings.Repeat("-", 12), strings.Repeat("-", 15))
	fmt.Printf("| %8d | %8d | %10.0f | %10s | %10s | %10s | %10.0f | %13s |\n", len(order), accepted, rate, ms(p50), ms(p99),
		booking.Round(time.Millisecond), bookRate, fmt.Sprintf("%d / %d", paid, want))
	fmt.Printf("\nchecks: payments paid %d, distinct payment:<id> ledger keys %d, payment ledger total %d cents of %d paid, status changes to paid %d,\n"+
		"        stored events %d with %d deliveries, events in booking jobs %d (jobs: %s), provider fetches %d (at most %d for one session, %d for the storm's)\n",
		paid, keys, c.bookedCents, c.paymentCents, c.histories, c.events, c.deliveries, c.jobs, c.jobStates, fetches, most, stormFetches)
	tail := 0.0
	if p50 > 0 {
		tail = float64(p99) / float64(p50)
	}
	printGoals(
		goal{Name: "2 webhooks: accepted events/s", Measured: fmt.Sprintf("%.0f (server CPU %.2f ms/event)", rate, acceptCPU),
			Ceiling: fmt.Sprintf(">= %.0f", webhookRateTarget), Met: rate >= webhookRateTarget},
		goal{Name: "2 webhooks: accept p99/p50", Measured: fmt.Sprintf("%.1f (p50 %s, p99 %s)", tail, ms(p50), ms(p99)),
			Ceiling: fmt.Sprintf("<= %.1f", webhookTailTarget), Met: p50 > 0 && tail <= webhookTailTarget},
		goal{Name: "2 webhooks: booked events/s", Measured: fmt.Sprintf("%.0f (server CPU %.2f ms/event)", bookRate, bookCPU),
			Ceiling: fmt.Sprintf(">= %.0f", webhookBookingTarget), Met: bookRate >= webhookBookingTarget},
		goal{Name: "2 webhooks: events booked exactly once", Measured: fmt.Sprintf("%d of %d", paid, want),
			Ceiling: "all, once", Met: exactlyOnce},
		goal{Name: fmt.Sprintf("2 webhooks: provider fetches for %d identical posts", *storm), Measured: fmt.Sprint(stormFetches),
			Ceiling: "1", Met: stormFetches == 1 && most == 1},
	)
	if !exactlyOnce {
		fmt.Fprintln(os.Stderr, "settle-bench: the payments were not all booked exactly once")
	}
	return nil
}

// statementLog counts the statements PostgreSQL logs from a point on.
type statementLog struct {
	path string
	from int64
}

// logStatements makes the cluster log every statement with its duration
// and remembers where its log stood.
func logStatements(ctx context.Context, db *postgres.DB, c *devpg.Cluster) (*statementLog, error) {
	if c == nil {
		return nil, fmt.Errorf("-statements needs the benchmark's own cluster (no DATABASE_URL)")
	}
	l := &statementLog{path: filepath.Join(c.Dir, "server.log")}
	fi, err := os.Stat(l.path)
	if err != nil {
		return nil, err
	}
	l.from = fi.Size()
	_, err = db.PoolForTests().Exec(ctx, `ALTER SYSTEM SET log_min_duration_statement = 0`)
	if err == nil {
		_, err = db.PoolForTests().Exec(ctx, `SELECT pg_reload_conf()`)
	}
	return l, err
}

// stop turns the statement log off and counts the statements executed
// (extended protocol "execute" and simple protocol "statement") since
// logStatements.
func (l *statementLog) stop(ctx context.Context, db *postgres.DB) (int64, error) {
	if _, err := db.PoolForTests().Exec(ctx, `ALTER SYSTEM RESET log_min_duration_statement`); err != nil {
		return 0, err
	}
	if _, err := db.PoolForTests().Exec(ctx, `SELECT pg_reload_conf()`); err != nil {
		return 0, err
	}
	f, err := os.Open(l.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(l.from, io.SeekStart); err != nil {
		return 0, err
	}
	var n int64
	type cost struct {
		n  int64
		ms float64
	}
	costs := map[string]*cost{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		_, rest, ok := strings.Cut(line, "duration: ")
		if !ok || !(strings.Contains(rest, " execute ") || strings.Contains(rest, " statement: ")) {
			continue
		}
		if benchOwn(rest) {
			continue
		}
		n++
		var d float64
		fmt.Sscanf(rest, "%f ms", &d)
		text := rest
		if _, t, ok := strings.Cut(rest, ": "); ok {
			text = t
		}
		text = strings.Join(strings.Fields(text), " ")
		if len(text) > 90 {
			text = text[:90]
		}
		c := costs[text]
		if c == nil {
			c = &cost{}
			costs[text] = c
		}
		c.n, c.ms = c.n+1, c.ms+d
	}
	texts := make([]string, 0, len(costs))
	for t := range costs {
		texts = append(texts, t)
	}
	slices.SortFunc(texts, func(a, b string) int { return cmp.Compare(costs[b].ms, costs[a].ms) })
	fmt.Println("    statements by time spent in PostgreSQL (from its log; the first line of each, cut at 90 characters):")
	for _, t := range texts[:min(len(texts), 12)] {
		fmt.Printf("      %8d x %7.3f ms = %8.0f ms  %s\n", costs[t].n, costs[t].ms/float64(costs[t].n), costs[t].ms, t)
	}
	return n, sc.Err()
}

// benchOwn tells the benchmark's own queries in the statement log (the
// lock sampler, the polls for the end of booking) from the app's.
func benchOwn(line string) bool {
	for _, q := range []string{"FROM pg_stat_activity", "SELECT count(*),", "SELECT coalesce(max(id), $1)", "SELECT (SELECT count(*) FROM payments WHERE status = 'paid')"} {
		if strings.Contains(line, q) {
			return true
		}
	}
	return false
}

// cpuPer is the CPU time (this process and the cluster) per operation
// between a and b, in milliseconds.
func cpuPer(a, b cpu, ops int64) float64 {
	if ops <= 0 {
		return 0
	}
	return (b.self - a.self + b.pg - a.pg).Seconds() * 1000 / float64(ops)
}

// fakeStripe is Stripe's API as far as booking needs it: every session of
// the benchmark is complete and paid. It counts the fetches per session, so
// the benchmark can tell that a storm of identical posts cost one.
type fakeStripe struct {
	URL     string
	srv     *http.Server
	amounts map[string]int64
	mu      sync.Mutex
	fetches map[string]int
}

func newFakeStripe(pays []benchPayment) *fakeStripe {
	f := &fakeStripe{amounts: make(map[string]int64, len(pays)), fetches: map[string]int{}}
	for _, p := range pays {
		f.amounts[p.session] = p.amount
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err) // loopback always has a free port
	}
	f.URL = "http://" + ln.Addr().String()
	f.srv = &http.Server{Handler: http.HandlerFunc(f.serve), ReadHeaderTimeout: 5 * time.Second}
	go f.srv.Serve(ln) //nolint:errcheck // ends with Close
	return f
}

func (f *fakeStripe) serve(w http.ResponseWriter, r *http.Request) {
	session, ok := strings.CutPrefix(r.URL.Path, "/v1/checkout/sessions/")
	amount, known := f.amounts[session]
	if !ok || !known || r.Method != http.MethodGet {
		http.Error(w, `{"error":{"type":"invalid_request_error","message":"No such checkout session"}}`, http.StatusNotFound)
		return
	}
	f.mu.Lock()
	f.fetches[session]++
	f.mu.Unlock()
	pi := "pi_" + strings.TrimPrefix(session, "cs_")
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":%q,"object":"checkout.session","status":"complete","payment_status":"paid","amount_total":%d,"currency":"eur",`+
		`"payment_intent":{"id":%q,"object":"payment_intent","status":"succeeded","amount":%d,"currency":"eur",`+
		`"latest_charge":{"id":"ch_%s","object":"charge","amount":%d,"amount_refunded":0,"disputed":false,"currency":"eur"}}}`,
		session, amount, pi, amount, strings.TrimPrefix(session, "cs_"), amount)
}

// Fetches is the number of session fetches and the most for one session.
func (f *fakeStripe) Fetches() (total, most int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.fetches {
		total, most = total+n, max(most, n)
	}
	return total, most
}

// FetchesOf is the number of fetches of one session.
func (f *fakeStripe) FetchesOf(session string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches[session]
}

func (f *fakeStripe) Close() { _ = f.srv.Close() }

// lockSampler looks at pg_stat_activity every 10 ms while the workers book,
// to tell whether the per-creditor events lock (internal/postgres/events.go:
// a transaction-scoped advisory lock, so that seq follows commit order)
// keeps bookings waiting for each other.
type lockSampler struct {
	stopc chan struct{}
	done  chan lockShare
}

// lockShare is what lockSampler saw: backends of the benchmark's database
// busy in a statement, and of those the ones waiting for an advisory lock
// (the events lock) or for another lock.
type lockShare struct{ samples, busy, advisory, otherLock int64 }

func (l lockShare) String() string {
	if l.busy == 0 {
		return "lock waits: no busy backend seen"
	}
	return fmt.Sprintf("lock waits (pg_stat_activity every 10 ms, %d samples): of %d busy backends seen, %.1f%% waited for the events lock (advisory), %.1f%% for another lock; %.1f busy on average",
		l.samples, l.busy, float64(l.advisory)/float64(l.busy)*100, float64(l.otherLock)/float64(l.busy)*100, float64(l.busy)/float64(max(l.samples, 1)))
}

func sampleLocks(ctx context.Context, db *postgres.DB) *lockSampler {
	l := &lockSampler{stopc: make(chan struct{}), done: make(chan lockShare, 1)}
	go func() {
		var s lockShare
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-l.stopc:
				l.done <- s
				return
			case <-t.C:
			}
			var busy, adv, other int64
			err := db.PoolForTests().QueryRow(ctx, `SELECT count(*),
				count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'),
				count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event <> 'advisory')
				FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
				AND state = 'active' AND backend_type = 'client backend'`).Scan(&busy, &adv, &other)
			if err != nil {
				continue
			}
			s.samples, s.busy, s.advisory, s.otherLock = s.samples+1, s.busy+busy, s.advisory+adv, s.otherLock+other
		}
	}()
	return l
}

func (l *lockSampler) stop() lockShare {
	close(l.stopc)
	return <-l.done
}

type benchPayment struct {
	id, session string
	amount      int64
}

// loadWebhookData loads one creditor whose cards go through Stripe, debtors
// with two invoices each, and one open Stripe payment per debtor for its
// newest invoice, with COPY.
func loadWebhookData(ctx context.Context, db *postgres.DB, url string, n int) ([]benchPayment, error) {
	cr, _, err := db.CreateCreditor(ctx, collect.Creditor{Name: "Bench Webshop BV", Phone: "020 123 45 67", Email: "incasso@example.nl",
		IBAN: "NL91ABNA0417164300", CardProvider: "stripe", IdealProvider: "stripe"})
	if err != nil {
		return nil, err
	}
	if cr, err = db.Creditor(ctx, cr.ID); err != nil {
		return nil, err
	}
	cal, err := db.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	d := &portalData{debtors: n, perDebtor: 2, creditors: []collect.Creditor{cr}, today: db.Today(), cal: cal}
	if err := loadPortal(ctx, db, url, d); err != nil {
		return nil, err
	}
	pays := make([]benchPayment, n)
	now := time.Now()
	l := &loader{url: url}
	if err := l.probe(ctx); err != nil {
		return nil, err
	}
	err = l.copy(ctx, "payments", []string{"id", "creditor_id", "debtor_id", "invoice_id", "amount_cents", "provider", "method", "provider_id", "checkout_url", "status", "created_at", "updated_at"}, n,
		func(i int) ([]any, error) {
			pid := id(nsStripePayment, uint64(i))
			_, _, amount := d.invoice(i, 0)
			session := fmt.Sprintf("cs_bench_%07d", i)
			pays[i] = benchPayment{id: uuidString(pid), session: session, amount: amount}
			return []any{pid, cr.ID, id(nsDebtor, uint64(i)), id(nsInvoice, uint64(i*d.perDebtor)), amount, "stripe", "card", session,
				"https://checkout.stripe.com/c/pay/" + session, "open", now, now}, nil
		})
	if err != nil {
		return nil, err
	}
	_, err = db.PoolForTests().Exec(ctx, `ANALYZE payments`)
	return pays, err
}

// booked counts paid payments and distinct payment bookings in the ledger.
func booked(ctx context.Context, db *postgres.DB) (paid, keys int64, err error) {
	err = db.PoolForTests().QueryRow(ctx, `SELECT (SELECT count(*) FROM payments WHERE status = 'paid'),
		(SELECT count(DISTINCT source_key) FROM ledger_entries WHERE source_key LIKE 'payment:%')`).Scan(&paid, &keys)
	return paid, keys, err
}

type checks struct {
	bookedCents, paymentCents, histories, events, deliveries, jobs int64
	jobStates                                                      string
}

func check(ctx context.Context, db *postgres.DB) (checks, error) {
	var c checks
	err := db.PoolForTests().QueryRow(ctx, `SELECT
		(SELECT coalesce(-sum(amount_cents), 0) FROM ledger_entries WHERE kind = 'payment' AND source_key LIKE 'payment:%'),
		(SELECT coalesce(sum(amount_cents), 0) FROM payments WHERE status = 'paid'),
		(SELECT count(*) FROM payment_status_history WHERE to_status = 'paid'),
		(SELECT count(*) FROM webhook_events WHERE provider = 'stripe'),
		(SELECT coalesce(sum(deliveries), 0) FROM webhook_events WHERE provider = 'stripe'),
		(SELECT count(*) FROM river_job j, jsonb_array_elements(coalesce(j.args->'event_row_ids', jsonb_build_array(j.args->'event_row_id')))
			WHERE kind IN ('stripe_event', 'stripe_events')),
		(SELECT coalesce(string_agg(kind || ' ' || state::text || ' ' || n, ', '), '') FROM (SELECT kind, state, count(*) AS n FROM river_job
			WHERE kind IN ('stripe_event', 'stripe_events') GROUP BY kind, state) s)`).
		Scan(&c.bookedCents, &c.paymentCents, &c.histories, &c.events, &c.deliveries, &c.jobs, &c.jobStates)
	return c, err
}
