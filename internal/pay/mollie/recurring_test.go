package mollie_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/settle/settle/internal/pay/mollie"
)

// TestRecurringFlowAgainstFake runs a direct debit from the start: a
// customer, an iDEAL first payment that gives a mandate once paid,
// recurring payments on it (a retried create with the same
// Idempotency-Key collects once), and a revoked mandate that collects no more.
func TestRecurringFlowAgainstFake(t *testing.T) {
	f, srv := startFake(t)
	sink := &webhookSink{}
	hook := httptest.NewServer(sink)
	defer hook.Close()
	c := mollie.New(srv.URL, testKey)
	ctx := context.Background()

	cu, err := c.CreateCustomer(ctx, mollie.CreateCustomer{Name: "Jan de Vries", Email: "jan@example.org", IdempotencyKey: "cst-1"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateCustomer(ctx, mollie.CreateCustomer{Name: "Jan de Vries", Email: "jan@example.org", IdempotencyKey: "cst-1"})
	if err != nil || again.ID != cu.ID || cu.Name != "Jan de Vries" || cu.Mode != "test" {
		t.Fatalf("customer %+v, retried %+v %v", cu, again, err)
	}
	if n := len(f.Customers()); n != 1 {
		t.Fatalf("%d customers after a retried create", n)
	}

	// No mandate yet: a recurring payment is refused.
	rec := mollie.CreatePayment{Amount: mollie.Amount{Currency: "EUR", Value: "25.00"}, Description: "Deel 2",
		WebhookURL: hook.URL, SequenceType: mollie.SequenceRecurring, CustomerID: cu.ID, IdempotencyKey: "rec-1"}
	var apiErr *mollie.Error
	if _, err := c.CreatePayment(ctx, rec); !errors.As(err, &apiErr) || apiErr.Status != 422 || apiErr.Field != "customerId" {
		t.Fatalf("recurring without mandate: %v", err)
	}

	first := newPayment(hook.URL)
	first.SequenceType, first.CustomerID, first.IdempotencyKey = mollie.SequenceFirst, cu.ID, "first-1"
	fp, err := c.CreatePayment(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if fp.SequenceType != mollie.SequenceFirst || fp.CustomerID != cu.ID || fp.CheckoutURL == "" || fp.MandateID != "" {
		t.Fatalf("first payment %+v", fp)
	}
	if ms, err := c.ListMandates(ctx, cu.ID); err != nil || len(ms) != 0 {
		t.Fatalf("mandates before paying: %+v %v", ms, err)
	}
	if err := f.SetStatus(fp.ID, "paid"); err != nil {
		t.Fatal(err)
	}
	ms, err := c.ListMandates(ctx, cu.ID)
	if err != nil || len(ms) != 1 || ms[0].Status != mollie.MandateValid || ms[0].Method != "directdebit" || ms[0].CustomerID != cu.ID {
		t.Fatalf("mandates after paying: %+v %v", ms, err)
	}
	if ms[0].Details.ConsumerAccount == nil || *ms[0].Details.ConsumerAccount == "" {
		t.Fatalf("mandate without account: %+v", ms[0].Details)
	}
	if got, _ := c.GetPayment(ctx, fp.ID); got.MandateID != ms[0].ID {
		t.Fatalf("paid first payment names mandate %q, want %q", got.MandateID, ms[0].ID)
	}

	rec.MandateID = ms[0].ID
	rp, err := c.CreatePayment(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if rp.Status != mollie.StatusPending || rp.Method != "directdebit" || rp.SequenceType != mollie.SequenceRecurring || rp.MandateID != ms[0].ID || rp.CheckoutURL != "" {
		t.Fatalf("recurring payment %+v", rp)
	}
	// A crash after the call and before storing its answer: the retry
	// with the same key is the same payment, so the debtor is charged once.
	if rp2, err := c.CreatePayment(ctx, rec); err != nil || rp2.ID != rp.ID {
		t.Fatalf("retried recurring create: %+v %v", rp2, err)
	}
	if n := len(f.Payments()); n != 2 {
		t.Fatalf("%d payments, want the first and one recurring", n)
	}
	if err := f.SetStatus(rp.ID, "failed"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.GetPayment(ctx, rp.ID); got.Status != mollie.StatusFailed || got.FailedAt == nil {
		t.Fatalf("failed debit %+v", got)
	}

	if err := c.RevokeMandate(ctx, cu.ID, ms[0].ID); err != nil {
		t.Fatal(err)
	}
	m, err := c.GetMandate(ctx, cu.ID, ms[0].ID)
	if err != nil || m.Status != mollie.MandateInvalid {
		t.Fatalf("revoked mandate %+v %v", m, err)
	}
	rec.IdempotencyKey = "rec-2"
	if _, err := c.CreatePayment(ctx, rec); !errors.As(err, &apiErr) || apiErr.Status != 422 {
		t.Fatalf("recurring on a revoked mandate: %v", err)
	}
	if _, err := c.GetMandate(ctx, cu.ID, "mdt_nope"); !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Fatalf("unknown mandate: %v", err)
	}
	if _, err := c.ListMandates(ctx, ""); err == nil {
		t.Fatal("empty customer id accepted")
	}
}
