package reconcile

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile/camt053"
)

// BenchResult are the figures of BenchImport.
type BenchResult struct {
	Entries int
	// Seed is the time to load the invoices the file pays.
	Seed time.Duration
	// Import is parsing, matching, booking and storing the file, in one transaction.
	Import       time.Duration
	ImportPerSec float64
	// Copy is COPY of the same rows into a plain table on the same database.
	Copy       time.Duration
	CopyPerSec float64
	// Ratio is ImportPerSec / CopyPerSec (the target is at least 0.3).
	Ratio float64
	// PeakHeapInuse and PeakSys are the largest runtime.MemStats HeapInuse
	// and Sys seen while importing (sampled every 50 ms), in bytes.
	PeakHeapInuse, PeakSys uint64
	// Reimport is importing the same file again, which must book nothing.
	Reimport time.Duration
	Result   ImportResult
	Again    ImportResult
	// Stages is how long each stage of the first import took ("reading"
	// is parsing, exact matching and staging, overlapped; the rest runs in
	// the database after the file is read).
	Stages []Stage
}

// Stage is one stage of an import and how long it took.
type Stage struct {
	Name string
	Took time.Duration
}

func (r BenchResult) String() string {
	return fmt.Sprintf(`entries            %d (a fifth with RF references to existing invoices, a fifth debits)
seed               %s
import             %s  %.0f entries/s  (%s)
COPY baseline      %s  %.0f rows/s
ratio              %.2f  (target >= 0.30)
peak memory        heap in use %.1f MB, from the OS %.1f MB  (target < 200 MB)
re-import          %s  booked %d, duplicates %d  (must book nothing)`,
		r.Entries, r.Seed.Round(time.Millisecond),
		r.Import.Round(time.Millisecond), r.ImportPerSec, r.Result.Summary(),
		r.Copy.Round(time.Millisecond), r.CopyPerSec, r.Ratio,
		float64(r.PeakHeapInuse)/(1<<20), float64(r.PeakSys)/(1<<20),
		r.Reimport.Round(time.Millisecond), r.Again.Booked, r.Again.Duplicates) + r.stages()
}

func (r BenchResult) stages() string {
	var b strings.Builder
	for _, s := range r.Stages {
		fmt.Fprintf(&b, "\n  %-32s %s", s.Name, s.Took.Round(time.Millisecond))
	}
	if b.Len() == 0 {
		return ""
	}
	return "\nimport stages:" + b.String()
}

// BenchImport measures the bank statement import on db: it creates a
// creditor with n/5 overdue invoices, generates a CAMT.053 file of n entries
// (entry i%5 == 0 pays half of invoice i/5 by its RF reference, i%5 == 4 is a
// debit, the rest are credits without a reference), imports it while
// sampling memory, copies the same rows into a plain table for comparison,
// and imports the file again.
func BenchImport(ctx context.Context, db *postgres.DB, n int) (BenchResult, error) {
	res := BenchResult{Entries: n}
	tag := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 36)
	start := time.Now()
	seed, err := db.SeedBankBench(ctx, max(n/5, 1), tag)
	if err != nil {
		return res, err
	}
	res.Seed = time.Since(start)
	entry := func(i int) (string, int64) {
		switch i % 5 {
		case 0:
			if k := i / 5; k < seed.Invoices {
				return seed.Reference(k), seed.Amount(k) / 2
			}
		case 4:
			return "", -int64(100 + i%90_000)
		}
		return "", int64(100 + (i*7919)%1_000_000)
	}
	opts := camt053.GenOptions{AccountIBAN: seed.IBAN, StatementID: "BENCH-" + tag, Entry: entry}

	// Import, sampling memory.
	runtime.GC()
	var peakHeap, peakSys uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peakHeap, peakSys = max(peakHeap, m.HeapInuse), max(peakSys, m.Sys)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	r, err := camt053.NewReader(n, opts)
	if err != nil {
		close(stop)
		wg.Wait()
		return res, err
	}
	start = time.Now()
	stage, stageStart := "reading", start
	progress := func(_ int, s string) {
		if s == stage {
			return
		}
		now := time.Now()
		res.Stages = append(res.Stages, Stage{stage, now.Sub(stageStart)})
		stage, stageStart = s, now
	}
	res.Result, err = ImportCAMTWith(ctx, db, r, ImportOptions{ImportedBy: "bench", Progress: progress})
	res.Stages = append(res.Stages, Stage{stage + " (and commit)", time.Since(stageStart)})
	res.Import = time.Since(start)
	close(stop)
	wg.Wait()
	res.PeakHeapInuse, res.PeakSys = peakHeap, peakSys
	if err != nil {
		return res, err
	}
	res.ImportPerSec = float64(n) / res.Import.Seconds()

	// The same rows, straight into a plain table.
	day := opts.Start
	if day.IsZero() {
		day = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	res.Copy, err = db.BankBenchCopy(ctx, n, func(i int) []any {
		ref, amount := entry(i)
		credit := amount >= 0
		if !credit {
			amount = -amount
		}
		s := strconv.Itoa(i)
		return []any{int64(i + 1), "r:" + seed.IBAN + ":GEN-" + s + ":0", amount, "EUR", credit, day.AddDate(0, 0, i/1000), ref,
			"Factuur " + s, "Klant " + s, fmt.Sprintf("NL02RABO%010d", i), "E2E-" + s}
	})
	if err != nil {
		return res, err
	}
	res.CopyPerSec = float64(n) / res.Copy.Seconds()
	res.Ratio = res.ImportPerSec / res.CopyPerSec

	// Again: everything is known.
	if r, err = camt053.NewReader(n, opts); err != nil {
		return res, err
	}
	start = time.Now()
	res.Again, err = ImportCAMTWith(ctx, db, r, ImportOptions{ImportedBy: "bench"})
	res.Reimport = time.Since(start)
	if err == nil && res.Again.Booked != 0 {
		err = fmt.Errorf("the second import booked %d lines", res.Again.Booked)
	}
	return res, err
}
