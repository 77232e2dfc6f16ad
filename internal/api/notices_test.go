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

func TestCreateNotice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	debtor := b.debtor(t, b.A.Key, consumer("K-1", "Jan Jansen"))
	small := b.invoice(t, b.A.Key, debtor, "F-1", "2026-04-01", "2026-04-15", 10000)
	large := b.invoice(t, b.A.Key, debtor, "F-2", "2026-10-01", "2026-10-15", 100000)

	// Sent by email on Thursday 30 April 2026: day 14 is Ascension Day (14
	// May), 15 May is equated with a holiday, then a weekend: Monday 18 May.
	m := b.notice(t, b.A.Key, debtor, "email", "2026-04-30", small)
	if m["deadline"] != "2026-05-18" || num(t, m["costs"]) != 4000 || m["received_on"] != "2026-04-30" || m["costs_due_from"] != "2026-05-19" {
		t.Errorf("email notice of 30 April: %v, want deadline 2026-05-18, costs 4000", m)
	}
	if num(t, m["principal"]) != 10000 || m["waived"] != false || str(t, m["id"]) == "" {
		t.Errorf("email notice: %v", m)
	}

	// By post on Monday 2 November: received Wednesday 4 November (2 days
	// assumed), deadline 14 days later, Wednesday 18 November. The costs are
	// due once for the claim: the scale over 100 + 1,000 euro collected
	// together is 165, of which the first notice's 40 are already due.
	m = b.notice(t, b.A.Key, debtor, "post", "2026-11-02", large)
	if m["received_on"] != "2026-11-04" || m["deadline"] != "2026-11-18" || num(t, m["costs"]) != 12500 {
		t.Errorf("post notice of 2 November: %v, want received 2026-11-04, deadline 2026-11-18, costs 12500", m)
	}
	// The same invoice again while that notice runs is that notice.
	again := b.call(t, "POST", "/api/v1/debtors/"+debtor+"/notices", b.A.Key, obj{"invoice_ids": []string{large}, "sent_on": "2026-11-02", "channel": "sms"}).want(t, http.StatusOK)
	if again["id"] != m["id"] || again["deadline"] != "2026-11-18" || num(t, again["costs"]) != 12500 {
		t.Errorf("sms notice for an invoice under a running notice: %v, want that notice %v", again, m)
	}
	// By sms the same day: no delivery days, Monday 16 November. 1,150 euro
	// together bring 172.50, so 7.50 is left for this invoice of 50.
	extra := b.invoice(t, b.A.Key, debtor, "F-3", "2026-10-01", "2026-10-15", 5000)
	m = b.notice(t, b.A.Key, debtor, "sms", "2026-11-02", extra)
	if m["received_on"] != "2026-11-02" || m["deadline"] != "2026-11-16" || num(t, m["costs"]) != 750 {
		t.Errorf("sms notice of 2 November: %v, want deadline 2026-11-16, costs 750", m)
	}
	// One notice for both invoices: the WIK scale runs over their sum (1100
	// euro), and the earlier notices already announced all of it.
	m = b.notice(t, b.A.Key, debtor, "email", "2026-11-02", small, large)
	if num(t, m["principal"]) != 110000 || num(t, m["costs"]) != 0 {
		t.Errorf("notice for both invoices: %v, want principal 110000 and costs 0", m)
	}

	debtorB := b.debtor(t, b.B.Key, consumer("K-1", "Piet Pieters"))
	invB := b.invoice(t, b.B.Key, debtorB, "F-1", "2026-10-01", "2026-10-15", 5000)
	path := "/api/v1/debtors/" + debtor + "/notices"
	b.wantRefused(t, "", []refusal{
		{"bad channel", path, b.A.Key, obj{"invoice_ids": []string{small}, "sent_on": "2026-11-02", "channel": "fax"}, 422, "invalid", "channel"},
		{"missing channel", path, b.A.Key, obj{"invoice_ids": []string{small}, "sent_on": "2026-11-02"}, 422, "invalid", "channel"},
		{"bad sent_on", path, b.A.Key, obj{"invoice_ids": []string{small}, "sent_on": "2 november", "channel": "post"}, 422, "invalid", "sent_on"},
		{"no invoices", path, b.A.Key, obj{"invoice_ids": []string{}, "sent_on": "2026-11-02", "channel": "post"}, 422, "invalid", "invoice_ids"},
		{"invoice_ids not a list", path, b.A.Key, obj{"invoice_ids": small, "sent_on": "2026-11-02", "channel": "post"}, 422, "invalid", "invoice_ids"},
		{"another creditor's invoice", path, b.A.Key, obj{"invoice_ids": []string{invB}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"own and another creditor's invoice", path, b.A.Key, obj{"invoice_ids": []string{small, invB}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"invoice id not a uuid", path, b.A.Key, obj{"invoice_ids": []string{"F-1"}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"another creditor's debtor", path, b.B.Key, obj{"invoice_ids": []string{small}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"another creditor's debtor with its own invoice", path, b.B.Key, obj{"invoice_ids": []string{invB}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"debtor id not a uuid", "/api/v1/debtors/K-1/notices", b.A.Key, obj{"invoice_ids": []string{small}, "sent_on": "2026-11-02", "channel": "post"}, 404, "not_found", "-"},
		{"malformed JSON", path, b.A.Key, `{"channel": post}`, 400, "malformed", ""},
	})
	f, err := b.db.Facts(ctx, b.B.ID, debtorB)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Notices) != 0 {
		t.Errorf("creditor B's debtor has %d notices after creditor A's attempts", len(f.Notices))
	}
	if f, _ = b.db.Facts(ctx, b.A.ID, debtor); len(f.Notices) != 4 {
		t.Errorf("creditor A's debtor has %d notices, want 4", len(f.Notices))
	}
}
