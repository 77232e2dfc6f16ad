package stripe_test

import (
	"context"
	"testing"

	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/pay/stripemock"
)

// TestPayoutsAgainstStripeMock runs the payout client's requests against
// stripe-mock, which checks them against Stripe's OpenAPI description: they
// are well formed and their answers decode into stripe-go's types.
func TestPayoutsAgainstStripeMock(t *testing.T) {
	ctx := context.Background()
	api := stripe.NewPayouts(stripemock.Start(t), "sk_test_stripemock")
	pos, err := api.ListPayouts(ctx)
	if err != nil || len(pos) == 0 || pos[0].ID == "" {
		t.Fatalf("payouts: %v %+v", err, pos)
	}
	bts, err := api.ListBalanceTransactions(ctx, pos[0].ID)
	if err != nil || len(bts) == 0 || bts[0].ID == "" {
		t.Fatalf("balance transactions: %v %+v", err, bts)
	}
	pi, err := api.PaymentIntent(ctx, "pi_123")
	if err != nil || pi.ID == "" {
		t.Fatalf("payment intent: %v %+v", err, pi)
	}
}
