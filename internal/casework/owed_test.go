package casework_test

import (
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// TestOwedOn works out by hand what a consumer will owe on days ahead.
//
// Today is Monday 23 November 2026 (apptest.Start). The consumer rate is 4%
// from 1 July 2026; the test adds 3% from 1 January 2027, as a decree would.
// Invoice A is 1.000,00, due 31 January 2026: interest runs from 1 February
// 2026, its first anniversary is 1 February 2027. Invoice B is 300,00, due
// 31 December 2026. Today A gets a 14-day notice by email: deadline Monday
// 7 December, WIK costs 15% of 1.000,00 = 150,00 from 8 December. Today the
// debtor pays 100,00 on B, so 200,00 of B is open. Booking that payment also
// booked A's interest up to today: 296 days (1 Feb - 23 Nov) x 4% on
// 1.000,00 = 4000 x 296/365 = 32,4384 -> 32,44. Every day below is worked
// out in cents, each rate by its days, with a year of 365 days:
func TestOwedOn(t *testing.T) {
	t.Parallel()
	e := apptest.NewStore(t, time.Time{})
	if err := e.DB.AddRate(e.Ctx, postgres.RateRow{Kind: "consumer", From: collect.Day(2027, 1, 1), BasisPoints: 300, Source: "test"}); err != nil {
		t.Fatal(err)
	}
	cr := e.Creditor(collect.Creditor{Name: "Zonnestroom Energie"})
	d := e.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-1", Name: "Jan de Vries"})
	a := e.Invoice(collect.Invoice{CreditorID: cr.ID, DebtorID: d.ID, Number: "A", IssueDate: collect.Day(2026, 1, 1),
		DueDate: collect.Day(2026, 1, 31), Amount: 100000})
	b := e.Invoice(collect.Invoice{CreditorID: cr.ID, DebtorID: d.ID, Number: "B", IssueDate: collect.Day(2026, 11, 1),
		DueDate: collect.Day(2026, 12, 31), Amount: 30000})
	if n := e.Notice(cr.Creditor, d, collect.Notice{Channel: "email", SentOn: collect.Day(2026, 11, 23)}, a); !n.Deadline.Equal(collect.Day(2026, 12, 7)) || n.Costs != 15000 {
		t.Fatalf("notice: deadline %s, costs %d; want 2026-12-07, 15000", n.Deadline.Format(time.DateOnly), n.Costs)
	}
	e.Pay(postgres.Receipt{CreditorID: cr.ID, DebtorID: d.ID, Amount: 10000, InvoiceID: b.ID, On: collect.Day(2026, 11, 23), SourceKey: "test:owed:1"})

	type line struct{ principal, costs, interest int64 }
	tests := []struct {
		name string
		day  time.Time
		a, b line
		next bool // the notice's deadline still ahead
	}{
		// A: the 32,44 booked today. B: not due.
		{"today: the payment on B counts", collect.Day(2026, 11, 23), line{100000, 0, 3244}, line{20000, 0, 0}, true},
		// A: 310 days at 4%: 4000 x 310/365 = 33,9726 -> 33,97. No costs on the deadline itself.
		{"on the deadline", collect.Day(2026, 12, 7), line{100000, 0, 3397}, line{20000, 0, 0}, true},
		// A: 311 days: 4000 x 311/365 = 34,0822 -> 34,08, and the 150,00 costs.
		{"the day after the deadline: costs", collect.Day(2026, 12, 8), line{100000, 15000, 3408}, line{20000, 0, 0}, false},
		// A: 334 days at 4% (1 Feb - 31 Dec 2026) = 36,6027 plus 10 days at
		// 3% = 3000 x 10/365 = 0,8219: 37,4247 -> 37,42.
		// B: 10 days at 3% on 200,00 = 600 x 10/365 = 0,1644 -> 0,16.
		{"across the rate change", collect.Day(2027, 1, 10), line{100000, 15000, 3742}, line{20000, 0, 16}, false},
		// A's first year (1 Feb 2026 - 31 Jan 2027): 36,6027 + 31 days at 3%
		// (3000 x 31/365 = 2,5479) = 39,1507 (exactly 2858/73 euro). It is
		// added to the base on 1 February: 10 days at 3% on 1.039,1507 =
		// 1039,1507 x 0,03 x 10/365 = 0,8541. In all 40,0048 -> 40,00
		// (without the anniversary 39,97). B: 41 days at 3% on 200,00 =
		// 600 x 41/365 = 0,6740 -> 0,67.
		{"across the anniversary", collect.Day(2027, 2, 10), line{100000, 15000, 4000}, line{20000, 0, 67}, false},
	}
	for _, tt := range tests {
		st, err := casework.OwedOn(e.Ctx, e.DB, cr.ID, d.ID, tt.day)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for _, w := range []struct {
			inv  collect.Invoice
			want line
		}{{a, tt.a}, {b, tt.b}} {
			l, _ := st.Line(w.inv.ID)
			if got := (line{l.Principal, l.Costs, l.Interest}); got != w.want {
				t.Errorf("%s: invoice %s %+v, want %+v", tt.name, w.inv.Number, got, w.want)
			}
		}
		want := tt.a.principal + tt.a.costs + tt.a.interest + tt.b.principal + tt.b.costs + tt.b.interest
		if st.Total() != want || !st.AsOf.Equal(tt.day) || (st.Next != nil) != tt.next {
			t.Errorf("%s: total %d as of %s, next %v; want %d as of %s, next %v", tt.name, st.Total(),
				st.AsOf.Format(time.DateOnly), st.Next, want, tt.day.Format(time.DateOnly), tt.next)
		}
	}
	// Forecasting books nothing: today's statement is as before.
	if st := e.Statement(cr.ID, d.ID); st.Total() != 123244 {
		t.Errorf("today's total %d after the forecasts, want 123244", st.Total())
	}

	for _, day := range []time.Time{collect.Day(2026, 11, 22), collect.Day(2031, 11, 24)} {
		_, err := casework.OwedOn(e.Ctx, e.DB, cr.ID, d.ID, day)
		if ce, ok := err.(*collect.Error); !ok || ce.Code != collect.EINVALID || ce.Field != collect.AsOfField {
			t.Errorf("OwedOn(%s) = %v, want invalid as_of", day.Format(time.DateOnly), err)
		}
	}
	other := e.Creditor(collect.Creditor{Name: "Ander B.V."})
	if _, err := casework.OwedOn(e.Ctx, e.DB, other.ID, d.ID, collect.Day(2026, 12, 1)); !collect.IsNotFound(err) {
		t.Errorf("another creditor's debtor: %v, want not found", err)
	}
}
