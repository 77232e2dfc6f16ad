package casework_test

import (
	"testing"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// A credit with nothing open goes back through the provider of the payment
// it came from; the provider's own report of the refund books nothing
// twice.
func TestRefundCreditThroughMollie(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	p := b.checkout(t, 12500) // 25,00 more than the 100,00 invoice
	if err := b.fake.SetStatus(p.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	if err := b.ps.Sync(b.ctx, p.ID, "sync"); err != nil {
		t.Fatal(err)
	}
	res, err := b.ps.RefundCredit(b.ctx, "00000000-0000-0000-0000-000000000001", b.cr.ID, b.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Refunds) != 1 || res.Refunds[0].Amount != 2500 || res.Refunds[0].Status != collect.RefundSent || res.Refunds[0].ProviderRefundID == "" {
		t.Fatalf("refunds = %+v, want 2500 sent through Mollie", res.Refunds)
	}
	if fp, _ := b.fake.Payment(p.ProviderID); fp.RefundedCents != 2500 {
		t.Fatalf("Mollie refunded %d, want 2500", fp.RefundedCents)
	}
	for range 2 { // the provider's report of the same refund
		if err := b.ps.Sync(b.ctx, p.ID, "sync"); err != nil {
			t.Fatal(err)
		}
	}
	_, st, err := b.db.Statement(b.ctx, b.cr.ID, b.d.ID, b.db.Today())
	if err != nil {
		t.Fatal(err)
	}
	if st.Credit != 0 || st.Total() != 0 {
		t.Fatalf("credit %d, open %d after the refund; want 0 and 0 (the invoice stays paid)", st.Credit, st.Total())
	}
	if got, _ := b.db.PaymentByID(b.ctx, p.ID); got.Refunded != 2500 {
		t.Fatalf("payment refunded %d, want 2500", got.Refunded)
	}
	if _, err := b.ps.RefundCredit(b.ctx, "00000000-0000-0000-0000-000000000001", b.cr.ID, b.d.ID); collect.ErrorCode(err) != collect.ECONFLICT {
		t.Fatalf("a second refund: %v, want a conflict (no credit left)", err)
	}
}

// Money that came by bank transfer goes back by bank transfer: recorded
// for the creditor to pay, and taken off the credit.
func TestRefundCreditByBankTransfer(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	if _, _, err := b.db.ApplyPayment(b.ctx, postgres.Receipt{CreditorID: b.cr.ID, DebtorID: b.d.ID, Amount: 10700, On: b.db.Today(), SourceKey: "bank:1"}); err != nil {
		t.Fatal(err)
	}
	res, err := b.ps.RefundCredit(b.ctx, "00000000-0000-0000-0000-000000000001", b.cr.ID, b.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Refunds) != 1 || res.Refunds[0].Method != collect.RefundByTransfer || res.Refunds[0].Amount != 700 || res.Refunds[0].Status != collect.RefundToTransfer {
		t.Fatalf("refunds = %+v, want 700 to transfer by bank", res.Refunds)
	}
	if b.open(t) != 0 {
		t.Fatal("the invoice opened again")
	}
	list, err := b.db.CreditRefunds(b.ctx, b.cr.ID, b.d.ID)
	if err != nil || len(list) != 1 || list[0].Amount != 700 {
		t.Fatalf("credit refunds on file = %+v, %v", list, err)
	}
}

// A credit refund through a provider takes its locks in the order of every
// booking, the payment's row before the debtor's lock: a booking batch
// (which holds its payments' rows while it waits for their debtors) holding
// the payment, and the refund, must not deadlock. Before, the refund took
// the debtor first and then waited for the payment's row.
func TestCreditRefundLocksPaymentBeforeDebtor(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	p := b.checkout(t, 12500)
	if err := b.fake.SetStatus(p.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	if err := b.ps.Sync(b.ctx, p.ID, "sync"); err != nil {
		t.Fatal(err)
	}
	pool := b.db.PoolForTests()
	// A booking batch: the payment's row first.
	batch, err := pool.Begin(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer batch.Rollback(b.ctx)
	if _, err := batch.Exec(b.ctx, `SELECT 1 FROM payments WHERE id = $1 FOR UPDATE`, p.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.db.BookCreditRefund(b.ctx, postgres.CreditRefund{CreditorID: b.cr.ID, DebtorID: b.d.ID, PaymentID: p.ID, Amount: 2500,
			Method: collect.RefundByProvider, Status: collect.RefundRequested, Reason: "credit", RequestedBy: "test"})
		done <- err
	}()
	// Wait until the refund waits for a lock.
	for {
		var waiting int
		if err := pool.QueryRow(b.ctx, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE NOT l.granted AND a.datname = current_database()`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the refund finished while the payment was locked: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	// The batch goes on to the debtor's lock, then commits.
	if _, err := batch.Exec(b.ctx, `SELECT pg_advisory_xact_lock(hashtextextended('debtor:' || $1::text, 0))`, b.d.ID); err != nil {
		t.Fatalf("the batch, taking the debtor's lock: %v", err)
	}
	if err := batch.Commit(b.ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the refund: %v", err)
	}
}
