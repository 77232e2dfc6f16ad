package jobs_test

import (
	"bytes"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/postgres"
)

// payments is the booking use cases over in's dependencies, logging to log
// (nil: the instance's log).
func (in *instance) payments(log *slog.Logger) *casework.Payments {
	d := in.a.JobDeps
	if log == nil {
		log = d.Log
	}
	return &casework.Payments{DB: d.DB, Providers: d.Providers, BaseURL: d.BaseURL, ParseStripe: d.ParseStripe, Log: log}
}

// stripePaymentOf is stripePayment for another debtor of the creditor.
func (w *world) stripePaymentOf(d collect.Debtor, amount int64, invoiceID string) collect.Payment {
	w.T.Helper()
	rec, err := w.DB.CreatePayment(w.Ctx, collect.Payment{CreditorID: w.cr.ID, DebtorID: d.ID, InvoiceID: invoiceID,
		Amount: amount, Provider: "stripe", Method: string(pay.Card)})
	if err != nil {
		w.T.Fatal(err)
	}
	rec.ProviderID = "cs_test_" + randomHex(8)
	if err := w.DB.StartCheckout(w.Ctx, rec.ID, pay.Checkout{ProviderID: rec.ProviderID, RedirectURL: "https://checkout.stripe.com/c/pay/" + rec.ProviderID}); err != nil {
		w.T.Fatal(err)
	}
	return rec
}

// twin is a second debtor of the creditor with invoices like w.d's.
func (w *world) twin() (collect.Debtor, []collect.Invoice) {
	w.T.Helper()
	d := w.Debtor(collect.Debtor{CreditorID: w.cr.ID, ExternalRef: "K-2", Name: "Piet Jansen", Address: collect.Address{HouseNumber: "14"}})
	var invs []collect.Invoice
	for _, inv := range w.invs {
		invs = append(invs, w.Invoice(collect.Invoice{CreditorID: w.cr.ID, DebtorID: d.ID, Number: inv.Number + "-B", Description: inv.Description,
			IssueDate: inv.IssueDate, DueDate: inv.DueDate, Amount: inv.Amount}))
	}
	return d, invs
}

// store delivers ev to in (no workers) and returns the stored event's row.
func (w *world) store(in *instance, ev event) int64 {
	w.T.Helper()
	deliver(w.T, []*instance{in}, 1, []delivery{stripeHook(ev)})
	var id int64
	if err := w.DB.PoolForTests().QueryRow(w.Ctx, `SELECT max(id) FROM webhook_events`).Scan(&id); err != nil {
		w.T.Fatal(err)
	}
	return id
}

// dump is what one debtor's bookings wrote, as text in order, for comparing.
func (w *world) dump(debtorID string) []string {
	w.T.Helper()
	var out []string
	for _, q := range []string{
		`SELECT 'ledger ' || concat_ws(' ', invoice_id, account, kind, amount_cents, booked_on, source_key, memo, payment_id)
			FROM ledger_entries WHERE debtor_id = $1 ORDER BY booked_on, id`,
		`SELECT 'payment ' || concat_ws(' ', id, status, amount_cents, refunded_cents, charged_back_cents, paid_at IS NOT NULL, fetch_seq > 0, provider_id)
			FROM payments WHERE debtor_id = $1 ORDER BY amount_cents`,
		`SELECT 'history ' || concat_ws(' ', h.payment_id, h.from_status, h.to_status, h.source)
			FROM payment_status_history h JOIN payments p ON p.id = h.payment_id WHERE p.debtor_id = $1 ORDER BY h.id`,
		`SELECT 'audit ' || concat_ws(' ', actor, action, subject, before, after) FROM audit_log
			WHERE debtor_id = $1 AND subject LIKE 'payment:%' ORDER BY id`,
		`SELECT 'event ' || concat_ws(' ', type, data) FROM events WHERE debtor_id = $1 ORDER BY seq`,
		`SELECT 'refused ' || concat_ws(' ', r.payment_id, r.event_id, r.event_type, r.reason, r.deliveries)
			FROM refused_provider_events r JOIN payments p ON p.id = r.payment_id WHERE p.debtor_id = $1 ORDER BY r.id`,
	} {
		rows, err := w.DB.PoolForTests().Query(w.Ctx, q, debtorID)
		if err != nil {
			w.T.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			w.T.Fatal(err)
		}
		out = append(out, lines...)
	}
	return out
}

// fetchNumber stands for the fetch number in a reversal's source key,
// which differs between two runs of the same events.
var fetchNumber = regexp.MustCompile(`#[0-9]+`)

// TestBatchEqualsSingle applies the same Stripe events to two debtors with
// the same invoices and payments: one by one (ApplyStripeEvent) for the
// first, as one batch (ApplyStripeEvents) for the second. The batch holds
// two events of one payment, an event of a payment booked before and that
// booked event itself again, a refund and a chargeback (money going back
// in the middle of the batch's bookings), an answer in another currency
// (refused) and a payment still open. Both debtors' ledgers, payments,
// history, audit records, events and refusals must be the same.
func TestBatchEqualsSingle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	in := w.instance(false) // stores events and jobs; no worker runs them
	d2, invs2 := w.twin()
	type debtor struct {
		d    collect.Debtor
		invs []collect.Invoice
		ps   []collect.Payment
		pre  []int64 // events applied one by one before, for both
		ids  []int64 // the events applied one by one or as a batch
	}
	ds := []*debtor{{d: w.d, invs: w.invs}, {d: d2, invs: invs2}}
	for _, x := range ds {
		x.ps = []collect.Payment{
			w.stripePaymentOf(x.d, 4000, x.invs[2].ID),  // 0: paid, two events
			w.stripePaymentOf(x.d, 10000, x.invs[0].ID), // 1: paid before the batch
			w.stripePaymentOf(x.d, 5000, ""),            // 2: paid and partly refunded
			w.stripePaymentOf(x.d, 3000, x.invs[1].ID),  // 3: paid before, then disputed
			w.stripePaymentOf(x.d, 2000, ""),            // 4: Stripe answers in dollars
			w.stripePaymentOf(x.d, 1000, ""),            // 5: still open
		}
		p := x.ps
		for _, i := range []int{0, 1, 3} {
			w.stripeSays(p[i], stripePaid)
		}
		w.stripeSays(p[5], stripeSession{status: "open", paymentStatus: "unpaid"})
		w.stripeSays(p[4], stripeSession{status: "complete", paymentStatus: "paid", currency: "usd"})
		x.pre = []int64{
			w.store(in, signed(stripe.EventSessionCompleted, sessionObject(p[1], "paid"))),
			w.store(in, signed(stripe.EventSessionCompleted, sessionObject(p[3], "paid"))),
		}
	}
	for _, x := range ds {
		for _, id := range x.pre {
			if err := in.payments(nil).ApplyStripeEvent(w.Ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, x := range ds {
		p := x.ps
		w.stripeSays(p[2], stripeSession{status: "complete", paymentStatus: "paid", refunded: 1500})
		w.stripeSays(p[3], stripeSession{status: "complete", paymentStatus: "paid",
			disputes: []map[string]any{stripeDispute(p[3], "needs_response", 3000)}})
		x.ids = []int64{
			w.store(in, signed(stripe.EventSessionCompleted, sessionObject(p[0], "paid"))),
			w.store(in, signed(stripe.EventChargeRefunded, chargeObject(p[2], 1500))),
			w.store(in, signed(stripe.EventSessionAsyncSucceeded, sessionObject(p[1], "paid"))),
			x.pre[0], // a retried job: booked already
			w.store(in, signed(stripe.EventDisputeCreated, disputeObject(p[3], 3000, "needs_response"))),
			w.store(in, signed(stripe.EventSessionAsyncSucceeded, sessionObject(p[0], "paid"))),
			w.store(in, signed(stripe.EventSessionCompleted, sessionObject(p[4], "paid"))),
			w.store(in, signed(stripe.EventSessionCompleted, sessionObject(p[5], "unpaid"))),
		}
	}
	for _, id := range ds[0].ids {
		if err := in.payments(nil).ApplyStripeEvent(w.Ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	if err := in.payments(slog.New(slog.NewTextHandler(&logs, nil))).ApplyStripeEvents(w.Ctx, ds[1].ids); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "one by one") {
		t.Errorf("the batch fell back to one event at a time:\n%s", logs.String())
	}

	// What the batch did, in plain terms.
	b := ds[1].ps
	w.wantBookedOnce(b[0], 4000)
	w.wantBookedOnce(b[1], 10000)
	if got, bk := w.payment(b[2].ID), w.booked(b[2].ID); got.Status != pay.StatusPaid || got.Refunded != 1500 || bk.paid != 5000 || bk.reversed != 1500 {
		t.Errorf("refunded payment: status %s, refunded %d, booked %d, reversed %d", got.Status, got.Refunded, bk.paid, bk.reversed)
	}
	if got, bk := w.payment(b[3].ID), w.booked(b[3].ID); got.Status != pay.StatusChargedBack || got.ChargedBack != 3000 || bk.reversed != 3000 {
		t.Errorf("disputed payment: status %s, charged back %d, reversed %d", got.Status, got.ChargedBack, bk.reversed)
	}
	if got, bk := w.payment(b[4].ID), w.booked(b[4].ID); got.Status != pay.StatusOpen || bk.paid != 0 {
		t.Errorf("payment answered in dollars: status %s, booked %d", got.Status, bk.paid)
	}
	if n := w.Count(`SELECT count(*) FROM refused_provider_events WHERE payment_id = $1`, b[4].ID); n != 1 {
		t.Errorf("%d refusals for the payment answered in dollars, want 1", n)
	}
	if got := w.payment(b[5].ID); got.Status != pay.StatusOpen {
		t.Errorf("open payment: status %s", got.Status)
	}

	// The same, row for row, as one event at a time.
	var pairs []string
	for i := range ds[0].ps {
		a, b := ds[0].ps[i], ds[1].ps[i]
		pairs = append(pairs, b.ID, a.ID, b.ProviderID, a.ProviderID, b.ID[:8], a.ID[:8])
	}
	for i := range ds[0].invs {
		pairs = append(pairs, ds[1].invs[i].ID, ds[0].invs[i].ID, ds[1].invs[i].Number, ds[0].invs[i].Number)
	}
	events := func(ids []int64) []string {
		rows, err := w.DB.PoolForTests().Query(w.Ctx, `SELECT event_id FROM webhook_events WHERE id = ANY($1) ORDER BY array_position($1, id)`, ids)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	ea, eb := events(append(slices.Clone(ds[0].pre), ds[0].ids...)), events(append(slices.Clone(ds[1].pre), ds[1].ids...))
	for i := range ea {
		pairs = append(pairs, eb[i], ea[i])
	}
	pairs = append(pairs, d2.ID, w.d.ID)
	same := strings.NewReplacer(pairs...)
	one, batch := w.dump(w.d.ID), w.dump(d2.ID)
	for _, kind := range []string{"ledger", "payment", "history", "audit", "event", "refused"} {
		if !slices.ContainsFunc(one, func(l string) bool { return strings.HasPrefix(l, kind+" ") }) {
			t.Fatalf("one by one wrote no %s rows:\n%s", kind, strings.Join(one, "\n"))
		}
	}
	for i := range max(len(one), len(batch)) {
		var x, y string
		if i < len(one) {
			x = fetchNumber.ReplaceAllString(one[i], "#n")
		}
		if i < len(batch) {
			y = fetchNumber.ReplaceAllString(same.Replace(batch[i]), "#n")
		}
		if x != y {
			t.Errorf("row %d:\n  one by one: %s\n  batch:      %s", i, x, y)
		}
	}
}

// TestBatchOlderFetch: in a batch, a state fetched before the one applied
// last (a smaller fetch number) changes nothing, also when it comes after
// it in the same batch, while the other payments of the batch are booked.
func TestBatchOlderFetch(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := w.stripePaymentOf(w.d, 4000, w.invs[2].ID)
	q := w.stripePaymentOf(w.d, 10000, w.invs[0].ID)
	fetch := func(id string) int64 {
		f, err := w.DB.PaymentToFetch(w.Ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return f.Seq
	}
	older, newer, forQ := fetch(p.ID), fetch(p.ID), fetch(q.ID)
	paid := func(p collect.Payment, refunded int64) pay.State {
		return pay.State{ProviderID: p.ProviderID, Status: pay.StatusPaid, Amount: p.Amount, Currency: "EUR", Refunded: refunded}
	}
	changed, err := w.DB.ApplyFetchedStates(w.Ctx, []postgres.FetchedState{
		{PaymentID: p.ID, State: paid(p, 0), Seq: newer, Source: "newer"},
		{PaymentID: q.ID, State: paid(q, 0), Seq: forQ, Source: "q"},
		{PaymentID: p.ID, State: paid(p, 4000), Seq: older, Source: "older"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, []bool{true, true, false}) {
		t.Errorf("changed %v, want [true true false]", changed)
	}
	w.wantBookedOnce(p, 4000)
	w.wantBookedOnce(q, 10000)
	if got := w.payment(p.ID); got.Refunded != 0 {
		t.Errorf("the older answer's refund was applied: refunded %d", got.Refunded)
	}
	if n := w.Count(`SELECT fetch_seq FROM payments WHERE id = $1`, p.ID); int64(n) != newer {
		t.Errorf("fetch_seq %d, want %d", n, newer)
	}
	// The same older answer alone changes nothing either.
	again, err := w.DB.ApplyFetchedStates(w.Ctx, []postgres.FetchedState{{PaymentID: p.ID, State: paid(p, 4000), Seq: older, Source: "older"}})
	if err != nil || !slices.Equal(again, []bool{false}) {
		t.Errorf("older answer alone: changed %v, err %v", again, err)
	}
	w.wantOpen(openTotal - 14000)
}

// TestBatchesOverlap: batches over the same payments and debtors run at
// the same time, again and again; none waits for another in a cycle (no
// batch falls back to one event at a time, which a deadlock would cause),
// and every payment is booked once.
func TestBatchesOverlap(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	in := w.instance(false)
	d2, invs2 := w.twin()
	var ps []collect.Payment
	var ids []int64
	for i := range 8 {
		d, invs := w.d, w.invs
		if i%2 == 1 {
			d, invs = d2, invs2
		}
		p := w.stripePaymentOf(d, int64(500+100*i), invs[i%3].ID)
		w.stripeSays(p, stripePaid)
		ps = append(ps, p)
		ids = append(ids, w.store(in, signed(stripe.EventSessionCompleted, sessionObject(p, "paid"))))
	}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	batches := [][]int64{ids[:6], ids[2:], slices.Concat(ids[5:], ids[:3]), ids}
	var wg sync.WaitGroup
	errs := make(chan error, len(batches)*3)
	for range 3 {
		for _, b := range batches {
			wg.Go(func() { errs <- in.payments(log).ApplyStripeEvents(w.Ctx, b) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if s := logs.String(); strings.Contains(s, "one by one") {
		t.Errorf("a batch fell back to one event at a time:\n%s", s)
	}
	for _, p := range ps {
		w.wantBookedOnce(p, p.Amount)
	}
}

// syncBuffer is a log buffer for many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// batchWithPoison stores, through in, the paid events of three payments:
// p (100,00) and q (40,00) can be booked; bad, between them, cannot (its
// record names another creditor's debtor). ids are the events' rows, in
// that order.
func (w *world) batchWithPoison(in *instance) (p, bad, q collect.Payment, ids []int64) {
	t := w.T
	t.Helper()
	other := w.Creditor(collect.Creditor{Name: "Water Zuid B.V."}).Creditor
	p = w.cardPaidAtStripe(10000, w.invs[0].ID)
	bad, err := w.DB.CreatePayment(w.Ctx, collect.Payment{CreditorID: other.ID, DebtorID: w.d.ID, Amount: 2000, Provider: "stripe", Method: string(pay.Card)})
	if err != nil {
		t.Fatal(err)
	}
	bad.ProviderID = "cs_test_" + randomHex(8)
	if err := w.DB.StartCheckout(w.Ctx, bad.ID, pay.Checkout{ProviderID: bad.ProviderID, RedirectURL: "https://checkout.stripe.com/c/pay/" + bad.ProviderID}); err != nil {
		t.Fatal(err)
	}
	w.stripeSays(bad, stripePaid)
	q = w.cardPaidAtStripe(4000, w.invs[2].ID)
	ids = []int64{
		w.store(in, signed(stripe.EventSessionCompleted, sessionObject(p, "paid"))),
		w.store(in, signed(stripe.EventSessionCompleted, sessionObject(bad, "paid"))),
		w.store(in, signed(stripe.EventSessionCompleted, sessionObject(q, "paid"))),
	}
	return p, bad, q, ids
}

// TestBatchPoisonEvent: one payment of a batch cannot be booked (its
// record names another creditor's debtor); the batch's transaction fails,
// each state is then applied alone: the others are booked and the error
// names only that event. A retry books nothing twice.
func TestBatchPoisonEvent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	in := w.instance(false)
	p, bad, q, ids := w.batchWithPoison(in)
	var badID string
	if err := w.DB.PoolForTests().QueryRow(w.Ctx, `SELECT event_id FROM webhook_events WHERE id = $1`, ids[1]).Scan(&badID); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ps := in.payments(slog.New(slog.NewTextHandler(&logs, nil)))
	for range 2 {
		err := ps.ApplyStripeEvents(w.Ctx, ids)
		if err == nil || !strings.Contains(err.Error(), badID) || strings.Count(err.Error(), "stripe event ") != 1 {
			t.Errorf("error %v, want one naming only %s", err, badID)
		}
		w.wantBookedOnce(p, 10000)
		w.wantBookedOnce(q, 4000)
	}
	if !strings.Contains(logs.String(), "one by one") {
		t.Errorf("the batch did not fall back to one at a time:\n%s", logs.String())
	}
	if got, bk := w.payment(bad.ID), w.booked(bad.ID); got.Status != pay.StatusOpen || bk.paid != 0 {
		t.Errorf("the bad payment: status %s, booked %d", got.Status, bk.paid)
	}
	w.wantOpen(openTotal - 14000)
}

// TestBatchRetriesFailedEventsAlone: a stripe_events job of which one
// event fails books the others, hands the failed one to a stripe_event job
// of its own and is done, so a retry fetches only that one again.
func TestBatchRetriesFailedEventsAlone(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	in := w.instance(false)
	p, bad, q, ids := w.batchWithPoison(in)
	// The three events in one job, as one group commit enqueues them.
	if _, err := w.DB.PoolForTests().Exec(w.Ctx, `DELETE FROM river_job WHERE kind = 'stripe_events'`); err != nil {
		t.Fatal(err)
	}
	if _, err := in.a.Jobs.River.Insert(w.Ctx, jobs.StripeEventsArgs{EventRowIDs: ids}, nil); err != nil {
		t.Fatal(err)
	}
	w.instance(true)
	deadline := time.Now().Add(45 * time.Second)
	for w.Count(`SELECT count(*) FROM river_job WHERE kind = 'stripe_events' AND state = 'completed'`) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the stripe_events job did not complete")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var alone []int64
	rows, err := w.DB.PoolForTests().Query(w.Ctx, `SELECT (args->>'event_row_id')::bigint FROM river_job WHERE kind = 'stripe_event'`)
	if err != nil {
		t.Fatal(err)
	}
	if alone, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(alone, []int64{ids[1]}) {
		t.Errorf("stripe_event jobs for rows %v, want only the failed %d", alone, ids[1])
	}
	w.wantBookedOnce(p, 10000)
	w.wantBookedOnce(q, 4000)
	if got, bk := w.payment(bad.ID), w.booked(bad.ID); got.Status != pay.StatusOpen || bk.paid != 0 {
		t.Errorf("the bad payment: status %s, booked %d", got.Status, bk.paid)
	}
}

// TestBatchCrashAfterCommit: a stripe_events job's transaction commits and
// its process dies before River marks the job completed; the job runs
// again elsewhere and books nothing twice.
func TestBatchCrashAfterCommit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	dead := w.instance(false)
	p := w.cardPaidAtStripe(10000, w.invs[0].ID)
	q := w.cardPaidAtStripe(4000, w.invs[2].ID)
	deliver(t, []*instance{dead}, 1, []delivery{
		stripeHook(signed(stripe.EventSessionCompleted, sessionObject(p, "paid"))),
		stripeHook(signed(stripe.EventSessionCompleted, sessionObject(q, "paid"))),
	})
	var jobIDs [][]int64
	rows, err := w.DB.PoolForTests().Query(w.Ctx, `SELECT args->'event_row_ids' FROM river_job WHERE kind = 'stripe_events' AND state = 'available' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	if jobIDs, err = pgx.CollectRows(rows, pgx.RowTo[[]int64]); err != nil {
		t.Fatal(err)
	}
	w.wantEnqueuedOnce(2)
	// The job's work commits, and the process dies before River marks the
	// job completed: the job is still there to run again.
	for _, ids := range jobIDs {
		if err := dead.payments(nil).ApplyStripeEvents(w.Ctx, ids); err != nil {
			t.Fatal(err)
		}
	}
	w.wantBookedOnce(p, 10000)
	w.wantBookedOnce(q, 4000)

	w.instance(true) // another process runs the job again
	w.settle()
	if n := w.Count(`SELECT count(*) FROM river_job WHERE kind = 'stripe_events' AND state = 'completed'`); n != len(jobIDs) {
		t.Errorf("%d of %d stripe_events jobs completed", n, len(jobIDs))
	}
	w.wantBookedOnce(p, 10000)
	w.wantBookedOnce(q, 4000)
	w.wantOpen(openTotal - 14000)
	if n := w.Count(`SELECT count(*) FROM events WHERE type = 'payment.booked'`); n != 2 {
		t.Errorf("%d payment.booked events, want 2", n)
	}
}

// TestStripeEventJobStillRuns: a stripe_event job (one event, the kind the
// webhook enqueued before stripe_events) still books its event.
func TestStripeEventJobStillRuns(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	old := w.instance(false)
	p := w.cardPaidAtStripe(10000, w.invs[0].ID)
	ev := signed(stripe.EventSessionCompleted, sessionObject(p, "paid"))
	parsed, err := stripe.ParseWebhook(ev.payload, ev.header, webhookSecret)
	if err != nil {
		t.Fatal(err)
	}
	err = old.db.StoreWebhookEvent(w.Ctx, postgres.WebhookEvent{Provider: "stripe", EventID: parsed.ID, EventType: parsed.Type, PaymentID: p.ID, Payload: ev.payload},
		func(tx pgx.Tx, rowID int64, _ bool) error {
			_, err := old.a.Jobs.River.InsertTx(w.Ctx, tx, jobs.StripeEventArgs{EventRowID: rowID}, nil)
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	w.instance(true)
	w.settle()
	if n := w.Count(`SELECT count(*) FROM river_job WHERE kind = 'stripe_event' AND state = 'completed'`); n != 1 {
		t.Errorf("%d stripe_event jobs completed, want 1", n)
	}
	w.wantBookedOnce(p, 10000)
}

// TestBatchUnreadableEvent: a stored event that cannot be read is given up
// (logged) without failing the batch; the other events are booked and the
// job is done (a retry would read the same bytes).
func TestBatchUnreadableEvent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	in := w.instance(false)
	p := w.cardPaidAtStripe(10000, w.invs[0].ID)
	var bad int64
	err := w.DB.StoreWebhookEvent(w.Ctx, postgres.WebhookEvent{Provider: "stripe", EventID: "evt_unreadable", EventType: stripe.EventSessionCompleted,
		PaymentID: p.ID, Payload: []byte(`{"id": "evt_unreadable", "type": "checkout.session.completed"}`)},
		func(_ pgx.Tx, rowID int64, _ bool) error { bad = rowID; return nil })
	if err != nil {
		t.Fatal(err)
	}
	good := w.store(in, signed(stripe.EventSessionCompleted, sessionObject(p, "paid")))
	var logs bytes.Buffer
	if err := in.payments(slog.New(slog.NewTextHandler(&logs, nil))).ApplyStripeEvents(w.Ctx, []int64{bad, good}); err != nil {
		t.Fatalf("batch with an unreadable event: %v", err)
	}
	if !strings.Contains(logs.String(), "evt_unreadable") {
		t.Errorf("the unreadable event was not logged:\n%s", logs.String())
	}
	w.wantBookedOnce(p, 10000)
}
