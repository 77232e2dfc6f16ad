package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

// cmdCamt is `settle-bench camt [-n 1000000] [-workers N] [-dir DIR]`: the bank
// statement import (issue 7's benchmark). It generates a CAMT.053 file of n
// entries as a stream (a fifth paying existing invoices by RF reference),
// imports and matches it in one transaction while sampling memory, compares
// with COPY of the same rows into a plain table on the same database, and
// imports the file again (which must book nothing). See benchImport.
func cmdCamt(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("camt", flag.ContinueOnError)
	n := fs.Int("n", 1_000_000, "entries in the generated statement")
	workers := fs.Int("workers", 0, "connections booking payments at once (0: casework.DefaultWorkers)")
	dir := fs.String("dir", "", "keep the PostgreSQL cluster in this folder (default: a temporary one)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the Go side (seed, imports, COPY) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	e, err := openEnv(ctx, *dir, "settle_bench_camt", 0)
	if err != nil {
		return err
	}
	defer e.Close()
	fmt.Printf("bank statement import, %d entries\n", *n)
	res, err := benchImport(ctx, e.DB, *n, *workers)
	fmt.Println(res)
	if res.Ratio == 0 {
		return err // the first import or the COPY did not finish: nothing to hold to the ceilings
	}
	heapMB := float64(res.PeakHeapInuse) / (1 << 20)
	again := fmt.Sprintf("%d booked", res.Again.Booked)
	if err != nil {
		again = "did not finish: " + err.Error()
	}
	printGoals(
		goal{Name: "3 bank import: import rate / COPY's", Measured: fmt.Sprintf("%.2f (%.0f / %.0f entries/s, %d entries)", res.Ratio, res.ImportPerSec, res.CopyPerSec, res.Entries),
			Ceiling: fmt.Sprintf(">= %.2f", camtRatioTarget), Met: res.Ratio >= camtRatioTarget && res.Entries >= 1_000_000},
		goal{Name: "3 bank import: peak heap in use", Measured: fmt.Sprintf("%.0f MB", heapMB),
			Ceiling: fmt.Sprintf("< %d MB", camtHeapTargetMB), Met: heapMB < camtHeapTargetMB},
		goal{Name: "3 bank import: the same file again books nothing", Measured: again,
			Ceiling: "0 booked", Met: err == nil && res.Again.Booked == 0},
	)
	return err
}

// Ceilings from issue P, goal 3 (for 1,000,000 entries).
const (
	camtRatioTarget  = 0.30
	camtHeapTargetMB = 200
)
