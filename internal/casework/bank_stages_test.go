package casework_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile/camt053"
)

// genFixture is a creditor with many debtors, two invoices each (one
// overdue, so interest and costs are due when it is paid), and a generated
// statement paying them: most entries by an invoice's RF reference, many
// debtors several times, some without a reference, some debits. It is big
// enough for several booking batches per worker (postgres bookBatch).
type genFixture struct {
	db       *postgres.DB
	creditor collect.Creditor
	refs     []string // payment references, invoice by invoice
}

const genIBAN = "NL91ABNA0417164300"

func newGenFixture(t *testing.T, debtors int) *genFixture {
	t.Helper()
	today := time.Date(2024, 4, 2, 12, 0, 0, 0, amsterdam)
	return newGenFixtureAt(t, debtors, func() time.Time { return today })
}

// newGenFixtureAt is newGenFixture on the store clock now.
func newGenFixtureAt(t *testing.T, debtors int, now func() time.Time) *genFixture {
	t.Helper()
	db, _ := apptest.NewDB(t, now)
	cr, _ := newCreditor(t, db, collect.Creditor{Name: "Energie Noord B.V.", IBAN: genIBAN})
	g := &genFixture{db: db, creditor: cr}
	for d := range debtors {
		debtor := newDebtor(t, db, collect.Debtor{CreditorID: cr.ID, ExternalRef: fmt.Sprintf("K-%03d", d), Name: fmt.Sprintf("Klant %03d", d),
			Kind: collect.Consumer, Language: "nl"})
		for k, inv := range []struct {
			amount     int64
			issue, due string
		}{{10000 + int64(d)*37, "2023-11-01", "2023-12-01"}, {5000, "2024-02-01", "2024-03-01"}} {
			got := newInvoice(t, db, collect.Invoice{CreditorID: cr.ID, DebtorID: debtor.ID, Number: fmt.Sprintf("G-%03d-%d", d, k),
				IssueDate: bankDay(inv.issue), DueDate: bankDay(inv.due), Amount: inv.amount, Currency: "EUR"})
			g.refs = append(g.refs, got.PaymentReference)
		}
	}
	return g
}

// file is the generated statement of n entries.
func (g *genFixture) file(t *testing.T, n int) io.Reader {
	t.Helper()
	r, err := camt053.NewReader(n, camt053.GenOptions{AccountIBAN: genIBAN, StatementID: "GEN-STAGES", Entry: func(i int) (string, int64) {
		switch {
		case i%7 == 6:
			return "", -int64(500 + i)
		case i%9 == 4:
			return "", int64(1000 + i)
		}
		return g.refs[(i*13)%len(g.refs)], int64(700 + (i*37)%3000)
	}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (g *genFixture) importFile(t *testing.T, ctx context.Context, n int, opts casework.ImportOptions) (casework.ImportResult, error) {
	t.Helper()
	opts.ImportedBy = "test"
	return casework.ImportCAMT(ctx, g.db, g.file(t, n), opts)
}

// ledger is the creditor's ledger, debtor by debtor in booking order, in
// words that do not depend on the database's ids: the invoice's number,
// account, kind, amount, day and memo of every entry, and a debtor's
// balance per account.
func (g *genFixture) ledger(t *testing.T) []string {
	t.Helper()
	rows, err := g.db.PoolForTests().Query(context.Background(), `SELECT d.name, coalesce(i.number, ''), e.account, e.kind, e.amount_cents, e.booked_on, e.memo,
			sum(e.amount_cents) OVER (PARTITION BY d.name, e.account)
		FROM ledger_entries e JOIN debtors d ON d.id = e.debtor_id LEFT JOIN invoices i ON i.id = e.invoice_id
		WHERE e.creditor_id = $1 ORDER BY d.name, e.booked_on, e.id`, g.creditor.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var debtor, invoice, account, kind, memo string
		var amount, balance int64
		var on time.Time
		if err := rows.Scan(&debtor, &invoice, &account, &kind, &amount, &on, &memo, &balance); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %d %s %s (balance %d)", debtor, invoice, account, kind, amount, on.Format("2006-01-02"), memo, balance))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// record is what an import left besides the ledger: lines by state,
// payments, their history, payment.booked events and audit records.
func (g *genFixture) record(t *testing.T) string {
	t.Helper()
	var s string
	err := g.db.PoolForTests().QueryRow(context.Background(), `SELECT concat_ws(' ',
			(SELECT string_agg(state || '=' || n, ',' ORDER BY state) FROM (SELECT state, count(*) AS n FROM bank_lines GROUP BY state) x),
			'payments=' || (SELECT count(*) FROM payments),
			'history=' || (SELECT count(*) FROM payment_status_history),
			'events=' || (SELECT count(*) FROM events WHERE type = 'payment.booked'),
			'audit=' || (SELECT count(*) FROM audit_log WHERE action = 'bank_statement.imported'),
			'suggestions=' || (SELECT count(*) FROM bank_suggestions),
			'incomplete=' || (SELECT count(*) FROM bank_statements WHERE completed_at IS NULL))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sameLedger(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("the reference ledger is empty")
	}
	if !slices.Equal(got, want) {
		for i := range max(len(got), len(want)) {
			var g, w string
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Fatalf("%s: ledger differs from entry %d of %d/%d:\n got  %s\n want %s", what, i, len(got), len(want), g, w)
			}
		}
	}
}

// Booking in parallel per debtor gives the same ledger as one worker:
// every posting, in the same order per debtor, and the same balances.
func TestParallelBookingEqualsSequential(t *testing.T) {
	t.Parallel()
	const debtors, entries = 60, 2400
	one, four := newGenFixture(t, debtors), newGenFixture(t, debtors)
	ctx := context.Background()
	a, err := one.importFile(t, ctx, entries, casework.ImportOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := four.importFile(t, ctx, entries, casework.ImportOptions{Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(a.Summary())
	if a.Booked < 1500 || a.BankCounts != b.BankCounts {
		t.Fatalf("one worker: %s; four: %s; want the same counts, over 1,500 booked", a.Summary(), b.Summary())
	}
	sameLedger(t, "four workers against one", four.ledger(t), one.ledger(t))
	if got, want := four.record(t), one.record(t); got != want {
		t.Errorf("four workers left %s, one worker %s", got, want)
	}
}

// Importing the generated file twice books once, and the second import
// skips the complete statement whole.
func TestGeneratedFileTwiceBooksOnce(t *testing.T) {
	t.Parallel()
	g := newGenFixture(t, 20)
	ctx := context.Background()
	first, err := g.importFile(t, ctx, 600, casework.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ledger, record := g.ledger(t), g.record(t)
	again, err := g.importFile(t, ctx, 600, casework.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if first.Booked == 0 || again.Booked != 0 || again.Lines != 0 || again.Duplicates != first.Lines || !again.Statements[0].Duplicate {
		t.Errorf("first %s; again %s: want nothing booked again and every line a duplicate", first.Summary(), again.Summary())
	}
	sameLedger(t, "after importing again", g.ledger(t), ledger)
	if got := g.record(t); got != record {
		t.Errorf("after importing again %s, before %s", got, record)
	}
}

// An import cut off between its stages (the context cancelled as a stage
// begins, as a crash or a closed request would) loses nothing: importing
// the file again completes it, with each payment booked exactly once, the
// same ledger, lines, payments, events and audit record as an import that
// was never interrupted.
func TestImportCutOffIsCompletedByImportingAgain(t *testing.T) {
	t.Parallel()
	const debtors, entries = 30, 1200
	ref := newGenFixture(t, debtors)
	want, err := ref.importFile(t, context.Background(), entries, casework.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantLedger, wantRecord := ref.ledger(t), ref.record(t)
	for _, cut := range []struct {
		stage string
		// stored: the lines are stored (and the statement incomplete)
		// when the import stops.
		stored bool
	}{
		{"storing lines", false},
		{"booking payments", true},
		{"reversals", true},
		{"looking for suggestions", true},
		{"payouts and events", true},
	} {
		t.Run(cut.stage, func(t *testing.T) {
			t.Parallel()
			g := newGenFixture(t, debtors)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := g.importFile(t, ctx, entries, casework.ImportOptions{Progress: func(_ int, stage string) {
				if stage == cut.stage {
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cut off at %q: %v, want context.Canceled", cut.stage, err)
			}
			var ie *casework.ImportError
			if stored := !errors.As(err, &ie); stored != cut.stored {
				t.Errorf("cut off at %q: %v; lines stored %v, want %v", cut.stage, err, stored, cut.stored)
			}
			if stopped := errors.Is(err, casework.ErrImportStopped); stopped != cut.stored {
				t.Errorf("cut off at %q: %v; says ErrImportStopped %v, want %v", cut.stage, err, stopped, cut.stored)
			}
			var lines, incomplete int
			if err := g.db.PoolForTests().QueryRow(context.Background(),
				`SELECT (SELECT count(*) FROM bank_lines), (SELECT count(*) FROM bank_statements WHERE completed_at IS NULL)`).Scan(&lines, &incomplete); err != nil {
				t.Fatal(err)
			}
			if cut.stored != (lines == want.Lines && incomplete == 1) || !cut.stored && (lines != 0 || incomplete != 0) {
				t.Errorf("cut off at %q: %d lines, %d incomplete statements", cut.stage, lines, incomplete)
			}

			got, err := g.importFile(t, context.Background(), entries, casework.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got.Statements[0].Duplicate || got.Booked != want.Booked || got.Lines != want.Lines {
				t.Errorf("import after the cut: %s, want %s", got.Summary(), want.Summary())
			}
			sameLedger(t, "completed after a cut at "+cut.stage, g.ledger(t), wantLedger)
			if rec := g.record(t); rec != wantRecord {
				t.Errorf("completed after a cut at %q: %s, want %s", cut.stage, rec, wantRecord)
			}
			// And once complete, the file is a duplicate.
			again, err := g.importFile(t, context.Background(), entries, casework.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if again.Booked != 0 || !again.Statements[0].Duplicate {
				t.Errorf("third import: %s, want a duplicate", again.Summary())
			}
		})
	}
}

// An import cut off after storing its lines, and not imported again, is
// completed by housekeeping (casework.CompleteBankImports) once it is
// older than BankResumeAfter: the same ledger and records as an import
// that was never interrupted, nothing booked twice. Before that it is left
// to the import that may still be running.
func TestHousekeepingCompletesACutOffImport(t *testing.T) {
	t.Parallel()
	const debtors, entries = 20, 600
	ref := newGenFixture(t, debtors)
	if _, err := ref.importFile(t, context.Background(), entries, casework.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	wantLedger, wantRecord := ref.ledger(t), ref.record(t)
	for _, stage := range []string{"booking payments", "payouts and events"} {
		t.Run(stage, func(t *testing.T) {
			t.Parallel()
			now := time.Date(2024, 4, 2, 12, 0, 0, 0, amsterdam)
			g := newGenFixtureAt(t, debtors, func() time.Time { return now })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if _, err := g.importFile(t, ctx, entries, casework.ImportOptions{Progress: func(_ int, s string) {
				if s == stage {
					cancel()
				}
			}}); !errors.Is(err, context.Canceled) {
				t.Fatalf("cut off at %q: %v, want context.Canceled", stage, err)
			}
			cut := g.record(t)
			now = now.Add(casework.BankResumeAfter - time.Minute)
			if n, err := casework.CompleteBankImports(context.Background(), g.db); err != nil || n != 0 {
				t.Fatalf("CompleteBankImports before BankResumeAfter = %d, %v; want 0 (the import may still run)", n, err)
			}
			if rec := g.record(t); rec != cut {
				t.Errorf("before BankResumeAfter: %s, want it untouched: %s", rec, cut)
			}
			now = now.Add(2 * time.Minute)
			if n, err := casework.CompleteBankImports(context.Background(), g.db); err != nil || n != 1 {
				t.Fatalf("CompleteBankImports = %d, %v; want 1 statement completed", n, err)
			}
			sameLedger(t, "completed by housekeeping after a cut at "+stage, g.ledger(t), wantLedger)
			if rec := g.record(t); rec != wantRecord {
				t.Errorf("completed by housekeeping after a cut at %q: %s, want %s", stage, rec, wantRecord)
			}
			if n, err := casework.CompleteBankImports(context.Background(), g.db); err != nil || n != 0 {
				t.Errorf("CompleteBankImports again = %d, %v; want 0", n, err)
			}
			again, err := g.importFile(t, context.Background(), entries, casework.ImportOptions{})
			if err != nil || again.Booked != 0 || !again.Statements[0].Duplicate {
				t.Errorf("the file after housekeeping: %s, %v; want a duplicate", again.Summary(), err)
			}
		})
	}
}
