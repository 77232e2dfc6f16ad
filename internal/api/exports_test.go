package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/reconcile"
)

// TestExports: the payments and journal CSVs of the calling creditor only,
// in the Dutch spreadsheet format; the journal balances per day.
func TestExports(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	pay1 := func(c creditor, ref string, cents int64, provider, method string) {
		t.Helper()
		d := b.debtor(t, c.Key, consumer(ref, "Jan Jansen"))
		p, err := b.db.CreatePayment(ctx, collect.Payment{CreditorID: c.ID, DebtorID: d, Amount: cents, Provider: provider, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.db.StartCheckout(ctx, p.ID, pay.Checkout{ProviderID: "tr_" + ref}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.db.ApplyProviderState(ctx, p.ID, pay.State{Status: pay.StatusPaid, Amount: cents}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	pay1(b.A, "A-1", 123456, "mollie", "ideal")
	pay1(b.B, "B-1", 999, "stripe", "card")

	r := b.call(t, "GET", "/api/v1/exports/payments.csv?from=2026-11-01&to=2026-11-30", b.A.Key, nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("payments.csv: %d %s\n%s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	rows := dutchCSV(t, r.Body)
	if len(rows) != 2 || rows[1][3] != "mollie" || rows[1][4] != "ideal" || rows[1][10] != "1234,56" {
		t.Fatalf("A's payments: %v", rows)
	}
	r = b.call(t, "GET", "/api/v1/exports/journal.csv?from=2026-11-01&to=2026-11-30", b.A.Key, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("journal.csv: %d\n%s", r.Status, r.Body)
	}
	rows = dutchCSV(t, r.Body)
	if strings.Join(rows[0], ";") != strings.Join(reconcile.JournalHeader, ";") {
		t.Errorf("journal header %v", rows[0])
	}
	if !bytes.Contains(r.Body, []byte(";movement;clearing:mollie;Clearing: Mollie;1234,56;")) || bytes.Contains(r.Body, []byte("9,99")) {
		t.Errorf("journal of A:\n%s", r.Body)
	}
	b.call(t, "GET", "/api/v1/exports/journal.csv?from=2026-11-30&to=2026-11-01", b.A.Key, nil).wantError(t, http.StatusUnprocessableEntity, "invalid", "from")
	b.call(t, "GET", "/api/v1/exports/payments.csv?from=2026-11-01", b.A.Key, nil).wantError(t, http.StatusUnprocessableEntity, "invalid", "to")
	b.call(t, "GET", "/api/v1/exports/payments.csv?from=2026-11-01&to=2026-11-30", "", nil).wantError(t, http.StatusUnauthorized, "unauthorized", "")
}

func dutchCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	raw, ok := bytes.CutPrefix(body, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatal("no BOM")
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if strings.Contains(cell, ",") && strings.Contains(cell, ".") {
				t.Errorf("cell %q has both a comma and a dot", cell)
			}
		}
	}
	return rows
}
