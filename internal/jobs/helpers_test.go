package jobs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/molliefake"
	"github.com/settle/settle/internal/pay/stripe"
	"github.com/settle/settle/internal/pay/stripemock"
	"github.com/settle/settle/internal/postgres"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// start is where every test's clock starts (apptest.Start). The invoices
// fall due in December, so no interest or costs run and amounts stay round.
var start = apptest.Start

const webhookSecret = "whsec_test"

// world is one test's database, Mollie fake, creditor, debtor and invoices.
type world struct {
	*apptest.Env
	fake    *molliefake.Fake
	fakeURL string
	// stripeURL is Stripe's API for the instances: stripe-mock behind a
	// proxy that answers what w.stripe holds.
	stripeURL string
	stripe    *stripemock.State
	cr        collect.Creditor
	d         collect.Debtor
	invs      []collect.Invoice
}

// openTotal is what the default invoices add up to.
const openTotal = 10000 + 25000 + 4000

// newWorld seeds one creditor, one debtor and invoices of cents (by
// default 100,00, 250,00 and 40,00).
func newWorld(t *testing.T, cents ...int64) *world {
	t.Helper()
	if len(cents) == 0 {
		cents = []int64{10000, 25000, 4000}
	}
	w := &world{Env: apptest.NewStore(t, start)}
	w.fake, w.fakeURL = apptest.StartMollieFake(t)
	w.fake.SetRetryDelays(20*time.Millisecond, 50*time.Millisecond)
	w.stripeURL, w.stripe = stripemock.StartWithState(t)

	w.cr = w.Creditor(collect.Creditor{Name: "Energie Noord B.V."}).Creditor
	birth := collect.Day(1980, 5, 31)
	w.d = w.Debtor(collect.Debtor{CreditorID: w.cr.ID, ExternalRef: "K-1", Name: "Jan Jansen", BirthDate: &birth,
		Address: collect.Address{HouseNumber: "12a"}})
	var total int64
	for i, c := range cents {
		total += c
		w.invs = append(w.invs, w.Invoice(collect.Invoice{
			CreditorID: w.cr.ID, DebtorID: w.d.ID, Number: "F-2026-00" + string(rune('1'+i)), Description: "Stroom",
			IssueDate: collect.Day(2026, 11, 2+i), DueDate: collect.Day(2026, 12, 2+i), Amount: c,
		}))
	}
	if got := w.statement().Total(); got != total {
		t.Fatalf("seeded open total = %d, want %d", got, total)
	}
	return w
}

// instance is one server process: its own pool, app, River client and listener.
type instance struct {
	w    *world
	db   *postgres.DB
	a    *app.App
	base string
	work bool
	once sync.Once
}

// instance builds the full app on its own pool and serves it on a real
// listener. With work, River's workers run until the test ends.
func (w *world) instance(work bool) *instance {
	w.T.Helper()
	ln, base := apptest.Listen(w.T)
	in := &instance{w: w, db: w.OpenDB(), base: base, work: work}
	cfg := config.Config{BaseURL: in.base, MollieAPIURL: w.fakeURL, MollieAPIKey: "test_x",
		StripeAPIURL: w.stripeURL, StripeKey: "sk_test_x", StripeWebhook: webhookSecret,
		IdealProvider: "mollie", CardProvider: "stripe"}
	in.a = w.BuildWith(in.db, cfg, app.Options{Work: work})
	apptest.Serve(w.T, in.a, ln)
	if work {
		in.start()
	}
	return in
}

// start runs the instance's River workers until the test ends.
func (in *instance) start() {
	in.w.T.Helper()
	if err := in.a.Start(in.w.Ctx); err != nil {
		in.w.T.Fatal(err)
	}
	in.once.Do(func() {
		in.w.T.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := in.a.Stop(ctx); err != nil {
				in.w.T.Errorf("stop river: %v", err)
			}
		})
	})
}

// mollie starts a Mollie iDEAL payment as the pay page does: our record
// first, then the checkout with in's webhook URL.
func (w *world) mollie(in *instance, amount int64, invoiceID string) collect.Payment {
	w.T.Helper()
	rec, err := w.DB.CreatePayment(w.Ctx, collect.Payment{CreditorID: w.cr.ID, DebtorID: w.d.ID, InvoiceID: invoiceID,
		Amount: amount, Provider: "mollie", Method: string(pay.IDEAL)})
	if err != nil {
		w.T.Fatal(err)
	}
	return apptest.MollieCheckout(w.T, in.a, w.DB, rec, in.base, "Energie Noord")
}

// stripePayment records a Stripe payment with a session id, as if the
// checkout had started (stripe-mock keeps no sessions; events drive the flow).
func (w *world) stripePayment(amount int64, invoiceID string, method pay.Method) collect.Payment {
	w.T.Helper()
	rec, err := w.DB.CreatePayment(w.Ctx, collect.Payment{CreditorID: w.cr.ID, DebtorID: w.d.ID, InvoiceID: invoiceID,
		Amount: amount, Provider: "stripe", Method: string(method)})
	if err != nil {
		w.T.Fatal(err)
	}
	rec.ProviderID = "cs_test_" + randomHex(8)
	if err := w.DB.StartCheckout(w.Ctx, rec.ID, pay.Checkout{ProviderID: rec.ProviderID, RedirectURL: "https://checkout.stripe.com/c/pay/" + rec.ProviderID}); err != nil {
		w.T.Fatal(err)
	}
	return rec
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sessionObject is a Checkout Session as Stripe puts it in an event.
func sessionObject(p collect.Payment, paymentStatus string) map[string]any {
	return map[string]any{
		"id": p.ProviderID, "object": "checkout.session", "client_reference_id": p.ID,
		"metadata": map[string]any{stripe.MetadataKey: p.ID}, "payment_status": paymentStatus,
		"amount_total": p.Amount, "currency": "eur", "payment_intent": "pi_" + p.ID[:8],
	}
}

// chargeObject is a charge as Stripe puts it in a charge.refunded event.
func chargeObject(p collect.Payment, refunded int64) map[string]any {
	return map[string]any{
		"id": "ch_" + p.ID[:8], "object": "charge", "metadata": map[string]any{stripe.MetadataKey: p.ID},
		"payment_intent": "pi_" + p.ID[:8], "amount": p.Amount, "amount_refunded": refunded,
		"refunded": refunded >= p.Amount, "currency": "eur",
	}
}

// event is a signed Stripe delivery.
type event struct {
	payload []byte
	header  string
}

func signed(typ string, object map[string]any) event {
	p, h := stripe.SignedEvent(webhookSecret, typ, object)
	return event{p, h}
}

// delivery is one webhook POST to one instance; it returns the HTTP status.
type delivery func(in *instance) (int, error)

func mollieHook(providerID string) delivery {
	return func(in *instance) (int, error) {
		resp, err := http.PostForm(in.base+"/webhooks/mollie", url.Values{"id": {providerID}})
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
}

func stripeHook(ev event) delivery {
	return func(in *instance) (int, error) {
		req, err := http.NewRequest(http.MethodPost, in.base+"/webhooks/stripe", bytes.NewReader(ev.payload))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Stripe-Signature", ev.header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
}

// times repeats each delivery n times.
func times(n int, ds ...delivery) []delivery {
	var out []delivery
	for _, d := range ds {
		for range n {
			out = append(out, d)
		}
	}
	return out
}

// deliver shuffles the deliveries, spreads them over the instances and
// sends them from workers goroutines at once. Every one must get 200.
func deliver(t *testing.T, ins []*instance, workers int, ds []delivery) {
	t.Helper()
	type job struct {
		d  delivery
		in *instance
	}
	jobs := make([]job, len(ds))
	for i, d := range ds {
		jobs[i] = job{d, ins[i%len(ins)]}
	}
	for i := len(jobs) - 1; i > 0; i-- {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		j := int(n.Int64())
		jobs[i], jobs[j] = jobs[j], jobs[i]
	}
	ch := make(chan job)
	var mu sync.Mutex
	var errs []string
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range ch {
				status, err := j.d(j.in)
				if err != nil || status != http.StatusOK {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("status %d err %v", status, err))
					mu.Unlock()
				}
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d deliveries not answered 200: %v", len(errs), len(jobs), errs)
	}
}

// settle waits until River has worked every booking job, and fails the
// test on a job that was given up.
func (w *world) settle() {
	w.T.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		var pending, discarded int
		err := w.DB.PoolForTests().QueryRow(w.Ctx, `SELECT
				count(*) FILTER (WHERE state NOT IN ('completed', 'cancelled', 'discarded')),
				count(*) FILTER (WHERE state IN ('cancelled', 'discarded'))
			FROM river_job WHERE kind IN ('sync_payment', 'stripe_event', 'stripe_events')`).Scan(&pending, &discarded)
		if err != nil {
			w.T.Fatal(err)
		}
		if discarded > 0 {
			w.T.Fatalf("%d booking jobs were given up", discarded)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			w.T.Fatalf("%d booking jobs still not done", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantEnqueuedOnce checks that the stripe_events jobs name want stored
// Stripe events, each once.
func (w *world) wantEnqueuedOnce(want int) {
	w.T.Helper()
	var total, distinct int
	err := w.DB.PoolForTests().QueryRow(w.Ctx, `SELECT count(*), count(DISTINCT w.id) FROM river_job j
			CROSS JOIN jsonb_array_elements_text(j.args->'event_row_ids') AS x (id)
			JOIN webhook_events w ON w.id = x.id::bigint
		WHERE j.kind = 'stripe_events'`).Scan(&total, &distinct)
	if err != nil {
		w.T.Fatal(err)
	}
	if total != want || distinct != want {
		w.T.Errorf("stripe_events jobs name %d stored events (%d distinct), want %d once each", total, distinct, want)
	}
}

// jobErrors counts booking job attempts that failed (and were retried).
func (w *world) jobErrors() int {
	w.T.Helper()
	var n int
	if err := w.DB.PoolForTests().QueryRow(w.Ctx, `SELECT coalesce(sum(cardinality(errors)), 0) FROM river_job
		WHERE kind IN ('sync_payment', 'stripe_event', 'stripe_events')`).Scan(&n); err != nil {
		w.T.Fatal(err)
	}
	return n
}

func (w *world) statement() collect.Statement {
	w.T.Helper()
	return w.Statement(w.cr.ID, w.d.ID)
}

func (w *world) payment(id string) collect.Payment {
	w.T.Helper()
	p, err := w.DB.PaymentByID(w.Ctx, id)
	if err != nil {
		w.T.Fatal(err)
	}
	return p
}

// booked is what the ledger holds for one payment.
type booked struct {
	keys      []string // distinct source keys of its payment entries
	paid      int64    // sum of its payment entries (positive)
	reversed  int64    // sum of its reversal entries (positive: money given back)
	reversals int      // reversal entries
}

func (w *world) booked(paymentID string) booked {
	w.T.Helper()
	var b booked
	err := w.DB.PoolForTests().QueryRow(w.Ctx, `SELECT
			coalesce(array_agg(DISTINCT source_key) FILTER (WHERE kind = 'payment'), '{}'),
			coalesce(-sum(amount_cents) FILTER (WHERE kind = 'payment'), 0),
			coalesce(sum(amount_cents) FILTER (WHERE kind = 'reversal'), 0),
			count(*) FILTER (WHERE kind = 'reversal')
		FROM ledger_entries WHERE payment_id = $1`, paymentID).Scan(&b.keys, &b.paid, &b.reversed, &b.reversals)
	if err != nil {
		w.T.Fatal(err)
	}
	return b
}

// wantBookedOnce checks that a payment is paid, booked once for amount, and
// became paid once in its history and its audit trail.
func (w *world) wantBookedOnce(p collect.Payment, amount int64) {
	w.T.Helper()
	got := w.payment(p.ID)
	if got.Status != pay.StatusPaid {
		w.T.Errorf("payment %s: status %s, want paid", p.ID, got.Status)
	}
	if got.PaidAt == nil {
		w.T.Errorf("payment %s: no paid_at", p.ID)
	}
	b := w.booked(p.ID)
	if b.paid != amount || len(b.keys) != 1 || b.keys[0] != "payment:"+p.ID {
		w.T.Errorf("payment %s: booked %d under %v, want %d once under payment:%s", p.ID, b.paid, b.keys, amount, p.ID)
	}
	var n int
	if err := w.DB.PoolForTests().QueryRow(w.Ctx, `SELECT count(*) FROM ledger_entries WHERE source_key = $1`, "payment:"+p.ID).Scan(&n); err != nil {
		w.T.Fatal(err)
	}
	if n == 0 {
		w.T.Errorf("payment %s: no ledger entries under its source key", p.ID)
	}
	w.wantTransitions(p.ID, pay.StatusPaid, 1)
	if err := w.DB.PoolForTests().QueryRow(w.Ctx, `SELECT count(*) FROM audit_log WHERE subject = $1 AND action = 'payment.paid'`, "payment:"+p.ID).Scan(&n); err != nil {
		w.T.Fatal(err)
	}
	if n != 1 {
		w.T.Errorf("payment %s: %d audit records for payment.paid, want 1", p.ID, n)
	}
}

// wantTransitions checks how often a payment's history moved to status.
func (w *world) wantTransitions(paymentID string, status pay.Status, want int) {
	w.T.Helper()
	hist, err := w.DB.PaymentHistory(w.Ctx, paymentID)
	if err != nil {
		w.T.Fatal(err)
	}
	n := 0
	for _, s := range hist {
		if s == status {
			n++
		}
	}
	if n != want {
		w.T.Errorf("payment %s: history %v moves to %s %d times, want %d", paymentID, hist, status, n, want)
	}
}

func (w *world) wantOpen(want int64) {
	w.T.Helper()
	st := w.statement()
	if st.Total() != want {
		w.T.Errorf("open total = %d, want %d (credit %d)", st.Total(), want, st.Credit)
	}
}

// stripeSession is what Stripe's API says about one payment's session.
type stripeSession struct {
	status        string // open, complete, expired
	paymentStatus string // paid, unpaid
	amount        int64  // amount_total; 0 means the payment's amount
	currency      string // "" means eur
	refunded      int64
	disputes      []map[string]any
}

// stripeSays sets what Stripe's API reports for p's session, its
// PaymentIntent pi_<first 8 of p.ID> and that intent's charge and disputes.
// Until then stripe-mock's fixture answers: a session open and unpaid.
func (w *world) stripeSays(p collect.Payment, s stripeSession) {
	w.T.Helper()
	if s.amount == 0 {
		s.amount = p.Amount
	}
	if s.currency == "" {
		s.currency = "eur"
	}
	pi, ch := "pi_"+p.ID[:8], "ch_"+p.ID[:8]
	meta := map[string]any{stripe.MetadataKey: p.ID}
	intent := stripemock.Object{"status": "requires_payment_method", "amount": s.amount, "currency": s.currency,
		"metadata": meta, "latest_charge": nil}
	if s.paymentStatus == "paid" {
		intent["status"], intent["latest_charge"] = "succeeded", ch
		w.stripe.Set(ch, stripemock.Object{"amount": s.amount, "currency": s.currency, "amount_refunded": s.refunded,
			"refunded": s.refunded >= s.amount, "disputed": len(s.disputes) > 0, "payment_intent": pi, "metadata": meta})
	}
	w.stripe.Set(pi, intent)
	w.stripe.Set(p.ProviderID, stripemock.Object{"status": s.status, "payment_status": s.paymentStatus,
		"amount_total": s.amount, "currency": s.currency, "client_reference_id": p.ID, "metadata": meta, "payment_intent": pi})
	w.stripe.SetList("/v1/disputes", "payment_intent", pi, s.disputes...)
}

// stripePaid is a session paid in full.
var stripePaid = stripeSession{status: "complete", paymentStatus: "paid"}

// cardPaidAtStripe records a card payment of amount on invoiceID whose
// session Stripe's API reports paid in full (no event has come yet).
func (w *world) cardPaidAtStripe(amount int64, invoiceID string) collect.Payment {
	w.T.Helper()
	p := w.stripePayment(amount, invoiceID, pay.Card)
	w.stripeSays(p, stripePaid)
	return p
}

// paidByCard starts two working instances and has Stripe report a card
// payment of amount on invoiceID paid, through their webhook, and booked.
func (w *world) paidByCard(amount int64, invoiceID string) ([]*instance, collect.Payment) {
	w.T.Helper()
	ins := []*instance{w.instance(true), w.instance(true)}
	p := w.cardPaidAtStripe(amount, invoiceID)
	deliver(w.T, ins, 1, []delivery{stripeHook(signed(stripe.EventSessionCompleted, sessionObject(p, "paid")))})
	w.settle()
	return ins, p
}

// disputeObject is a dispute of amount on p's charge as a Stripe event
// carries it, with our payment id in its metadata.
func disputeObject(p collect.Payment, amount int64, status string) map[string]any {
	return map[string]any{"id": "dp_" + p.ID[:8], "object": "dispute", "amount": amount, "status": status,
		"payment_intent": "pi_" + p.ID[:8], "metadata": map[string]any{stripe.MetadataKey: p.ID}}
}

// stripeDispute is a dispute on p's charge as Stripe's API lists it.
func stripeDispute(p collect.Payment, status string, amount int64) map[string]any {
	return map[string]any{"id": "dp_" + p.ID[:8], "object": "dispute", "amount": amount, "currency": "eur", "status": status,
		"payment_intent": "pi_" + p.ID[:8], "charge": "ch_" + p.ID[:8]}
}

// runRiver builds the job client on db with deps (db and a silent log
// filled in) and runs its workers until the test ends. It returns the
// client and the feed of jobs that completed or failed.
func runRiver(t *testing.T, db *postgres.DB, deps jobs.Deps) (*jobs.Client, <-chan *river.Event) {
	t.Helper()
	deps.DB = db
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	client, err := jobs.New(deps, db.RiverDriver(), true)
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := client.River.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	t.Cleanup(cancel)
	if err := client.River.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.River.Stop(stop)
	})
	return client, done
}

// waitJob waits at most within for the next job on done that is, and
// fails the test unless that job completed.
func waitJob(t *testing.T, done <-chan *river.Event, within time.Duration, is func(*rivertype.JobRow) bool) {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case ev := <-done:
			if !is(ev.Job) {
				continue
			}
			if ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("%s job %s: %v", ev.Job.Kind, ev.Kind, ev.Job.Errors)
			}
			return
		case <-timeout:
			t.Fatalf("no such job ended within %v", within)
		}
	}
}
