package reconcile

import (
	"context"
	"fmt"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v79"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay/stripe"
)

// StripePaidOut reports whether a Stripe payout is one to reconcile: not
// canceled or failed. A payout in another currency than the euro is an error.
func StripePaidOut(po *stripego.Payout) (bool, error) {
	if po.Status == stripego.PayoutStatusCanceled || po.Status == stripego.PayoutStatusFailed {
		return false, nil
	}
	if !strings.EqualFold(string(po.Currency), "eur") {
		return false, fmt.Errorf("stripe payout %s is in %q, only EUR is handled", po.ID, po.Currency)
	}
	return true, nil
}

// StripePayout explains one payout by its balance transactions: each gives
// a line of its amount (charge +, refund −, dispute or adjustment with
// Stripe's sign) and, when Stripe took a fee, a fee line of −fee. The
// transaction of type payout is the payout itself and is skipped. Lines are
// keyed by the balance transaction id (txn_...). intents caches, for one
// sync, the payment of each PaymentIntent fetched.
func StripePayout(ctx context.Context, api StripeAPI, ours PaymentFinder, po *stripego.Payout, intents map[string]string) (collect.Payout, error) {
	var at time.Time
	switch {
	case po.ArrivalDate != 0:
		at = time.Unix(po.ArrivalDate, 0).UTC()
	case po.Created != 0:
		at = time.Unix(po.Created, 0).UTC()
	}
	p := collect.Payout{Provider: "stripe", ProviderID: po.ID, Reference: po.ID, Amount: po.Amount, Currency: "EUR"}
	if !at.IsZero() {
		p.SettledAt = &at
	}
	bts, err := api.ListBalanceTransactions(ctx, po.ID)
	if err != nil {
		return p, fmt.Errorf("balance transactions: %w", err)
	}
	type pair struct {
		main, fee int // indexes in p.Lines; fee -1 when there is none
		ours      string
	}
	var pairs []pair
	var ids []string
	for _, bt := range bts {
		if bt.Type == stripego.BalanceTransactionTypePayout {
			continue
		}
		if !strings.EqualFold(string(bt.Currency), "eur") {
			return p, fmt.Errorf("balance transaction %s is in %q, only EUR is handled", bt.ID, bt.Currency)
		}
		kind, method, ours, err := classifyStripe(ctx, api, bt, intents)
		if err != nil {
			return p, err
		}
		pr := pair{main: len(p.Lines), fee: -1, ours: ours}
		p.Lines = append(p.Lines, collect.PayoutLine{Kind: collect.PayoutLineKind(kind), ProviderRef: bt.ID, Method: method, Amount: bt.Amount})
		if bt.Fee != 0 {
			pr.fee = len(p.Lines)
			p.Lines = append(p.Lines, collect.PayoutLine{Kind: "fee", ProviderRef: bt.ID, Method: method, Amount: -bt.Fee, FeeBips: -bt.Fee * 100})
		}
		pairs = append(pairs, pr)
		if ours != "" {
			ids = append(ids, ours)
		}
	}
	known, err := ours.PaymentsByIDs(ctx, ids)
	if err != nil {
		return p, err
	}
	for _, pr := range pairs {
		our, ok := known[pr.ours]
		if !ok || our.Provider != "stripe" {
			continue
		}
		if k := p.Lines[pr.main].Kind; k == "payment" || k == "refund" || k == "chargeback" {
			matchPayment(&p.Lines[pr.main], our)
		}
		if pr.fee >= 0 {
			f := &p.Lines[pr.fee]
			f.PaymentID, f.CreditorID, f.Matched = our.ID, our.CreditorID, true
		}
	}
	return p, nil
}

// classifyStripe says what a balance transaction is to us and which of our
// payments it belongs to ("" when it names none): the settle_payment_id
// metadata of the charge, refund or their PaymentIntent (fetched when not
// expanded).
func classifyStripe(ctx context.Context, api StripeAPI, bt *stripego.BalanceTransaction, intents map[string]string) (kind, method, ours string, err error) {
	src := bt.Source
	if src == nil {
		src = &stripego.BalanceTransactionSource{}
	}
	fromCharge := func(ch *stripego.Charge) (string, error) {
		if ch == nil {
			return "", nil
		}
		if ch.PaymentMethodDetails != nil && method == "" {
			method = string(ch.PaymentMethodDetails.Type)
		}
		if id := ch.Metadata[stripe.MetadataKey]; id != "" {
			return id, nil
		}
		return intentPayment(ctx, api, ch.PaymentIntent, intents)
	}
	switch bt.Type {
	case stripego.BalanceTransactionTypeCharge, stripego.BalanceTransactionTypePayment:
		kind = "payment"
		ours, err = fromCharge(src.Charge)
	case stripego.BalanceTransactionTypeRefund, stripego.BalanceTransactionTypePaymentRefund:
		kind = "refund"
		if r := src.Refund; r != nil {
			if ours = r.Metadata[stripe.MetadataKey]; ours == "" {
				ours, err = intentPayment(ctx, api, r.PaymentIntent, intents)
			}
			if ours == "" && err == nil {
				ours, err = fromCharge(r.Charge)
			}
		}
	case stripego.BalanceTransactionTypeAdjustment:
		kind = "adjustment"
		if dp := src.Dispute; dp != nil {
			kind = "chargeback" // a dispute's withdrawal (−) or reinstatement (+)
			if ours, err = intentPayment(ctx, api, dp.PaymentIntent, intents); ours == "" && err == nil {
				ours, err = fromCharge(dp.Charge)
			}
		}
	default:
		kind = "other"
	}
	if err != nil {
		return "", "", "", fmt.Errorf("balance transaction %s: %w", bt.ID, err)
	}
	return kind, method, ours, nil
}

// intentPayment reads our payment id from a PaymentIntent's metadata,
// fetching the PaymentIntent when it was not expanded.
func intentPayment(ctx context.Context, api StripeAPI, pi *stripego.PaymentIntent, intents map[string]string) (string, error) {
	if pi == nil || pi.ID == "" {
		return "", nil
	}
	if id := pi.Metadata[stripe.MetadataKey]; id != "" {
		return id, nil
	}
	if id, ok := intents[pi.ID]; ok {
		return id, nil
	}
	if pi.Metadata == nil { // not expanded: ask Stripe
		got, err := api.PaymentIntent(ctx, pi.ID)
		if err != nil {
			return "", fmt.Errorf("payment intent %s: %w", pi.ID, err)
		}
		intents[pi.ID] = got.Metadata[stripe.MetadataKey]
		return intents[pi.ID], nil
	}
	return "", nil
}
