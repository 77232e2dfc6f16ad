package collect

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// openInvoice is an invoice with what was booked on it before the payment.
type openInvoice struct {
	id                         string
	due                        time.Time
	principal, costs, interest int64
}

// bookingFacts is a consumer's file with the given invoices, all booked on
// 1 March 2026, at the given rates.
func bookingFacts(rates RateTable, invs ...openInvoice) Facts {
	f := Facts{Rates: rates}
	booked := Day(2026, 3, 1)
	for _, inv := range invs {
		f.Invoices = append(f.Invoices, Invoice{ID: inv.id, Number: inv.id, IssueDate: booked, DueDate: inv.due, Amount: inv.principal})
		for _, e := range []Entry{{Account: AccountPrincipal, Amount: inv.principal}, {Account: AccountCosts, Amount: inv.costs}, {Account: AccountInterest, Amount: inv.interest}} {
			if e.Amount != 0 {
				e.InvoiceID, e.Kind, e.BookedOn = inv.id, KindCharge, booked
				f.Entries = append(f.Entries, e)
			}
		}
	}
	return f
}

// posting renders a posting as "invoice account kind cents key".
func posting(p Posting) string {
	inv := p.Entry.InvoiceID
	if inv == "" {
		inv = "-"
	}
	return fmt.Sprintf("%s %s %s %d %s", inv, p.Entry.Account, p.Entry.Kind, p.Entry.Amount, p.SourceKey)
}

func TestBook(t *testing.T) {
	noInterest := RateTable{{Day(2000, time.January, 1), 0}}
	on := Day(2026, 6, 1)
	// Due and running costs: C; due, oldest first: B, A; not yet due: D.
	several := bookingFacts(noInterest,
		openInvoice{id: "A", due: Day(2026, 4, 1), principal: 5000},
		openInvoice{id: "B", due: Day(2026, 3, 1), principal: 3000},
		openInvoice{id: "C", due: Day(2026, 5, 1), principal: 2000, costs: 500},
		openInvoice{id: "D", due: Day(2026, 7, 1), principal: 1000},
	)
	// 300.00 under a notice emailed on 1 April 2026 (deadline 15 April):
	// on 1 June the WIK costs (15%, 45.00) and 4% interest for the 78 days
	// from 16 March (300.00 × 4% × 78/365 = 2.56) are due but not yet booked.
	noticed := bookingFacts(flat4, openInvoice{id: "A", due: Day(2026, 3, 15), principal: 30000})
	noticed.Notices = []Notice{emailNotice("n1", Day(2026, 4, 1), 30000, "A")}
	tests := []struct {
		name   string
		facts  Facts
		amount int64
		chosen string
		want   []string
		credit int64
	}{
		{"6:44: costs, then interest, then principal", bookingFacts(noInterest,
			openInvoice{id: "A", due: Day(2026, 3, 15), principal: 10000, costs: 4000, interest: 100}), 4150, "", []string{
			"A costs payment -4000 r1",
			"A interest payment -100 r1",
			"A principal payment -50 r1",
		}, 0},
		{"6:44: a part of the costs only", bookingFacts(noInterest,
			openInvoice{id: "A", due: Day(2026, 3, 15), principal: 10000, costs: 4000, interest: 100}), 1, "", []string{
			"A costs payment -1 r1",
		}, 0},
		{"6:43: running costs, then the oldest due, then not yet due; the rest is credit", several, 12000, "", []string{
			"C costs payment -500 r1",
			"C principal payment -2000 r1",
			"B principal payment -3000 r1",
			"A principal payment -5000 r1",
			"D principal payment -1000 r1",
			"- credit payment -500 r1",
		}, 500},
		{"6:43: the money runs out on the oldest due", several, 4000, "", []string{
			"C costs payment -500 r1",
			"C principal payment -2000 r1",
			"B principal payment -1500 r1",
		}, 0},
		{"a chosen invoice first, the rest by 6:43", several, 3600, "B", []string{
			"B principal payment -3000 r1",
			"C costs payment -500 r1",
			"C principal payment -100 r1",
		}, 0},
		{"a chosen invoice not yet due", several, 1000, "D", []string{
			"D principal payment -1000 r1",
		}, 0},
		{"a chosen invoice keeps 6:44 within it", several, 600, "C", []string{
			"C costs payment -500 r1",
			"C principal payment -100 r1",
		}, 0},
		{"accruals are booked first and paid first", noticed, 5000, "", []string{
			"A costs charge 4500 accrual:costs:n1",
			"A interest charge 256 accrual:interest:A:2026-06-01:256",
			"A costs payment -4500 r1",
			"A interest payment -256 r1",
			"A principal payment -244 r1",
		}, 0},
		{"accruals are booked even when the payment is for another invoice", noticed, 100, "X", []string{
			"A costs charge 4500 accrual:costs:n1",
			"A interest charge 256 accrual:interest:A:2026-06-01:256",
			"A costs payment -100 r1",
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.facts.Entries)
			b, err := Book(tt.facts, Received{Amount: tt.amount, InvoiceID: tt.chosen, On: on.Add(15 * time.Hour), SourceKey: "r1", PaymentID: "p1", Memo: "ideal"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			var paid int64
			for _, p := range b.Postings {
				got = append(got, posting(p))
				if !p.Entry.BookedOn.Equal(on) {
					t.Errorf("%s booked on %s, want %s", posting(p), p.Entry.BookedOn, on)
				}
				if p.Entry.Kind == KindPayment {
					paid -= p.Entry.Amount
					if p.Entry.PaymentID != "p1" || p.Entry.Memo != "ideal" {
						t.Errorf("%s: payment %q, memo %q", posting(p), p.Entry.PaymentID, p.Entry.Memo)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("postings\n  %q\nwant\n  %q", got, tt.want)
			}
			if paid != tt.amount || b.Allocation.Credit != tt.credit {
				t.Errorf("paid %d with credit %d, want %d with credit %d", paid, b.Allocation.Credit, tt.amount, tt.credit)
			}
			if !slices.Equal(tt.facts.Entries, before) {
				t.Error("Book changed the facts")
			}
		})
	}
}

// TestBookAccrualMemos: what a reader of the ledger sees on an accrual.
func TestBookAccrualMemos(t *testing.T) {
	f := bookingFacts(flat4, openInvoice{id: "A", due: Day(2026, 3, 15), principal: 30000})
	f.Notices = []Notice{emailNotice("n1", Day(2026, 4, 1), 30000, "A")}
	st, err := BuildStatement(f, Day(2026, 6, 1))
	if err != nil {
		t.Fatal(err)
	}
	var memos []string
	for _, p := range AccrualPostings(st) {
		memos = append(memos, p.Entry.Memo+" | "+p.Entry.NoticeID)
	}
	want := []string{"collection costs (WIK) after notice | n1", "statutory interest until 2026-06-01 | "}
	if !slices.Equal(memos, want) {
		t.Errorf("memos %q, want %q", memos, want)
	}
}

func TestBookRefusesNoMoney(t *testing.T) {
	f := bookingFacts(flat4, openInvoice{id: "A", due: Day(2026, 3, 15), principal: 30000})
	for _, amount := range []int64{0, -100} {
		if _, err := Book(f, Received{Amount: amount, On: Day(2026, 6, 1), SourceKey: "r1"}); ErrorCode(err) != EINVALID {
			t.Errorf("Book(%d) = %v, want %s", amount, err, EINVALID)
		}
	}
}
