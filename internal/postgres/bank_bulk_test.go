package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// A bulk load drops bank_lines' secondary indexes for the insert and builds
// the same ones again before its stage commits; the lines are all stored.
func TestBulkLoadRebuildsLineIndexes(t *testing.T) {
	defer postgres.SetBulkLines(100)()
	f := newFixture(t)
	ctx := context.Background()
	indexes := func() []string {
		rows, err := f.pool.Query(ctx, `SELECT indexdef FROM pg_indexes WHERE tablename = 'bank_lines' ORDER BY indexname`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var defs []string
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				t.Fatal(err)
			}
			defs = append(defs, d)
		}
		return defs
	}
	secondary := func() (oids []uint32) {
		rows, err := f.pool.Query(ctx, `SELECT indexrelid::oid FROM pg_index WHERE indrelid = 'bank_lines'::regclass AND NOT indisunique`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var o uint32
			if err := rows.Scan(&o); err != nil {
				t.Fatal(err)
			}
			oids = append(oids, o)
		}
		return oids
	}
	before, oldOIDs := indexes(), secondary()
	if len(before) < 5 {
		t.Fatalf("bank_lines has %d indexes: %v", len(before), before)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE creditors SET iban = 'NL91ABNA0417164300' WHERE id = $1`, f.creditor.ID); err != nil {
		t.Fatal(err)
	}
	bi, err := f.db.BeginBankImport(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer bi.Rollback(ctx)
	id, creditor, dup, err := bi.Statement(ctx, postgres.BankStatementIn{AccountIBAN: "NL91ABNA0417164300", StmtID: "BULK"}, "")
	if err != nil || dup {
		t.Fatalf("statement: duplicate %v, %v", dup, err)
	}
	var lines []postgres.BankLineIn
	for i := range 300 {
		lines = append(lines, postgres.BankLineIn{Seq: int64(i + 1), StatementID: id, CreditorID: creditor, Key: fmt.Sprintf("bulk-%d", i),
			Amount: int64(100 + i), Currency: "EUR", Credit: true, BookingDate: day("2026-11-02"), Text: "no reference"})
	}
	if err := bi.AddBankLines(ctx, lines); err != nil {
		t.Fatal(err)
	}
	if _, err := bi.Store(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bi.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if after := indexes(); !slices.Equal(after, before) {
		t.Errorf("indexes after the bulk load:\n%v\nbefore:\n%v", after, before)
	}
	for _, o := range secondary() {
		if slices.Contains(oldOIDs, o) {
			t.Errorf("index %d was not built again: the bulk load kept it", o)
		}
	}
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM bank_lines WHERE statement_id = $1 AND state = $2`, id, collect.BankUnmatched).Scan(&n); err != nil || n != 300 {
		t.Errorf("%d unmatched lines stored (%v), want 300", n, err)
	}
}

// A secondary index that cannot be built again after a bulk load fails the
// stage with that error (it was lost: Store answered nil and only the
// commit failed, with no word of why).
func TestBulkLoadIndexRebuildErrorIsReturned(t *testing.T) {
	defer postgres.SetBulkLines(100)()
	f := newFixture(t)
	ctx := context.Background()
	// Built on the empty table, it fails on a line of 2.50.
	if _, err := f.pool.Exec(ctx, `CREATE INDEX bank_lines_trap ON bank_lines ((100 / (amount_cents - 250)))`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE creditors SET iban = 'NL91ABNA0417164300' WHERE id = $1`, f.creditor.ID); err != nil {
		t.Fatal(err)
	}
	bi, err := f.db.BeginBankImport(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer bi.Rollback(ctx)
	id, creditor, _, err := bi.Statement(ctx, postgres.BankStatementIn{AccountIBAN: "NL91ABNA0417164300", StmtID: "BULK"}, "")
	if err != nil {
		t.Fatal(err)
	}
	var lines []postgres.BankLineIn
	for i := range 300 {
		lines = append(lines, postgres.BankLineIn{Seq: int64(i + 1), StatementID: id, CreditorID: creditor, Key: fmt.Sprintf("bulk-%d", i),
			Amount: int64(100 + i), Currency: "EUR", Credit: true, BookingDate: day("2026-11-02"), Text: "no reference"})
	}
	if err := bi.AddBankLines(ctx, lines); err != nil {
		t.Fatal(err)
	}
	if _, err := bi.Store(ctx); err == nil || !strings.Contains(err.Error(), "rebuild index") {
		t.Errorf("Store: %v, want the index rebuild's error", err)
	}
}
