package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// Art. 6:44 BW: within one invoice a payment goes to costs, then interest,
// then principal.
func TestApplyPaymentCostsInterestPrincipal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		amount                     int64
		costs, interest, principal int64
	}{
		{3000, 3000, 0, 0},
		{4030, 4000, 30, 0},
		{5000, 4000, 58, 942},
		{14058, 4000, 58, 10000},
	} {
		t.Run(fmt.Sprint(tc.amount), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			d := f.debtor(t, "K-1", collect.Consumer)
			inv := f.invoice(t, d, "F-1", "2026-10-01", 10000)
			f.notice(t, d, "email", "2026-10-05", inv) // deadline 2026-10-19
			// On 23 November: costs 40.00, interest 2 Oct - 23 Nov (53 days at 4%) 0.58.
			before := line(t, f.statement(t, d, "2026-11-23"), inv)
			if before.Costs != 4000 || before.Interest != 58 || before.Principal != 10000 {
				t.Fatalf("before payment: %+v", before)
			}
			a := f.pay(t, d, tc.amount, "2026-11-23", "bank:1", "")
			want := collect.Part{InvoiceID: inv, Costs: tc.costs, Interest: tc.interest, Principal: tc.principal}
			if len(a.Parts) != 1 || a.Parts[0] != want || a.Credit != 0 {
				t.Fatalf("allocation %+v, want %+v", a, want)
			}
			es := f.entries(t, d)
			for _, c := range []struct {
				account collect.Account
				want    int64
			}{{collect.AccountCosts, -tc.costs}, {collect.AccountInterest, -tc.interest}, {collect.AccountPrincipal, -tc.principal}} {
				if got, _ := sum(es, c.account, collect.KindPayment); got != c.want {
					t.Errorf("%s payments in the ledger: %d, want %d", c.account, got, c.want)
				}
			}
			after := line(t, f.statement(t, d, "2026-11-23"), inv)
			if after.Costs != 4000-tc.costs || after.Interest != 58-tc.interest || after.Principal != 10000-tc.principal {
				t.Errorf("after payment: %+v", after)
			}
			if tc.amount == 14058 && after.Status != "paid" {
				t.Errorf("status %q after paying everything, want paid", after.Status)
			}
		})
	}
}

// threeInvoices gives a consumer an invoice due 1 September (100.00), one
// due 1 October (200.00) and one not yet due (50.00, due 31 December).
func threeInvoices(t *testing.T, f *fixture) (d, sep, oct, dec string) {
	d = f.debtor(t, "K-1", collect.Consumer)
	// Created out of order on purpose: the order comes from the due dates.
	dec = f.invoice(t, d, "F-3", "2026-12-31", 5000)
	oct = f.invoice(t, d, "F-2", "2026-10-01", 20000)
	sep = f.invoice(t, d, "F-1", "2026-09-01", 10000)
	st := f.statement(t, d, "2026-11-23")
	// Interest at 4%: 2 Sep - 23 Nov is 83 days (0.91), 2 Oct - 23 Nov 53 days on 200 (1.16).
	if l := line(t, st, sep); l.Interest != 91 {
		t.Fatalf("September invoice: %+v", l)
	}
	if l := line(t, st, oct); l.Interest != 116 {
		t.Fatalf("October invoice: %+v", l)
	}
	if l := line(t, st, dec); l.Interest != 0 || l.Status != "not_due" {
		t.Fatalf("December invoice: %+v", l)
	}
	return d, sep, oct, dec
}

// Art. 6:43 BW: across invoices, the oldest due first; invoices not yet due last.
func TestApplyPaymentAcrossInvoices(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d, sep, oct, dec := threeInvoices(t, f)
	a := f.pay(t, d, 15000, "2026-11-23", "bank:1", "")
	want := []collect.Part{
		{InvoiceID: sep, Interest: 91, Principal: 10000},
		{InvoiceID: oct, Interest: 116, Principal: 15000 - 10091 - 116},
	}
	if fmt.Sprint(a.Parts) != fmt.Sprint(want) || a.Credit != 0 {
		t.Fatalf("allocation %+v, want %+v", a.Parts, want)
	}
	st := f.statement(t, d, "2026-11-23")
	if l := line(t, st, sep); l.Total() != 0 || l.Status != "paid" {
		t.Errorf("September invoice after payment: %+v", l)
	}
	if l := line(t, st, oct); l.Principal != 20000-4793 || l.Interest != 0 {
		t.Errorf("October invoice after payment: %+v", l)
	}
	if l := line(t, st, dec); l.Principal != 5000 {
		t.Errorf("the invoice not yet due was paid before a due one: %+v", l)
	}

	// Even a payment larger than everything due reaches the not-due invoice last.
	a = f.pay(t, d, 15300, "2026-11-23", "bank:2", "")
	if len(a.Parts) != 2 || a.Parts[0].InvoiceID != oct || a.Parts[0].Principal != 15207 || a.Parts[1].InvoiceID != dec || a.Parts[1].Principal != 93 {
		t.Errorf("second payment: %+v", a.Parts)
	}
}

// Art. 6:43 lid 1 BW: a payment that names an invoice goes there first.
func TestApplyPaymentNamedInvoice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d, sep, oct, dec := threeInvoices(t, f)
	a := f.pay(t, d, 5000, "2026-11-23", "bank:1", oct)
	if len(a.Parts) != 1 || a.Parts[0] != (collect.Part{InvoiceID: oct, Interest: 116, Principal: 4884}) {
		t.Errorf("payment naming the October invoice: %+v", a.Parts)
	}
	// Naming an invoice not yet due pays it first; the rest goes by the legal order.
	a = f.pay(t, d, 6000, "2026-11-23", "bank:2", dec)
	want := []collect.Part{{InvoiceID: dec, Principal: 5000}, {InvoiceID: sep, Interest: 91, Principal: 909}}
	if fmt.Sprint(a.Parts) != fmt.Sprint(want) {
		t.Errorf("payment naming the December invoice: %+v, want %+v", a.Parts, want)
	}
	// Naming an invoice that is already paid falls back to the legal order.
	a = f.pay(t, d, 100, "2026-11-23", "bank:3", dec)
	if len(a.Parts) != 1 || a.Parts[0].InvoiceID != sep {
		t.Errorf("payment naming a paid invoice: %+v", a.Parts)
	}
}

func TestApplyPaymentOverpaymentIsCredit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d, _, _, _ := threeInvoices(t, f)
	total := f.statement(t, d, "2026-11-23").Total() // 35000 + 91 + 116
	if total != 35207 {
		t.Fatalf("total %d", total)
	}
	a := f.pay(t, d, total+1234, "2026-11-23", "bank:1", "")
	if a.Credit != 1234 {
		t.Errorf("credit %d, want 1234", a.Credit)
	}
	var paid int64
	for _, p := range a.Parts {
		paid += p.Total()
	}
	if paid != total {
		t.Errorf("parts pay %d, want %d", paid, total)
	}
	st := f.statement(t, d, "2026-11-23")
	if st.Credit != 1234 || st.Total() != 0 {
		t.Errorf("statement after overpayment: credit %d, total %d", st.Credit, st.Total())
	}
	for _, l := range st.Lines {
		if l.Status != "paid" {
			t.Errorf("invoice %s: status %q", l.Invoice.Number, l.Status)
		}
	}
	if c, n := sum(f.entries(t, d), collect.AccountCredit, ""); c != -1234 || n != 1 {
		t.Errorf("credit in the ledger: %d in %d entries, want -1234 in 1", c, n)
	}
	// Every balance is a sum of entries: the ledger nets to minus the credit.
	var net int64
	for _, e := range f.entries(t, d) {
		net += e.Amount
	}
	if net != -1234 {
		t.Errorf("the ledger sums to %d, want -1234", net)
	}
}

func TestApplyPaymentIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	d, _, _, _ := threeInvoices(t, f)
	r := postgres.Receipt{CreditorID: f.creditor.ID, DebtorID: d, Amount: 5000, On: day("2026-11-23"), SourceKey: "mollie:tr_1"}
	if _, booked, err := f.db.ApplyPayment(ctx, r); err != nil || !booked {
		t.Fatalf("first booking: %v, %v", booked, err)
	}
	n := len(f.entries(t, d))
	a, booked, err := f.db.ApplyPayment(ctx, r)
	if err != nil || booked || len(a.Parts) != 0 || a.Credit != 0 {
		t.Fatalf("second booking of the same receipt: booked %v, %+v, %v", booked, a, err)
	}
	if got := len(f.entries(t, d)); got != n {
		t.Errorf("the second booking added %d entries", got-n)
	}

	// Eight deliveries of one webhook at once book it once.
	const workers = 8
	var wg sync.WaitGroup
	results := make(chan bool, workers)
	errs := make(chan error, workers)
	r.SourceKey = "mollie:tr_2"
	for range workers {
		wg.Go(func() {
			_, booked, err := f.db.ApplyPayment(ctx, r)
			if err != nil {
				errs <- err
			}
			results <- booked
		})
	}
	wg.Wait()
	close(results)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var bookedN int
	for b := range results {
		if b {
			bookedN++
		}
	}
	if bookedN != 1 {
		t.Errorf("booked %d times, want 1", bookedN)
	}
	paid, _ := sum(f.entries(t, d), collect.AccountPrincipal, collect.KindPayment)
	var interestPaid int64
	for _, e := range f.entries(t, d) {
		if e.Kind == collect.KindPayment && e.Account == collect.AccountInterest {
			interestPaid += e.Amount
		}
	}
	if paid+interestPaid != -10000 {
		t.Errorf("principal and interest paid: %d, want -10000 (two receipts of 50.00)", paid+interestPaid)
	}
}

// Payments with different keys at once are all booked, each exactly once,
// and the accruals they trigger are booked once.
func TestApplyPaymentConcurrentDistinct(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	d := f.debtor(t, "K-1", collect.Consumer)
	inv := f.invoice(t, d, "F-1", "2026-10-01", 10000)
	f.notice(t, d, "email", "2026-10-05", inv)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, booked, err := f.db.ApplyPayment(ctx, postgres.Receipt{CreditorID: f.creditor.ID, DebtorID: d, Amount: 1000,
				On: day("2026-11-23"), SourceKey: fmt.Sprintf("bank:%d", i)})
			if err != nil || !booked {
				t.Errorf("payment %d: booked %v, %v", i, booked, err)
			}
		})
	}
	wg.Wait()
	es := f.entries(t, d)
	var paid int64
	for _, e := range es {
		if e.Kind == collect.KindPayment {
			paid += e.Amount
		}
	}
	if paid != -8000 {
		t.Errorf("paid %d, want -8000", paid)
	}
	if c, n := sum(es, collect.AccountCosts, collect.KindCharge); c != 4000 || n != 1 {
		t.Errorf("costs charged %d in %d entries, want 4000 in 1", c, n)
	}
	if c, n := sum(es, collect.AccountInterest, collect.KindCharge); c != 58 || n != 1 {
		t.Errorf("interest charged %d in %d entries, want 58 in 1", c, n)
	}
	if l := line(t, f.statement(t, d, "2026-11-23"), inv); l.Total() != 14058-8000 {
		t.Errorf("open after 8 payments: %+v", l)
	}
}

func TestLedgerAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	d := f.debtor(t, "K-1", collect.Consumer)
	f.invoice(t, d, "F-1", "2026-10-01", 10000)
	f.pay(t, d, 1000, "2026-11-23", "bank:1", "")
	n := len(f.entries(t, d))
	for _, q := range []string{
		`UPDATE ledger_entries SET amount_cents = 1`,
		`UPDATE ledger_entries SET memo = 'changed'`,
		`DELETE FROM ledger_entries`,
		`DELETE FROM ledger_entries WHERE account = 'principal' AND kind = 'payment'`,
	} {
		_, err := f.pool.Exec(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err %v, want an append-only error", q, err)
		}
	}
	es := f.entries(t, d)
	if len(es) != n {
		t.Errorf("%d entries, want %d", len(es), n)
	}
	for _, e := range es {
		if e.Memo == "changed" {
			t.Error("an entry was changed")
		}
	}
}

// Collection costs show on the statement from the day after the notice's
// deadline, and are booked in the ledger once, when a payment arrives.
func TestStatementCostsAfterDeadline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.debtor(t, "K-1", collect.Consumer)
	inv := f.invoice(t, d, "F-1", "2026-10-01", 10000)
	n := f.notice(t, d, "email", "2026-10-05", inv)
	if n.Deadline.Format(time.DateOnly) != "2026-10-19" || n.Costs != 4000 {
		t.Fatalf("notice %+v", n)
	}

	// On the deadline: no costs yet, and the next step says what they will be.
	st := f.statement(t, d, "2026-10-19")
	if st.Costs != 0 || st.Next == nil || st.Next.Deadline.Format(time.DateOnly) != "2026-10-19" || st.Next.Costs != 4000 {
		t.Errorf("on the deadline: costs %d, next %+v", st.Costs, st.Next)
	}
	// The day after: costs are due, computed, but not in the ledger.
	st = f.statement(t, d, "2026-10-20")
	if st.Costs != 4000 || st.Next != nil || line(t, st, inv).CostsSince.Format(time.DateOnly) != "2026-10-20" {
		t.Errorf("after the deadline: costs %d, next %+v", st.Costs, st.Next)
	}
	if _, k := sum(f.entries(t, d), collect.AccountCosts, ""); k != 0 {
		t.Errorf("costs booked before any payment: %d entries", k)
	}
	acc := st.Accruals()
	if len(acc) != 2 || acc[0].Account != collect.AccountCosts || acc[0].Amount != 4000 || acc[0].NoticeID != n.ID {
		t.Errorf("accruals %+v", acc)
	}

	// A payment books the costs (once) and pays them first.
	a := f.pay(t, d, 1000, "2026-11-23", "bank:1", "")
	if a.Parts[0].Costs != 1000 {
		t.Errorf("allocation %+v", a)
	}
	f.pay(t, d, 1000, "2026-11-24", "bank:2", "")
	es := f.entries(t, d)
	if c, k := sum(es, collect.AccountCosts, collect.KindCharge); c != 4000 || k != 1 {
		t.Errorf("costs charged %d in %d entries, want 4000 in 1", c, k)
	}
	for _, e := range es {
		if e.Account == collect.AccountCosts && e.Kind == collect.KindCharge && (e.NoticeID != n.ID || e.BookedOn.Format(time.DateOnly) != "2026-11-23") {
			t.Errorf("costs entry %+v: want notice %s, booked on the first payment's day", e, n.ID)
		}
	}
	for _, asOf := range []string{"2026-11-24", "2027-03-01"} {
		if st := f.statement(t, d, asOf); st.Costs != 2000 {
			t.Errorf("costs on %s: %d, want 2000 (4000 booked, 2000 paid)", asOf, st.Costs)
		}
	}
}

// Paying everything before the deadline avoids the costs for good.
func TestStatementNoCostsWhenPaidInTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.debtor(t, "K-1", collect.Consumer)
	inv := f.invoice(t, d, "F-1", "2026-10-01", 10000)
	f.notice(t, d, "email", "2026-10-05", inv)
	total := f.statement(t, d, "2026-10-19").Total()
	f.pay(t, d, total, "2026-10-19", "bank:1", "")
	st := f.statement(t, d, "2026-11-23")
	if st.Costs != 0 || st.Total() != 0 {
		t.Errorf("after paying on the deadline: costs %d, total %d", st.Costs, st.Total())
	}
}

// TestConcurrentNoticesAnnounceCostsOnce posts many notices for one debtor
// at the same moment, each for invoices that would bring the full scale on
// their own: the debtor lock makes each see the others, so together they
// announce the scale over the combined principal once. A table lock held by
// the test stops every insert into notices until all of them are waiting,
// so without the debtor lock they would all read the same empty file.
func TestConcurrentNoticesAnnounceCostsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	d := f.debtor(t, "K-1", collect.Consumer)
	var ids []string
	for _, n := range []string{"F-1", "F-2", "F-3", "F-4"} {
		ids = append(ids, f.invoice(t, d, n, "2026-10-15", 30000))
	}
	sets := [][]string{{ids[0]}, {ids[1]}, {ids[2]}, {ids[3]}, {ids[0], ids[1]}, {ids[2], ids[3]}, ids}
	gate, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = gate.Rollback(ctx) }()
	// EXCLUSIVE lets the notices be read but not inserted.
	if _, err := gate.Exec(ctx, `LOCK TABLE notices IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, 2*len(sets)) // fewer than the pool's 16 connections, so all can wait on a lock at once
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, _, errs[i] = f.db.RecordNotice(ctx, f.creditor, d, sets[i%len(sets)], collect.Notice{Channel: "email", SentOn: day("2026-11-23")})
		}()
	}
	close(start)
	for waiting := 0; waiting < len(errs); {
		if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if err := gate.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	fs, err := f.db.Facts(ctx, f.creditor.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	var announced int64
	for _, n := range fs.Notices {
		announced += n.Costs
	}
	// 1,200 euro together: 15% is 180 euro.
	if announced != 18000 {
		t.Errorf("%d notices announce %d in costs, want 18000", len(fs.Notices), announced)
	}
	st := f.statement(t, d, "2026-12-10")
	if st.Costs != 18000 {
		t.Errorf("costs after the deadline %d, want 18000", st.Costs)
	}
}
