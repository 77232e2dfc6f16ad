package reconcile

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/pay/mollie"
)

// MolliePaidOut reports whether a settlement is a payout: an open one is
// the balance still being collected, a failed one never reached the bank.
func MolliePaidOut(s mollie.Settlement) bool {
	return s.Status != "open" && s.Status != "failed"
}

// MolliePayout is the payout of a settlement, without lines. The amount is
// Mollie's two-decimal amount, parsed exactly and never rounded.
func MolliePayout(s mollie.Settlement) (collect.Payout, error) {
	if s.Amount.Currency != "EUR" {
		return collect.Payout{}, fmt.Errorf("mollie settlement %s is in %q, only EUR is handled", s.ID, s.Amount.Currency)
	}
	amount, err := money.ParseDecimal(s.Amount.Value)
	if err != nil {
		return collect.Payout{}, fmt.Errorf("mollie settlement %s amount: %w", s.ID, err)
	}
	return collect.Payout{Provider: "mollie", ProviderID: s.ID, Reference: s.Reference, Amount: amount, Currency: "EUR",
		SettledAt: firstTime(s.SettledAt, s.CreatedAt)}, nil
}

// settledTxn is a settled transaction, for sharing a cost line among creditors.
type settledTxn struct {
	month    string // "2026-11"
	method   string // the cost method it incurs: the payment method, "refund" or "chargeback"
	creditor string // "" when it matches nothing of ours
}

// MollieLines fetches a settlement's payments, refunds and chargebacks
// from Mollie (client carries an organization access token), matches them
// to ours, and adds its costs as fee lines; amount is the settlement's.
func MollieLines(ctx context.Context, client *mollie.Client, ours PaymentFinder, s mollie.Settlement, amount int64) ([]collect.PayoutLine, error) {
	pays, err := client.SettlementPayments(ctx, s.ID)
	if err != nil {
		return nil, fmt.Errorf("payments: %w", err)
	}
	refunds, err := client.SettlementRefunds(ctx, s.ID)
	if err != nil {
		return nil, fmt.Errorf("refunds: %w", err)
	}
	chargebacks, err := client.SettlementChargebacks(ctx, s.ID)
	if err != nil {
		return nil, fmt.Errorf("chargebacks: %w", err)
	}
	ids := make([]string, 0, len(pays)+len(refunds)+len(chargebacks))
	for _, p := range pays {
		ids = append(ids, p.ID)
	}
	for _, r := range refunds {
		ids = append(ids, r.PaymentID)
	}
	for _, c := range chargebacks {
		ids = append(ids, c.PaymentID)
	}
	known, err := ours.PaymentsByProviderIDs(ctx, "mollie", ids)
	if err != nil {
		return nil, err
	}

	var lines []collect.PayoutLine
	var txns []settledTxn
	var revenue int64 // cents of every payment, refund and chargeback line
	add := func(kind, ref, method, paymentID string, amt *mollie.Amount, fallback mollie.Amount, sign int64, at time.Time) error {
		a := fallback
		if amt != nil && amt.Value != "" {
			a = *amt // what was settled, in the settlement's currency
		}
		if a.Currency != "" && a.Currency != "EUR" {
			return fmt.Errorf("%s %s is in %q, only EUR is handled", kind, ref, a.Currency)
		}
		cents, err := money.ParseDecimal(a.Value)
		if err != nil {
			return fmt.Errorf("%s %s amount: %w", kind, ref, err)
		}
		cents = sign * absCents(cents)
		l := collect.PayoutLine{Kind: collect.PayoutLineKind(kind), ProviderRef: ref, Method: method, Amount: cents}
		if p, ok := known[paymentID]; ok {
			matchPayment(&l, p)
		}
		lines = append(lines, l)
		revenue += cents
		costMethod := method
		if kind != "payment" {
			costMethod = kind
		}
		txns = append(txns, settledTxn{month: at.UTC().Format("2006-01"), method: costMethod, creditor: l.CreditorID})
		return nil
	}
	for _, p := range pays {
		at := p.CreatedAt
		if p.PaidAt != nil {
			at = *p.PaidAt
		}
		if err := add("payment", p.ID, p.Method, p.ID, p.SettlementAmount, p.Amount, 1, at); err != nil {
			return nil, err
		}
	}
	for _, r := range refunds {
		if err := add("refund", r.ID, "refund", r.PaymentID, r.SettlementAmount, r.Amount, -1, r.CreatedAt); err != nil {
			return nil, err
		}
	}
	for _, c := range chargebacks {
		if err := add("chargeback", c.ID, "chargeback", c.PaymentID, c.SettlementAmount, c.Amount, -1, c.CreatedAt); err != nil {
			return nil, err
		}
	}
	fees, err := mollieFees(s.Periods, txns)
	if err != nil {
		return nil, err
	}
	// What Mollie withheld in cents, derived from its one rounding (see the
	// package comment), then spread over the fee lines.
	withheld := make([]int64, len(fees))
	var bips int64
	for i, f := range fees {
		withheld[i] = -f.FeeBips
		bips += withheld[i]
	}
	total := revenue - amount
	if absCents(total*100-bips) >= 100 {
		total = roundHalfAwayCents(bips, 100)
	}
	for i, c := range bipsToCents(withheld, total) {
		fees[i].Amount = -c
	}
	return append(lines, fees...), nil
}

// mollieFees turns the periods' costs into fee lines, each cost line shared
// among the creditors of its transactions (same method, and same month when
// any match) by count, exact to the ten-thousandth. Amount is left 0 for the
// caller to fill in.
func mollieFees(periods mollie.Periods, txns []settledTxn) ([]collect.PayoutLine, error) {
	var out []collect.PayoutLine
	seen := map[string]int{}
	for _, year := range slices.Sorted(maps.Keys(periods)) {
		months := periods[year]
		for _, month := range slices.Sorted(maps.Keys(months)) {
			ym := year + "-" + month
			for _, c := range months[month].Costs {
				v := c.AmountGross
				if v.Value == "" {
					v = c.AmountNet
				}
				if v.Currency != "" && v.Currency != "EUR" {
					return nil, fmt.Errorf("costs %s %s are in %q, only EUR is handled", ym, c.Method, v.Currency)
				}
				gross, err := money.ParseDecimal4(v.Value)
				if err != nil {
					return nil, fmt.Errorf("costs %s %s: %w", ym, c.Method, err)
				}
				if gross == 0 {
					continue
				}
				creditors, weights := costShares(txns, ym, c.Method)
				parts := money.Split(gross, weights)
				base := ym + "/" + c.Method
				if seen[base]++; seen[base] > 1 {
					base = fmt.Sprintf("%s#%d", base, seen[base])
				}
				for i, cr := range creditors {
					if parts[i] == 0 {
						continue
					}
					who := cr
					if who == "" {
						who = "unattributed"
					}
					out = append(out, collect.PayoutLine{Kind: "fee", ProviderRef: base + "/" + who, Method: c.Method,
						FeeBips: -parts[i], CreditorID: cr, Matched: cr != ""})
				}
			}
		}
	}
	return out, nil
}

// costShares counts the transactions of method per creditor, in month when
// any match there, else in the whole settlement. Creditors come sorted, the
// unattributed ("") last; with no transaction at all the cost is
// unattributed.
func costShares(txns []settledTxn, month, method string) ([]string, []int64) {
	count := map[string]int64{}
	for _, t := range txns {
		if t.method == method && t.month == month {
			count[t.creditor]++
		}
	}
	if len(count) == 0 {
		for _, t := range txns {
			if t.method == method {
				count[t.creditor]++
			}
		}
	}
	if len(count) == 0 {
		return []string{""}, []int64{1}
	}
	creditors := slices.SortedFunc(maps.Keys(count), func(a, b string) int {
		if (a == "") != (b == "") {
			if a == "" {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	weights := make([]int64, len(creditors))
	for i, c := range creditors {
		weights[i] = count[c]
	}
	return creditors, weights
}

func absCents(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
