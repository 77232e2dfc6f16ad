package casework_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/migrations"
)

// Between an import's first stage (lines stored) and its second (receipts
// booked), what is stored says what is true: a line matched to an invoice
// is matched, not booked, and has no payment, so no reader (the debtor's
// payments, the console, the API, finance) sees a paid payment whose money
// is not in the ledger. Completing the import makes the line booked with
// its paid payment, in the transaction of its ledger entries.
func TestImportedLineIsNotPaidBeforeItIsBooked(t *testing.T) {
	t.Parallel()
	f := newBankFixture(t)
	err := f.importCutAt(t, "bank_v02.xml", "booking payments")
	if !errors.Is(err, casework.ErrImportStopped) {
		t.Fatalf("cut-off import: %v, want ErrImportStopped", err)
	}
	kees := f.debtors["Kees Bakker"]
	isKees := func(l collect.BankLine) bool { return l.EndToEndID == "E2E-C1" }

	l := lineWith(t, f.lines(t), isKees)
	if l.State != collect.BankMatched || l.PaymentID != "" || l.DebtorID != kees.ID || l.InvoiceID != f.invoices["F-3001"].ID {
		t.Errorf("Kees Bakker's line before booking: state %s, payment %q, debtor %q, invoice %q; want matched to F-3001, no payment",
			l.State, l.PaymentID, l.DebtorID, l.InvoiceID)
	}
	if n := f.count(t, "payments WHERE provider = 'bank'"); n != 0 {
		t.Errorf("%d bank payments before booking, want none", n)
	}
	if n := f.count(t, "bank_lines WHERE state = 'booked'"); n != 0 {
		t.Errorf("%d booked lines before booking, want none", n)
	}
	if paid, err := f.db.PaidPayments(context.Background(), f.creditor.ID, kees.ID); err != nil || len(paid) != 0 {
		t.Errorf("Kees Bakker's paid payments before booking: %d (%v), want none", len(paid), err)
	}
	if n := f.open(t, "Kees Bakker"); n != 8000 {
		t.Errorf("Kees Bakker owes %d before booking, want 8000", n)
	}

	// Completed by importing the file again.
	if _, err := f.importString(t, f.file(t, "bank_v02.xml")); err != nil {
		t.Fatal(err)
	}
	l = lineWith(t, f.lines(t), isKees)
	if l.State != collect.BankBooked || l.PaymentID == "" {
		t.Fatalf("Kees Bakker's line once booked: state %s, payment %q; want booked with a payment", l.State, l.PaymentID)
	}
	p, err := f.db.PaymentByID(context.Background(), l.PaymentID)
	if err != nil || p.Status != pay.StatusPaid || p.PaidAt == nil || p.Amount != 8000 || p.DebtorID != kees.ID || p.Provider != "bank" {
		t.Errorf("Kees Bakker's payment once booked: %+v (%v); want paid, €80, his, bank", p, err)
	}
	if h, err := f.db.PaymentHistory(context.Background(), p.ID); err != nil || !slices.Equal(h, []pay.Status{pay.StatusPaid}) {
		t.Errorf("payment history %v (%v), want [paid]", h, err)
	}
	if paid, err := f.db.PaidPayments(context.Background(), f.creditor.ID, kees.ID); err != nil || len(paid) != 1 || len(paid[0].Parts) == 0 {
		t.Errorf("Kees Bakker's paid payments once booked: %+v (%v), want one, applied to his invoice", paid, err)
	}
	if n := f.open(t, "Kees Bakker"); n != 0 {
		t.Errorf("Kees Bakker owes %d once booked, want 0", n)
	}
	// Every booked line has its payment, paid, and its entries under that payment.
	if n := f.count(t, `bank_lines b WHERE b.state = 'booked' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = b.payment_id AND p.status = 'paid')
		OR b.state = 'booked' AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.source_key = 'bank:' || b.id AND e.payment_id = b.payment_id)`); n != 0 {
		t.Errorf("%d booked lines without a paid payment or its ledger entries", n)
	}
	if n := f.count(t, "bank_lines WHERE state = 'matched'"); n != 0 {
		t.Errorf("%d lines still matched once the import is complete", n)
	}
	if n := f.count(t, "events e JOIN bank_lines b ON b.payment_id::text = e.data->>'payment_id' WHERE e.type = 'payment.booked'"); n != f.count(t, "bank_lines WHERE state = 'booked'") {
		t.Errorf("%d payment.booked events naming a booked line's payment, want one per booked line", n)
	}
}

// An import cut off before migration 00037 stored its matched lines as
// booked, each with a paid payment, and did not book them (what 00037's
// Down makes of matched lines). 00037 makes them matched again, keeping
// their payments, and completing the import books each once, under the
// payment it has: no second payment, no line left unbooked.
func TestLineStoredBookedBeforeMigration37IsBooked(t *testing.T) {
	t.Parallel()
	f := newBankFixture(t)
	err := f.importCutAt(t, "bank_v02.xml", "booking payments")
	if !errors.Is(err, casework.ErrImportStopped) {
		t.Fatalf("cut-off import: %v, want ErrImportStopped", err)
	}
	raw, err := migrations.FS.ReadFile("00037_bank_line_matched.sql")
	if err != nil {
		t.Fatal(err)
	}
	up, down, ok := strings.Cut(string(raw), "-- +goose Down")
	if !ok {
		t.Fatal("00037 has no Down section")
	}
	pool := f.db.PoolForTests()
	if _, err := pool.Exec(context.Background(), down); err != nil {
		t.Fatalf("00037 down: %v", err)
	}
	matched := f.count(t, "bank_lines WHERE state = 'booked' AND payment_id IS NOT NULL")
	payments := f.count(t, "payments WHERE provider = 'bank' AND status = 'paid'")
	if matched != 3 || payments != 3 || f.count(t, "ledger_entries WHERE source_key LIKE 'bank:%'") != 0 {
		t.Fatalf("the old stored shape: %d booked lines, %d paid bank payments; want 3 of each and nothing in the ledger", matched, payments)
	}
	if _, err := pool.Exec(context.Background(), up); err != nil {
		t.Fatalf("00037 up: %v", err)
	}
	if n := f.count(t, "bank_lines WHERE state = 'matched' AND payment_id IS NOT NULL"); n != 3 {
		t.Fatalf("after 00037: %d matched lines with their payment, want 3", n)
	}
	if _, err := f.importString(t, f.file(t, "bank_v02.xml")); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "payments WHERE provider = 'bank'"); n != payments {
		t.Errorf("%d bank payments once complete, want the %d made before", n, payments)
	}
	if n := f.count(t, "payment_status_history"); n != payments {
		t.Errorf("%d payment status changes once complete, want %d (one each)", n, payments)
	}
	if n := f.count(t, `bank_lines b WHERE b.state = 'booked' AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.source_key = 'bank:' || b.id AND e.payment_id = b.payment_id)`); n != 3 {
		t.Errorf("%d lines booked under their payment, want 3", n)
	}
	if n := f.open(t, "Kees Bakker"); n != 0 {
		t.Errorf("Kees Bakker owes %d once booked, want 0", n)
	}
}
