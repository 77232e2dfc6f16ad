package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

type clock = pgtest.Clock

// fixture is one test's database with one creditor.
type fixture struct {
	db       *postgres.DB
	pool     *pgxpool.Pool
	url      string
	clock    *clock
	creditor collect.Creditor
}

// today is the fixed date of every test: Monday 23 November 2026, noon in Amsterdam.
var today = time.Date(2026, 11, 23, 12, 0, 0, 0, amsterdam)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool, url := pgtest.New(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	c := pgtest.NewClock(today)
	db.Now = c.Now
	cr, _, err := db.CreateCreditor(ctx, collect.Creditor{Name: "Energie Noord B.V."})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, pool: pool, url: url, clock: c, creditor: cr}
}

func (f *fixture) debtor(t *testing.T, ref string, kind collect.DebtorKind) string {
	t.Helper()
	d, created, err := f.db.UpsertDebtor(context.Background(), collect.Debtor{CreditorID: f.creditor.ID, ExternalRef: ref, Kind: kind, Name: "Debtor " + ref, Language: "nl"})
	if err != nil || !created {
		t.Fatalf("upsert debtor: created %v, %v", created, err)
	}
	return d.ID
}

func (f *fixture) invoice(t *testing.T, debtorID, number, due string, amount int64) string {
	t.Helper()
	// Issued 14 days before the due date, but never after today: the
	// principal is booked on the issue date.
	issue := day(due).AddDate(0, 0, -14)
	if first := day("2026-11-01"); issue.After(first) {
		issue = first
	}
	inv, err := f.db.CreateInvoice(context.Background(), collect.Invoice{CreditorID: f.creditor.ID, DebtorID: debtorID, Number: number,
		IssueDate: issue, DueDate: day(due), Amount: amount, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	return inv.ID
}

func (f *fixture) notice(t *testing.T, debtorID, channel, sentOn string, invoiceIDs ...string) collect.Notice {
	t.Helper()
	n, err := f.db.CreateNotice(context.Background(), f.creditor, debtorID, invoiceIDs, collect.Notice{Channel: channel, SentOn: day(sentOn)})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) pay(t *testing.T, debtorID string, amount int64, on, key, invoiceID string) collect.Allocation {
	t.Helper()
	a, booked, err := f.db.ApplyPayment(context.Background(), postgres.Receipt{CreditorID: f.creditor.ID, DebtorID: debtorID,
		Amount: amount, On: day(on), SourceKey: key, InvoiceID: invoiceID, Memo: "test " + key})
	if err != nil {
		t.Fatal(err)
	}
	if !booked {
		t.Fatalf("payment %s was not booked", key)
	}
	return a
}

func (f *fixture) statement(t *testing.T, debtorID, asOf string) collect.Statement {
	t.Helper()
	_, st, err := f.db.Statement(context.Background(), f.creditor.ID, debtorID, day(asOf))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *fixture) entries(t *testing.T, debtorID string) []collect.Entry {
	t.Helper()
	es, err := f.db.Entries(context.Background(), f.creditor.ID, debtorID)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// sum adds the entries of one account and kind ("" for any kind).
func sum(es []collect.Entry, account collect.Account, kind collect.EntryKind) (total int64, n int) {
	for _, e := range es {
		if e.Account == account && (kind == "" || e.Kind == kind) {
			total += e.Amount
			n++
		}
	}
	return total, n
}

func line(t *testing.T, st collect.Statement, invoiceID string) collect.Line {
	t.Helper()
	l, ok := st.Line(invoiceID)
	if !ok {
		t.Fatalf("no line for invoice %s", invoiceID)
	}
	return l
}

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

func TestClaimAttemptLockout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	d := f.debtor(t, "K-1", collect.Consumer)
	jti := uuid.NewString()
	now := f.clock.Now()
	if err := f.db.CreateLink(ctx, postgres.Link{JTI: jti, CreditorID: f.creditor.ID, DebtorID: d, Channel: "letter", IssuedAt: now, ExpiresAt: now.AddDate(0, 0, 60)}); err != nil {
		t.Fatal(err)
	}
	const maxAttempts, lockFor = 5, 15 * time.Minute
	for i := 1; i < maxAttempts; i++ {
		f.clock.Add(time.Minute)
		l, claimed, err := f.db.ClaimAttempt(ctx, jti, maxAttempts, lockFor)
		if err != nil || !claimed {
			t.Fatalf("attempt %d: claimed %v, %v", i, claimed, err)
		}
		if l.FailedAttempts != i || l.LockedUntil != nil {
			t.Fatalf("after %d attempts: attempts %d, locked until %v", i, l.FailedAttempts, l.LockedUntil)
		}
	}
	at := f.clock.Add(time.Minute)
	l, claimed, err := f.db.ClaimAttempt(ctx, jti, maxAttempts, lockFor)
	if err != nil || !claimed {
		t.Fatalf("fifth attempt: claimed %v, %v", claimed, err)
	}
	if l.LockedUntil == nil || !l.LockedUntil.Equal(at.Add(lockFor)) {
		t.Fatalf("after 5 attempts: locked until %v, want %v", l.LockedUntil, at.Add(lockFor))
	}
	// Locked: nothing can be claimed until the clock passes the lock.
	f.clock.Add(14 * time.Minute)
	if _, claimed, err := f.db.ClaimAttempt(ctx, jti, maxAttempts, lockFor); err != nil || claimed {
		t.Fatalf("14 minutes later: claimed %v, %v; want locked", claimed, err)
	}
	f.clock.Add(2 * time.Minute)
	if l, claimed, err = f.db.ClaimAttempt(ctx, jti, maxAttempts, lockFor); err != nil || !claimed || l.FailedAttempts != 1 || l.LockedUntil != nil {
		t.Fatalf("after the lock: %+v claimed %v, %v", l, claimed, err)
	}
	if err := f.db.ResetAttempts(ctx, jti); err != nil {
		t.Fatal(err)
	}
	if l, _ = f.db.LinkByJTI(ctx, jti); l.FailedAttempts != 0 || l.LockedUntil != nil {
		t.Errorf("after reset: %+v", l)
	}
	if _, _, err := f.db.ClaimAttempt(ctx, uuid.NewString(), maxAttempts, lockFor); !collect.IsNotFound(err) {
		t.Errorf("unknown link: %v, want not found", err)
	}
}

// Answers sent in parallel get no more than the allowed attempts.
func TestClaimAttemptParallel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	d := f.debtor(t, "K-2", collect.Consumer)
	jti := uuid.NewString()
	now := f.clock.Now()
	if err := f.db.CreateLink(ctx, postgres.Link{JTI: jti, CreditorID: f.creditor.ID, DebtorID: d, Channel: "letter", IssuedAt: now, ExpiresAt: now.AddDate(0, 0, 60)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	claims := 0
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := f.db.ClaimAttempt(ctx, jti, 5, 15*time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				claims++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if claims != 5 {
		t.Fatalf("%d of 30 parallel attempts were let through, want 5", claims)
	}
}

func TestSessionLifetimes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	d := f.debtor(t, "K-1", collect.Consumer)
	jti := uuid.NewString()
	start := f.clock.Now()
	if err := f.db.CreateLink(ctx, postgres.Link{JTI: jti, CreditorID: f.creditor.ID, DebtorID: d, Channel: "sms", IssuedAt: start, ExpiresAt: start.AddDate(0, 0, 14)}); err != nil {
		t.Fatal(err)
	}
	newSession := func() string {
		t.Helper()
		tok, err := f.db.CreateSession(ctx, postgres.Session{Kind: "debtor", DebtorID: d, CreditorID: f.creditor.ID, LinkJTI: jti, Language: "nl"})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	alive := func(tok string) bool {
		t.Helper()
		s, err := f.db.SessionByToken(ctx, "debtor", tok)
		if collect.IsNotFound(err) {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		if s.DebtorID != d || s.CreditorID != f.creditor.ID || s.LinkJTI != jti || !s.LastSeenAt.Equal(f.clock.Now()) {
			t.Errorf("session %+v", s)
		}
		return true
	}

	// Idle timeout: 30 minutes after the last request.
	tok := newSession()
	if _, err := f.db.SessionByToken(ctx, "agent", tok); !collect.IsNotFound(err) {
		t.Errorf("a debtor session used as an agent session: %v", err)
	}
	f.clock.Add(29 * time.Minute)
	if !alive(tok) {
		t.Fatal("session gone after 29 idle minutes")
	}
	f.clock.Add(30*time.Minute - time.Second)
	if !alive(tok) {
		t.Fatal("session gone after 29:59 idle minutes")
	}
	f.clock.Add(30 * time.Minute)
	if alive(tok) {
		t.Fatal("session alive after 30 idle minutes")
	}

	// Maximum: 12 hours however active.
	f.clock.Set(start)
	tok = newSession()
	for f.clock.Now().Before(start.Add(12*time.Hour - 25*time.Minute)) {
		f.clock.Add(25 * time.Minute)
		if !alive(tok) {
			t.Fatalf("active session gone after %v", f.clock.Now().Sub(start))
		}
	}
	f.clock.Set(start.Add(12*time.Hour - time.Second))
	if !alive(tok) {
		t.Fatal("active session gone just before 12 hours")
	}
	f.clock.Set(start.Add(12 * time.Hour))
	if alive(tok) {
		t.Fatal("session alive after 12 hours")
	}
	n, err := f.db.DeleteExpiredSessions(ctx)
	if err != nil || n != 2 {
		t.Errorf("deleted %d expired sessions, %v; want 2", n, err)
	}
	if err := f.db.DeleteSession(ctx, newSession()); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	snapshot := func() string {
		t.Helper()
		var out []string
		for _, q := range []string{
			`SELECT count(*)::text || '/' || coalesce(max(version_id), 0)::text FROM goose_db_version`,
			`SELECT string_agg(version::text, ',' ORDER BY version) FROM river_migration`,
			`SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name) FROM information_schema.columns WHERE table_schema = 'public'`,
			`SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'`,
			`SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal`,
			`SELECT count(*)::text FROM interest_rates`,
			`SELECT count(*)::text FROM equated_holidays`,
			`SELECT count(*)::text FROM creditors`,
		} {
			var s string
			if err := f.pool.QueryRow(ctx, q).Scan(&s); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			out = append(out, s)
		}
		return strings.Join(out, "\n")
	}
	before := snapshot()
	for i := range 2 {
		if err := postgres.Migrate(ctx, f.url); err != nil {
			t.Fatalf("migrate #%d: %v", i+1, err)
		}
		if after := snapshot(); after != before {
			t.Errorf("migrate #%d changed the database:\nbefore %s\nafter  %s", i+1, before, after)
		}
	}
	ok, err := f.db.MigrationsCurrent(ctx)
	if err != nil || !ok {
		t.Errorf("migrations current: %v, %v", ok, err)
	}
}
