package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/settle/settle/internal/reconcile/camt053"
)

// TestBankStatementPendingEntry: an entry the bank has not booked (Sts/Cd
// PDNG) is imported as a pending line, counted as pending and not booked,
// and the answers carrying it match the API document.
func TestBankStatementPendingEntry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, ref := b.bankInvoice(t, "NL91ABNA0417164300")
	file := statement(t, 1, camt053.GenOptions{StatementID: "PDNG-1",
		Entry: func(int) (string, int64) { return ref, 2500 }})
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
