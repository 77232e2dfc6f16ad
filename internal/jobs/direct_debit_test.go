package jobs_test

import (
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/molliefake"
)

// directDebitPlan approves a plan of the whole open total in three
// monthly parts, the first due today, and sets up its direct debit as the
// plan page does: the first part is paid by iDEAL at the fake (a first
// payment, whose webhook reaches in), which gives the mandate.
func (w *world) directDebitPlan(in *instance) (collect.Plan, collect.Payment) {
	w.T.Helper()
	pl, err := w.DB.ProposePlan(w.Ctx, collect.ProposePlan(collect.Plan{CreditorID: w.cr.ID, DebtorID: w.d.ID, Total: openTotal, Months: 3,
		FirstDue: w.DB.Today()}, collect.PlanCheck{Inside: true}, true, w.DB.Now()))
	if err != nil || pl.Status != collect.PlanApproved {
		w.T.Fatalf("plan %+v: %v", pl, err)
	}
	redirect, err := in.a.Portal.Pay.StartDirectDebit(w.Ctx, w.cr, w.d.ID, "Energie Noord, deel 1")
	if err != nil || redirect == "" {
		w.T.Fatalf("start direct debit: %q %v", redirect, err)
	}
	m, ok, err := casework.DirectDebitOf(w.Ctx, w.DB, w.cr.ID, w.d.ID)
	if err != nil || !ok || m.Status != collect.MandatePending || m.CustomerID == "" {
		w.T.Fatalf("mandate before paying: %+v %v %v", m, ok, err)
	}
	first := w.payment(m.FirstPaymentID)
	fp, _ := w.fake.Payment(first.ProviderID)
	if fp.SequenceType != "first" || fp.CustomerID != m.CustomerID || fp.AmountCents != pl.Instalments[0].Amount || first.InstalmentID != pl.Instalments[0].ID {
		w.T.Fatalf("first payment at Mollie %+v, ours %+v", fp, first)
	}
	if err := w.fake.SetStatus(first.ProviderID, "paid"); err != nil {
		w.T.Fatal(err)
	}
	w.wantDelivered(first.ProviderID)
	w.settle()
	w.wantBookedOnce(first, pl.Instalments[0].Amount)
	m, _, _ = casework.DirectDebitOf(w.Ctx, w.DB, w.cr.ID, w.d.ID)
	mandates := w.fake.Mandates(m.CustomerID)
	if m.Status != collect.MandateValid || len(mandates) != 1 || m.MandateID != mandates[0].ID {
		w.T.Fatalf("mandate after the first payment: ours %+v, Mollie's %+v", m, mandates)
	}
	return pl, first
}

// collectRun runs the periodic direct debit job once through River and
// waits until it and the syncs it caused are done.
func (w *world) collectRun(in *instance) {
	w.T.Helper()
	before := w.Count(`SELECT count(*) FROM river_job WHERE kind = 'direct_debits' AND state = 'completed'`)
	if err := in.a.Jobs.KickDirectDebits(w.Ctx); err != nil {
		w.T.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for w.Count(`SELECT count(*) FROM river_job WHERE kind = 'direct_debits' AND state = 'completed'`) == before {
		if time.Now().After(deadline) {
			w.T.Fatal("the direct debit job did not complete")
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.settle()
}

// recurring are the fake's recurring payments.
func (w *world) recurring() []molliefake.Payment {
	var out []molliefake.Payment
	for _, p := range w.fake.Payments() {
		if p.SequenceType == "recurring" {
			out = append(out, p)
		}
	}
	return out
}

// TestDirectDebitCollectsOnce: the plan's second part is collected on its
// due date, not before, as one recurring payment on the mandate; Mollie's
// webhook books it once against the instalment, and further runs and
// replayed webhooks charge and book nothing more.
func TestDirectDebitCollectsOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := w.instance(true), w.instance(true)
	pl, _ := w.directDebitPlan(a)

	second := pl.Instalments[1]
	w.Clock.Set(second.Due.Add(-12 * time.Hour)) // the evening before, Dutch time
	w.collectRun(a)
	if n := len(w.recurring()); n != 0 {
		t.Fatalf("%d recurring payments before the due date", n)
	}

	w.Clock.Set(second.Due.Add(9 * time.Hour))
	w.collectRun(a)
	w.collectRun(b)
	rec := w.recurring()
	if len(rec) != 1 {
		t.Fatalf("%d recurring payments on the due date, want 1", len(rec))
	}
	m, _, _ := casework.DirectDebitOf(w.Ctx, w.DB, w.cr.ID, w.d.ID)
	if rec[0].AmountCents != second.Amount || rec[0].CustomerID != m.CustomerID || rec[0].MandateID != m.MandateID || rec[0].Status != "pending" || rec[0].Method != "directdebit" {
		t.Fatalf("recurring payment %+v", rec[0])
	}
	ours, err := w.DB.PaymentByProviderID(w.Ctx, "mollie", rec[0].ID)
	if err != nil || ours.InstalmentID != second.ID || ours.Method != string(pay.DirectDebit) || ours.Status != pay.StatusPending {
		t.Fatalf("our payment %+v: %v", ours, err)
	}
	// While the bank collects, the part is not missed.
	if _, err := casework.FollowUpDayAfter(w.Ctx, w.DB, second.Due.AddDate(0, 0, 2)); err != nil {
		t.Fatal(err)
	}
	if n := w.missedTasks(second); n != 0 {
		t.Fatalf("%d missed-instalment tasks while the debit is pending", n)
	}

	openBefore := w.statement().Total()
	if err := w.fake.SetStatus(rec[0].ID, "paid"); err != nil {
		t.Fatal(err)
	}
	w.wantDelivered(rec[0].ID)
	w.settle()
	deliver(t, []*instance{a, b}, 4, times(5, mollieHook(rec[0].ID)))
	w.settle()
	w.collectRun(b)
	w.wantBookedOnce(ours, second.Amount)
	if n := len(w.recurring()); n != 1 {
		t.Fatalf("%d recurring payments after replays and another run, want 1", n)
	}
	plans, _ := w.DB.Plans(w.Ctx, w.cr.ID, w.d.ID)
	if got := plans[0].Instalments[1]; got.Paid != second.Amount {
		t.Fatalf("second part paid %d, want %d", got.Paid, second.Amount)
	}
	w.wantOpen(openBefore - second.Amount)
}

// TestDirectDebitCrashBetweenCallAndStore: the run recorded the
// collection and Mollie created the payment, but the process died before
// storing Mollie's answer. The next run asks again with the same
// Idempotency-Key: Mollie returns the same payment, nobody is charged twice.
func TestDirectDebitCrashBetweenCallAndStore(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.instance(true)
	pl, _ := w.directDebitPlan(a)
	second := pl.Instalments[1]
	w.Clock.Set(second.Due.Add(9 * time.Hour))

	m, _, _ := casework.DirectDebitOf(w.Ctx, w.DB, w.cr.ID, w.d.ID)
	p, fresh, err := w.DB.StartDirectDebit(w.Ctx, m, collect.Debit{Instalment: second, Amount: second.Amount})
	if err != nil || !fresh {
		t.Fatalf("record the collection: %v %v", fresh, err)
	}
	prov := a.a.Providers.Default["mollie"].(pay.Recurring)
	lost, err := prov.Collect(w.Ctx, pay.CollectRequest{PaymentID: p.ID, Amount: p.Amount, CustomerID: m.CustomerID, MandateID: m.MandateID,
		Description: "Energie Noord B.V., deel 2", WebhookURL: a.base + "/webhooks/mollie", IdempotencyKey: "settle-debit-" + p.ID})
	if err != nil {
		t.Fatal(err)
	}

	w.collectRun(a)
	if rec := w.recurring(); len(rec) != 1 || rec[0].ID != lost.ProviderID {
		t.Fatalf("recurring payments %+v, want only %s", rec, lost.ProviderID)
	}
	if got := w.payment(p.ID); got.ProviderID != lost.ProviderID {
		t.Fatalf("our payment has provider id %q, want %q", got.ProviderID, lost.ProviderID)
	}
}

// TestDirectDebitFailedIsMissed: a debit the bank refuses leaves its part
// unpaid: the day after follows it up as a missed instalment, and the
// early signals raise a payment problem about that debit.
func TestDirectDebitFailedIsMissed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.instance(true)
	pl, _ := w.directDebitPlan(a)
	second := pl.Instalments[1]
	w.Clock.Set(second.Due.Add(9 * time.Hour))
	w.collectRun(a)
	rec := w.recurring()
	if len(rec) != 1 {
		t.Fatalf("%d recurring payments, want 1", len(rec))
	}
	w.Clock.Set(second.Due.AddDate(0, 0, 3).Add(9 * time.Hour))
	if err := w.fake.SetStatus(rec[0].ID, "failed"); err != nil {
		t.Fatal(err)
	}
	w.wantDelivered(rec[0].ID)
	w.settle()
	ours, _ := w.DB.PaymentByProviderID(w.Ctx, "mollie", rec[0].ID)
	if ours.Status != pay.StatusFailed || w.booked(ours.ID).paid != 0 {
		t.Fatalf("failed debit: %+v booked %+v", ours, w.booked(ours.ID))
	}

	// The outreach and signal jobs may run these too; each happens once
	// whoever runs it, so the test counts what they left.
	for range 2 {
		if _, err := casework.FollowUpDayAfter(w.Ctx, w.DB, w.DB.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := casework.RaiseSignals(w.Ctx, w.DB, w.DB.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.missedTasks(second); n != 1 {
		t.Fatalf("%d missed-instalment tasks after the failed debit, want 1", n)
	}
	if n := w.Count(`SELECT count(*) FROM signals WHERE subject = $1 AND rule = 'payment_problem' AND reason = 'payment_failed'`, ours.ID); n != 1 {
		t.Fatalf("%d payment-problem signals about the failed debit, want 1", n)
	}
	// The part is not collected again for the same date: the missed
	// follow-up (pay now, or a new date) takes over.
	w.collectRun(a)
	if n := len(w.recurring()); n != 1 {
		t.Fatalf("%d recurring payments after the failure, want 1", n)
	}
}

// TestDirectDebitStopped: the debtor stops the direct debit; the mandate
// is revoked at Mollie and nothing more is collected.
func TestDirectDebitStopped(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.instance(true)
	pl, _ := w.directDebitPlan(a)
	if err := a.a.Portal.Pay.StopDirectDebit(w.Ctx, w.cr.ID, w.d.ID); err != nil {
		t.Fatal(err)
	}
	m, _, _ := casework.DirectDebitOf(w.Ctx, w.DB, w.cr.ID, w.d.ID)
	if m.Status != collect.MandateRevoked || w.fake.Mandates(m.CustomerID)[0].Status != "invalid" {
		t.Fatalf("after stopping: ours %+v, Mollie's %+v", m, w.fake.Mandates(m.CustomerID))
	}
	w.Clock.Set(pl.Instalments[1].Due.Add(9 * time.Hour))
	w.collectRun(a)
	if n := len(w.recurring()); n != 0 {
		t.Fatalf("%d recurring payments after stopping", n)
	}
	// The agent's file shows it stopped.
	f, err := casework.DebtorFile(w.Ctx, w.DB, w.DB.Now(), w.d)
	if err != nil || f.DirectDebit == nil || f.DirectDebit.Status != collect.MandateRevoked {
		t.Fatalf("file's direct debit %+v: %v", f.DirectDebit, err)
	}
	if err := a.a.Portal.Pay.StopDirectDebit(w.Ctx, w.cr.ID, w.d.ID); !collect.IsNotFound(err) {
		t.Fatalf("stopping twice: %v", err)
	}
}

// missedTasks counts the agent's tasks of the day after about one missed
// instalment on its due date.
func (w *world) missedTasks(in collect.PlanInstalment) int {
	w.T.Helper()
	return w.Count(`SELECT count(*) FROM agent_tasks WHERE step_key = $1`,
		collect.KindInstalmentMissed+":"+in.ID+":"+in.Due.Format(time.DateOnly)+":task")
}
