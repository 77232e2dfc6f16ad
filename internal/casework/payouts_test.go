package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/mollie"
	"github.com/settle/settle/internal/pay/molliefake"
	"github.com/settle/settle/internal/postgres"
)

var amsterdam = apptest.Amsterdam

// now is every test's clock: Monday 23 November 2026, 10:00 in Amsterdam.
var now = time.Date(2026, 11, 23, 10, 0, 0, 0, amsterdam)

// env is one test's database, two creditors with a debtor each, and the
// Mollie fake.
type env struct {
	t   *testing.T
	ctx context.Context
	db  *postgres.DB
	cr  [2]collect.Creditor
	d   [2]collect.Debtor

	fake *molliefake.Fake
	pay  *mollie.Client // website API key: creates payments
	org  *mollie.Client // organization access token: settlements
	// pageLimit, when set, replaces the page size the client asks the
	// fake's settlement list for, so that a few settlements span pages.
	pageLimit atomic.Int64
	// nextPages counts settlement list pages fetched through _links.next.
	nextPages atomic.Int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, _ := apptest.NewDB(t, func() time.Time { return now })
	e := &env{t: t, ctx: context.Background(), db: db}
	for i, name := range []string{"Energie Noord B.V.", "Groothandel Zuid B.V."} {
		cr, _ := newCreditor(t, db, collect.Creditor{Name: name})
		birth := collect.Day(1980, 5, 31)
		e.cr[i] = cr
		e.d[i] = newDebtor(t, db, collect.Debtor{
			CreditorID: cr.ID, ExternalRef: "K-1", Kind: collect.Consumer, Name: "Jan Jansen", Email: "jan@example.nl",
			Language: "nl", BirthDate: &birth,
			Address: collect.Address{Street: "Dorpsstraat", HouseNumber: "12a", Postcode: "1234 AB", City: "Zwolle"},
		})
	}
	e.fake = molliefake.New("")
	fakeNow := now.UTC().Truncate(time.Second)
	e.fake.SetClock(func() time.Time { return fakeNow })
	h := e.fake.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/settlements" {
			q := r.URL.Query()
			if n := e.pageLimit.Load(); n > 0 && q.Get("limit") != "" {
				q.Set("limit", fmt.Sprint(n))
				r.URL.RawQuery = q.Encode()
			}
			if q.Get("from") != "" {
				e.nextPages.Add(1)
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.fake.SetBaseURL(srv.URL)
	e.pay = mollie.New(srv.URL, "test_settle")
	e.org = mollie.New(srv.URL, "access_settle")
	return e
}

// paid creates a payment of cents for creditor i in our database and at the
// fake, and has the debtor pay it.
func (e *env) paid(i int, cents int64, method string) collect.Payment {
	e.t.Helper()
	ours, err := e.db.CreatePayment(e.ctx, collect.Payment{CreditorID: e.cr[i].ID, DebtorID: e.d[i].ID, Amount: cents,
		Provider: "mollie", Method: map[string]string{"ideal": "ideal", "creditcard": "card"}[method]})
	if err != nil {
		e.t.Fatal(err)
	}
	id := e.fakePaid(cents, method)
	if err := e.db.StartCheckout(e.ctx, ours.ID, pay.Checkout{ProviderID: id}); err != nil {
		e.t.Fatal(err)
	}
	ours.ProviderID = id
	return ours
}

// fakePaid creates and pays a payment only at the fake: one we do not know.
func (e *env) fakePaid(cents int64, method string) string {
	e.t.Helper()
	p, err := e.pay.CreatePayment(e.ctx, mollie.CreatePayment{
		Amount:      mollie.Amount{Currency: "EUR", Value: money.Euro(cents).Decimal()},
		Description: "Energie Noord", RedirectURL: "https://settle.example/return", Method: method,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.fake.SetStatus(p.ID, "paid"); err != nil {
		e.t.Fatal(err)
	}
	return p.ID
}

func (e *env) settle() string {
	e.t.Helper()
	id, err := e.fake.AddSettlement(now)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) sync(resync bool) casework.PayoutReport {
	e.t.Helper()
	rep, err := casework.Payouts{DB: e.db, Mollie: e.org, Resync: resync}.Sync(e.ctx)
	if err != nil {
		e.t.Fatalf("sync: %v (report %+v)", err, rep)
	}
	return rep
}

// stored loads a synced Mollie settlement by its reference, as the bank
// import would.
func (e *env) stored(settlementID string) (collect.Payout, mollie.Settlement) {
	e.t.Helper()
	s, err := e.org.GetSettlement(e.ctx, settlementID)
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := e.db.PayoutByReference(e.ctx, s.Reference)
	if err != nil {
		e.t.Fatal(err)
	}
	if p.ProviderID != settlementID {
		e.t.Fatalf("reference %s found payout %s, want %s", s.Reference, p.ProviderID, settlementID)
	}
	return p, *s
}

// entries sums creditor_entries per creditor and account.
func (e *env) entries() map[string]int64 {
	e.t.Helper()
	out := map[string]int64{}
	rows, err := e.db.PoolForTests().Query(e.ctx, `SELECT creditor_id::text || ' ' || account, sum(amount_cents)::bigint FROM creditor_entries GROUP BY 1`)
	if err != nil {
		e.t.Fatal(err)
	}
	var k string
	var v int64
	if _, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error { out[k] = v; return nil }); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// dump is every row the sync writes, for comparing two syncs.
func (e *env) dump() string {
	e.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT row_to_json(p)::text FROM payouts p ORDER BY provider_id`,
		`SELECT row_to_json(l)::text FROM payout_lines l ORDER BY id`,
		`SELECT row_to_json(c)::text FROM creditor_entries c ORDER BY id`,
		`SELECT count(*)::text FROM audit_log WHERE action LIKE 'payout.%'`,
	} {
		rows, err := e.db.PoolForTests().Query(e.ctx, q)
		if err != nil {
			e.t.Fatal(err)
		}
		var s string
		if _, err := pgx.ForEachRow(rows, []any{&s}, func() error { b.WriteString(s + "\n"); return nil }); err != nil {
			e.t.Fatal(err)
		}
	}
	return b.String()
}

// costsBips is what Mollie says it withheld: Σ amountGross of every cost
// line of every period, in ten-thousandths.
func costsBips(t *testing.T, s mollie.Settlement) int64 {
	t.Helper()
	var sum int64
	for _, months := range s.Periods {
		for _, p := range months {
			for _, c := range p.Costs {
				v, err := money.ParseDecimal4(c.AmountGross.Value)
				if err != nil {
					t.Fatal(err)
				}
				sum += v
			}
		}
	}
	return sum
}

func lineSums(p collect.Payout) (all, feeCents, feeBips int64) {
	for _, l := range p.Lines {
		all += l.Amount
		if l.Kind == "fee" {
			feeCents += l.Amount
			feeBips += l.FeeBips
		}
	}
	return
}

// TestMollieSettlementReconciles: payments of two creditors, a partial
// refund and a chargeback, settled by the fake, synced: every line matched,
// fees kept at four decimals and booked per creditor, the payout
// reconciles exactly.
func TestMollieSettlementReconciles(t *testing.T) {
	e := newEnv(t)
	a1 := e.paid(0, 5000, "ideal")
	a2 := e.paid(0, 2500, "ideal")
	b1 := e.paid(1, 8000, "creditcard")
	b2 := e.paid(1, 1995, "ideal")
	refund, err := e.fake.Refund(a2.ProviderID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	chb, err := e.fake.Chargeback(b1.ProviderID, 8000)
	if err != nil {
		t.Fatal(err)
	}
	sid := e.settle()

	rep := e.sync(false)
	if len(rep.Payouts) != 1 || !rep.Payouts[0].Created || rep.Payouts[0].FeesBooked == 0 {
		t.Fatalf("report %+v", rep)
	}
	p, s := e.stored(sid)
	settled, _ := money.ParseDecimal(s.Amount.Value)
	if p.Provider != "mollie" || p.Amount != settled || p.Reference != s.Reference || !strings.HasPrefix(p.Reference, "1234567.") {
		t.Fatalf("payout %+v, settlement %+v", p, s)
	}
	if !p.Reconciled || p.Difference != 0 {
		t.Errorf("reconciled %v, difference %d; lines %+v", p.Reconciled, p.Difference, p.Lines)
	}
	byRef := map[string]collect.PayoutLine{}
	for _, l := range p.Lines {
		if !l.Matched {
			t.Errorf("unmatched line %+v", l)
		}
		if l.Kind != "fee" {
			byRef[l.ProviderRef] = l
		}
	}
	for _, want := range []struct {
		ref, kind string
		amount    int64
		ours      collect.Payment
	}{
		{a1.ProviderID, "payment", 5000, a1}, {a2.ProviderID, "payment", 2500, a2},
		{b1.ProviderID, "payment", 8000, b1}, {b2.ProviderID, "payment", 1995, b2},
		{refund, "refund", -1000, a2}, {chb, "chargeback", -8000, b1},
	} {
		l, ok := byRef[want.ref]
		if !ok || string(l.Kind) != want.kind || l.Amount != want.amount || l.PaymentID != want.ours.ID || l.CreditorID != want.ours.CreditorID {
			t.Errorf("line %s = %+v, want %s %d of payment %s", want.ref, l, want.kind, want.amount, want.ours.ID)
		}
	}

	// Fees: exact to the ten-thousandth, and the cents add up to what
	// Mollie withheld, so that all lines sum to the payout exactly.
	all, feeCents, feeBips := lineSums(p)
	if want := -costsBips(t, s); feeBips != want {
		t.Errorf("fee bips %d, want %d (Mollie's costs)", feeBips, want)
	}
	if all != p.Amount {
		t.Errorf("lines sum to %d, payout is %d", all, p.Amount)
	}
	for _, l := range p.Lines {
		if d := l.Amount*100 - l.FeeBips; l.Kind == "fee" && (d <= -100 || d >= 100) {
			t.Errorf("fee line %s: %d cents for %d bips", l.ProviderRef, l.Amount, l.FeeBips)
		}
	}
	if feeBips%100 == 0 {
		t.Errorf("the fees are round cents (%d bips): the test does not exercise four decimals", feeBips)
	}
	// Books: a fee is a debit to fees (+) and a credit to clearing (−),
	// per creditor, never anything on a debtor's ledger.
	books := e.entries()
	var fees int64
	for i, cr := range e.cr {
		var want int64
		for _, l := range p.Lines {
			if l.Kind == "fee" && l.CreditorID == cr.ID {
				want -= l.Amount
			}
		}
		if want <= 0 || books[cr.ID+" fees"] != want || books[cr.ID+" clearing:mollie"] != -want {
			t.Errorf("creditor %d books %v, want fees %d", i, books, want)
		}
		fees += want
	}
	if fees != -feeCents {
		t.Errorf("booked fees %d, fee lines %d", fees, feeCents)
	}
	var ledger int
	if err := e.db.PoolForTests().QueryRow(e.ctx, `SELECT count(*) FROM ledger_entries`).Scan(&ledger); err != nil || ledger != 0 {
		t.Errorf("ledger entries %d (%v): fees must never reach a debtor", ledger, err)
	}

	// Idempotent: a second sync skips the reconciled payout; a forced full
	// resync fetches everything again and still changes nothing.
	before := e.dump()
	if rep := e.sync(false); len(rep.Payouts) != 0 || rep.Skipped != 1 {
		t.Errorf("second sync %+v, want the payout skipped", rep)
	}
	rep = e.sync(true)
	if len(rep.Payouts) != 1 || rep.Payouts[0].Created || rep.Payouts[0].Changed || rep.Payouts[0].FeesBooked != 0 {
		t.Errorf("resync %+v, want nothing changed", rep)
	}
	if after := e.dump(); after != before {
		t.Errorf("resync changed rows:\nbefore %s\nafter  %s", before, after)
	}

	// The bank import marks it arrived: bank (+) against clearing (−) per
	// creditor, once.
	err = e.db.WithTx(e.ctx, func(tx pgx.Tx) error {
		if err := postgres.MarkPayoutArrivedTx(e.ctx, tx, p.ID, "", now); err != nil {
			return err
		}
		return postgres.MarkPayoutArrivedTx(e.ctx, tx, p.ID, "", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	books = e.entries()
	var bank int64
	for _, cr := range e.cr {
		bank += books[cr.ID+" bank"]
		// Every booking balances, and clearing is left owing exactly the
		// creditor's money the provider collected (the receipts themselves
		// are the ledger's, not booked here).
		if books[cr.ID+" bank"]+books[cr.ID+" clearing:mollie"]+books[cr.ID+" fees"] != 0 {
			t.Errorf("creditor books do not balance: %v", books)
		}
		var gross int64
		for _, l := range p.Lines {
			if l.Kind != "fee" && l.CreditorID == cr.ID {
				gross += l.Amount
			}
		}
		if books[cr.ID+" clearing:mollie"] != -gross {
			t.Errorf("clearing %d, want -%d", books[cr.ID+" clearing:mollie"], gross)
		}
	}
	if bank != p.Amount {
		t.Errorf("bank %d, payout %d", bank, p.Amount)
	}
	if got, _ := e.db.PayoutByReference(e.ctx, p.Reference); got.Status != "arrived" {
		t.Errorf("status %q after arrival", got.Status)
	}
}

// TestMollieUnknownPayment: a settlement line for a payment we do not know
// is listed unmatched, with its share of the fees, and the payout differs
// by exactly that payment's net.
func TestMollieUnknownPayment(t *testing.T) {
	e := newEnv(t)
	e.paid(0, 5000, "ideal")
	e.paid(1, 3000, "ideal")
	stranger := e.fakePaid(1234, "ideal")
	sid := e.settle()
	rep := e.sync(false)
	p, s := e.stored(sid)

	var unmatched []collect.PayoutLine
	for _, l := range p.Lines {
		if !l.Matched {
			unmatched = append(unmatched, l)
		}
	}
	if len(unmatched) != 2 || unmatched[0].Kind != "payment" || unmatched[0].ProviderRef != stranger || unmatched[0].Amount != 1234 ||
		unmatched[1].Kind != "fee" || !strings.HasSuffix(unmatched[1].ProviderRef, "/unattributed") || unmatched[1].CreditorID != "" {
		t.Fatalf("unmatched lines %+v", unmatched)
	}
	net := unmatched[0].Amount + unmatched[1].Amount
	if p.Reconciled || p.Difference != -net {
		t.Errorf("difference %d (reconciled %v), want -%d", p.Difference, p.Reconciled, net)
	}
	// Each creditor's fee share is one ideal transaction's fee: 0,29 plus
	// 21 % VAT = 0,3509.
	for _, l := range p.Lines {
		if l.Kind == "fee" && l.FeeBips != -3509 {
			t.Errorf("fee line %s: %d bips, want -3509", l.ProviderRef, l.FeeBips)
		}
	}
	if all, _, feeBips := lineSums(p); all != p.Amount || feeBips != -costsBips(t, s) {
		t.Errorf("lines sum to %d (payout %d), fee bips %d", all, p.Amount, feeBips)
	}
	if len(rep.Payouts) != 1 || len(rep.Payouts[0].Causes) != 2 || rep.Payouts[0].Unmatched != 2 {
		t.Errorf("report %+v", rep)
	}
	// The unattributed fee is booked on no creditor.
	books := e.entries()
	var fees int64
	for k, v := range books {
		if strings.HasSuffix(k, " fees") {
			fees += v
		}
	}
	if fees != -(lineFees(p) - unmatched[1].Amount) {
		t.Errorf("booked fees %d, want the attributed ones %d", fees, -(lineFees(p) - unmatched[1].Amount))
	}

	// Not reconciled, so the next sync fetches it again; still nothing changes.
	before := e.dump()
	if rep := e.sync(false); len(rep.Payouts) != 1 || rep.Payouts[0].Changed {
		t.Errorf("second sync %+v", rep)
	}
	if after := e.dump(); after != before {
		t.Errorf("second sync changed rows:\nbefore %s\nafter  %s", before, after)
	}

	// Arrival: each creditor's share against its clearing, the unexplained
	// rest (the stranger's net) on one creditor's "unexplained"; a bank
	// reversal undoes it all.
	arrive := func(f func(tx pgx.Tx) error) {
		t.Helper()
		if err := e.db.WithTx(e.ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	arrive(func(tx pgx.Tx) error { return postgres.MarkPayoutArrivedTx(e.ctx, tx, p.ID, "", now) })
	books = e.entries()
	var bank, unexplained int64
	for k, v := range books {
		switch {
		case strings.HasSuffix(k, " bank"):
			bank += v
		case strings.HasSuffix(k, " unexplained"):
			unexplained += v
		}
	}
	if bank != p.Amount || unexplained != -net {
		t.Errorf("after arrival bank %d (payout %d), unexplained %d (want -%d): %v", bank, p.Amount, unexplained, net, books)
	}
	arrive(func(tx pgx.Tx) error { return postgres.ReversePayoutArrivalTx(e.ctx, tx, p.ID, "", now) })
	arrive(func(tx pgx.Tx) error { return postgres.ReversePayoutArrivalTx(e.ctx, tx, p.ID, "", now) })
	after := e.entries()
	for k, v := range after {
		if (strings.HasSuffix(k, " bank") || strings.HasSuffix(k, " unexplained")) && v != 0 {
			t.Errorf("after the reversal %s = %d", k, v)
		}
	}
	if got, _ := e.db.PayoutByReference(e.ctx, p.Reference); got.Status != "expected" || got.ArrivedAt != nil {
		t.Errorf("after the reversal %+v", got)
	}
}

func lineFees(p collect.Payout) int64 {
	var s int64
	for _, l := range p.Lines {
		if l.Kind == "fee" {
			s += l.Amount
		}
	}
	return s
}

// TestMollieAmountDiffers: a matched payment whose settled amount differs
// from ours is listed as the cause, and the payout differs by the gap.
func TestMollieAmountDiffers(t *testing.T) {
	e := newEnv(t)
	a := e.paid(0, 5000, "ideal")
	if _, err := e.db.PoolForTests().Exec(e.ctx, `UPDATE payments SET amount_cents = 5100 WHERE id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	e.settle()
	rep := e.sync(false)
	if len(rep.Payouts) != 1 || rep.Payouts[0].Difference != 100 || len(rep.Payouts[0].Causes) != 1 ||
		rep.Payouts[0].Causes[0].Why != collect.CauseAmountDiffers || rep.Payouts[0].Causes[0].OurAmount != 5100 {
		t.Errorf("report %+v", rep)
	}
}

// TestMollieSettlementPages: more settlements than fit on one page are all
// synced, following _links.next.
func TestMollieSettlementPages(t *testing.T) {
	e := newEnv(t)
	e.pageLimit.Store(2)
	const n = 5
	for i := range n {
		e.paid(i%2, int64(1000+i), "ideal")
		e.settle()
	}
	rep := e.sync(false)
	if len(rep.Payouts) != n {
		t.Fatalf("synced %d payouts, want %d: %+v", len(rep.Payouts), n, rep)
	}
	if got := e.nextPages.Load(); got != 2 {
		t.Errorf("followed %d next links, want 2 (pages of 2, 2, 1)", got)
	}
	seen := map[string]bool{}
	for _, p := range rep.Payouts {
		if !p.Reconciled || seen[p.Reference] {
			t.Errorf("payout %+v (seen before: %v)", p, seen[p.Reference])
		}
		seen[p.Reference] = true
	}
}

// TestMollieNeedsAccessToken: with an API key instead of an organization
// access token the sync reports the refusal and stores nothing.
func TestMollieNeedsAccessToken(t *testing.T) {
	e := newEnv(t)
	e.paid(0, 5000, "ideal")
	e.settle()
	rep, err := casework.Payouts{DB: e.db, Mollie: e.pay}.Sync(e.ctx)
	if err == nil || len(rep.Errors) != 1 || len(rep.Payouts) != 0 {
		t.Fatalf("sync with an API key: %v, %+v", err, rep)
	}
}
