package apptest

import (
	"context"
	"testing"

	"github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// MollieCheckout starts the Mollie iDEAL checkout of our payment record rec
// as the pay page does, at app a's Mollie provider with a's return and
// webhook addresses under base, and returns rec with Mollie's id.
func MollieCheckout(t testing.TB, a *app.App, db *postgres.DB, rec collect.Payment, base, description string) collect.Payment {
	t.Helper()
	ctx := context.Background()
	co, err := a.Providers.Default["mollie"].Checkout(ctx, pay.CheckoutRequest{
		PaymentID: rec.ID, Amount: rec.Amount, Description: description, Method: pay.IDEAL, IdempotencyKey: rec.ID,
		ReturnURL: base + "/pay/return/" + rec.ID, WebhookURL: base + "/webhooks/mollie",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.StartCheckout(ctx, rec.ID, co); err != nil {
		t.Fatal(err)
	}
	rec.ProviderID = co.ProviderID
	return rec
}
