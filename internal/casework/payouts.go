package casework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay/mollie"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile"
)

// Payouts syncs the providers' payouts: each is fetched, explained line by
// line by reconcile's rules, stored and its fees booked. Unlike most use
// cases it needs the providers' clients beside the store; a nil client is
// skipped.
type Payouts struct {
	DB *postgres.DB
	// Mollie must carry an organization access token (access_...): the
	// Settlements API refuses API keys (MOLLIE_ACCESS_TOKEN).
	Mollie *mollie.Client
	// Stripe reads Stripe's payouts with the secret key (stripe.NewPayouts).
	Stripe reconcile.StripeAPI
	Log    *slog.Logger
	// Resync also fetches payouts that are stored and reconciled already
	// (by default only new and differing payouts are fetched again).
	Resync bool
}

// Configured reports whether any provider is set up for payouts.
func (ps Payouts) Configured() bool { return ps.Mollie != nil || ps.Stripe != nil }

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

// Sync fetches every configured provider's payouts, explains each line by
// line, stores it and books its fees, each payout in its own transaction.
// A provider or payout that fails is reported and the rest still synced;
// the returned error joins the failures.
func (ps Payouts) Sync(ctx context.Context) (PayoutReport, error) {
	var rep PayoutReport
	if ps.Log == nil {
		ps.Log = slog.New(slog.DiscardHandler)
	}
	var errs []error
	fail := func(err error) {
		errs = append(errs, err)
		rep.Errors = append(rep.Errors, err.Error())
		ps.Log.Warn("payout sync", "err", err)
	}
	if ps.Mollie != nil {
		ps.syncMollie(ctx, &rep, fail)
	}
	if ps.Stripe != nil {
		ps.syncStripe(ctx, &rep, fail)
	}
	return rep, errors.Join(errs...)
}

// syncMollie syncs every paid-out Mollie settlement (all pages).
func (ps Payouts) syncMollie(ctx context.Context, rep *PayoutReport, fail func(error)) {
	sts, err := ps.Mollie.ListSettlements(ctx)
	if err != nil {
		fail(fmt.Errorf("mollie settlements: %w", err))
		return
	}
	for _, s := range sts {
		if !reconcile.MolliePaidOut(s) {
			rep.Skipped++
			continue
		}
		p, err := reconcile.MolliePayout(s)
		if err != nil {
			fail(err)
			continue
		}
		need, err := ps.needsSync(ctx, "mollie", s.ID, p.Amount)
		if err != nil {
			fail(fmt.Errorf("mollie settlement %s: %w", s.ID, err))
			continue
		}
		if !need {
			rep.Skipped++
			continue
		}
		if p.Lines, err = reconcile.MollieLines(ctx, ps.Mollie, ps.DB, s, p.Amount); err != nil {
			fail(fmt.Errorf("mollie settlement %s: %w", s.ID, err))
			continue
		}
		if err := ps.save(ctx, rep, p); err != nil {
			fail(err)
		}
	}
}

// syncStripe syncs every Stripe payout that was not canceled or failed.
func (ps Payouts) syncStripe(ctx context.Context, rep *PayoutReport, fail func(error)) {
	pos, err := ps.Stripe.ListPayouts(ctx)
	if err != nil {
		fail(fmt.Errorf("stripe payouts: %w", err))
		return
	}
	intents := map[string]string{} // PaymentIntent id → our payment id, per sync
	for _, po := range pos {
		ok, err := reconcile.StripePaidOut(po)
		if err != nil {
			fail(err)
			continue
		}
		if !ok {
			rep.Skipped++
			continue
		}
		need, err := ps.needsSync(ctx, "stripe", po.ID, po.Amount)
		if err != nil {
			fail(fmt.Errorf("stripe payout %s: %w", po.ID, err))
			continue
		}
		if !need {
			rep.Skipped++
			continue
		}
		p, err := reconcile.StripePayout(ctx, ps.Stripe, ps.DB, po, intents)
		if err != nil {
			fail(fmt.Errorf("stripe payout %s: %w", po.ID, err))
			continue
		}
		if err := ps.save(ctx, rep, p); err != nil {
			fail(err)
		}
	}
}

// needsSync reports whether a provider payout must be fetched line by line:
// it is new, or it did not reconcile (our payment records may have caught
// up), or its amount changed.
func (ps Payouts) needsSync(ctx context.Context, provider, providerID string, amount int64) (bool, error) {
	if ps.Resync {
		return true, nil
	}
	p, err := ps.DB.PayoutByProviderID(ctx, provider, providerID)
	if collect.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return !p.Reconciled || p.Amount != amount, nil
}

// save computes the difference, stores the payout and adds it to the report.
func (ps Payouts) save(ctx context.Context, rep *PayoutReport, p collect.Payout) error {
	p.Difference = reconcile.PayoutDifference(p.Lines, p.Amount)
	p.Reconciled = p.Difference == 0
	res, err := ps.DB.SavePayout(ctx, p)
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
		ps.Log.Info("payout synced", "provider", p.Provider, "provider_id", p.ProviderID, "reference", p.Reference,
			"amount", p.Amount, "difference", p.Difference, "lines", len(p.Lines), "fees_booked", res.FeesBooked)
	}
	return nil
}

// CreditorPayouts lists the provider payouts that carry money of the
// creditor, newest first, at most limit, each with only that creditor's lines.
func CreditorPayouts(ctx context.Context, db *postgres.DB, creditorID string, limit int) ([]collect.Payout, error) {
	return db.PayoutsOfCreditor(ctx, creditorID, limit)
}
