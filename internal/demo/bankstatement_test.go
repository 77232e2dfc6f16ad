package demo_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/demo"
	"github.com/settle/settle/internal/reconcile"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// TestDemoBankStatement: the seed writes the demo bank statement next to
// demo.json; importing it books the two transfers with a reference, lets
// the Mollie payout arrive, suggests the transfer that names an invoice
// number, leaves the gift unmatched and the bank's costs not handled; a
// second import books nothing; the journal of the day balances and its
// clearing account for Mollie is zero again.
func TestDemoBankStatement(t *testing.T) {
	ctx := context.Background()
	db, out, dir := seeded(t)
	energy := out.Creditors[0].ID
	payouts, err := db.PayoutsOfCreditor(ctx, energy, 10)
	if err != nil || len(payouts) != 1 || payouts[0].Status != "expected" || !payouts[0].Reconciled {
		t.Fatalf("demo payouts: %+v, %v; want one expected, reconciled Mollie settlement", payouts, err)
	}
	if payouts[0].Reference != demo.MolliePayoutReference(db.Today()) {
		t.Errorf("payout reference %q", payouts[0].Reference)
	}

	path := filepath.Join(dir, demo.BankStatementFile)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the seed wrote no bank statement: %v", err)
	}
	res, err := casework.ImportCAMT(ctx, db, f, casework.ImportOptions{ImportedBy: "test"})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Summary())
	if res.Booked != 2 || res.Payouts != 1 || res.Suggested != 1 || res.Unmatched != 1 || res.NotHandled != 1 {
		t.Errorf("import: %s; want 2 booked, 1 payout, 1 suggested, 1 unmatched, 1 not handled", res.Summary())
	}
	f, _ = os.Open(path)
	again, err := casework.ImportCAMT(ctx, db, f, casework.ImportOptions{ImportedBy: "test"})
	f.Close()
	if err != nil || again.Booked != 0 || again.Payouts != 0 || len(again.Statements) != 1 || !again.Statements[0].Duplicate {
		t.Errorf("second import: %+v, %v; want a duplicate that books nothing", again, err)
	}

	today := db.Today()
	j, err := reconcile.LoadJournal(ctx, db, energy, today.AddDate(0, 0, -120), today)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Check(); err != nil {
		t.Fatal(err)
	}
	if v := j.Closing[reconcile.AcctClearingMollie]; v != 0 {
		t.Errorf("clearing:mollie closes at %d after the payout arrived, want 0", v)
	}
	if v := j.Closing[reconcile.AcctFees]; v != 35 {
		t.Errorf("fees close at %d, want 35", v)
	}
	// Bank: the two transfers (124,75 + 100,00) and the payout (49,65).
	if v := j.Closing[reconcile.AcctBank]; v < 12475+10000+4965 {
		t.Errorf("bank closes at %d, want at least %d", v, 12475+10000+4965)
	}
	var ledger int64
	if err := db.PoolForTests().QueryRow(ctx, `SELECT coalesce(sum(amount_cents), 0)::bigint FROM ledger_entries WHERE creditor_id = $1`, energy).Scan(&ledger); err != nil {
		t.Fatal(err)
	}
	var debtors int64
	for _, a := range []string{reconcile.AcctPrincipal, reconcile.AcctCosts, reconcile.AcctInterest, reconcile.AcctCredit} {
		debtors += j.Closing[a]
	}
	if debtors != ledger {
		t.Errorf("the journal's debtors close at %d, the ledger at %d", debtors, ledger)
	}
}
