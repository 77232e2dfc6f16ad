package casework_test

import (
	"strings"
	"testing"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/pay/stripemock"
	"github.com/settle/settle/internal/postgres"
)

// TestOverpaymentBackByTransferFile: a debtor pays 107 by bank transfer on
// 100 owed; the 7 over cannot go back through a provider, so it waits for
// a bank transfer. Finance makes the pain.001 file once the payer's IBAN
// is known; the refund is then in that file and in no second one.
func TestOverpaymentBackByTransferFile(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	if _, _, err := b.db.ApplyPayment(b.ctx, postgres.Receipt{CreditorID: b.cr.ID, DebtorID: b.d.ID, Amount: 10700, On: b.db.Today(), SourceKey: "bank:overpaid"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ps.RefundCredit(b.ctx, "00000000-0000-0000-0000-000000000001", b.cr.ID, b.d.ID); err != nil {
		t.Fatal(err)
	}
	waiting, err := casework.RefundsToTransfer(b.ctx, b.db, b.cr.ID)
	if err != nil || len(waiting) != 1 || waiting[0].Amount != 700 || waiting[0].IBAN != "" {
		t.Fatalf("waiting %+v (%v), want 700 without an IBAN", waiting, err)
	}
	if _, err := casework.MakeTransferFile(b.ctx, b.db, b.cr.ID, "agent:fin"); collect.ErrorCode(err) != collect.ECONFLICT {
		t.Fatalf("a file without any IBAN: %v, want a conflict", err)
	}
	// The bank payment the money came in with names the payer's IBAN.
	if _, err := b.db.PoolForTests().Exec(b.ctx, `INSERT INTO payments (creditor_id, debtor_id, amount_cents, provider, method, provider_id, status, payer_iban, paid_at)
		VALUES ($1, $2, 10700, 'bank', 'transfer', 'E2E-OVER', 'paid', 'NL02RABO0123456789', $3)`, b.cr.ID, b.d.ID, b.db.Now()); err != nil {
		t.Fatal(err)
	}
	f, err := casework.MakeTransferFile(b.ctx, b.db, b.cr.ID, "agent:fin")
	if err != nil {
		t.Fatal(err)
	}
	xml := string(f.XML)
	if f.Transfers != 1 || f.Total != 700 || !strings.Contains(xml, "<IBAN>NL02RABO0123456789</IBAN>") || !strings.Contains(xml, `<InstdAmt Ccy="EUR">7.00</InstdAmt>`) ||
		!strings.Contains(xml, "<IBAN>NL91ABNA0417164300</IBAN>") || !strings.Contains(xml, "<Nm>Jan Jansen</Nm>") || !strings.Contains(xml, "klantnummer K-1") {
		t.Fatalf("file %+v:\n%s", f, xml)
	}
	list, err := b.db.CreditRefunds(b.ctx, b.cr.ID, b.d.ID)
	if err != nil || len(list) != 1 || list[0].Status != collect.RefundInFile {
		t.Fatalf("refunds after the file: %+v (%v), want in_file", list, err)
	}
	if waiting, _ := casework.RefundsToTransfer(b.ctx, b.db, b.cr.ID); len(waiting) != 0 {
		t.Errorf("still waiting after the file: %+v", waiting)
	}
	if _, err := casework.MakeTransferFile(b.ctx, b.db, b.cr.ID, "agent:fin"); collect.ErrorCode(err) != collect.ECONFLICT {
		t.Errorf("a second file: %v, want a conflict (nothing waits)", err)
	}
	again, err := casework.TransferFile(b.ctx, b.db, b.cr.ID, f.ID)
	if err != nil || string(again.XML) != xml {
		t.Errorf("the stored file differs (%v)", err)
	}
	other, _ := newCreditor(t, b.db, collect.Creditor{Name: "Ander B.V."})
	if _, err := casework.TransferFile(b.ctx, b.db, other.ID, f.ID); collect.ErrorCode(err) != collect.ENOTFOUND {
		t.Errorf("another creditor's file: %v, want not found", err)
	}
}

// TestOverpaymentBackThroughStripe: 125 paid by card on 100 owed; the 25
// over goes back through Stripe's refunds API (stripe-mock) on the payment
// it came from, and nothing waits for a bank transfer.
func TestOverpaymentBackThroughStripe(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	b.ps.Providers.Default["stripe"] = stripe.New(stripemock.Start(t), "sk_test_stripemock")
	p, err := b.db.CreatePayment(b.ctx, collect.Payment{CreditorID: b.cr.ID, DebtorID: b.d.ID, InvoiceID: b.inv.ID, Amount: 12500, Provider: "stripe", Method: "card"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.PoolForTests().Exec(b.ctx, `UPDATE payments SET provider_id = 'cs_test_123' WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.ApplyProviderState(b.ctx, p.ID, pay.State{Status: pay.StatusPaid, Amount: 12500}, "test"); err != nil {
		t.Fatal(err)
	}
	res, err := b.ps.RefundCredit(b.ctx, "00000000-0000-0000-0000-000000000001", b.cr.ID, b.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Refunds) != 1 || res.Refunds[0].Amount != 2500 || res.Refunds[0].Status != collect.RefundSent || res.Refunds[0].ProviderRefundID == "" || res.Refunds[0].PaymentID != p.ID {
		t.Fatalf("refunds = %+v, want 2500 sent through Stripe on the card payment", res.Refunds)
	}
	if got, _ := b.db.PaymentByID(b.ctx, p.ID); got.Refunded != 2500 {
		t.Errorf("payment refunded %d, want 2500", got.Refunded)
	}
	if waiting, _ := casework.RefundsToTransfer(b.ctx, b.db, b.cr.ID); len(waiting) != 0 {
		t.Errorf("waiting for a bank transfer: %+v, want nothing", waiting)
	}
}
