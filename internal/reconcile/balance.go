package reconcile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/settle/settle/internal/reconcile/camt053"
)

// BalanceTally adds up a statement's booked entries, per currency, to
// check them against the statement's balances.
type BalanceTally struct {
	net map[string]int64
}

// Add counts a booked entry (status BOOK, or none given): pending and
// information-only entries are not in the booked balances.
func (b *BalanceTally) Add(e camt053.Entry) {
	if e.Status != "" && e.Status != "BOOK" {
		return
	}
	if b.net == nil {
		b.net = map[string]int64{}
	}
	if e.Credit {
		b.net[e.Currency] += e.AmountCents
	} else {
		b.net[e.Currency] -= e.AmountCents
	}
}

// Problem says why opening booked balance (OPBD, or else PRCD) plus the
// entries is not the closing booked balance (CLBD); "" when it is, or when
// the statement gives no such pair to check against.
func (b *BalanceTally) Problem(bals []camt053.Balance) string {
	var open, closing *camt053.Balance
	for i := range bals {
		switch bals[i].Type {
		case "OPBD":
			if open == nil || open.Type != "OPBD" {
				open = &bals[i]
			}
		case "PRCD":
			if open == nil {
				open = &bals[i]
			}
		case "CLBD":
			closing = &bals[i] // the last one: a statement over several days ends with it
		}
	}
	if open == nil || closing == nil {
		return ""
	}
	if open.Currency != closing.Currency {
		return fmt.Sprintf("the opening balance is in %s and the closing balance in %s, so the entries cannot be checked against them", open.Currency, closing.Currency)
	}
	var others []string
	for ccy := range b.net {
		if ccy != open.Currency {
			others = append(others, ccy)
		}
	}
	if len(others) > 0 {
		slices.Sort(others)
		return fmt.Sprintf("entries in %s on a statement whose balances are in %s", strings.Join(others, ", "), open.Currency)
	}
	net := b.net[open.Currency]
	if open.AmountCents+net != closing.AmountCents {
		return fmt.Sprintf("the opening balance %s plus the entries (%s) is %s, but the closing balance is %s",
			camt053.FormatCents(open.AmountCents, open.Currency), camt053.FormatCents(net, open.Currency),
			camt053.FormatCents(open.AmountCents+net, open.Currency), camt053.FormatCents(closing.AmountCents, closing.Currency))
	}
	return ""
}
