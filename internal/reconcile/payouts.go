// Package reconcile explains where the money went: what the payment
// providers paid out (payouts*.go) and what the bank statements show.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	stripego "github.com/stripe/stripe-go/v79"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/pay/mollie"
	"github.com/settle/settle/internal/postgres"
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

// PayoutDeps is what SyncPayouts needs. A nil provider client is skipped.
type PayoutDeps struct {
	DB *postgres.DB
	// Mollie must carry an organization access token (access_...): the
	// Settlements API refuses API keys (MOLLIE_ACCESS_TOKEN).
	Mollie *mollie.Client
	// Stripe reads Stripe's payouts with the secret key (stripe.NewPayouts).
	Stripe StripeAPI
	Log    *slog.Logger
	// Resync also fetches payouts that are stored and reconciled already
	// (by default only new and differing payouts are fetched again).
	Resync bool
}

// Configured reports whether any provider is set up for payouts.
func (d PayoutDeps) Configured() bool { return d.Mollie != nil || d.Stripe != nil }

// PayoutReport is what one sync did.
type PayoutReport struct {
	Payouts []PayoutResult `json:"payouts"`
	// Skipped counts provider payouts not synced: not paid out yet (a Mollie
	// settlement still open), failed or canceled, or stored and reconciled
	// before.
	Skipped int      `json:"skipped"`
	Errors  []string `json:"errors,omitempty"`
}

// PayoutResult is one synced payout.
type PayoutResult struct {
	ID         string `json:"id"`
	Provider   string `json:"provider"`
	ProviderID string `json:"provider_id"`
	Reference  string `json:"reference"`
	Amount     int64  `json:"amount_cents"`
	Difference int64  `json:"difference_cents"`
	Reconciled bool   `json:"reconciled"`
	Lines      int    `json:"lines"`
	Unmatched  int    `json:"unmatched"`
	Created    bool   `json:"created"`
	Changed    bool   `json:"changed"`
	FeesBooked int64  `json:"fees_booked_cents"`
	// Causes are the lines that make the payout differ.
	Causes []Cause `json:"causes,omitempty"`
}

// Cause is a line that makes a payout differ.
type Cause struct {
	Kind        collect.PayoutLineKind  `json:"kind"`
	ProviderRef string                  `json:"provider_ref"`
	Amount      int64                   `json:"amount_cents"`
	OurAmount   int64                   `json:"our_amount_cents,omitempty"`
	Why         collect.PayoutLineCause `json:"why"`
}

// SyncPayouts fetches every configured provider's payouts, explains each
// line by line, stores it and books its fees. A provider or payout that
// fails is reported and the rest still synced; the returned error joins the
// failures.
func SyncPayouts(ctx context.Context, d PayoutDeps) (PayoutReport, error) {
	var rep PayoutReport
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	var errs []error
	fail := func(err error) {
		errs = append(errs, err)
		rep.Errors = append(rep.Errors, err.Error())
		d.Log.Warn("payout sync", "err", err)
	}
	if d.Mollie != nil {
		syncMollie(ctx, d, &rep, fail)
	}
	if d.Stripe != nil {
		syncStripe(ctx, d, &rep, fail)
	}
	return rep, errors.Join(errs...)
}

// needsSync reports whether a provider payout must be fetched line by line:
// it is new, or it did not reconcile (our payment records may have caught
// up), or its amount changed.
func payoutNeedsSync(ctx context.Context, d PayoutDeps, provider, providerID string, amount int64) (bool, error) {
	if d.Resync {
		return true, nil
	}
	p, err := d.DB.PayoutByProviderID(ctx, provider, providerID)
	if collect.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return !p.Reconciled || p.Amount != amount, nil
}

// save computes the difference, stores the payout and adds it to the report.
func savePayout(ctx context.Context, d PayoutDeps, rep *PayoutReport, p collect.Payout) error {
	p.Difference = payoutDifference(p.Lines, p.Amount)
	p.Reconciled = p.Difference == 0
	res, err := d.DB.SavePayout(ctx, p)
	if err != nil {
		return fmt.Errorf("%s payout %s: %w", p.Provider, p.ProviderID, err)
	}
	r := PayoutResult{ID: res.PayoutID, Provider: p.Provider, ProviderID: p.ProviderID, Reference: p.Reference, Amount: p.Amount,
		Difference: p.Difference, Reconciled: p.Reconciled, Lines: len(p.Lines), Created: res.Created, Changed: res.Changed,
		FeesBooked: res.FeesBooked}
	for _, l := range p.Lines {
		if !l.Matched {
			r.Unmatched++
		}
		if why := l.Cause(); why != "" {
			r.Causes = append(r.Causes, Cause{Kind: l.Kind, ProviderRef: l.ProviderRef, Amount: l.Amount, OurAmount: l.OurAmount, Why: why})
		}
	}
	rep.Payouts = append(rep.Payouts, r)
	if res.Changed {
		d.Log.Info("payout synced", "provider", p.Provider, "provider_id", p.ProviderID, "reference", p.Reference,
			"amount", p.Amount, "difference", p.Difference, "lines", len(p.Lines), "fees_booked", res.FeesBooked)
	}
	return nil
}

// difference is Σ(matched lines) − amount, a matched payment line counting
// with our recorded amount.
func payoutDifference(lines []collect.PayoutLine, amount int64) int64 {
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

// StripeAPI is what SyncPayouts reads of Stripe; stripe.Payouts is the
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
