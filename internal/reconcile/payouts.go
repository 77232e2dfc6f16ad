// Package reconcile explains where the money went: what the payment
// providers paid out (payouts*.go) and what the bank statements show.
package reconcile

import (
	"context"
	"time"

	stripego "github.com/stripe/stripe-go/v79"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
)

// Payout reconciliation.
//
// A payout is explained line by line: payments (+), refunds (-),
// chargebacks (-), fees (-), and adjustments or other lines with the
// provider's sign. Each line is matched to our payment by provider id.
//
// Difference. difference = Σ(matched lines) − payout amount, where a matched
// payment line counts with OUR recorded amount (payments.amount_cents) and
// every other matched line with the provider's amount. A payout reconciles
// when the difference is exactly 0. Unmatched lines (a payment we do not
// know, an adjustment, a fee share that belongs to no payment of ours) are
// stored with matched=false and listed as the cause of the difference,
// never dropped: a Mollie settlement holding a payment we do not know
// differs by minus that payment's net (its amount less its share of the
// fees). A matched payment whose provider amount differs from ours is
// listed as a cause too.
//
// Fees. Mollie reports costs per month and method with four decimals
// (amountGross, VAT included). Each cost line is shared among the creditors
// whose transactions of that method (and month, when any match) are in the
// settlement, by count, to the ten-thousandth (largest remainder), so a fee
// line carries the creditor it belongs to; a share for transactions we do
// not know stays unattributed (matched=false) and is not booked. fee_bips
// keeps the exact value. The cents: Mollie rounds only once, the settlement
// amount (revenue − costs, rounded to cents). So the cents total of all fee
// lines is derived as (Σ payment, refund and chargeback lines) − settlement
// amount, accepted when it lies within a cent of the four-decimal total
// (else the four-decimal total rounded half away from zero is used and the
// difference shows); that total is spread over the fee lines by largest
// remainder. Every fee line's cents are its exact value rounded down or up,
// and the fee lines add up exactly to what Mollie withheld. Stripe reports
// fees in whole cents per balance transaction; nothing is rounded there.
//
// Books. Fees are booked per payout and creditor in creditor_entries (see
// collect.Payout for the sign convention), never to a debtor.

// PaymentFinder finds our payments for a payout's lines; the store
// (*postgres.DB) is the one casework passes.
type PaymentFinder interface {
	// PaymentsByProviderIDs maps the provider's payment ids to our payments.
	PaymentsByProviderIDs(ctx context.Context, provider string, ids []string) (map[string]collect.Payment, error)
	// PaymentsByIDs maps our payment ids to our payments.
	PaymentsByIDs(ctx context.Context, ids []string) (map[string]collect.Payment, error)
}

// PayoutDifference is Σ(matched lines) − amount, a matched payment line
// counting with our recorded amount; a payout reconciles when it is 0.
func PayoutDifference(lines []collect.PayoutLine, amount int64) int64 {
	var sum int64
	for _, l := range lines {
		if !l.Matched {
			continue
		}
		if l.Kind == collect.PayoutLinePayment && l.PaymentID != "" {
			sum += l.OurAmount
		} else {
			sum += l.Amount
		}
	}
	return sum - amount
}

// match fills a line's payment, creditor and our amount from p.
func matchPayment(l *collect.PayoutLine, p collect.Payment) {
	l.PaymentID, l.CreditorID, l.Matched = p.ID, p.CreditorID, true
	if l.Kind == collect.PayoutLinePayment {
		l.OurAmount = p.Amount
	}
}

// bipsToCents spreads centsTotal over values given in ten-thousandths so
// that each gets floor(b/100) or floor(b/100)+1 cents by largest remainder.
// centsTotal must lie between Σfloor and Σfloor+len(bips); otherwise each
// value is rounded half away from zero on its own.
func bipsToCents(bips []int64, centsTotal int64) []int64 {
	if out, ok := money.Apportion(bips, 100, centsTotal); ok {
		return out
	}
	out := make([]int64, len(bips))
	for i, b := range bips {
		out[i] = roundHalfAwayCents(b, 100)
	}
	return out
}

// roundHalfAway divides a by b (> 0), rounding half away from zero.
func roundHalfAwayCents(a, b int64) int64 {
	if a < 0 {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}

// StripeAPI is what StripePayout reads of Stripe; stripe.Payouts is the
// real one.
type StripeAPI interface {
	ListPayouts(ctx context.Context) ([]*stripego.Payout, error)
	ListBalanceTransactions(ctx context.Context, payoutID string) ([]*stripego.BalanceTransaction, error)
	PaymentIntent(ctx context.Context, id string) (*stripego.PaymentIntent, error)
}

// settledAt picks the first non-nil time.
func firstTime(ts ...*time.Time) *time.Time {
	for _, t := range ts {
		if t != nil && !t.IsZero() {
			u := t.UTC()
			return &u
		}
	}
	return nil
}
