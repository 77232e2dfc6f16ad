package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// BankBenchSeed is what SeedBankBench created: a creditor with one debtor
// per invoice, each invoice overdue since 1 December 2023.
type BankBenchSeed struct {
	CreditorID string
	IBAN       string
	Invoices   int
	// Reference is invoice k's payment reference (0 <= k < Invoices).
	Reference func(k int) string
	// Amount is invoice k's amount in cents.
	Amount func(k int) int64
}

// SeedBankBench loads a creditor with n debtors and n invoices (and their
// principal in the ledger) with COPY, for the bank import benchmark. tag
// (letters and digits, at most 8) keeps the references of runs apart.
func (db *DB) SeedBankBench(ctx context.Context, n int, tag string) (BankBenchSeed, error) {
	s := BankBenchSeed{Invoices: n, IBAN: fmt.Sprintf("NL00BNCH%010d", time.Now().UnixNano()%10_000_000_000)}
	s.Reference = func(k int) string {
		ref, _ := collect.RFReference(fmt.Sprintf("B%s%d", tag, k))
		return ref
	}
	s.Amount = func(k int) int64 { return 2000 + int64(k*7919%50000) }
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO creditors (name, iban) VALUES ($1, $2) RETURNING id::text`, "Bench "+tag, s.IBAN).Scan(&s.CreditorID); err != nil {
			return dbErr(err, "bench creditor")
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
			return dbErr(err, "bench debtors")
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
			return dbErr(err, "bench invoices")
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
			return dbErr(err, "bench ledger")
		}
		return nil
	})
	if err == nil {
		_, err = db.Pool.Exec(ctx, `ANALYZE debtors, invoices, ledger_entries, payments, bank_lines`)
	}
	return s, err
}

// BankBenchCopy copies rows into a fresh plain table (no indexes, no
// constraints) on the same database and drops it again: the ceiling the
// bank import is compared with. It returns how long the COPY took.
func (db *DB) BankBenchCopy(ctx context.Context, n int, row func(i int) []any) (time.Duration, error) {
	table := fmt.Sprintf("bench_copy_%d", time.Now().UnixNano())
	if _, err := db.Pool.Exec(ctx, `CREATE TABLE `+table+` (seq bigint, entry_key text, amount_cents bigint, currency text, credit boolean,
		booking_date date, reference text, text text, cp_name text, cp_iban text, end_to_end_id text)`); err != nil {
		return 0, dbErr(err, "bench table")
	}
	defer db.Pool.Exec(context.WithoutCancel(ctx), `DROP TABLE `+table) //nolint:errcheck // best effort
	i := 0
	start := time.Now()
	_, err := db.Pool.CopyFrom(ctx, pgx.Identifier{table},
		[]string{"seq", "entry_key", "amount_cents", "currency", "credit", "booking_date", "reference", "text", "cp_name", "cp_iban", "end_to_end_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			return row(i - 1), nil
		}))
	return time.Since(start), dbErr(err, "bench copy")
}
