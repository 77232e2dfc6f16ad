package casework_test

import (
	"testing"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// TestDisputedInvoiceLeftOutOfAPlan: a debtor owes 100,00 and disputes a
// second invoice of 250,00. A new plan is for the 100,00 only; money paid
// without naming an invoice goes to the 100,00 first; a debtor whose only
// open invoice is disputed has nothing to plan.
func TestDisputedInvoiceLeftOutOfAPlan(t *testing.T) {
	t.Parallel()
	b := setupPlans(t)
	dispute := func(debtorID string, amount int64) string {
		inv := newInvoice(t, b.db, collect.Invoice{CreditorID: b.cr.ID, DebtorID: debtorID, Number: "F-D-" + debtorID[:8],
			IssueDate: collect.Day(2026, 11, 2), DueDate: collect.Day(2026, 12, 2), Amount: amount, Currency: "EUR"})
		if _, err := casework.OpenDispute(b.ctx, b.db, b.cr, collect.Dispute{DebtorID: debtorID, InvoiceID: inv.ID, Reason: "amount_wrong"}); err != nil {
			t.Fatal(err)
		}
		return inv.ID
	}
	disputed := dispute(b.debtor, 25000)

	first := collect.Day(2026, 12, 1)
	q, err := casework.PreviewPlan(b.ctx, b.db, b.clk.Now(), b.request(2, first))
	if err != nil || !q.CanPropose {
		t.Fatalf("preview: can propose %v, %v", q.CanPropose, err)
	}
	var sum int64
	for _, in := range q.Schedule {
		sum += in.Amount
	}
	if sum != 10000 || q.Statement.Total() != 35000 {
		t.Errorf("preview: schedule sums to %d of a statement of %d; want 10000 of 35000", sum, q.Statement.Total())
	}
	q, err = casework.ProposePlan(b.ctx, b.db, b.clk.Now(), b.request(2, first))
	if err != nil || q.Plan.Total != 10000 {
		t.Fatalf("proposed plan total %d, %v; want 10000", q.Plan.Total, err)
	}

	other := newDebtor(t, b.db, collect.Debtor{CreditorID: b.cr.ID, ExternalRef: "K-3", Kind: collect.Consumer, Name: "Debtor K-3", Language: "nl"})
	dispute(other.ID, 5000)
	desk, err := casework.OpenPlanDesk(b.ctx, b.db, b.clk.Now(), b.cr.ID, other.ID)
	if err != nil || desk.CanPropose || desk.Statement.Total() != 5000 {
		t.Errorf("only a disputed invoice open: can propose %v, total %d, %v; want false, 5000", desk.CanPropose, desk.Statement.Total(), err)
	}

	// 120,00 without an invoice: the 100,00 is paid, 20,00 reaches the disputed one.
	if _, _, err := b.db.ApplyPayment(b.ctx, postgres.Receipt{CreditorID: b.cr.ID, DebtorID: b.debtor, Amount: 12000,
		On: collect.DutchDate(b.clk.Now()), SourceKey: "test:disputed:1"}); err != nil {
		t.Fatal(err)
	}
	_, st, err := casework.DebtorStatement(b.ctx, b.db, b.clk.Now(), b.cr.ID, b.debtor)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := st.Line(disputed); l.Total() != 23000 || !l.Disputed || st.PayAll() != 0 {
		t.Errorf("after 120,00: disputed invoice %d open (disputed %v), pay all %d; want 23000, true, 0", l.Total(), l.Disputed, st.PayAll())
	}
}
