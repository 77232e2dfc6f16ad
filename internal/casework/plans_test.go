package casework_test

import (
	"errors"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// plansBundle is one test's database and clock with a creditor (the
// default plan policy) and two debtors who each owe 100,00.
type plansBundle struct {
	caseDB
	agent  string
	debtor string
	other  string
}

// setupPlans starts on Monday 23 November 2026, 10:00 in Amsterdam.
func setupPlans(t *testing.T) *plansBundle {
	t.Helper()
	b := &plansBundle{caseDB: newCaseDB(t, apptest.Start, collect.Creditor{Name: "Energie Noord B.V."})}
	db := b.db
	b.agent = b.addAgent(t).ID
	for _, ref := range []string{"K-1", "K-2"} {
		d := newDebtor(t, db, collect.Debtor{CreditorID: b.cr.ID, ExternalRef: ref, Kind: collect.Consumer, Name: "Debtor " + ref, Language: "nl"})
		newInvoice(t, db, collect.Invoice{CreditorID: b.cr.ID, DebtorID: d.ID, Number: "F-" + ref,
			IssueDate: collect.Day(2026, 11, 2), DueDate: collect.Day(2026, 12, 2), Amount: 10000, Currency: "EUR"})
		b.other, b.debtor = b.debtor, d.ID
	}
	return b
}

func (b *plansBundle) request(months int, first time.Time) casework.PlanRequest {
	return casework.PlanRequest{CreditorID: b.cr.ID, DebtorID: b.debtor, Months: months, First: first}
}

func (b *plansBundle) plans(t *testing.T, debtorID string) []collect.Plan {
	t.Helper()
	ps, err := b.db.Plans(b.ctx, b.cr.ID, debtorID)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// The form's limits refuse a request before the policy sees it, with the
// desk filled in to show the form again, and store nothing.
func TestPlanRequestOutsideTheFormsLimits(t *testing.T) {
	t.Parallel()
	b := setupPlans(t)
	first := collect.Day(2026, 12, 1)
	for _, tc := range []struct {
		name string
		in   casework.PlanRequest
		want error
	}{
		{"no months", b.request(0, first), casework.ErrPlanMonths},
		{"too many months", b.request(casework.PlanMaxMonths+1, first), casework.ErrPlanMonths},
		{"no monthly amount", casework.PlanRequest{CreditorID: b.cr.ID, DebtorID: b.debtor, ByAmount: true, Months: 3, First: first}, casework.ErrPlanMonthly},
		{"monthly amount too low", casework.PlanRequest{CreditorID: b.cr.ID, DebtorID: b.debtor, ByAmount: true, Monthly: 100, First: first}, casework.ErrPlanMonthlyLow},
		{"first date today", b.request(3, collect.Day(2026, 11, 23)), casework.ErrPlanFirst},
		{"first date too late", b.request(3, collect.Day(2027, 2, 24)), casework.ErrPlanFirst},
		{"first date unreadable", b.request(3, time.Time{}), casework.ErrPlanFirst},
	} {
		q, err := casework.ProposePlan(b.ctx, b.db, b.clk.Now(), tc.in)
		if !errors.Is(err, tc.want) || collect.ErrorCode(err) != collect.EINVALID {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
		if !q.CanPropose || q.Statement.Total() != 10000 || !q.FirstLimit.Equal(collect.Day(2027, 2, 23)) {
			t.Errorf("%s: desk can propose %v, total %d, first limit %v; want the statement and a first date by 23 February",
				tc.name, q.CanPropose, q.Statement.Total(), q.FirstLimit)
		}
	}
	if ps := b.plans(t, b.debtor); len(ps) != 0 {
		t.Fatalf("refused requests stored %d plans", len(ps))
	}
}

// A plan inside the creditor's policy is approved at once, and a debtor
// who pays by a plan has nothing left to plan.
func TestProposePlanInsidePolicyIsApproved(t *testing.T) {
	t.Parallel()
	b := setupPlans(t)
	in := casework.PlanRequest{CreditorID: b.cr.ID, DebtorID: b.debtor, ByAmount: true, Monthly: 3400, First: collect.Day(2026, 12, 1)}
	pre, err := casework.PreviewPlan(b.ctx, b.db, b.clk.Now(), in)
	if err != nil || !pre.Inside || pre.Months != 3 || len(pre.Schedule) != 3 || pre.Schedule[2].Amount != 3334 {
		t.Fatalf("preview: inside %v, %d months, schedule %+v, %v; want 3 months inside the policy", pre.Inside, pre.Months, pre.Schedule, err)
	}
	if len(b.plans(t, b.debtor)) != 0 {
		t.Fatal("the preview stored a plan")
	}
	q, err := casework.ProposePlan(b.ctx, b.db, b.clk.Now(), in)
	if err != nil || q.Plan.Status != collect.PlanApproved || !q.Inside || !q.AnswerBy.IsZero() || len(q.Plan.Instalments) != 3 {
		t.Fatalf("propose = %+v, answer by %v, %v; want approved at once", q.Plan, q.AnswerBy, err)
	}
	desk, err := casework.OpenPlanDesk(b.ctx, b.db, b.clk.Now(), b.cr.ID, b.debtor)
	if err != nil || desk.CanPropose {
		t.Fatalf("desk after approval: can propose %v (%v), want false", desk.CanPropose, err)
	}
	if q, err := casework.ProposePlan(b.ctx, b.db, b.clk.Now(), in); err != nil || q.CanPropose || q.Plan.ID != "" {
		t.Fatalf("second proposal: can propose %v, plan %q, %v; want nothing to plan", q.CanPropose, q.Plan.ID, err)
	}
}

// Outside the policy an agent decides, within the creditor's answer time;
// the agent's counter-offer is the debtor's to accept, once.
func TestPlanProposalCounterAndAnswer(t *testing.T) {
	t.Parallel()
	b := setupPlans(t)
	q, err := casework.ProposePlan(b.ctx, b.db, b.clk.Now(), b.request(3, collect.Day(2027, 1, 15)))
	if err != nil || q.Plan.Status != collect.PlanProposed || q.Inside {
		t.Fatalf("propose = %+v, %v; want proposed to an agent", q.Plan, err)
	}
	if want := collect.Day(2026, 11, 30); !q.AnswerBy.Equal(want) {
		t.Errorf("answer by %v, want %v (five working days)", q.AnswerBy, want)
	}

	decide := casework.PlanDecision{AgentID: b.agent, CreditorID: b.cr.ID, DebtorID: b.debtor, PlanID: q.Plan.ID}
	for _, tc := range []struct {
		name     string
		decision casework.PlanDecision
		code     string
	}{
		{"no decision", decide, collect.EINVALID},
		{"reject without a reason", withDecision(decide, "reject", ""), collect.EINVALID},
		{"counter without terms", withDecision(decide, "counter", ""), collect.EINVALID},
		{"another debtor's plan", func() casework.PlanDecision {
			d := withDecision(decide, "approve", "")
			d.DebtorID = b.other
			return d
		}(), collect.ENOTFOUND},
	} {
		if _, err := casework.DecidePlan(b.ctx, b.db, tc.decision); collect.ErrorCode(err) != tc.code {
			t.Errorf("%s: error %v, want %s", tc.name, err, tc.code)
		}
	}
	if ps := b.plans(t, b.debtor); len(ps) != 1 || ps[0].Status != collect.PlanProposed {
		t.Fatalf("refused decisions changed the plans: %+v", ps)
	}

	b.clk.Add(time.Hour) // plans list newest first
	counter := withDecision(decide, "counter", "Four months suit your income better.")
	counter.Counter = &collect.Plan{Total: 10000, Months: 4, FirstDue: collect.Day(2026, 12, 15)}
	offer, err := casework.DecidePlan(b.ctx, b.db, counter)
	if err != nil || offer.Status != collect.PlanCountered || offer.CounterOf != q.Plan.ID {
		t.Fatalf("counter = %+v, %v", offer, err)
	}
	if _, err := casework.DecidePlan(b.ctx, b.db, withDecision(decide, "approve", "")); collect.ErrorCode(err) != collect.ECONFLICT {
		t.Errorf("deciding twice: %v, want a conflict", err)
	}

	answer := casework.CounterAnswer{CreditorID: b.cr.ID, DebtorID: b.other, PlanID: offer.ID, Accept: true}
	if _, err := casework.AnswerCounter(b.ctx, b.db, b.clk.Now(), answer); collect.ErrorCode(err) != collect.ENOTFOUND {
		t.Errorf("another debtor's answer: %v, want not found", err)
	}
	answer.DebtorID = b.debtor
	a, err := casework.AnswerCounter(b.ctx, b.db, b.clk.Now(), answer)
	if err != nil || a.Plan.ID != offer.ID || a.Statement.Total() != 10000 {
		t.Fatalf("accept = %+v, %v", a.Plan, err)
	}
	if ps := b.plans(t, b.debtor); ps[0].ID != offer.ID || ps[0].Status != collect.PlanApproved {
		t.Fatalf("after accepting: %+v, want the offer approved", ps[0])
	}
	if _, err := casework.AnswerCounter(b.ctx, b.db, b.clk.Now(), answer); collect.ErrorCode(err) != collect.ECONFLICT {
		t.Errorf("answering twice: %v, want a conflict", err)
	}
}

func withDecision(d casework.PlanDecision, decision, reason string) casework.PlanDecision {
	d.Decision, d.Reason = decision, reason
	return d
}

// An agent's own offer replaces the debtor's open proposal; the file shows
// it as the one open plan.
func TestOfferPlanReplacesTheOpenProposal(t *testing.T) {
	t.Parallel()
	b := setupPlans(t)
	if _, err := casework.ProposePlan(b.ctx, b.db, b.clk.Now(), b.request(3, collect.Day(2027, 1, 15))); err != nil {
		t.Fatal(err)
	}
	b.clk.Add(time.Hour) // plans list newest first
	offer, err := casework.OfferPlan(b.ctx, b.db, b.agent, b.cr.ID, b.debtor, collect.Plan{Total: 10000, Months: 5, FirstDue: collect.Day(2026, 12, 1)})
	if err != nil || offer.Status != collect.PlanCountered {
		t.Fatalf("offer = %+v, %v", offer, err)
	}
	plans, open, err := casework.PlansOnFile(b.ctx, b.db, b.clk.Now(), b.cr.ID, b.debtor)
	if err != nil || open != 1 || len(plans) != 2 || plans[0].ID != offer.ID || plans[1].Status != collect.PlanReplaced {
		t.Fatalf("file: %d open of %d plans (%v), want the offer open and the proposal replaced", open, len(plans), err)
	}
}

// Where a plan's instalments stand: paid ones are kept, unpaid ones past
// their due date missed.
func TestStandingOf(t *testing.T) {
	t.Parallel()
	plan := collect.Plan{Instalments: []collect.PlanInstalment{
		{Seq: 1, Due: collect.Day(2026, 10, 1), Amount: 5000, Paid: 5000},
		{Seq: 2, Due: collect.Day(2026, 11, 1), Amount: 5000, Paid: 1000},
		{Seq: 3, Due: collect.Day(2026, 12, 1), Amount: 5000},
	}}
	s := casework.StandingOf(plan, collect.Day(2026, 11, 23))
	want := []collect.InstalmentState{collect.InstalmentPaid, collect.InstalmentLate, collect.InstalmentOpen}
	if s.Kept != 1 || s.Missed != 1 || len(s.Rows) != 3 {
		t.Fatalf("standing = %+v, want one kept and one missed of three", s)
	}
	for i, r := range s.Rows {
		if r.State != want[i] || r.Seq != i+1 {
			t.Errorf("instalment %d: %s, want %s", r.Seq, r.State, want[i])
		}
	}
}
