package main

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile/camt053"
)

// camtResult are the figures of benchImport.
type camtResult struct {
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
	Result   casework.ImportResult
	Again    casework.ImportResult
	// Stages is how long each stage of the first import took ("reading"
	// is parsing, exact matching and staging, overlapped; the rest runs in
	// the database after the file is read).
	Stages []importStage
}

// importStage is one stage of an import, how long it took, and the CPU
// this process (the import's Go side) and the cluster's backends spent in
// it, which compares runs on a shared machine better than the time.
type importStage struct {
	Name    string
	Took    time.Duration
	App, PG time.Duration
}

func (r camtResult) String() string {
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

func (r camtResult) stages() string {
	var b strings.Builder
	for _, s := range r.Stages {
		fmt.Fprintf(&b, "\n  %-32s %-9s CPU app %s, PostgreSQL %s", s.Name, s.Took.Round(time.Millisecond),
			s.App.Round(10*time.Millisecond), s.PG.Round(10*time.Millisecond))
	}
	if b.Len() == 0 {
		return ""
	}
	return "\nimport stages:" + b.String()
}

// benchImport measures the bank statement import on db: it creates a
// creditor with n/5 overdue invoices, generates a CAMT.053 file of n entries
// (entry i%5 == 0 pays half of invoice i/5 by its RF reference, i%5 == 4 is a
// debit, the rest are credits without a reference), imports it while
// sampling memory, copies the same rows into a plain table for comparison,
// and imports the file again.
func benchImport(ctx context.Context, db *postgres.DB, n, workers int) (camtResult, error) {
	res := camtResult{Entries: n}
	tag := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 36)
	start := time.Now()
	seed, err := seedBank(ctx, db, max(n/5, 1), tag)
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
	stage, stageStart, stageCPU := "reading", start, cpuNow()
	endStage := func(name string) {
		c := cpuNow()
		res.Stages = append(res.Stages, importStage{name, c.at.Sub(stageStart), c.self - stageCPU.self, c.pg - stageCPU.pg})
		stageStart, stageCPU = c.at, c
	}
	progress := func(_ int, s string) {
		if s == stage {
			return
		}
		endStage(stage)
		stage = s
	}
	res.Result, err = casework.ImportCAMT(ctx, db, r, casework.ImportOptions{ImportedBy: "bench", Progress: progress, Workers: workers})
	endStage(stage + " (and commit)")
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
	res.Copy, err = copyBaseline(ctx, db, n, func(i int) []any {
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
	res.Again, err = casework.ImportCAMT(ctx, db, r, casework.ImportOptions{ImportedBy: "bench", Workers: workers})
	res.Reimport = time.Since(start)
	if err == nil && res.Again.Booked != 0 {
		err = fmt.Errorf("the second import booked %d lines", res.Again.Booked)
	}
	return res, err
}

// bankSeed is what seedBank created: a creditor with one debtor
// per invoice, each invoice overdue since 1 December 2023.
type bankSeed struct {
	CreditorID string
	IBAN       string
	Invoices   int
	// Reference is invoice k's payment reference (0 <= k < Invoices).
	Reference func(k int) string
	// Amount is invoice k's amount in cents.
	Amount func(k int) int64
}

// seedBank loads a creditor with n debtors and n invoices (and their
// principal in the ledger) with COPY, for the bank import benchmark. tag
// (letters and digits, at most 8) keeps the references of runs apart.
func seedBank(ctx context.Context, db *postgres.DB, n int, tag string) (bankSeed, error) {
	s := bankSeed{Invoices: n, IBAN: fmt.Sprintf("NL00BNCH%010d", time.Now().UnixNano()%10_000_000_000)}
	s.Reference = func(k int) string {
		ref, _ := collect.RFReference(fmt.Sprintf("B%s%d", tag, k))
		return ref
	}
	s.Amount = func(k int) int64 { return 2000 + int64(k*7919%50000) }
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO creditors (name, iban) VALUES ($1, $2) RETURNING id::text`, "Bench "+tag, s.IBAN).Scan(&s.CreditorID); err != nil {
			return fmt.Errorf("bench creditor: %w", err)
		}
		debtors := make([]uuid.UUID, n)
		invoices := make([]uuid.UUID, n)
		for k := range n {
			debtors[k], invoices[k] = uuid.New(), uuid.New()
		}
		issue, due := collect.Day(2023, 11, 1), collect.Day(2023, 12, 1)
		k := 0
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"debtors"}, []string{"id", "creditor_id", "external_ref", "name"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if k == n {
					return nil, nil
				}
				k++
				return []any{debtors[k-1], s.CreditorID, fmt.Sprintf("bench-%d", k-1), fmt.Sprintf("Bench Debtor %d", k-1)}, nil
			})); err != nil {
			return fmt.Errorf("bench debtors: %w", err)
		}
		k = 0
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"invoices"}, []string{"id", "creditor_id", "debtor_id", "number", "issue_date", "due_date", "amount_cents", "payment_reference"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if k == n {
					return nil, nil
				}
				k++
				return []any{invoices[k-1], s.CreditorID, debtors[k-1], fmt.Sprintf("BENCH-%s-%d", tag, k-1), issue, due, s.Amount(k - 1), s.Reference(k - 1)}, nil
			})); err != nil {
			return fmt.Errorf("bench invoices: %w", err)
		}
		k = 0
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"ledger_entries"}, []string{"creditor_id", "debtor_id", "invoice_id", "account", "kind", "amount_cents", "booked_on", "source_key", "memo"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if k == n {
					return nil, nil
				}
				k++
				return []any{s.CreditorID, debtors[k-1], invoices[k-1], "principal", "charge", s.Amount(k - 1), issue, "invoice:" + invoices[k-1].String(), "invoice"}, nil
			})); err != nil {
			return fmt.Errorf("bench ledger: %w", err)
		}
		return nil
	})
	if err == nil {
		_, err = db.PoolForTests().Exec(ctx, `ANALYZE debtors, invoices, ledger_entries, payments, bank_lines`)
	}
	return s, err
}

// copyBaseline copies rows into a fresh plain table (no indexes, no
// constraints) on the same database and drops it again: the ceiling the
// bank import is compared with. It returns how long the COPY took.
func copyBaseline(ctx context.Context, db *postgres.DB, n int, row func(i int) []any) (time.Duration, error) {
	table := fmt.Sprintf("bench_copy_%d", time.Now().UnixNano())
	if _, err := db.PoolForTests().Exec(ctx, `CREATE TABLE `+table+` (seq bigint, entry_key text, amount_cents bigint, currency text, credit boolean,
		booking_date date, reference text, text text, cp_name text, cp_iban text, end_to_end_id text)`); err != nil {
		return 0, fmt.Errorf("bench table: %w", err)
	}
	defer db.PoolForTests().Exec(context.WithoutCancel(ctx), `DROP TABLE `+table) //nolint:errcheck // best effort
	i := 0
	start := time.Now()
	_, err := db.PoolForTests().CopyFrom(ctx, pgx.Identifier{table},
		[]string{"seq", "entry_key", "amount_cents", "currency", "credit", "booking_date", "reference", "text", "cp_name", "cp_iban", "end_to_end_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			return row(i - 1), nil
		}))
	if err != nil {
		return 0, fmt.Errorf("bench copy: %w", err)
	}
	return time.Since(start), nil
}
