package postgres_test

import (
	"context"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// An instalment whose payment went back (refunded or charged back) is not
// paid: the plan is not completed and no costs are waived for it.
func TestReviewPlansIgnoresMoneyThatWentBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.pool.Exec(ctx, `UPDATE creditors SET plan_waive_costs = true WHERE id = $1`, f.creditor.ID); err != nil {
		t.Fatal(err)
	}
	d := f.debtor(t, "R1", collect.Consumer)
	inv := f.invoice(t, d, "R-1", "2026-09-01", 10000)
	f.notice(t, d, "email", "2026-09-10", inv)
	plan, err := f.db.ProposePlan(ctx, collect.ProposePlan(collect.Plan{CreditorID: f.creditor.ID, DebtorID: d, Total: 14000, Months: 2, FirstDue: day("2026-12-01")},
		collect.PlanCheck{Inside: true}, true, f.db.Now()))
	if err != nil || plan.Status != "approved" {
		t.Fatalf("propose: %v %v", plan.Status, err)
	}
	for i, in := range plan.Instalments {
		p, err := f.db.CreatePayment(ctx, collect.Payment{CreditorID: f.creditor.ID, DebtorID: d, Amount: in.Amount, Provider: "mollie", Method: "ideal", InstalmentID: in.ID})
		if err != nil {
			t.Fatal(err)
		}
		st := pay.State{Status: pay.StatusPaid, Amount: in.Amount}
		if i == 1 {
			// The second instalment is charged back in full.
			st = pay.State{Status: pay.StatusChargedBack, Amount: in.Amount, ChargedBack: in.Amount}
		}
		if _, err := f.db.ApplyProviderState(ctx, p.ID, st, "test"); err != nil {
			t.Fatal(err)
		}
	}
	r, err := f.db.ReviewPlans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Completed != 0 || r.Waived != 0 {
		t.Fatalf("review = %+v, want nothing completed or waived: an instalment was charged back", r)
	}
	plans, err := f.db.Plans(ctx, f.creditor.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	if got := plans[0].Instalments[1].Paid; got != 0 {
		t.Fatalf("charged-back instalment shows %d paid, want 0", got)
	}
}

// A refund reopens principal on a day whose interest was already booked; a
// later payment on that same day must still book (the interest accrual of
// the day is then needed twice).
func TestPaymentAfterSameDayRefundBooks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	d := f.debtor(t, "S1", collect.Consumer)
	f.invoice(t, d, "S-1", "2026-01-15", 100000) // long overdue: interest runs
	// A card payment a week ago.
	f.clock.Set(today.AddDate(0, 0, -7))
	p, err := f.db.CreatePayment(ctx, collect.Payment{CreditorID: f.creditor.ID, DebtorID: d, Amount: 60000, Provider: "mollie", Method: "ideal"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ApplyProviderState(ctx, p.ID, pay.State{Status: pay.StatusPaid, Amount: 60000}, "test"); err != nil {
		t.Fatal(err)
	}
	// Today: a bank transfer books today's interest, then the card payment is
	// refunded (principal back from today), then another transfer comes in.
	f.clock.Set(today)
	f.pay(t, d, 1000, "2026-11-23", "first today", "")
	if _, err := f.db.ApplyProviderState(ctx, p.ID, pay.State{Status: pay.StatusRefunded, Amount: 60000, Refunded: 60000}, "test"); err != nil {
		t.Fatal(err)
	}
	_, booked, err := f.db.ApplyPayment(ctx, postgres.Receipt{CreditorID: f.creditor.ID, DebtorID: d, Amount: 1000,
		On: day("2026-11-23"), SourceKey: "second today", Memo: "second today"})
	if err != nil || !booked {
		t.Fatalf("second payment on the day of a refund: booked %v, %v", booked, err)
	}
	// Every cent of interest accrued is booked once.
	es := f.entries(t, d)
	var interest int64
	for _, e := range es {
		if e.Account == collect.AccountInterest {
			interest += e.Amount
		}
	}
	if st := f.statement(t, d, "2026-11-23"); interest != st.Interest {
		t.Fatalf("interest in the ledger %d != open interest %d", interest, st.Interest)
	}
}

// When the provider reports another amount than we asked, the ledger and our
// payment record both follow the provider.
func TestPaidAmountFollowsProvider(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	d := f.debtor(t, "AM-1", collect.Consumer)
	f.invoice(t, d, "AM-INV", "2026-12-01", 10000)
	p, err := f.db.CreatePayment(ctx, collect.Payment{CreditorID: f.creditor.ID, DebtorID: d, Amount: 5000, Provider: "mollie", Method: "ideal"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ApplyProviderState(ctx, p.ID, pay.State{Status: pay.StatusPaid, Amount: 4500}, "test"); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.PaymentByID(ctx, p.ID)
	if err != nil || got.Amount != 4500 {
		t.Fatalf("payment amount = %d (%v), want 4500", got.Amount, err)
	}
	_, st, err := f.db.Statement(ctx, f.creditor.ID, d, f.clock.Now())
	if err != nil || st.Principal != 5500 {
		t.Fatalf("open principal = %d (%v), want 5500", st.Principal, err)
	}
}

// A dispute corrected below what was already paid gives the difference back
// as the debtor's credit.
func TestCorrectedDisputeKeepsOverpaymentAsCredit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	d := f.debtor(t, "DC-1", collect.Consumer)
	inv := f.invoice(t, d, "DC-INV", "2026-12-01", 10000)
	if _, _, err := f.db.ApplyPayment(ctx, postgres.Receipt{CreditorID: f.creditor.ID, DebtorID: d, Amount: 6000, InvoiceID: inv, On: f.clock.Now(), SourceKey: "dc-pay"}); err != nil {
		t.Fatal(err)
	}
	disp, err := f.db.CreateDispute(ctx, collect.Dispute{CreditorID: f.creditor.ID, DebtorID: d, InvoiceID: inv, Reason: "amount_wrong", Body: "too much"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.db.CreateAgent(ctx, "dc@example.nl", "agent", "x", []string{f.creditor.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.ResolveDispute(ctx, a.ID, f.creditor.ID, disp.ID, "corrected", "the right amount is € 50,00", 5000); err != nil {
		t.Fatal(err)
	}
	_, st, err := f.db.Statement(ctx, f.creditor.ID, d, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if st.Total() != 0 || st.Credit != 1000 {
		t.Fatalf("after correcting to € 50 with € 60 paid: open %d, credit %d; want 0 and 1000", st.Total(), st.Credit)
	}
}
