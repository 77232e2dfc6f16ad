package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// scaleCeiling is goal 5 of issue P: the overview's cost per page stays flat
// as the data grows, measured as CPU per page (the Go process and
// PostgreSQL), which unlike req/s hardly depends on what else the shared
// machine runs at the time.
const scaleCeiling = 1.5

// cmdScale is `settle-bench scale`: the overview over HTTP (wrk) at each
// size, each size in its own database of one cluster, so that req/s, p99 and
// CPU per page can be read side by side.
func cmdScale(ctx context.Context, args []string) error {
	var f portalFlags
	var sizes string
	fs := newFlags("scale")
	fs.StringVar(&sizes, "sizes", "10000,100000,1000000", "debtor counts, comma separated, smallest first")
	fs.IntVar(&f.perDebtor, "invoices", 3, "invoices per debtor")
	fs.IntVar(&f.creditors, "creditors", 4, "creditors the debtors are spread over")
	fs.IntVar(&f.sessions, "sessions", 1000, "signed-in debtor sessions the requests rotate over")
	fs.IntVar(&f.conns, "c", 32, "concurrent connections (wrk)")
	fs.IntVar(&f.threads, "t", 2, "wrk threads")
	fs.DurationVar(&f.duration, "d", 15*time.Second, "duration of each measurement")
	fs.StringVar(&f.dir, "dir", "", "keep the PostgreSQL cluster here and reuse its data next time (default: a temporary folder)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return errors.New("wrk not found on PATH (Debian: apt-get install wrk)")
	}
	if f.dir == "" {
		d, err := os.MkdirTemp("", "settle-bench-scale-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		f.dir = filepath.Join(d, "pg")
	}
	type row struct {
		debtors int
		r       result
		cpu     float64 // ms of Go and PostgreSQL CPU per page
	}
	var rows []row
	ns, err := parseSizes(sizes)
	if err != nil {
		return err
	}
	for _, n := range ns {
		f.debtors = n
		fmt.Printf("\n== %d debtors, %d invoices each\n", n, f.perDebtor)
		r, cpuPer, err := scaleRun(ctx, wrk, f)
		if err != nil {
			return err
		}
		rows = append(rows, row{n, r, cpuPer})
	}
	fmt.Printf("\nOverview at scale: %d invoices per debtor, %d sessions, %d connections, %s each, %d cores shared by wrk, server and PostgreSQL\n\n",
		f.perDebtor, f.sessions, f.conns, f.duration, numCPU())
	fmt.Printf("| %12s | %9s | %9s | %9s | %9s | %13s |\n", "debtors", "req/s", "p50", "p99", "errors", "CPU per page")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 14), strings.Repeat("-", 11), strings.Repeat("-", 11), strings.Repeat("-", 11), strings.Repeat("-", 11), strings.Repeat("-", 15))
	for _, x := range rows {
		fmt.Printf("| %12d | %9.1f | %9s | %9s | %9d | %10.2f ms |\n", x.debtors, x.r.rps, ms(x.r.p50), ms(x.r.p99), x.r.errors, x.cpu)
	}
	var gs []goal
	for _, x := range rows[1:] {
		growth := x.cpu / rows[0].cpu
		gs = append(gs, goal{fmt.Sprintf("5 scale: CPU per page at %d debtors over %d", x.debtors, rows[0].debtors),
			fmt.Sprintf("%.2f (%.2f / %.2f ms; %.0f req/s, p99 %s)", growth, x.cpu, rows[0].cpu, x.r.rps, ms(x.r.p99)),
			fmt.Sprintf("<= %.1f", scaleCeiling), growth <= scaleCeiling && x.r.errors == 0})
	}
	printGoals(gs...)
	return nil
}

// scaleRun loads (or reuses) one size in its own database and measures the
// overview there.
func scaleRun(ctx context.Context, wrk string, f portalFlags) (result, float64, error) {
	e, err := openEnv(ctx, f.dir, fmt.Sprintf("settle_bench_scale_%d_%d", f.debtors, f.perDebtor), 0)
	if err != nil {
		return result{}, 0, err
	}
	defer e.Close()
	data, err := portalDataSet(ctx, e.DB, e.URL, f)
	if err != nil {
		return result{}, 0, err
	}
	if err := printShape(ctx, e.DB); err != nil {
		return result{}, 0, err
	}
	srv, err := startServer(ctx, e.DB, false, "")
	if err != nil {
		return result{}, 0, err
	}
	defer srv.Stop()
	cookies, _, err := signIn(ctx, e.DB, srv.URL, data, f.sessions)
	if err != nil {
		return result{}, 0, err
	}
	dir, err := os.MkdirTemp("", "settle-bench-wrk-")
	if err != nil {
		return result{}, 0, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "overview.lua")
	if err := os.WriteFile(script, []byte(wrkScript(cookies)), 0o644); err != nil {
		return result{}, 0, err
	}
	args := []string{"-t" + strconv.Itoa(f.threads), "-c" + strconv.Itoa(f.conns), "-d" + strconv.Itoa(int(f.duration.Seconds())) + "s", "--latency", "-s", script, srv.URL + "/overview"}
	before := cpuNow()
	cmd := exec.CommandContext(ctx, wrk, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	err = cmd.Run()
	after := cpuNow()
	if err != nil {
		return result{}, 0, fmt.Errorf("wrk: %w\n%s", err, out.String())
	}
	r, err := parseWrk(out.String())
	if err != nil {
		return result{}, 0, err
	}
	fmt.Printf("    %d requests, %.1f req/s, p50 %s, p99 %s, errors %d\n    %s\n", r.requests, r.rps, ms(r.p50), ms(r.p99), r.errors, cpuPerOp(before, after, 0, r.requests))
	var cpuPer float64
	if r.requests > 0 {
		cpuPer = (after.self - before.self + after.pg - before.pg).Seconds() * 1000 / float64(r.requests)
	}
	return r, cpuPer, nil
}

// parseSizes reads -sizes, a comma-separated list of numbers of debtors.
func parseSizes(sizes string) ([]int, error) {
	var ns []int
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-sizes: %q is not a number of debtors", s)
		}
		ns = append(ns, n)
	}
	return ns, nil
}
