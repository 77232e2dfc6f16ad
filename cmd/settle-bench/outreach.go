package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// cmdOutreach is `settle-bench outreach`: one outreach planning run
// (casework.PlanOutreach, every minute in serve) and one early-signal scan
// (casework.RaiseSignals, every hour) at each size, on the portal data set,
// with the time, the Go CPU and the database CPU of each run, per invoice
// and per debtor. Each size gets its own throwaway database.
func cmdOutreach(ctx context.Context, args []string) error {
	var f portalFlags
	var sizes string
	fs := newFlags("outreach")
	fs.StringVar(&sizes, "sizes", "10000,100000", "debtor counts, comma separated")
	fs.IntVar(&f.perDebtor, "invoices", 3, "invoices per debtor")
	fs.IntVar(&f.creditors, "creditors", 4, "creditors the debtors are spread over")
	fs.StringVar(&f.dir, "dir", "", "keep the PostgreSQL cluster here (default: a temporary folder); the runs change the data, so use a fresh one")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a Go CPU profile of the steady-state planning run (today, second run) of the last size here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.dir == "" {
		d, err := os.MkdirTemp("", "settle-bench-outreach-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		f.dir = filepath.Join(d, "pg")
	}
	var lines []string
	ns, err := parseSizes(sizes)
	if err != nil {
		return err
	}
	for _, n := range ns {
		f.debtors = n
		fmt.Printf("\n== %d debtors, %d invoices each\n", n, f.perDebtor)
		out, err := outreachRun(ctx, f)
		if err != nil {
			return err
		}
		lines = append(lines, out...)
	}
	fmt.Printf("\nOutreach planning and the signal scan, %d invoices per debtor, %d cores shared with PostgreSQL\n\n", f.perDebtor, numCPU())
	fmt.Printf("| %8s | %-34s | %8s | %9s | %9s | %9s | %16s | %16s |\n", "debtors", "run", "result", "wall", "Go CPU", "PG CPU", "CPU per debtor", "CPU per invoice")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 10), strings.Repeat("-", 36), strings.Repeat("-", 10), strings.Repeat("-", 11),
		strings.Repeat("-", 11), strings.Repeat("-", 11), strings.Repeat("-", 18), strings.Repeat("-", 18))
	for _, l := range lines {
		fmt.Println(l)
	}
	return nil
}

// outreachRun loads one size and measures, in order: a planning run on
// today (the ladders stand where today leaves them, so it plans nothing:
// the steady state, the second run of a day), the same again, the next
// day's run (the steps that come due overnight), and two signal scans.
func outreachRun(ctx context.Context, f portalFlags) ([]string, error) {
	e, err := openEnv(ctx, f.dir, fmt.Sprintf("settle_bench_outreach_%d_%d", f.debtors, f.perDebtor), 0)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	data, err := portalDataSet(ctx, e.DB, e.URL, f)
	if err != nil {
		return nil, err
	}
	if err := printShape(ctx, e.DB); err != nil {
		return nil, err
	}
	if err := standLadders(ctx, e.DB, data); err != nil {
		return nil, err
	}
	var invoices int64
	if err := e.DB.PoolForTests().QueryRow(ctx, `SELECT count(*) FROM invoices i LEFT JOIN ladder_progress p ON p.invoice_id = i.id
		WHERE p.invoice_id IS NULL OR p.done < $1`, len(collect.DefaultLadder().Steps)).Scan(&invoices); err != nil {
		return nil, err
	}
	fmt.Printf("  %d invoices whose ladder is not done (the planner reads each)\n", invoices)
	now := time.Now()
	var out []string
	measure := func(what string, fn func() (int, error)) error {
		before := cpuNow()
		n, err := fn()
		after := cpuNow()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		goCPU, pgCPU := after.self-before.self, after.pg-before.pg
		wall := after.at.Sub(before.at)
		perDebtor := (goCPU + pgCPU).Seconds() * 1e6 / float64(f.debtors)
		perInvoice := (goCPU + pgCPU).Seconds() * 1e6 / float64(max(invoices, 1))
		line := fmt.Sprintf("| %8d | %-34s | %8d | %9s | %9s | %9s | %13.1f µs | %13.1f µs |", f.debtors, what, n,
			wall.Round(time.Millisecond), goCPU.Round(time.Millisecond), pgCPU.Round(time.Millisecond), perDebtor, perInvoice)
		fmt.Println(line)
		out = append(out, line)
		return nil
	}
	plan := func(at time.Time) func() (int, error) {
		return func() (int, error) { return casework.PlanOutreach(ctx, e.DB, at, "https://bench.example") }
	}
	steps := []struct {
		what string
		fn   func() (int, error)
	}{
		{"plan: today, first run (steps)", plan(now)},
		{"plan: today, second run (steps)", profiled(f.cpuprofile, plan(now.Add(time.Minute)))},
		{"plan: next day, steps come due", plan(now.Add(24 * time.Hour))},
		{"plan: next day, second run", plan(now.Add(24*time.Hour + time.Minute))},
		{"signals: first scan (raised)", func() (int, error) { return casework.RaiseSignals(ctx, e.DB, now) }},
		{"signals: second scan (raised)", func() (int, error) { return casework.RaiseSignals(ctx, e.DB, now.Add(time.Hour)) }},
	}
	for _, s := range steps {
		if err := measure(s.what, s.fn); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// standLadders puts every invoice's ladder where the planner would have
// left it by today with the default ladder and no holds: each step whose
// day has come is done, none late. Without it the first run would plan a
// step for every overdue invoice at once, a day that happens once.
func standLadders(ctx context.Context, db *postgres.DB, d *portalData) error {
	var n int64
	if err := db.PoolForTests().QueryRow(ctx, `SELECT count(*) FROM ladder_progress`).Scan(&n); err != nil || n > 0 {
		return err
	}
	var days []int
	for _, s := range collect.DefaultLadder().Steps {
		days = append(days, s.Day)
	}
	began := time.Now()
	tag, err := db.PoolForTests().Exec(ctx, `INSERT INTO ladder_progress (invoice_id, creditor_id, debtor_id, ladder_version, done, shift_days, updated_at)
		SELECT id, creditor_id, debtor_id, 0, done, 0, now() FROM (
			SELECT i.id, i.creditor_id, i.debtor_id, (SELECT count(*) FROM unnest($1::int[]) AS s(day) WHERE i.due_date + s.day <= $2::date) AS done
			FROM invoices i) x
		WHERE done > 0`, days, d.today)
	if err != nil {
		return err
	}
	if _, err := db.PoolForTests().Exec(ctx, `VACUUM (ANALYZE) ladder_progress`); err != nil {
		return err
	}
	fmt.Printf("  ladders stood as of %s: %d invoices started, in %s\n", d.today.Format("2006-01-02"), tag.RowsAffected(), time.Since(began).Round(100*time.Millisecond))
	return nil
}

// profiled runs fn under the Go CPU profiler when path is set.
func profiled(path string, fn func() (int, error)) func() (int, error) {
	if path == "" {
		return fn
	}
	return func() (int, error) {
		out, err := os.Create(path)
		if err != nil {
			return 0, err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return 0, err
		}
		defer pprof.StopCPUProfile()
		return fn()
	}
}
