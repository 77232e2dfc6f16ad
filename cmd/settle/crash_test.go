package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/mollie"
	"github.com/settle/settle/internal/pay/molliefake"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// instance is one `settle serve` process of the crash test.
type instance struct {
	t      *testing.T
	bin    string
	env    []string
	addr   string
	log    string
	cmd    *exec.Cmd
	exited chan error
}

func (in *instance) start() {
	in.t.Helper()
	logFile, err := os.OpenFile(in.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		in.t.Fatal(err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	in.cmd = exec.Command(in.bin, "serve")
	in.cmd.Env = in.env
	in.cmd.Stdout, in.cmd.Stderr = logFile, logFile
	if err := in.cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	in.exited = make(chan error, 1)
	go func(cmd *exec.Cmd, exited chan error) { exited <- cmd.Wait() }(in.cmd, in.exited)
	apptest.WaitReady(in.t, in.addr, 2*time.Minute, in.exited, in.logs)
}

// kill sends sig and waits for the process to exit.
func (in *instance) kill(sig syscall.Signal) error {
	if err := in.cmd.Process.Signal(sig); err != nil {
		return err
	}
	select {
	case err := <-in.exited:
		if sig == syscall.SIGTERM {
			return err
		}
		return nil
	case <-time.After(time.Minute):
		_ = in.cmd.Process.Kill()
		<-in.exited
		return fmt.Errorf("settle serve on %s did not exit within a minute of %v", in.addr, sig)
	}
}

func (in *instance) logs() string {
	b, _ := os.ReadFile(in.log)
	return string(b)
}

// TestCrashWebhookBurst runs three `settle serve` processes on one
// PostgreSQL and sends them 1,000 Mollie webhook posts (10 copies of each of
// 100 payments' ids, shuffled) from 16 connections, round-robin; one process
// is killed with SIGKILL half-way and started again. Every payment must end
// up booked exactly once, every job done, and no process left running.
func TestCrashWebhookBurst(t *testing.T) {
	const (
		payments  = 100
		copies    = 10
		senders   = 16
		instances = 3
		// killAfter is how many posts are answered before the SIGKILL.
		killAfter = 300
	)
	bin := apptest.BuildSettle(t)
	ctx := context.Background()
	_, dbURL := pgtest.New(t)
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	fake := molliefake.New("")
	fs := httptest.NewServer(fake.Handler())
	defer fs.Close()
	fake.SetBaseURL(fs.URL)
	mollieKey := "test_crashburst"

	// One invoice larger than all payments together, due in a month, so
	// each payment books as one principal entry with no costs or interest.
	cr, _, err := db.CreateCreditor(ctx, collect.Creditor{Name: "Energie Noord B.V.", Phone: "020 123 45 67", Email: "k@example.nl", IBAN: "NL91ABNA0417164300"})
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := db.UpsertDebtor(ctx, collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-1", Kind: collect.Consumer, Name: "Jan Jansen", Language: "nl",
		Address: collect.Address{Street: "Dorpsstraat", HouseNumber: "12a", Postcode: "1234 AB", City: "Zwolle"}})
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC()
	if _, err := db.CreateInvoice(ctx, collect.Invoice{CreditorID: cr.ID, DebtorID: d.ID, Number: "F-1", Description: "Stroom",
		IssueDate: collect.Day(today.Year(), today.Month(), today.Day()).AddDate(0, 0, -7),
		DueDate:   collect.Day(today.Year(), today.Month(), today.Day()).AddDate(0, 1, 0), Amount: 1_000_000, Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	mc := mollie.New(fs.URL, mollieKey)
	ids := make([]string, payments)    // Mollie ids
	ourIDs := make([]string, payments) // Settle's payment ids
	for i := range payments {
		p, err := db.CreatePayment(ctx, collect.Payment{CreditorID: cr.ID, DebtorID: d.ID, Amount: 100, Provider: "mollie", Method: "ideal"})
		if err != nil {
			t.Fatal(err)
		}
		mp, err := mc.CreatePayment(ctx, mollie.CreatePayment{Amount: mollie.Amount{Currency: "EUR", Value: "1.00"},
			Description: "Betaling " + p.ID, RedirectURL: "https://settle.test/return", Method: "ideal"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.StartCheckout(ctx, p.ID, pay.Checkout{ProviderID: mp.ID}); err != nil {
			t.Fatal(err)
		}
		// No webhookUrl: the only webhooks are the test's posts.
		if err := fake.SetStatus(mp.ID, "paid"); err != nil {
			t.Fatal(err)
		}
		ids[i], ourIDs[i] = mp.ID, p.ID
	}

	procs := make([]*instance, instances)
	for i := range procs {
		addr := apptest.FreeAddr(t)
		procs[i] = &instance{t: t, bin: bin, addr: addr, log: filepath.Join(t.TempDir(), "settle.log"),
			env: apptest.CleanEnv("DATABASE_URL="+dbURL, "SETTLE_ADDR="+addr, "SETTLE_DATA_DIR="+filepath.Join(t.TempDir(), "data"),
				"SETTLE_SIGNING_KEY=crash-test-signing-key-of-32-bytes!!", "SETTLE_LOG_LEVEL=warn",
				"MOLLIE_API_URL="+fs.URL, "MOLLIE_API_KEY="+mollieKey)}
	}
	t.Cleanup(func() {
		for _, in := range procs {
			if in.cmd != nil && in.cmd.ProcessState == nil {
				_ = in.cmd.Process.Kill()
				<-in.exited
			}
		}
		if t.Failed() {
			for i, in := range procs {
				t.Logf("--- instance %d (%s) log ---\n%s", i, in.addr, in.logs())
			}
		}
	})
	for _, in := range procs {
		in.start()
	}

	posts := make([]string, 0, payments*copies)
	for range copies {
		posts = append(posts, ids...)
	}
	rand.Shuffle(len(posts), func(i, j int) { posts[i], posts[j] = posts[j], posts[i] })

	// The victim restarts on its own address, so addresses never change.
	addrs := make([]string, instances)
	for i, in := range procs {
		addrs[i] = in.addr
	}
	var answered, refusedConns atomic.Int64
	killed := make(chan struct{})
	work := make(chan int)
	errs := make(chan error, senders)
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			for n := range work {
				// Like Mollie, retry until a 2xx; a post whose process is
				// down goes to the next one, as behind a load balancer.
				deadline := time.Now().Add(2 * time.Minute)
				for target := n; ; target++ {
					res, err := client.PostForm("http://"+addrs[target%instances]+"/webhooks/mollie", url.Values{"id": {posts[n]}})
					if err == nil {
						res.Body.Close()
						if res.StatusCode == http.StatusOK {
							break
						}
						if res.StatusCode < 500 {
							errs <- fmt.Errorf("post %d (%s): HTTP %d", n, posts[n], res.StatusCode)
							return
						}
					} else {
						refusedConns.Add(1)
					}
					if time.Now().After(deadline) {
						errs <- fmt.Errorf("post %d (%s) not accepted within 2 minutes: %v", n, posts[n], err)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
				if answered.Add(1) == killAfter {
					close(killed)
				}
			}
		}()
	}
	go func() {
		for n := range posts {
			work <- n
		}
		close(work)
	}()
	sent := make(chan struct{})
	go func() { wg.Wait(); close(sent) }()
	select {
	case <-killed:
		victim := procs[1]
		if err := victim.kill(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		t.Logf("killed instance 1 with SIGKILL after %d answered posts", answered.Load())
		victim.start()
	case <-sent:
		t.Errorf("the burst ended before %d posts were answered", killAfter)
	}
	<-sent
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d posts answered, %d connection errors retried", answered.Load(), refusedConns.Load())

	// Booking is asynchronous: wait, generously, until every payment is
	// booked and no job is left, then check that nothing was booked twice.
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := db.PoolForTests().QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const (
		booked  = `SELECT count(DISTINCT payment_id) FROM ledger_entries WHERE kind = 'payment' AND payment_id = ANY($1::uuid[])`
		pending = `SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded')`
	)
	// Jobs the killed process was running are rescued by River after
	// jobs.New's RescueStuckJobsAfter (two minutes), hence the deadline.
	deadline := time.Now().Add(6 * time.Minute)
	for count(booked, ourIDs) < payments || count(pending) > 0 {
		if time.Now().After(deadline) {
			var left []string
			rows, err := db.PoolForTests().Query(ctx, `SELECT kind || ' ' || state || ' attempt ' || attempt || ': ' || coalesce(errors[array_length(errors, 1)]->>'error', '')
				FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded')`)
			if err == nil {
				left, err = pgx.CollectRows(rows, pgx.RowTo[string])
			}
			t.Fatalf("after 6 minutes %d of %d payments are booked and these jobs are not done (%v):\n%s",
				count(booked, ourIDs), payments, err, strings.Join(left, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	rows, err := db.PoolForTests().Query(ctx, `SELECT p, (SELECT count(*) FROM ledger_entries WHERE kind = 'payment' AND payment_id = p)
		FROM unnest($1::uuid[]) AS p`, ourIDs)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("payment %s has %d ledger entries, want exactly 1", id, n)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM river_job WHERE state IN ('discarded', 'cancelled')`); n != 0 {
		t.Errorf("%d jobs were given up instead of completed", n)
	}
	if n := count(`SELECT count(*) FROM payments WHERE id = ANY($1::uuid[]) AND status <> 'paid'`, ourIDs); n != 0 {
		t.Errorf("%d payments are not paid", n)
	}

	for _, in := range procs {
		if err := in.kill(syscall.SIGTERM); err != nil {
			t.Errorf("settle serve on %s after SIGTERM: %v", in.addr, err)
		}
	}
	if left := processesOf(t, bin); len(left) > 0 {
		t.Errorf("processes left running:\n%s", strings.Join(left, "\n"))
	}
}

// processesOf lists the processes whose command line starts with bin.
func processesOf(t *testing.T, bin string) []string {
	t.Helper()
	return processes(t, func(argv0, _ string) bool { return argv0 == bin })
}
