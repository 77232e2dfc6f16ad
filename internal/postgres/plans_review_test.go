package postgres_test

import (
	"context"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
)

// A kept plan is completed and, under a waive-when-kept policy, its costs are
// written off. Breaking a plan is the day after's (casework's promise tests).
func TestReviewPlans(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.pool.Exec(ctx, `UPDATE creditors SET plan_waive_costs = true WHERE id = $1`, f.creditor.ID); err != nil {
		t.Fatal(err)
	}
	kept := f.debtor(t, "K1", collect.Consumer)
	inv := f.invoice(t, kept, "K-1", "2026-09-01", 10000)
	f.notice(t, kept, "email", "2026-09-10", inv) // deadline passed: WIK costs of € 40,00 are due
	plan, err := f.db.ProposePlan(ctx, collect.ProposePlan(collect.Plan{CreditorID: f.creditor.ID, DebtorID: kept, Total: 14000, Months: 2, FirstDue: day("2026-10-01")},
		collect.PlanCheck{Inside: true}, true, f.db.Now()))
	if err != nil || plan.Status != "approved" {
		t.Fatalf("propose: %v %v", plan.Status, err)
	}
	for _, in := range plan.Instalments {
		p, err := f.db.CreatePayment(ctx, collect.Payment{CreditorID: f.creditor.ID, DebtorID: kept, Amount: in.Amount, Provider: "bank", Method: "transfer", InstalmentID: in.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.ApplyProviderState(ctx, p.ID, pay.State{Status: pay.StatusPaid, Amount: in.Amount}, "test"); err != nil {
			t.Fatal(err)
		}
	}

	r, err := f.db.ReviewPlans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Completed != 1 {
		t.Fatalf("review = %+v, want one completed", r)
	}
	plans, err := f.db.Plans(ctx, f.creditor.ID, kept)
	if err != nil || plans[0].Status != "completed" {
		t.Fatalf("kept plan status = %v (%v)", plans[0].Status, err)
	}
	_, st, err := f.db.Statement(ctx, f.creditor.ID, kept, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if st.Costs != 0 {
		t.Fatalf("costs after a kept plan = %d, want 0 (waived)", st.Costs)
	}
	// The instalments paid the € 40,00 costs first (art. 6:44 BW); keeping the
	// plan gives them back as credit.
	if r.Waived != 4000 || st.Credit != 4000 {
		t.Fatalf("waived = %d, credit = %d, want 4000 both", r.Waived, st.Credit)
	}
	// Reviewing again changes nothing.
	if r, err := f.db.ReviewPlans(ctx); err != nil || r.Completed != 0 {
		t.Fatalf("second review = %+v, %v", r, err)
	}
}
