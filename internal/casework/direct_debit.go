package casework

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// ErrNoDirectDebit means the creditor's iDEAL provider cannot collect
// later instalments (only Mollie can); the portal then does not offer it.
var ErrNoDirectDebit = collect.Errorf(collect.EINVALID, "", "direct debit not offered")

// DirectDebitOffered reports whether the creditor's iDEAL provider can set
// up a direct debit, so the plan page offers it.
func (ps *Payments) DirectDebitOffered(cr collect.Creditor) bool {
	_, _, err := ps.recurringFor(cr, "")
	return err == nil
}

// recurringFor is the creditor's provider that collects on mandates: the
// named one (a stored mandate's), or the iDEAL provider for a new mandate.
func (ps *Payments) recurringFor(cr collect.Creditor, name string) (pay.Provider, pay.Recurring, error) {
	var prov pay.Provider
	var err error
	if name == "" {
		prov, err = ps.Providers.For(pay.SetupOf(cr), pay.IDEAL)
	} else {
		prov, err = ps.Providers.ByName(pay.SetupOf(cr), name)
	}
	if err != nil {
		return nil, nil, err
	}
	rp, ok := prov.(pay.Recurring)
	if !ok {
		return nil, nil, ErrNoDirectDebit
	}
	return prov, rp, nil
}

// runningPlan is the debtor's approved plan, the one instalments are
// collected for.
func runningPlan(ctx context.Context, db *postgres.DB, creditorID, debtorID string) (collect.Plan, error) {
	plans, err := db.Plans(ctx, creditorID, debtorID)
	if err != nil {
		return collect.Plan{}, err
	}
	for _, pl := range plans {
		if pl.Status == collect.PlanApproved {
			return pl, nil
		}
	}
	return collect.Plan{}, collect.Errorf(collect.ENOTFOUND, "plan", "no running plan")
}

// DirectDebitOf is the direct debit choice for the debtor's running plan;
// ok is false when there is none (or no running plan).
func DirectDebitOf(ctx context.Context, db *postgres.DB, creditorID, debtorID string) (m collect.Mandate, ok bool, err error) {
	pl, err := runningPlan(ctx, db, creditorID, debtorID)
	if collect.IsNotFound(err) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	m, err = db.MandateOfPlan(ctx, pl.ID)
	if collect.IsNotFound(err) {
		return m, false, nil
	}
	return m, err == nil, err
}

// StartDirectDebit sets up automatic collection ("automatische incasso")
// of the debtor's running plan: the next open instalment is paid now by
// iDEAL as Mollie's first payment on a customer of its own, which gives
// Mollie a SEPA direct debit mandate on that bank account; later
// instalments are collected on their due dates (CollectDirectDebits). It
// returns the checkout page to send the debtor to. A plan whose mandate is
// already valid is refused (ECONFLICT).
func (ps *Payments) StartDirectDebit(ctx context.Context, cr collect.Creditor, debtorID, description string) (string, error) {
	prov, rp, err := ps.recurringFor(cr, "")
	if err != nil {
		return "", err
	}
	pl, err := runningPlan(ctx, ps.DB, cr.ID, debtorID)
	if err != nil {
		return "", err
	}
	old, err := ps.DB.MandateOfPlan(ctx, pl.ID)
	switch {
	case err == nil && old.Status == collect.MandateValid:
		return "", collect.Errorf(collect.ECONFLICT, "", "direct debit already set up")
	case err != nil && !collect.IsNotFound(err):
		return "", err
	}
	var next *collect.PlanInstalment
	for i, in := range pl.Instalments {
		if in.Paid < in.Amount {
			next = &pl.Instalments[i]
			break
		}
	}
	if next == nil {
		return "", collect.Errorf(collect.ENOTFOUND, "instalment", "nothing left to pay on the plan")
	}
	customer := old.CustomerID
	if customer == "" || old.Provider != prov.Name() {
		d, err := ps.DB.Debtor(ctx, cr.ID, debtorID)
		if err != nil {
			return "", err
		}
		// Keyed by the plan: a retry after a lost answer is the same customer.
		if customer, err = rp.NewCustomer(ctx, d.Name, d.Email, "settle-customer-"+pl.ID); err != nil {
			return "", err
		}
	}
	rec, err := ps.DB.CreatePayment(ctx, collect.Payment{CreditorID: cr.ID, DebtorID: debtorID, Amount: next.Amount - next.Paid,
		Provider: prov.Name(), Method: string(pay.IDEAL), InstalmentID: next.ID})
	if err != nil {
		return "", err
	}
	// Stored before the provider call, so the payment's sync always finds
	// the mandate it is the first payment of.
	if err := ps.DB.StartMandate(ctx, collect.Mandate{PlanID: pl.ID, CreditorID: cr.ID, DebtorID: debtorID,
		Provider: prov.Name(), CustomerID: customer, FirstPaymentID: rec.ID}); err != nil {
		return "", err
	}
	co, err := rp.FirstCheckout(ctx, customer, pay.CheckoutRequest{
		PaymentID: rec.ID, Amount: rec.Amount, Method: pay.IDEAL, IdempotencyKey: rec.ID, Description: description,
		ReturnURL: ps.BaseURL + "/pay/return/" + rec.ID, WebhookURL: ps.BaseURL + "/webhooks/mollie",
	})
	if err != nil {
		ps.Log.Warn("first payment failed", "provider", prov.Name(), "payment_id", rec.ID, "err", err)
		if ferr := ps.DB.FailCheckout(ctx, rec.ID); ferr != nil {
			return "", ferr
		}
		return "", err
	}
	if err := ps.DB.StartCheckout(ctx, rec.ID, co); err != nil {
		return "", err
	}
	return co.RedirectURL, nil
}

// mandateAfterSync asks the provider for the mandate once the first
// payment that gives it is final: Mollie makes the mandate when the
// payment is paid, and none when it is not.
func (ps *Payments) mandateAfterSync(ctx context.Context, paymentID string) error {
	m, err := ps.DB.MandateByFirstPayment(ctx, paymentID)
	if collect.IsNotFound(err) {
		return nil
	}
	if err != nil || m.Status != collect.MandatePending {
		return err
	}
	p, err := ps.DB.PaymentByID(ctx, paymentID)
	if err != nil || p.Status == pay.StatusOpen || p.Status == pay.StatusPending {
		return err
	}
	_, err = ps.refreshMandate(ctx, m, p.Status)
	return err
}

// refreshMandate brings a stored mandate to the provider's word on it.
// firstStatus is the first payment's status: without any mandate at the
// provider, a first payment that ended unpaid leaves the mandate invalid.
func (ps *Payments) refreshMandate(ctx context.Context, m collect.Mandate, firstStatus pay.Status) (collect.Mandate, error) {
	cr, err := ps.DB.Creditor(ctx, m.CreditorID)
	if err != nil {
		return m, err
	}
	_, rp, err := ps.recurringFor(cr, m.Provider)
	if err != nil {
		return m, err
	}
	got, err := rp.CurrentMandate(ctx, m.CustomerID)
	if err != nil {
		return m, err
	}
	status := collect.MandateStatus(got.Status)
	switch got.Status {
	case pay.MandateValid, pay.MandatePending, pay.MandateInvalid:
	case pay.MandateNone:
		if firstStatus == pay.StatusOpen || firstStatus == pay.StatusPending || firstStatus == pay.StatusPaid {
			return m, nil // not made yet
		}
		status = collect.MandateInvalid
	default:
		return m, fmt.Errorf("mandate of %s: unknown status %q", m.CustomerID, got.Status)
	}
	changed, err := ps.DB.SetMandate(ctx, m.PlanID, got.ID, status, "provider:"+m.Provider)
	if changed {
		ps.Log.Info("mandate updated", "plan_id", m.PlanID, "status", status)
		m.MandateID, m.Status = got.ID, status
	}
	return m, err
}

// StopDirectDebit revokes the mandate of the debtor's running plan at the
// provider and stops collection; the instalments are then paid as before.
// Without a running plan or a mandate it is ENOTFOUND.
func (ps *Payments) StopDirectDebit(ctx context.Context, creditorID, debtorID string) error {
	m, ok, err := DirectDebitOf(ctx, ps.DB, creditorID, debtorID)
	if err != nil {
		return err
	}
	if !ok || m.Status == collect.MandateRevoked {
		return collect.Errorf(collect.ENOTFOUND, "", "no direct debit")
	}
	if m.MandateID != "" {
		cr, err := ps.DB.Creditor(ctx, creditorID)
		if err != nil {
			return err
		}
		_, rp, err := ps.recurringFor(cr, m.Provider)
		if err != nil {
			return err
		}
		if err := rp.RevokeMandate(ctx, m.CustomerID, m.MandateID); err != nil {
			return err
		}
	}
	_, err = ps.DB.SetMandate(ctx, m.PlanID, m.MandateID, collect.MandateRevoked, "debtor:"+debtorID)
	return err
}

// DirectDebitRun is what one collection run did.
type DirectDebitRun struct {
	Collected int // recurring payments the provider accepted
	Mandates  int // mandates whose status changed
	Failed    int // collections the provider refused or could not take
}

// CollectDirectDebits collects, on the day of the store's clock, every
// instalment due of each running plan with a valid mandate
// (collect.DebitsDue), once per instalment and due date: the store's key
// (StartDirectDebit) and the provider's Idempotency-Key (our payment's id)
// make a repeated run, or a run after a crash between the provider's answer
// and our store, charge nothing twice. It first asks about mandates still
// pending. The webhook reports the outcome, booked like any payment;
// a failed debit leaves its part unpaid, so the day after follows it up as
// missed and the early signals see the failed payment.
func (ps *Payments) CollectDirectDebits(ctx context.Context) (DirectDebitRun, error) {
	var run DirectDebitRun
	pending, err := ps.DB.MandatesOfRunningPlans(ctx, collect.MandatePending)
	if err != nil {
		return run, err
	}
	for _, m := range pending {
		p, err := ps.DB.PaymentByID(ctx, m.FirstPaymentID)
		if err != nil {
			return run, err
		}
		if p.Status == pay.StatusOpen || p.Status == pay.StatusPending {
			continue // the first payment is still on its way
		}
		after, err := ps.refreshMandate(ctx, m, p.Status)
		if err != nil {
			ps.Log.Warn("refresh mandate", "plan_id", m.PlanID, "err", err)
			continue
		}
		if after.Status != m.Status {
			run.Mandates++
		}
	}
	valid, err := ps.DB.MandatesOfRunningPlans(ctx, collect.MandateValid)
	if err != nil {
		return run, err
	}
	today := collect.DutchDate(ps.DB.Now())
	var errs []error
	for _, m := range valid {
		if err := ps.collectPlan(ctx, m, today, &run); err != nil {
			errs = append(errs, fmt.Errorf("plan %s: %w", m.PlanID, err))
		}
	}
	return run, errors.Join(errs...)
}

// collectPlan collects one plan's due instalments on its mandate. A
// collection an earlier run recorded but never got the provider's answer
// for is asked again first, with the same key, so the provider makes (or
// returns) the one payment.
func (ps *Payments) collectPlan(ctx context.Context, m collect.Mandate, today time.Time, run *DirectDebitRun) error {
	cr, err := ps.DB.Creditor(ctx, m.CreditorID)
	if err != nil {
		return err
	}
	_, rp, err := ps.recurringFor(cr, m.Provider)
	if err != nil {
		return err
	}
	unsent, err := ps.DB.DirectDebitsWithoutProvider(ctx, m.PlanID)
	if err != nil {
		return err
	}
	pl, err := runningPlan(ctx, ps.DB, m.CreditorID, m.DebtorID)
	if err != nil || pl.ID != m.PlanID {
		return err // the plan ended between the two reads
	}
	collected, err := ps.DB.CollectedInstalments(ctx, pl.ID)
	if err != nil {
		return err
	}
	seq := map[string]int{}
	for _, in := range pl.Instalments {
		seq[in.ID] = in.Seq
	}
	for _, d := range collect.DebitsDue(pl.Instalments, collect.DutchDate(m.CreatedAt), today,
		func(in collect.PlanInstalment) bool { return collected[postgres.DebitKey(in)] }) {
		p, _, err := ps.DB.StartDirectDebit(ctx, m, d)
		if err != nil {
			return err
		}
		if p.ProviderID == "" && p.Status == pay.StatusOpen {
			unsent = append(unsent, p)
		}
	}
	for _, p := range unsent {
		co, err := rp.Collect(ctx, pay.CollectRequest{
			PaymentID: p.ID, Amount: p.Amount, CustomerID: m.CustomerID, MandateID: m.MandateID,
			Description: fmt.Sprintf("%s, deel %d", cr.Name, seq[p.InstalmentID]),
			WebhookURL:  ps.BaseURL + "/webhooks/mollie", IdempotencyKey: "settle-debit-" + p.ID,
		})
		if err != nil {
			// Left open without the provider's id: the next run asks again
			// with the same key; the sweep closes it as failed after an
			// hour, and the part is then followed up as missed. A mandate
			// that became invalid stops further collections.
			run.Failed++
			ps.Log.Warn("direct debit not taken", "plan_id", m.PlanID, "payment_id", p.ID, "err", err)
			if after, rerr := ps.refreshMandate(ctx, m, pay.StatusPaid); rerr == nil && after.Status != m.Status {
				run.Mandates++
				return nil
			}
			continue
		}
		if err := ps.DB.StartCheckout(ctx, p.ID, co); err != nil {
			return err
		}
		run.Collected++
		if err := ps.Sync(ctx, p.ID, "collect"); err != nil {
			ps.Log.Warn("sync direct debit", "payment_id", p.ID, "err", err)
		}
	}
	return nil
}
