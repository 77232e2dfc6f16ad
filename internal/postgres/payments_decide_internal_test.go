package postgres

import (
	"slices"
	"testing"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
)

// TestDecideState: the rules one payment and a batch share.
func TestDecideState(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	paidAt := now.Add(-time.Hour)
	open := collect.Payment{ID: "p", Status: pay.StatusOpen, Amount: 4000}
	paid := collect.Payment{ID: "p", Status: pay.StatusPaid, Amount: 4000, PaidAt: &paidAt}
	refunded := paid
	refunded.Refunded, refunded.Status = 1000, pay.StatusPaid
	state := func(s pay.Status, amount, refunded, chargedBack int64) pay.State {
		return pay.State{Status: s, Amount: amount, Refunded: refunded, ChargedBack: chargedBack}
	}
	for _, tc := range []struct {
		name      string
		p         collect.Payment
		lastSeq   int64
		st        pay.State
		seq       int64
		write     stateWrite
		book      bool
		status    pay.Status
		amount    int64
		refunded  int64
		back      []moneyBack
		paidAtNow bool
	}{
		{name: "older answer", p: open, lastSeq: 7, st: state(pay.StatusPaid, 4000, 0, 0), seq: 7, write: writeNothing, status: pay.StatusOpen, amount: 4000},
		{name: "nothing new, fetched", p: open, lastSeq: 3, st: state(pay.StatusOpen, 0, 0, 0), seq: 7, write: writeSeq, status: pay.StatusOpen, amount: 4000},
		{name: "nothing new, unknown age", p: open, st: state(pay.StatusOpen, 0, 0, 0), write: writeNothing, status: pay.StatusOpen, amount: 4000},
		{name: "paid", p: open, st: state(pay.StatusPaid, 4000, 0, 0), seq: 7, write: writeAll, book: true, status: pay.StatusPaid, amount: 4000, paidAtNow: true},
		{name: "paid another amount", p: open, st: state(pay.StatusPaid, 3500, 0, 0), seq: 7, write: writeAll, book: true, status: pay.StatusPaid, amount: 3500, paidAtNow: true},
		{name: "paid and refunded at once", p: open, st: state(pay.StatusPaid, 4000, 1500, 0), seq: 7, write: writeAll, book: true,
			status: pay.StatusPaid, amount: 4000, refunded: 1500, back: []moneyBack{{amount: 1500, key: "refund:p:1500#7"}}, paidAtNow: true},
		{name: "paid again", p: paid, st: state(pay.StatusPaid, 4000, 0, 0), seq: 7, write: writeSeq, status: pay.StatusPaid, amount: 4000},
		{name: "refund undone, fetched", p: refunded, st: state(pay.StatusPaid, 4000, 0, 0), seq: 9, write: writeAll, status: pay.StatusPaid, amount: 4000,
			back: []moneyBack{{amount: 1000, key: "reinstate:refund:p:0#9", reinstate: true}}},
		{name: "lower refund of unknown age", p: refunded, st: state(pay.StatusPaid, 4000, 0, 0), write: writeNothing, status: pay.StatusPaid, amount: 4000, refunded: 1000},
		{name: "fully refunded", p: paid, st: state(pay.StatusPaid, 4000, 4000, 0), seq: 7, write: writeAll, status: pay.StatusRefunded, amount: 4000, refunded: 4000,
			back: []moneyBack{{amount: 4000, key: "refund:p:4000#7"}}},
		{name: "charged back", p: paid, st: state(pay.StatusPaid, 4000, 0, 4000), seq: 7, write: writeAll, status: pay.StatusChargedBack, amount: 4000,
			back: []moneyBack{{amount: 4000, key: "chargeback:p:4000#7"}}},
	} {
		c := decideState(tc.p, tc.lastSeq, tc.st, tc.seq, now)
		a := c.after
		if tc.write == writeNothing {
			a = c.before
		}
		if c.write != tc.write || c.book != tc.book || a.Status != tc.status || a.Amount != tc.amount || a.Refunded != tc.refunded ||
			!slices.Equal(c.back, tc.back) || (tc.paidAtNow != (a.PaidAt != nil && a.PaidAt.Equal(now))) {
			t.Errorf("%s: write %d, book %v, status %s, amount %d, refunded %d, back %+v, paid at %v", tc.name, c.write, c.book, a.Status, a.Amount, a.Refunded, c.back, a.PaidAt)
		}
		if c.before != tc.p {
			t.Errorf("%s: before %+v, want the payment as given", tc.name, c.before)
		}
	}
}
