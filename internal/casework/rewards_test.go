package casework_test

import (
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// rewardCase is a creditor that rewards paying early, with one debtor.
type rewardCase struct {
	caseDB
	d collect.Debtor
}

func newRewardCase(t *testing.T, rule collect.RewardRule) rewardCase {
	t.Helper()
	c := rewardCase{caseDB: newCaseDB(t, apptest.Start, collect.Creditor{Name: "Waterbedrijf Oost", Phone: "020 123 45 67", Email: "info@example.nl", IBAN: "NL91ABNA0417164300"})}
	if err := casework.SetReward(c.ctx, c.db, "cli", c.cr.ID, rule); err != nil {
		t.Fatal(err)
	}
	c.d = newDebtor(t, c.db, collect.Debtor{CreditorID: c.cr.ID, ExternalRef: "R-1", Kind: collect.Consumer, Name: "Ria de Vries", Email: "ria@example.nl", Language: "nl"})
	return c
}

// invoice stores an invoice of cents issued on 1 November 2026, due on due.
func (c rewardCase) invoice(t *testing.T, number string, due time.Time, cents int64) collect.Invoice {
	t.Helper()
	return newInvoice(t, c.db, collect.Invoice{CreditorID: c.cr.ID, DebtorID: c.d.ID, Number: number, Description: "Water",
		IssueDate: collect.Day(2026, 11, 1), DueDate: due, Amount: cents, Currency: "EUR"})
}

// pay books a bank receipt of cents today.
func (c rewardCase) pay(t *testing.T, key string, cents int64) {
	t.Helper()
	if _, _, err := c.db.ApplyPayment(c.ctx, postgres.Receipt{CreditorID: c.cr.ID, DebtorID: c.d.ID, Amount: cents, On: c.db.Today(), SourceKey: key}); err != nil {
		t.Fatal(err)
	}
}

// run runs the rewards job's use case once.
func (c rewardCase) run(t *testing.T) casework.RewardRun {
	t.Helper()
	r, err := casework.RunRewards(c.ctx, c.db)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// statement is the debtor's statement today.
func (c rewardCase) statement(t *testing.T) collect.Statement {
	t.Helper()
	_, st, err := c.db.Statement(c.ctx, c.cr.ID, c.d.ID, c.db.Today())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// audits counts the debtor's audit records of action.
func (c rewardCase) audits(t *testing.T, action string) int {
	t.Helper()
	events, err := c.db.Timeline(c.ctx, c.cr.ID, c.d.ID, 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Action == action {
			n++
		}
	}
	return n
}

// An invoice paid in full before its due date earns the creditor's reward
// once: a second and third run (replays) give nothing more, the credit is
// booked once, the audit record and the thank-you message are there once.
func TestRewardForPayingEarlyAppliedOnce(t *testing.T) {
	t.Parallel()
	c := newRewardCase(t, collect.RewardRule{Occasion: collect.RewardPaidEarly, Kind: collect.RewardCredit, Amount: 500})
	inv := c.invoice(t, "W-1", collect.Day(2026, 12, 4), 10000)
	offers, err := casework.RewardOffers(c.ctx, c.db, c.statement(t), c.cr.ID, false)
	if err != nil || len(offers) != 1 || offers[0].Credit != 500 || !offers[0].Before.Equal(inv.DueDate) {
		t.Fatalf("offers before paying = %+v, %v; want 500 credited when paid by the due date", offers, err)
	}
	c.clk.Set(apptest.Start.AddDate(0, 0, 3)) // 26 November, before the due date
	c.pay(t, "bank:early", 10000)
	for i, want := range []int{1, 0, 0} {
		if got := c.run(t).Rewards; got != want {
			t.Fatalf("run %d gave %d rewards, want %d", i+1, got, want)
		}
	}
	if st := c.statement(t); st.Credit != 500 || st.Total() != 0 {
		t.Fatalf("credit %d, open %d; want the 500 reward as credit and nothing open", st.Credit, st.Total())
	}
	if n := c.audits(t, "reward.applied"); n != 1 {
		t.Fatalf("%d reward.applied records, want 1", n)
	}
	msgs, err := c.db.Messages(c.ctx, c.cr.ID, c.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Kind != collect.KindRewardCredit {
		t.Fatalf("messages = %+v, want one %s", msgs, collect.KindRewardCredit)
	}
}

// Paid a day after the due date: no reward, and no offer once it passed.
func TestNoRewardForPayingLate(t *testing.T) {
	t.Parallel()
	c := newRewardCase(t, collect.RewardRule{Occasion: collect.RewardPaidEarly, Kind: collect.RewardThanks})
	c.invoice(t, "W-2", collect.Day(2026, 11, 24), 10000)
	c.clk.Set(apptest.Start.AddDate(0, 0, 2)) // 25 November
	c.pay(t, "bank:late", 10000)
	if got := c.run(t).Rewards; got != 0 {
		t.Fatalf("%d rewards for a late payment, want 0", got)
	}
	if n := c.audits(t, "reward.applied"); n != 0 {
		t.Fatalf("%d reward.applied records, want 0", n)
	}
}

// A credit left by an overpayment pays the next invoice of the same
// creditor by itself, once.
func TestCreditAppliedToNextInvoice(t *testing.T) {
	t.Parallel()
	c := newRewardCase(t, collect.RewardRule{Occasion: collect.RewardPlanKept, Kind: collect.RewardThanks})
	c.invoice(t, "W-3", collect.Day(2026, 11, 30), 10000)
	c.pay(t, "bank:over", 15000)
	if st := c.statement(t); st.Credit != 5000 {
		t.Fatalf("credit %d after paying 150,00 on 100,00, want 5000", st.Credit)
	}
	if r := c.run(t); r.Credits != 0 {
		t.Fatalf("nothing open, yet %d credits applied", r.Credits)
	}
	next := c.invoice(t, "W-4", collect.Day(2026, 12, 30), 8000)
	if r := c.run(t); r.Credits != 1 || r.Applied != 5000 {
		t.Fatalf("run = %+v, want 5000 of credit applied to the next invoice", r)
	}
	st := c.statement(t)
	line, _ := st.Line(next.ID)
	if st.Credit != 0 || line.Total() != 3000 || line.Paid != 5000 {
		t.Fatalf("credit %d, next invoice open %d paid %d; want 0, 3000, 5000", st.Credit, line.Total(), line.Paid)
	}
	if r := c.run(t); r.Credits != 0 {
		t.Fatalf("a second run applied %d credits again", r.Credits)
	}
	if n := c.audits(t, "credit.applied"); n != 1 {
		t.Fatalf("%d credit.applied records, want 1", n)
	}
}

// A plan paid in full earns the creditor's reward once the plan review
// completes it; replays of the rewards run give nothing more.
func TestRewardForKeptPlanAppliedOnce(t *testing.T) {
	t.Parallel()
	c := newRewardCase(t, collect.RewardRule{Occasion: collect.RewardPlanKept, Kind: collect.RewardCredit, Amount: 1000})
	c.invoice(t, "W-5", collect.Day(2026, 11, 20), 10000)
	plan, err := c.db.ProposePlan(c.ctx, collect.ProposePlan(collect.Plan{CreditorID: c.cr.ID, DebtorID: c.d.ID, Total: 10000, Months: 2, FirstDue: c.db.Today()},
		collect.PlanCheck{Inside: true}, true, c.db.Now()))
	if err != nil || plan.Status != collect.PlanApproved {
		t.Fatalf("plan %v, %v; want approved", plan.Status, err)
	}
	for i, in := range plan.Instalments {
		if i == 0 && c.run(t).Rewards != 0 {
			t.Fatal("a reward before the plan was kept")
		}
		p, err := c.db.CreatePayment(c.ctx, collect.Payment{CreditorID: c.cr.ID, DebtorID: c.d.ID, Amount: in.Amount, Provider: "bank", Method: "transfer", InstalmentID: in.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.db.ApplyProviderState(c.ctx, p.ID, pay.State{Status: pay.StatusPaid, Amount: in.Amount}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := casework.ReviewPlans(c.ctx, c.db); err != nil || r.Completed != 1 {
		t.Fatalf("review = %+v, %v; want the plan completed", r, err)
	}
	for i, want := range []int{1, 0} {
		if got := c.run(t).Rewards; got != want {
			t.Fatalf("run %d gave %d rewards, want %d", i+1, got, want)
		}
	}
	given, err := c.db.RewardsGiven(c.ctx, c.cr.ID, c.d.ID)
	if err != nil || len(given) != 1 || given[0].Amount != 1000 || given[0].Subject != "plan:"+plan.ID {
		t.Fatalf("rewards given = %+v, %v; want 10,00 for the plan", given, err)
	}
	if n := c.audits(t, "reward.applied"); n != 1 {
		t.Fatalf("%d reward.applied records, want 1", n)
	}
}
