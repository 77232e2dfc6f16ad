package casework_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/metrics"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/mollie"
	"github.com/settle/settle/internal/pay/molliefake"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// paymentsBundle is one test's database, Mollie fake, creditor, debtor and
// invoice, with the payment use cases over them.
type paymentsBundle struct {
	ctx  context.Context
	db   *postgres.DB
	clk  *pgtest.Clock
	fake *molliefake.Fake
	ps   *casework.Payments
	cr   collect.Creditor
	d    collect.Debtor
	inv  collect.Invoice
}

// setupPayments seeds one creditor with a 100,00 invoice to one debtor;
// iDEAL goes to the Mollie fake, whose webhooks stay off so only the use
// cases move payments.
func setupPayments(t *testing.T) *paymentsBundle {
	t.Helper()
	ctx := context.Background()
	db, clk := openDB(t, apptest.Start)
	fake := molliefake.New("")
	fake.WebhookDisabled.Store(true)
	srv := httptest.NewServer(fake.Handler())
	t.Cleanup(srv.Close)
	fake.SetBaseURL(srv.URL)
	b := &paymentsBundle{ctx: ctx, db: db, clk: clk, fake: fake}
	b.ps = &casework.Payments{DB: db, BaseURL: "https://settle.example", Log: slog.New(slog.DiscardHandler),
		Providers: &pay.Registry{Default: map[string]pay.Provider{"mollie": mollie.NewProvider(srv.URL, "test_x")},
			Method: map[pay.Method]string{pay.IDEAL: "mollie"}}}
	b.cr, _ = newCreditor(t, db, collect.Creditor{Name: "Energie Noord B.V.", Email: "klantenservice@example.nl",
		Phone: "020 123 45 67", PhoneHours: "op werkdagen", IBAN: "NL91ABNA0417164300"})
	b.d = newDebtor(t, db, collect.Debtor{CreditorID: b.cr.ID, ExternalRef: "K-1", Kind: collect.Consumer,
		Name: "Jan Jansen", Email: "jan@example.nl", Language: "nl"})
	b.inv = newInvoice(t, db, collect.Invoice{CreditorID: b.cr.ID, DebtorID: b.d.ID, Number: "F-1", Description: "Stroom",
		IssueDate: collect.Day(2026, 11, 2), DueDate: collect.Day(2026, 12, 2), Amount: 10000, Currency: "EUR"})
	return b
}

// checkout starts an iDEAL checkout of amount on the invoice and returns
// our payment record as stored.
func (b *paymentsBundle) checkout(t *testing.T, amount int64) collect.Payment {
	t.Helper()
	redirect, err := b.ps.StartCheckout(b.ctx, casework.CheckoutOrder{Creditor: b.cr, DebtorID: b.d.ID, Amount: amount,
		InvoiceID: b.inv.ID, Method: pay.IDEAL, Description: "Energie Noord F-1"})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := b.db.Payments(b.ctx, b.cr.ID, b.d.ID)
	if err != nil || len(ps) == 0 {
		t.Fatalf("payments after checkout: %v, %v", ps, err)
	}
	p := ps[0]
	if p.ProviderID == "" || p.CheckoutURL != redirect || redirect == "" {
		t.Fatalf("stored checkout: provider id %q, url %q; redirect %q", p.ProviderID, p.CheckoutURL, redirect)
	}
	return p
}

func (b *paymentsBundle) open(t *testing.T) int64 {
	t.Helper()
	_, st, err := b.db.Statement(b.ctx, b.cr.ID, b.d.ID, b.db.Today())
	if err != nil {
		t.Fatal(err)
	}
	return st.Total()
}

// TestCheckoutPaidAndRefunded: a checkout records our payment with the
// provider's page; the provider's state, not anyone's say-so, books the
// payment once and later the refund.
func TestCheckoutPaidAndRefunded(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	p := b.checkout(t, 6000)
	fp, ok := b.fake.Payment(p.ProviderID)
	if !ok || fp.AmountCents != 6000 || fp.WebhookURL != "https://settle.example/webhooks/mollie" || fp.RedirectURL != "https://settle.example/pay/return/"+p.ID {
		t.Fatalf("the provider got %+v", fp)
	}
	if err := b.fake.SetStatus(p.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	booked := counted(t, "settle_payments_booked_total", "provider", "mollie", "state", string(pay.StatusPaid))
	for range 2 { // a repeated sync books nothing more
		if err := b.ps.Sync(b.ctx, p.ID, "sync"); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := b.db.PaymentByID(b.ctx, p.ID); got.Status != pay.StatusPaid {
		t.Fatalf("status %s, want paid", got.Status)
	}
	if got := counted(t, "settle_payments_booked_total", "provider", "mollie", "state", string(pay.StatusPaid)); got <= booked {
		t.Errorf("settle_payments_booked_total for mollie paid: %v, was %v; the booking was not counted", got, booked)
	}
	if got := b.open(t); got != 4000 {
		t.Fatalf("open %d after paying 6000 of 10000", got)
	}
	if _, err := b.fake.Refund(p.ProviderID, 1500); err != nil {
		t.Fatal(err)
	}
	got, err := b.ps.PaymentOnReturn(b.ctx, b.cr.ID, b.d.ID, p.ID)
	if err != nil || got.Refunded != 0 {
		t.Fatalf("a final payment is not asked again on return: %+v, %v", got, err)
	}
	if err := b.ps.Sync(b.ctx, p.ID, "sync"); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.db.PaymentByID(b.ctx, p.ID); got.Refunded != 1500 {
		t.Fatalf("refunded %d, want 1500", got.Refunded)
	}
	if got := b.open(t); got != 5500 {
		t.Fatalf("open %d after a refund of 1500", got)
	}
}

// TestReturnAsksTheProvider: a debtor back from the checkout sees the
// provider's state at once, without a webhook.
func TestReturnAsksTheProvider(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	p := b.checkout(t, 10000)
	if err := b.fake.SetStatus(p.ProviderID, "paid"); err != nil {
		t.Fatal(err)
	}
	got, err := b.ps.PaymentOnReturn(b.ctx, b.cr.ID, b.d.ID, p.ID)
	if err != nil || got.Status != pay.StatusPaid {
		t.Fatalf("on return: %s, %v; want paid", got.Status, err)
	}
	other, _, err := b.db.UpsertDebtor(b.ctx, collect.Debtor{CreditorID: b.cr.ID, ExternalRef: "K-2", Kind: collect.Consumer, Name: "Piet", Language: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ps.PaymentOnReturn(b.ctx, b.cr.ID, other.ID, p.ID); !collect.IsNotFound(err) {
		t.Fatalf("another debtor's return: %v, want not found", err)
	}
}

// TestCheckoutProviderDown: a provider that cannot be reached leaves our
// payment failed and says so with pay.ErrUnavailable.
func TestCheckoutProviderDown(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	down := httptest.NewServer(nil)
	down.Close()
	b.ps.Providers.Default["mollie"] = mollie.NewProvider(down.URL, "test_x")
	_, err := b.ps.StartCheckout(b.ctx, casework.CheckoutOrder{Creditor: b.cr, DebtorID: b.d.ID, Amount: 10000, Method: pay.IDEAL})
	if !errors.Is(err, pay.ErrUnavailable) {
		t.Fatalf("err %v, want pay.ErrUnavailable", err)
	}
	ps, err := b.db.Payments(b.ctx, b.cr.ID, b.d.ID)
	if err != nil || len(ps) != 1 || ps[0].Status != pay.StatusFailed {
		t.Fatalf("payments %+v, %v; want one failed", ps, err)
	}
}

// TestForeignStripeEventRefused: a Stripe event never moves a Mollie
// payment; the refusal is recorded for finance.
func TestForeignStripeEventRefused(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	p := b.checkout(t, 10000)
	refused, err := casework.RefuseForeignStripeEvent(b.ctx, b.db, b.ps.Log, p, "cs_test_x", "evt_1", "checkout.session.completed")
	if err != nil || !refused {
		t.Fatalf("refused %v, %v; want refused", refused, err)
	}
	evs, err := b.db.RefusedEvents(b.ctx, b.cr.ID, 10)
	if err != nil || len(evs) != 1 || evs[0].PaymentID != p.ID || evs[0].EventID != "evt_1" {
		t.Fatalf("refused events %+v, %v", evs, err)
	}
}

// counted reads a process-wide counter of internal/metrics by its label
// pairs (name, value, ...); tests running in parallel may add to it.
func counted(t *testing.T, name string, labelPairs ...string) float64 {
	t.Helper()
	families, err := metrics.NewRegistry(metrics.Sources{}).Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labelPairs); i += 2 {
				if labels[labelPairs[i]] != labelPairs[i+1] {
					continue series
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
