package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/reconcile/camt053"
)

// TestBankStatementPendingEntry: an entry the bank has not booked (Sts/Cd
// PDNG) is imported as a pending line, counted as pending and not booked,
// and the answers carrying it match the API document.
func TestBankStatementPendingEntry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	if _, err := b.db.PoolForTests().Exec(ctx, `UPDATE creditors SET iban = 'NL91ABNA0417164300' WHERE id = $1`, b.A.ID); err != nil {
		t.Fatal(err)
	}
	d := b.debtor(t, b.A.Key, consumer("K-1", "Jan de Vries"))
	invID := b.invoice(t, b.A.Key, d, "F-1", "2026-11-01", "2026-12-01", 2500)
	var ref string
	if err := b.db.PoolForTests().QueryRow(ctx, `SELECT payment_reference FROM invoices WHERE id = $1`, invID).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	err := camt053.Generate(&file, 1, camt053.GenOptions{Version: "001.08", StatementID: "PDNG-1",
		Start: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Entry: func(int) (string, int64) { return ref, 2500 }})
	if err != nil {
		t.Fatal(err)
	}
	const booked = "<Cd>BOOK</Cd>"
	if !strings.Contains(file.String(), booked) {
		t.Fatalf("no %s in the generated statement", booked)
	}
	body := strings.Replace(file.String(), booked, "<Cd>PDNG</Cd>", 1)

	m := b.call(t, "POST", "/api/v1/bank-statements", b.A.Key, body).want(t, http.StatusCreated)
	if num(t, m["lines"]) != 1 || num(t, m["booked"]) != 0 || num(t, m["pending"]) != 1 {
		t.Errorf("import: %v, want one pending line and nothing booked", m)
	}
	id := str(t, m["statements"].([]any)[0].(map[string]any)["id"])
	st := b.call(t, "GET", "/api/v1/bank-statements/"+id, b.A.Key, nil).want(t, http.StatusOK)
	line := st["lines"].([]any)[0].(map[string]any)
	if line["state"] != "pending" || line["payment_id"] != nil || num(t, st["states"].(map[string]any)["pending"]) != 1 {
		t.Errorf("statement %v, want its line pending without a payment", st)
	}
}
