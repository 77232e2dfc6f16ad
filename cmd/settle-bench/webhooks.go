package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/postgres"
)

// Targets from issue 4.
const (
	webhookRateTarget = 2000.0
	webhookP99Target  = 20 * time.Millisecond
)

const nsStripePayment uint64 = 16

func cmdWebhooks(ctx context.Context, args []string) error {
	fs := newFlags("webhooks")
	unique := fs.Int("payments", 9000, "payments, each paid by one unique event")
	dups := fs.Int("duplicates", 1000, "redeliveries: exact copies of earlier events")
	conns := fs.Int("c", 64, "concurrent connections")
	pool := fs.Int("pool", 0, "the app's pgx pool size (pool_max_conns); 0 keeps what postgres.Open gives")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the process (server, workers, client) while the events are fired")
	wait := fs.Duration("wait", 5*time.Minute, "how long to wait for every payment to be booked")
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

	pays, err := loadWebhookData(ctx, db, e.URL, *unique)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, db, true, secret)
	if err != nil {
		return err
	}
	defer srv.Stop()

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
	bodies, headers := make([][]byte, *unique), make([]string, *unique)
	for i, p := range pays {
		bodies[i], headers[i] = stripe.SignedEvent(secret, stripe.EventSessionCompleted, map[string]any{
			"id": p.session, "object": "checkout.session", "client_reference_id": p.id,
			"metadata":       map[string]any{stripe.MetadataKey: p.id},
			"payment_intent": "pi_" + strings.TrimPrefix(p.session, "cs_"), "status": "complete", "payment_status": "paid",
			"amount_total": p.amount, "currency": "eur",
		})
	}
	fmt.Printf("\nfiring %d signed events (%d unique, %d redeliveries) at POST /webhooks/stripe over %d connections; River: MaxWorkers 16, FetchCooldown 20ms\n",
		len(order), *unique, *dups, *conns)

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: *conns, MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, IdleConnTimeout: time.Minute}}
	url := srv.URL + "/webhooks/stripe"
	per := make([][]time.Duration, *conns)
	var next, accepted, refused, failed atomic.Int64
	var firstProblem atomic.Value
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
	cpu0, pool0 := cpuNow(), db.PoolForTests().Stat()
	began := time.Now()
	var wg sync.WaitGroup
	for w := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(order) {
					return
				}
				ev := order[k].event
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bodies[ev]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Stripe-Signature", headers[ev])
				t := time.Now()
				res, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					firstProblem.CompareAndSwap(nil, err.Error())
					continue
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				per[w] = append(per[w], time.Since(t))
				if res.StatusCode == http.StatusOK {
					accepted.Add(1)
				} else {
					refused.Add(1)
					firstProblem.CompareAndSwap(nil, fmt.Sprintf("status %d: %s", res.StatusCode, body))
				}
			}
		}()
	}
	wg.Wait()
	fired := time.Since(began)
	cpu1, pool1 := cpuNow(), db.PoolForTests().Stat()
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	lat := latencies(per)
	rate := float64(accepted.Load()) / fired.Seconds()
	bookedAtFire, _, err := booked(ctx, db)
	if err != nil {
		return err
	}
	fmt.Printf("    sent %d in %s: %d accepted, %d refused, %d failed; %.0f events/s; latency p50 %s, p90 %s, p99 %s, max %s\n",
		len(order), fired.Round(time.Millisecond), accepted.Load(), refused.Load(), failed.Load(), rate,
		ms(percentile(lat, 50)), ms(percentile(lat, 90)), ms(percentile(lat, 99)), ms(percentile(lat, 100)))
	if p, ok := firstProblem.Load().(string); ok {
		fmt.Println("    first problem:", p)
	}
	fmt.Printf("    %d payments booked when the last event was accepted\n", bookedAtFire)
	fmt.Println("    " + cpuSplit(cpu0, cpu1, 0, ""))
	fmt.Println("    " + strings.Replace(cpuPerOp(cpu0, cpu1, 0, accepted.Load()), "request", "accepted event (bookings running alongside included)", 1))
	fmt.Println("    " + poolStats(pool0, pool1) + " (the HTTP handlers and River's workers share this pool)")

	// Wait for the workers to book them all.
	deadline := time.Now().Add(*wait)
	var paid, keys int64
	for {
		if paid, keys, err = booked(ctx, db); err != nil {
			return err
		}
		if (paid >= int64(*unique) && keys >= int64(*unique)) || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	toBooked := time.Since(began)
	cpu2 := cpuNow()
	fmt.Printf("    all booked %s after the first event (%s after the last was accepted): %.0f bookings/s overall\n",
		toBooked.Round(time.Millisecond), (toBooked - fired).Round(time.Millisecond), float64(paid)/toBooked.Seconds())
	fmt.Println("    after firing: " + cpuSplit(cpu1, cpu2, 0, ""))
	if rest := paid - bookedAtFire; rest > 0 {
		fmt.Println("    after firing: " + strings.Replace(cpuPerOp(cpu1, cpu2, 0, rest), "request", "booking", 1))
	}
	fmt.Println("    after firing: " + poolStats(pool1, db.PoolForTests().Stat()))
	// Let River mark the last jobs completed before counting them.
	time.Sleep(500 * time.Millisecond)

	c, err := check(ctx, db)
	if err != nil {
		return err
	}
	exactlyOnce := paid == int64(*unique) && keys == int64(*unique) && c.bookedCents == c.paymentCents && c.histories == int64(*unique) &&
		c.events == int64(*unique) && c.deliveries == int64(len(order)) && c.jobs == int64(*unique)
	fmt.Printf("\nWebhook benchmark: %d events (%d unique + %d redeliveries), %d connections, %d cores shared by client, server, workers and PostgreSQL\n\n",
		len(order), *unique, *dups, *conns, numCPU())
	fmt.Printf("| %-8s | %-8s | %-12s | %-10s | %-10s | %-16s | %-13s |\n", "events", "accepted", "accepted/s", "accept p50", "accept p99", "all booked after", "booked")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 10), strings.Repeat("-", 10), strings.Repeat("-", 14), strings.Repeat("-", 12), strings.Repeat("-", 12), strings.Repeat("-", 18), strings.Repeat("-", 15))
	fmt.Printf("| %8d | %8d | %12.0f | %10s | %10s | %16s | %13s |\n", len(order), accepted.Load(), rate, ms(percentile(lat, 50)), ms(percentile(lat, 99)),
		toBooked.Round(time.Millisecond), fmt.Sprintf("%d / %d", paid, *unique))
	fmt.Printf("\nchecks: payments paid %d, distinct payment:<id> ledger keys %d, payment ledger total %d cents of %d paid, status changes to paid %d,\n"+
		"        stored events %d with %d deliveries, stripe_event jobs %d (%s)\n",
		paid, keys, c.bookedCents, c.paymentCents, c.histories, c.events, c.deliveries, c.jobs, c.jobStates)
	fmt.Printf("\naccepted/s  = %.0f     (target >= %.0f: %s)\n", rate, webhookRateTarget, verdict(rate >= webhookRateTarget))
	fmt.Printf("accept p99  = %s   (target < %s: %s)\n", ms(percentile(lat, 99)), webhookP99Target, verdict(percentile(lat, 99) < webhookP99Target))
	fmt.Printf("booked once = %d of %d unique events (%s)\n", paid, *unique, verdict(exactlyOnce))
	if !exactlyOnce {
		fmt.Fprintln(os.Stderr, "settle-bench: the payments were not all booked exactly once")
	}
	return nil
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
		(SELECT count(*) FROM river_job WHERE kind = 'stripe_event'),
		(SELECT coalesce(string_agg(state::text || ' ' || n, ', '), '') FROM (SELECT state, count(*) AS n FROM river_job WHERE kind = 'stripe_event' GROUP BY state) s)`).
		Scan(&c.bookedCents, &c.paymentCents, &c.histories, &c.events, &c.deliveries, &c.jobs, &c.jobStates)
	return c, err
}
