package api_test

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
	"github.com/settle/settle/internal/reconcile/camt053"
)

// TestRepeatedNoticeChargesCostsOnce is issue H item 1: the same notice
// posted again, concurrently, or with invoices added never brings more
// collection costs than the WIK scale over the claim's combined principal,
// whichever route books them (bank import, provider payment) and however
// often.
func TestRepeatedNoticeChargesCostsOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	clock := pgtest.NewClock(now)
	b.db.Now = clock.Now
	if _, err := b.db.PoolForTests().Exec(ctx, `UPDATE creditors SET iban = 'NL91 ABNA 0417 1643 00' WHERE id = $1`, b.A.ID); err != nil {
		t.Fatal(err)
	}
	debtor := b.debtor(t, b.A.Key, consumer("K-1", "Jan de Vries"))
	first := b.invoice(t, b.A.Key, debtor, "F-1", "2026-10-01", "2026-10-15", 30000)
	second := b.invoice(t, b.A.Key, debtor, "F-2", "2026-10-02", "2026-10-16", 30000)
	third := b.invoice(t, b.A.Key, debtor, "F-3", "2026-10-03", "2026-10-17", 30000)
	path := "/api/v1/debtors/" + debtor + "/notices"
	notice := func(ids ...string) obj {
		return obj{"invoice_ids": ids, "sent_on": "2026-11-23", "channel": "email"}
	}

	// The case: one invoice of 300 euro, the same notice three times.
	n := b.call(t, "POST", path, b.A.Key, notice(first)).want(t, http.StatusCreated)
	for range 2 {
		again := b.call(t, "POST", path, b.A.Key, notice(first)).want(t, http.StatusOK)
		if again["id"] != n["id"] || num(t, again["costs"]) != 4500 {
			t.Errorf("repeated notice %v, want the first %v", again, n)
		}
	}

	// Posted at once, as retries and as notices adding invoices: one of them
	// is first, the others return it or announce only what is left.
	bodies := []obj{notice(first), notice(second), notice(third), notice(second, third)}
	var wg sync.WaitGroup
	answers := make([]response, 3*len(bodies))
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = b.call(t, "POST", path, b.A.Key, bodies[i%len(bodies)])
		}()
	}
	wg.Wait()
	for _, a := range answers {
		if a.Status != http.StatusOK && a.Status != http.StatusCreated {
			t.Fatalf("concurrent notice: %d %s", a.Status, a.Body)
		}
	}
	f, err := b.db.Facts(ctx, b.A.ID, debtor)
	if err != nil {
		t.Fatal(err)
	}
	var announced int64
	for _, n := range f.Notices {
		announced += n.Costs
	}
	// 900 euro collected together: 15% is 135 euro.
	const wik = 13500
	if announced != wik {
		t.Errorf("%d notices announce %d in costs, want %d (the scale over 900 euro)", len(f.Notices), announced, wik)
	}

	// After the deadline (Monday 7 December) the debtor owes the costs once.
	clock.Set(time.Date(2026, 12, 10, 12, 0, 0, 0, amsterdam))
	view := b.call(t, "GET", "/api/v1/debtors/"+debtor, b.A.Key, nil).want(t, http.StatusOK)
	if costs := num(t, view["totals"].(map[string]any)["costs"]); costs != wik {
		t.Errorf("debtor's costs %d, want %d", costs, wik)
	}

	// Every route that books costs: a bank transfer, a provider payment,
	// and a notice posted again after the others ran out, then another
	// payment.
	var ref string
	if err := b.db.PoolForTests().QueryRow(ctx, `SELECT payment_reference FROM invoices WHERE id = $1`, first).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := camt053.Generate(&file, 1, camt053.GenOptions{Version: "001.08", AccountIBAN: "NL91ABNA0417164300", StatementID: "COSTS-1",
		Start: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC), Entry: func(int) (string, int64) { return ref, 1000 }}); err != nil {
		t.Fatal(err)
	}
	if m := b.call(t, "POST", "/api/v1/bank-statements", b.A.Key, file.String()).want(t, http.StatusCreated); num(t, m["booked"]) != 1 {
		t.Fatalf("bank import booked nothing: %v", m)
	}
	pay := func(key string, on time.Time) {
		t.Helper()
		if _, _, err := b.db.ApplyPayment(ctx, postgres.Receipt{CreditorID: b.A.ID, DebtorID: debtor, Amount: 1000, On: on, SourceKey: key, Memo: key}); err != nil {
			t.Fatal(err)
		}
	}
	pay("provider-1", clock.Now())
	clock.Set(time.Date(2027, 1, 11, 12, 0, 0, 0, amsterdam))
	late := b.call(t, "POST", path, b.A.Key, obj{"invoice_ids": []string{first, second, third}, "sent_on": "2027-01-11", "channel": "post"}).want(t, http.StatusCreated)
	if num(t, late["costs"]) != 0 {
		t.Errorf("a notice after the costs were charged announces %v, want 0", late["costs"])
	}
	clock.Set(time.Date(2027, 2, 15, 12, 0, 0, 0, amsterdam))
	pay("provider-2", clock.Now())

	es, err := b.db.Entries(ctx, b.A.ID, debtor)
	if err != nil {
		t.Fatal(err)
	}
	var charged, paid int64
	for _, e := range es {
		if e.Account == collect.AccountCosts && e.Kind == collect.KindCharge {
			charged += e.Amount
		}
		if e.Account == collect.AccountCosts && e.Kind == collect.KindPayment {
			paid -= e.Amount
		}
	}
	if charged != wik || paid != 3000 {
		t.Errorf("ledger: costs charged %d, paid %d; want %d charged once, 3000 paid", charged, paid, wik)
	}
	view = b.call(t, "GET", "/api/v1/debtors/"+debtor, b.A.Key, nil).want(t, http.StatusOK)
	if costs := num(t, view["totals"].(map[string]any)["costs"]); costs != wik-3000 {
		t.Errorf("debtor's open costs %d, want %d", costs, wik-3000)
	}
}
