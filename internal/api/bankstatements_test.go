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

// bankInvoice gives creditor A the bank account iban and its debtor Jan de
// Vries an invoice F-1 of 25,00, and returns the invoice's id and payment
// reference.
func (b *bundle) bankInvoice(t *testing.T, iban string) (string, string) {
	t.Helper()
	ctx := context.Background()
	if _, err := b.db.PoolForTests().Exec(ctx, `UPDATE creditors SET iban = $2 WHERE id = $1`, b.A.ID, iban); err != nil {
		t.Fatal(err)
	}
	d := b.debtor(t, b.A.Key, consumer("K-1", "Jan de Vries"))
	invID := b.invoice(t, b.A.Key, d, "F-1", "2026-11-01", "2026-12-01", 2500)
	var ref string
	if err := b.db.PoolForTests().QueryRow(ctx, `SELECT payment_reference FROM invoices WHERE id = $1`, invID).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	return invID, ref
}

// statement generates a CAMT.053 statement (version 001.08) of n entries
// from Friday 20 November 2026.
func statement(t *testing.T, n int, o camt053.GenOptions) *bytes.Buffer {
	t.Helper()
	o.Version = "001.08"
	o.Start = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var file bytes.Buffer
	if err := camt053.Generate(&file, n, o); err != nil {
		t.Fatal(err)
	}
	return &file
}

func TestBankStatements(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	invID, ref := b.bankInvoice(t, "NL91 ABNA 0417 1643 00")
	// More than the API's 1 MiB JSON limit: 1200 entries, the first pays F-1
	// by its reference, every fourth is a debit, the rest carry no reference.
	file := statement(t, 1200, camt053.GenOptions{AccountIBAN: "NL91ABNA0417164300", StatementID: "API-1",
		Entry: func(i int) (string, int64) {
			switch {
			case i == 0:
				return ref, 2500
			case i%4 == 3:
				return "", -int64(100 + i)
			}
			return "", int64(100 + i)
		}})
	if file.Len() <= 1<<20 {
		t.Fatalf("test file of %d bytes is not above 1 MiB", file.Len())
	}
	body := file.String()

	m := b.call(t, "POST", "/api/v1/bank-statements", b.A.Key, body).want(t, http.StatusCreated)
	conforms(t, "BankImport", m)
	if num(t, m["lines"]) != 1200 || num(t, m["booked"]) != 1 || num(t, m["not_handled"]) != 300 || num(t, m["duplicates"]) != 0 {
		t.Errorf("import: %v", m)
	}
	stmts := m["statements"].([]any)
	id := str(t, stmts[0].(map[string]any)["id"])

	again := b.call(t, "POST", "/api/v1/bank-statements", b.A.Key, body).want(t, http.StatusCreated)
	if num(t, again["lines"]) != 0 || num(t, again["booked"]) != 0 || num(t, again["duplicates"]) != 1200 {
		t.Errorf("second import: %v", again)
	}

	// Lines with their state, in pages.
	page := b.call(t, "GET", "/api/v1/bank-statements/"+id+"?limit=2", b.A.Key, nil).want(t, http.StatusOK)
	conforms(t, "BankStatement", page)
	lines := page["lines"].([]any)
	if len(lines) != 2 || page["next_after"] == nil {
		t.Fatalf("first page: %v", page)
	}
	first := lines[0].(map[string]any)
	if first["state"] != "booked" || first["invoice_id"] != invID || num(t, first["amount"]) != 2500 {
		t.Errorf("first line %v, want booked on F-1", first)
	}
	if lines[1].(map[string]any)["state"] != "unmatched" {
		t.Errorf("second line %v, want unmatched", lines[1])
	}
	next := b.call(t, "GET", "/api/v1/bank-statements/"+id+"?after=1198", b.A.Key, nil).want(t, http.StatusOK)
	if l := next["lines"].([]any); len(l) != 2 || next["next_after"] != nil {
		t.Errorf("last page: %d lines, next_after %v", len(l), next["next_after"])
	}
	if states := page["states"].(map[string]any); num(t, states["not_handled"]) != 300 {
		t.Errorf("states %v", states)
	}

	// Another creditor sees nothing of it, and cannot import A's account.
	b.call(t, "GET", "/api/v1/bank-statements/"+id, b.B.Key, nil).wantError(t, http.StatusNotFound, "not_found", "")
	b.call(t, "GET", "/api/v1/bank-statements/not-an-id", b.A.Key, nil).wantError(t, http.StatusNotFound, "not_found", "")
	other := strings.Replace(body, "API-1", "API-2", 1)
	b.call(t, "POST", "/api/v1/bank-statements", b.B.Key, other).wantError(t, http.StatusUnprocessableEntity, "invalid", "Stmt/Acct/Id/IBAN")

	// A malformed file: the line and the element, and nothing stored.
	bad := strings.Replace(other, "<Amt Ccy=\"EUR\">1.05</Amt>", "<Amt Ccy=\"EUR\">1,05</Amt>", 1)
	if bad == other {
		t.Fatal("no amount to break")
	}
	r := b.call(t, "POST", "/api/v1/bank-statements", b.A.Key, bad)
	r.wantError(t, http.StatusUnprocessableEntity, "malformed", "Ntry/Amt")
	wantLine := int64(strings.Count(bad[:strings.Index(bad, "1,05")], "\n") + 1)
	if e := r.object(t)["error"].(map[string]any); num(t, e["line"]) != wantLine {
		t.Errorf("error line %v, want %d", e["line"], wantLine)
	}
	var n int
	if err := b.db.PoolForTests().QueryRow(ctx, `SELECT count(*) FROM bank_statements`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d statements stored (%v), want 1", n, err)
	}
	b.call(t, "POST", "/api/v1/bank-statements", b.A.Key, "").wantError(t, http.StatusBadRequest, "malformed", "")
	b.call(t, "POST", "/api/v1/bank-statements", "", body).wantError(t, http.StatusUnauthorized, "unauthorized", "")
}
