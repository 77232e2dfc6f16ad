package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

// cmdCamt is `settle-bench camt [-n 1000000] [-dir DIR]`: the bank
// statement import (issue 7's benchmark). It generates a CAMT.053 file of n
// entries as a stream (a fifth paying existing invoices by RF reference),
// imports and matches it in one transaction while sampling memory, compares
// with COPY of the same rows into a plain table on the same database, and
// imports the file again (which must book nothing). See benchImport.
func cmdCamt(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("camt", flag.ContinueOnError)
	n := fs.Int("n", 1_000_000, "entries in the generated statement")
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
	res, err := benchImport(ctx, e.DB, *n)
	fmt.Println(res)
	return err
}
