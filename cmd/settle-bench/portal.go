package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/lighthouse"
	"github.com/settle/settle/internal/postgres"
)

// Goal 1 of issue P: the page at the database's pace.
const (
	portalRatioTarget  = 0.8 // (a) req/s over (b) calls/s
	portalAppCPUTarget = 1.0 // ms of the server's own CPU per page
	portalTailTarget   = 3.0 // p99 over p50 of (a)
)

type portalFlags struct {
	debtors, perDebtor, creditors, sessions int
	conns, threads                          int
	duration                                time.Duration
	dir, cpuprofile                         string
	pool                                    int
	lighthouse                              string
	stale                                   bool
}

func cmdPortal(ctx context.Context, args []string) error {
	var f portalFlags
	fs := newFlags("portal")
	fs.IntVar(&f.debtors, "debtors", 100_000, "debtors to load")
	fs.IntVar(&f.perDebtor, "invoices", 10, "invoices per debtor")
	fs.IntVar(&f.creditors, "creditors", 4, "creditors the debtors are spread over")
	fs.IntVar(&f.sessions, "sessions", 1000, "signed-in debtor sessions the requests rotate over")
	fs.IntVar(&f.conns, "c", 32, "concurrent connections (wrk) and goroutines (ceiling)")
	fs.IntVar(&f.threads, "t", 2, "wrk threads")
	fs.DurationVar(&f.duration, "d", 20*time.Second, "duration of each measurement")
	fs.StringVar(&f.dir, "dir", "", "keep the PostgreSQL cluster here and reuse its data next time (default: a temporary folder)")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile of the server during the HTTP run to this file")
	fs.BoolVar(&f.stale, "stale", false, "start each run with every session a minute stale, so it includes the once-a-minute session write (default: fresh, no such write in runs under a minute)")
	fs.IntVar(&f.pool, "pool", 0, "the app's pgx pool size (pool_max_conns); 0 keeps what postgres.Open gives")
	fs.StringVar(&f.lighthouse, "lighthouse", lighthouse.CLI(), "the lighthouse CLI for goal 4's scores (make tools installs it); empty skips them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return errors.New("wrk not found on PATH (Debian: apt-get install wrk)")
	}
	e, err := openEnv(ctx, f.dir, "settle_bench_portal", f.pool)
	if err != nil {
		return err
	}
	defer e.Close()
	db := e.DB

	data, err := portalDataSet(ctx, db, e.URL, f)
	if err != nil {
		return err
	}
	if err := printShape(ctx, db); err != nil {
		return err
	}

	srv, err := startServer(ctx, db, false, "")
	if err != nil {
		return err
	}
	defer srv.Stop()

	cookies, sessions, err := signIn(ctx, db, srv.URL, data, f.sessions)
	if err != nil {
		return err
	}
	weight, err := pageWeight(ctx, srv.URL, cookies[0])
	if err != nil {
		return err
	}
	// Before the load runs, so Lighthouse has the machine to itself.
	scores := lighthouseGoals(ctx, srv.URL, cookies[0], f.lighthouse)
	dir, err := os.MkdirTemp("", "settle-bench-wrk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "overview.lua")
	if err := os.WriteFile(script, []byte(wrkScript(cookies)), 0o644); err != nil {
		return err
	}

	// (a) The overview over HTTP.
	wrkArgs := []string{"-t" + strconv.Itoa(f.threads), "-c" + strconv.Itoa(f.conns), "-d" + strconv.Itoa(int(f.duration.Seconds())) + "s", "--latency", "-s", script, srv.URL + "/overview"}
	fmt.Printf("\n(a) %s %s\n", wrk, strings.Join(wrkArgs, " "))
	if f.cpuprofile != "" {
		pf, err := os.Create(f.cpuprofile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
	}
	if err := freshSessions(ctx, db, f.stale); err != nil {
		return err
	}
	before, pool0, gc0 := cpuNow(), db.PoolForTests().Stat(), gcNow()
	cmd := exec.CommandContext(ctx, wrk, wrkArgs...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	err = cmd.Run()
	after := cpuNow()
	if f.cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return fmt.Errorf("wrk: %w\n%s", err, out.String())
	}
	fmt.Print(indent(out.String()))
	var wrkCPU time.Duration
	if cmd.ProcessState != nil {
		wrkCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	splitA := cpuSplit(before, after, wrkCPU, "wrk")
	poolA := poolStats(pool0, db.PoolForTests().Stat()) + "; " + gcStats(gc0, gcNow())
	a, err := parseWrk(out.String())
	if err != nil {
		return err
	}
	perA := cpuPerOp(before, after, wrkCPU, a.requests)
	fmt.Println("    " + splitA + "\n    " + poolA + "\n    " + perA)
	goA := goCPUPerOp(before, after, a.requests)
	acqA := acquiresPerOp(pool0, db.PoolForTests().Stat(), a.requests)

	// (b) The same store calls straight through pgx: the ceiling.
	fmt.Printf("\n(b) the overview's store calls (session, creditor, its texts in the language, facts, plans, disputes, hardships, promises, rewards, payments), %d goroutines, %s, no HTTP\n", f.conns, f.duration)
	if err := freshSessions(ctx, db, f.stale); err != nil {
		return err
	}
	before, pool0, gc0 = cpuNow(), db.PoolForTests().Stat(), gcNow()
	b, err := ceiling(ctx, db, sessions, f.conns, f.duration)
	after = cpuNow()
	if err != nil {
		return err
	}
	splitB := cpuSplit(before, after, 0, "")
	poolB := poolStats(pool0, db.PoolForTests().Stat()) + "; " + gcStats(gc0, gcNow())
	perB := cpuPerOp(before, after, 0, b.requests)
	fmt.Println("    " + splitB + "\n    " + poolB + "\n    " + perB)
	goB := goCPUPerOp(before, after, b.requests)
	acqB := acquiresPerOp(pool0, db.PoolForTests().Stat(), b.requests)

	ratio := a.rps / b.rps
	fmt.Printf("\nPortal overview benchmark: %d debtors, %d invoices, %d sessions, %d connections, %s each, %d cores shared by wrk, server and PostgreSQL\n\n",
		data.debtors, data.debtors*data.perDebtor, f.sessions, f.conns, f.duration, numCPU())
	fmt.Printf("| %-44s | %9s | %9s | %9s | %9s | %8s |\n", "run", "requests", "req/s", "p50", "p99", "errors")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 46), strings.Repeat("-", 11), strings.Repeat("-", 11), strings.Repeat("-", 11), strings.Repeat("-", 11), strings.Repeat("-", 10))
	fmt.Printf("| %-44s | %9d | %9.1f | %9s | %9s | %8d |\n", "(a) GET /overview over HTTP (wrk)", a.requests, a.rps, ms(a.p50), ms(a.p99), a.errors)
	fmt.Printf("| %-44s | %9d | %9.1f | %9s | %9s | %8d |\n", "(b) same store calls through pgx (ceiling)", b.requests, b.rps, ms(b.p50), ms(b.p99), b.errors)
	fmt.Printf("(a) %s\n    %s\n    %s\n(b) %s\n    %s\n    %s\n", splitA, poolA, perA, splitB, poolB, perB)
	fmt.Printf("pool acquires per page: (a) %.2f, (b) %.2f (equal when (b) runs the page's queries)\n", acqA, acqB)
	// The server's own CPU per page: the Go process's CPU per page in (a)
	// less its CPU per call in (b), which is pgx's side of the same queries.
	appCPU := goA - goB
	tail := float64(a.p99) / float64(max(a.p50, 1))
	printGoals(
		goal{"1 overview: req/s over the same queries through pgx", fmt.Sprintf("%.2f (%.0f / %.0f req/s)", ratio, a.rps, b.rps), fmt.Sprintf(">= %.2f", portalRatioTarget), ratio >= portalRatioTarget},
		goal{"1 overview: app CPU per page (not the database)", fmt.Sprintf("%.2f ms (%.2f - %.2f)", appCPU, goA, goB), fmt.Sprintf("<= %.1f ms", portalAppCPUTarget), appCPU <= portalAppCPUTarget},
		goal{"1 overview: p99 over p50", fmt.Sprintf("%.2f (%s / %s)", tail, ms(a.p99), ms(a.p50)), fmt.Sprintf("<= %.1f", portalTailTarget), tail <= portalTailTarget},
		weight,
	)
	for _, g := range scores { // goal 4's Lighthouse lines, under its page weight
		fmt.Println(g)
	}
	if f.cpuprofile != "" {
		fmt.Printf("CPU profile of the server during (a): %s (go tool pprof -top %s)\n", f.cpuprofile, f.cpuprofile)
	}
	return nil
}

// gcSnap is the Go process's garbage collection so far: cycles, the time
// the world stood still for them, and the CPU they used; and the heap now:
// what the last cycle found live and the size at which the next one starts
// (GOGC's headroom, capped by GOMEMLIMIT).
type gcSnap struct {
	cycles     uint32
	pause      time.Duration
	cpu        float64
	live, goal uint64
}

func gcNow() gcSnap {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return gcSnap{m.NumGC, time.Duration(m.PauseTotalNs), s[0].Value.Float64(), s[1].Value.Uint64(), s[2].Value.Uint64()}
}

// gcStats says how often the server collected garbage during a run, how
// long it stopped the world for it and the CPU it used: suspects of a tail.
func gcStats(a, b gcSnap) string {
	return fmt.Sprintf("GC: %d cycles, paused %s in all, %.2f s of CPU; heap live %.0f MB, next GC at %.0f MB", b.cycles-a.cycles, (b.pause - a.pause).Round(10*time.Microsecond), b.cpu-a.cpu,
		float64(b.live)/(1<<20), float64(b.goal)/(1<<20))
}

// freshSessions marks every session seen now, before each run. A request
// writes last_seen_at when it is a minute old, once per session and minute;
// without this, whichever run came first after a minute (the sign-in and
// Lighthouse take that long) paid for a write per session and the other did
// not, and the two runs' calls per page differed. Runs shorter than a
// minute then make no such write in either. With stale (-stale) every
// session is instead a minute old at the start of each run, so each run
// begins with that write for every session; with -sessions 1 all
// connections find the one session stale at once, the tail case.
func freshSessions(ctx context.Context, db *postgres.DB, stale bool) error {
	seen := db.Now()
	if stale {
		seen = seen.Add(-61 * time.Second)
	}
	_, err := db.PoolForTests().Exec(ctx, `UPDATE sessions SET last_seen_at = $1`, seen)
	return err
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// portalDataSet loads the data set, or reuses it when this command loaded the
// same shape into this database before.
func portalDataSet(ctx context.Context, db *postgres.DB, url string, f portalFlags) (*portalData, error) {
	shape := fmt.Sprintf("debtors=%d invoices=%d creditors=%d", f.debtors, f.perDebtor, f.creditors)
	var marker []byte
	err := db.PoolForTests().QueryRow(ctx, `SELECT value FROM kv_store WHERE key = 'bench:portal'`).Scan(&marker)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	cal, err := db.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	d := &portalData{debtors: f.debtors, perDebtor: f.perDebtor, today: db.Today(), cal: cal}
	if string(marker) != "" {
		if string(marker) != shape {
			return nil, fmt.Errorf("this database holds a different benchmark data set (%s); use another -dir", marker)
		}
		var loadedOn time.Time
		if err := db.PoolForTests().QueryRow(ctx, `SELECT max(created_at) FROM debtors`).Scan(&loadedOn); err != nil {
			return nil, err
		}
		rows, err := db.PoolForTests().Query(ctx, `SELECT id::text FROM creditors WHERE name LIKE 'Bench %' ORDER BY name`)
		if err != nil {
			return nil, err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			c, err := db.Creditor(ctx, id)
			if err != nil {
				return nil, err
			}
			d.creditors = append(d.creditors, c)
		}
		fmt.Printf("reusing the data set loaded on %s (%s)\n", loadedOn.Format("2006-01-02 15:04"), shape)
		return d, nil
	}
	var n int64
	if err := db.PoolForTests().QueryRow(ctx, `SELECT count(*) FROM debtors`).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("the database already holds %d debtors that this command did not load; benchmark an empty database", n)
	}
	names := []string{"Bench Energie BV", "Bench Telecom BV", "Bench Verzekeringen NV", "Bench Woningcorporatie", "Bench Zorg BV", "Bench Water BV"}
	for k := 0; k < f.creditors; k++ {
		name := names[k%len(names)]
		if k >= len(names) {
			name = fmt.Sprintf("%s %d", name, k)
		}
		c, _, err := db.CreateCreditor(ctx, collect.Creditor{Name: name, Phone: "020 123 45 67", PhoneHours: "ma-vr 9-17",
			Email: "incasso@example.nl", IBAN: "NL91ABNA0417164300"})
		if err != nil {
			return nil, err
		}
		if c, err = db.Creditor(ctx, c.ID); err != nil {
			return nil, err
		}
		d.creditors = append(d.creditors, c)
	}
	if err := loadPortal(ctx, db, url, d); err != nil {
		return nil, err
	}
	_, err = db.PoolForTests().Exec(ctx, `INSERT INTO kv_store (key, value) VALUES ('bench:portal', $1)`, []byte(shape))
	return d, err
}

// printShape prints what was loaded, so a reader can check the data set.
func printShape(ctx context.Context, db *postgres.DB) error {
	var debtors, invoices, entries, notices, sessions int64
	err := db.PoolForTests().QueryRow(ctx, `SELECT (SELECT count(*) FROM debtors), (SELECT count(*) FROM invoices), (SELECT count(*) FROM ledger_entries),
		(SELECT count(*) FROM notices), (SELECT count(*) FROM sessions)`).Scan(&debtors, &invoices, &entries, &notices, &sessions)
	if err != nil {
		return err
	}
	fmt.Printf("data set: %d debtors, %d invoices, %d ledger entries, %d notices\n", debtors, invoices, entries, notices)
	return nil
}

// signIn creates debtor sessions with db.CreateSession and visits the
// overview once with each, as the browser would after the second factor: it
// checks the page and keeps the CSRF cookie the page sets, which a browser
// sends with every later request.
func signIn(ctx context.Context, db *postgres.DB, base string, d *portalData, n int) (cookies []string, sessions []string, err error) {
	began := time.Now()
	n = min(n, d.debtors)
	step := d.debtors / n
	for s := 0; s < n; s++ {
		i := s*step + int(mix(uint64(s))%uint64(step))
		tok, err := db.CreateSession(ctx, postgres.Session{Kind: "debtor", DebtorID: uuidString(id(nsDebtor, uint64(i))),
			CreditorID: d.creditor(i).ID, Language: language(i)})
		if err != nil {
			return nil, nil, err
		}
		sessions = append(sessions, tok)
	}
	cookies = make([]string, n)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				s := int(next.Add(1) - 1)
				if s >= n {
					return
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/overview", nil)
				req.Header.Set("Cookie", "settle_session="+sessions[s])
				res, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				var body bytes.Buffer
				_, _ = body.ReadFrom(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK || !bytes.Contains(body.Bytes(), []byte("F")) {
					errs <- fmt.Errorf("GET /overview with a fresh session: status %d", res.StatusCode)
					return
				}
				c := "settle_session=" + sessions[s]
				for _, ck := range res.Cookies() {
					if ck.Name == "settle_csrf" {
						c += "; settle_csrf=" + ck.Value
					}
				}
				cookies[s] = c
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, nil, err
	}
	fmt.Printf("signed in %d debtor sessions and visited each overview once in %s\n", n, time.Since(began).Round(100*time.Millisecond))
	return cookies, sessions, nil
}

// wrkScript rotates the session cookies over the requests; each wrk thread
// starts at its own place in the list.
func wrkScript(cookies []string) string {
	var b strings.Builder
	b.WriteString("-- generated by settle-bench portal\nlocal cookies = {\n")
	for _, c := range cookies {
		fmt.Fprintf(&b, "  %q,\n", c)
	}
	b.WriteString(`}
local threads = 0
function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end
local i = 0
function init(args)
  i = offset or 0
end
function request()
  i = i + 1
  return wrk.format("GET", nil, { ["Cookie"] = cookies[(i % #cookies) + 1] })
end
function done(summary, latency, requests)
  io.write(string.format("SETTLE-BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
`)
	return b.String()
}

type result struct {
	requests int64
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

func parseWrk(out string) (result, error) {
	var r result
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "SETTLE-BENCH ") {
			continue
		}
		v := map[string]int64{}
		for _, kv := range strings.Fields(strings.TrimPrefix(line, "SETTLE-BENCH ")) {
			k, val, _ := strings.Cut(kv, "=")
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return r, fmt.Errorf("wrk summary %q: %w", line, err)
			}
			v[k] = n
		}
		r.requests = v["requests"]
		r.rps = float64(v["requests"]) / (float64(v["duration_us"]) / 1e6)
		r.p50, r.p99 = time.Duration(v["p50_us"])*time.Microsecond, time.Duration(v["p99_us"])*time.Microsecond
		r.errors = v["non2xx"] + v["connect"] + v["read"] + v["write"] + v["timeout"]
		return r, nil
	}
	return r, errors.New("wrk printed no summary")
}

// ceiling runs what the overview runs against the database, without HTTP:
// the session lookup, the creditor and the statement, through the same pool.
func ceiling(ctx context.Context, db *postgres.DB, sessions []string, workers int, d time.Duration) (result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	per := make([][]time.Duration, workers)
	var errCount atomic.Int64
	var firstErr atomic.Value
	began := time.Now()
	deadline := began.Add(d)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i := w * 7919
			for time.Now().Before(deadline) {
				i++
				tok := sessions[i%len(sessions)]
				t := time.Now()
				err := overviewQueries(ctx, db, tok)
				if err != nil {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				per[w] = append(per[w], time.Since(t))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	all := latencies(per)
	r := result{requests: int64(len(all)), rps: float64(len(all)) / elapsed.Seconds(), p50: percentile(all, 50), p99: percentile(all, 99), errors: errCount.Load()}
	fmt.Printf("    %d calls in %s: %.1f/s, p50 %s, p90 %s, p99 %s, max %s, errors %d\n", r.requests, elapsed.Round(time.Millisecond), r.rps,
		ms(r.p50), ms(percentile(all, 90)), ms(r.p99), ms(percentile(all, 100)), r.errors)
	if e, ok := firstErr.Load().(error); ok {
		fmt.Println("    first error:", e)
	}
	return r, nil
}

// overviewQueries is the SQL one GET /overview runs, store call for store
// call (requireSession, then casework.Overview), without HTTP, without
// computing the statement and without rendering: what the page would cost
// if the app added nothing to the database's work. The acquires per call
// are printed next to the page's, so a query the page adds and this list
// lacks shows.
func overviewQueries(ctx context.Context, db *postgres.DB, token string) error {
	s, err := db.SessionByToken(ctx, "debtor", token)
	if err != nil {
		return err
	}
	if _, err := db.Creditor(ctx, s.CreditorID); err != nil {
		return err
	}
	if s.Language != i18n.Default && i18n.Supported(s.Language) { // the phone hours in the page's language (casework.CreditorIn)
		if _, err := db.CreditorTexts(ctx, s.CreditorID, s.Language); err != nil {
			return err
		}
	}
	f, err := db.Facts(ctx, s.CreditorID, s.DebtorID)
	if err != nil {
		return err
	}
	if len(f.Invoices) == 0 {
		return errors.New("debtor without invoices")
	}
	plans, err := db.Plans(ctx, s.CreditorID, s.DebtorID)
	if err != nil {
		return err
	}
	ds, err := db.Disputes(ctx, s.CreditorID, s.DebtorID)
	if err != nil {
		return err
	}
	for range len(plans) + len(ds) { // the day an agent answers by
		if _, err := db.Calendar(ctx); err != nil {
			return err
		}
	}
	if _, err := db.Hardships(ctx, s.CreditorID, s.DebtorID); err != nil {
		return err
	}
	if _, err := db.PromisePolicy(ctx, s.CreditorID); err != nil {
		return err
	}
	if _, err := db.Promises(ctx, s.CreditorID, s.DebtorID); err != nil {
		return err
	}
	if _, err := db.RewardRules(ctx, s.CreditorID); err != nil {
		return err
	}
	_, err = db.PaidPayments(ctx, s.CreditorID, s.DebtorID)
	return err
}
