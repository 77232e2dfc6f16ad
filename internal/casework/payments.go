package casework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/metrics"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// SweepAfter is how long a payment may stay open or pending before the
// sweeper asks its provider directly.
const SweepAfter = 3 * time.Minute

// abandonedAfter is how long a payment record may wait for its checkout to
// start before the sweep closes it: the provider was never reached.
const abandonedAfter = time.Hour

// sweepBatch bounds one sweep, so a backlog is worked off over several runs.
const sweepBatch = 500

// returnSyncTimeout bounds the provider call on the return page, where a
// debtor waits for the answer.
const returnSyncTimeout = 5 * time.Second

// ErrUnreadableEvent means a stored provider event cannot be read; a retry
// would read the same bytes, so the job gives up on it.
var ErrUnreadableEvent = errors.New("unreadable stored event")

// Payments runs the payment use cases: starting a checkout, bringing a
// payment to its provider's state, and refusing what a provider may not
// move. Unlike most use cases they need the provider registry beside the store.
type Payments struct {
	DB        *postgres.DB
	Providers *pay.Registry
	// BaseURL is where providers send the debtor back and post webhooks.
	BaseURL string
	// ParseStripe reads a stored Stripe event payload: our payment id and
	// the session or PaymentIntent it names (State.ProviderID); a nil state
	// means the event moves no money. The rest of the state is not used.
	ParseStripe func(payload []byte) (paymentID string, st *pay.State, err error)
	Log         *slog.Logger
}

// CheckoutOrder is what a debtor chose to pay and how.
type CheckoutOrder struct {
	Creditor     collect.Creditor
	DebtorID     string
	Amount       int64
	InvoiceID    string // one invoice, or "" for the whole statement or an amount
	InstalmentID string // one instalment of an approved plan, or ""
	Method       pay.Method
	// Description is what the debtor sees at the provider.
	Description string
}

// StartCheckout records our payment first, then asks the creditor's
// provider for the method for a checkout page and stores it; it returns the
// page to send the debtor to. When the provider fails the payment is closed
// as failed; the error wraps pay.ErrUnavailable when the debtor may simply
// try the other method.
func (ps *Payments) StartCheckout(ctx context.Context, o CheckoutOrder) (string, error) {
	prov, err := ps.Providers.For(pay.SetupOf(o.Creditor), o.Method)
	if err != nil {
		return "", err
	}
	rec, err := ps.DB.CreatePayment(ctx, collect.Payment{CreditorID: o.Creditor.ID, DebtorID: o.DebtorID, InvoiceID: o.InvoiceID,
		Amount: o.Amount, Provider: prov.Name(), Method: string(o.Method), InstalmentID: o.InstalmentID})
	if err != nil {
		return "", err
	}
	co, err := prov.Checkout(ctx, pay.CheckoutRequest{
		PaymentID: rec.ID, Amount: rec.Amount, Method: o.Method, IdempotencyKey: rec.ID,
		Description: o.Description,
		ReturnURL:   ps.BaseURL + "/pay/return/" + rec.ID,
		WebhookURL:  ps.BaseURL + "/webhooks/mollie",
	})
	if err != nil {
		ps.Log.Warn("checkout failed", "provider", prov.Name(), "method", o.Method, "payment_id", rec.ID, "err", err)
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

// InstalmentToPay is what is open on one instalment of the debtor's
// approved plan, at most open (what the debtor owes in all), so a payment
// of it is linked to the instalment. Another debtor's instalment, or one
// with nothing left to pay, is not found.
func InstalmentToPay(ctx context.Context, db *postgres.DB, creditorID, debtorID, instalmentID string, open int64) (collect.PlanInstalment, int64, error) {
	plans, err := db.Plans(ctx, creditorID, debtorID)
	if err != nil {
		return collect.PlanInstalment{}, 0, fmt.Errorf("plans for instalment: %w", err)
	}
	for _, pl := range plans {
		if pl.Status != collect.PlanApproved {
			continue
		}
		for _, in := range pl.Instalments {
			if in.ID != instalmentID {
				continue
			}
			if left := min(in.Amount-in.Paid, open); left > 0 {
				return in, left, nil
			}
		}
	}
	return collect.PlanInstalment{}, 0, collect.Errorf(collect.ENOTFOUND, "instalment", "no open instalment %q", instalmentID)
}

// PaymentOnReturn is the debtor's payment when the provider sends them
// back. A payment not yet final is asked of the provider at once, so the
// debtor sees the result without waiting for a webhook; a provider that
// does not answer in time leaves it to the webhook and the sweep.
func (ps *Payments) PaymentOnReturn(ctx context.Context, creditorID, debtorID, paymentID string) (collect.Payment, error) {
	rec, err := ps.DB.PaymentOfDebtor(ctx, creditorID, debtorID, paymentID)
	if err != nil || (rec.Status != pay.StatusOpen && rec.Status != pay.StatusPending) {
		return rec, err
	}
	sctx, cancel := context.WithTimeout(ctx, returnSyncTimeout)
	if err := ps.Sync(sctx, rec.ID, "return"); err != nil {
		ps.Log.Warn("sync on return", "payment_id", rec.ID, "err", err)
	}
	cancel()
	return ps.DB.PaymentOfDebtor(ctx, creditorID, debtorID, rec.ID)
}

// Sync fetches a payment's state from its provider and applies it; source
// says who asked (sync, sweep, return) for the audit record.
func (ps *Payments) Sync(ctx context.Context, paymentID, source string) error {
	f, err := ps.DB.PaymentToFetch(ctx, paymentID)
	if err != nil {
		return err
	}
	p := f.Payment
	if err := ps.applyProviderState(ctx, f, source, claim{provider: p.Provider, eventID: p.ProviderID, eventType: source}); err != nil {
		return err
	}
	// A first payment of a direct debit gives its mandate once final.
	return ps.mandateAfterSync(ctx, p.ID)
}

// ApplyStripeEvent applies one stored, verified Stripe event. It takes from
// the event only which payment it is about; what happened to the money
// comes from Stripe's API, never from the event body. An event that cannot
// be read fails with ErrUnreadableEvent.
func (ps *Payments) ApplyStripeEvent(ctx context.Context, eventRowID int64) error {
	// The event comes with the payment it was stored for, that payment's
	// creditor and the fetch number, in one round trip.
	ev, f, found, err := ps.DB.WebhookEventToFetch(ctx, eventRowID)
	if err != nil {
		return err
	}
	f, c, ok, err := ps.stripeEventClaim(ctx, ev, f, found)
	if err != nil || !ok {
		return err
	}
	return ps.applyProviderState(ctx, f, "stripe:"+ev.EventID, c)
}

// stripeEventClaim reads a stored Stripe event: the payment it is about
// (f, as stored with it and found, or loaded anew when the body names
// another) and its claim. ok is false when the event moves no money or
// was refused (and the refusal recorded): there is nothing to fetch.
func (ps *Payments) stripeEventClaim(ctx context.Context, ev postgres.WebhookEvent, f postgres.PaymentToFetch, found bool) (postgres.PaymentToFetch, claim, bool, error) {
	paymentID, hint, err := ps.ParseStripe(ev.Payload)
	if err != nil {
		return f, claim{}, false, fmt.Errorf("stored stripe event %s: %w: %w", ev.EventID, ErrUnreadableEvent, err)
	}
	if hint == nil {
		return f, claim{}, false, nil // an event that moves no money (an inquiry)
	}
	if paymentID == "" {
		paymentID = ev.PaymentID // a dispute: the webhook resolved its intent to our payment
	}
	if !found || f.Payment.ID != paymentID {
		// The body names another payment than the one the event was
		// stored for (an event stored before payment ids were kept).
		if f, err = ps.DB.PaymentToFetch(ctx, paymentID); err != nil {
			return f, claim{}, false, err
		}
	}
	p := f.Payment
	c := claim{provider: "stripe", eventID: ev.EventID, eventType: ev.EventType}
	if reason := stripeEventMismatch(p, hint.ProviderID); reason != "" {
		return f, c, false, refuse(ctx, ps.DB, ps.Log, p, c, reason)
	}
	if !strings.HasPrefix(hint.ProviderID, "cs_") {
		c.intentID = hint.ProviderID
	}
	return f, c, true, nil
}

// Sweep closes checkouts that never started and re-fetches payments still
// open or pending after SweepAfter, so a lost webhook never loses a
// payment. It returns how many it asked about.
func (ps *Payments) Sweep(ctx context.Context) (int, error) {
	if n, err := ps.DB.FailAbandonedCheckouts(ctx, ps.DB.Now().Add(-abandonedAfter)); err != nil {
		return 0, err
	} else if n > 0 {
		ps.Log.Info("closed checkouts that never started", "count", n)
	}
	unsettled, err := ps.DB.UnsettledPayments(ctx, ps.DB.Now().Add(-SweepAfter), sweepBatch)
	if err != nil {
		return 0, err
	}
	for _, p := range unsettled {
		if err := ps.Sync(ctx, p.ID, "sweep"); err != nil {
			ps.Log.Warn("sweep payment", "payment_id", p.ID, "err", err)
		}
	}
	return len(unsettled), nil
}

// RefuseForeignStripeEvent refuses, before anything is stored or booked, a
// correctly signed Stripe event that names a payment it has no say over
// (another provider's, another session's), and records the refusal for
// finance. It reports whether the event was refused. providerID is the
// event's session (cs_...) or PaymentIntent.
func RefuseForeignStripeEvent(ctx context.Context, db *postgres.DB, log *slog.Logger, p collect.Payment, providerID, eventID, eventType string) (bool, error) {
	reason := stripeEventMismatch(p, providerID)
	if reason == "" {
		return false, nil
	}
	return true, refuse(ctx, db, log, p, claim{provider: "stripe", eventID: eventID, eventType: eventType}, reason)
}

// claim is the event that asked for a sync, kept for a refusal's record.
type claim struct {
	provider, eventID, eventType string
	// intentID is the PaymentIntent a Stripe charge or dispute event names;
	// the payment's session must have that one.
	intentID string
}

// applyProviderState asks the provider of f's payment for its state and
// applies it with f's fetch number, drawn before this call. The
// provider's answer is the only word on money: the payment it describes
// must be f's, in euros, or nothing is booked and the refusal is recorded
// for finance.
func (ps *Payments) applyProviderState(ctx context.Context, f postgres.PaymentToFetch, source string, c claim) error {
	st, ok, err := ps.fetchState(ctx, f)
	if err != nil || !ok {
		return err
	}
	if ok, err := ps.checkState(ctx, f.Payment, st, c); err != nil || !ok {
		return err
	}
	changed, err := ps.DB.ApplyFetchedState(ctx, f.Payment.ID, st, f.Seq, source)
	if err == nil && changed {
		ps.booked(f.Payment, st, source)
	}
	return err
}

// fetchState asks the provider of f's payment for its state; ok is false
// when the checkout never started (there is nothing to ask).
func (ps *Payments) fetchState(ctx context.Context, f postgres.PaymentToFetch) (pay.State, bool, error) {
	p := f.Payment
	if p.ProviderID == "" {
		return pay.State{}, false, nil
	}
	prov, err := ps.Providers.ByName(pay.SetupOf(f.Creditor), p.Provider)
	if err != nil {
		return pay.State{}, false, err
	}
	st, err := prov.Fetch(ctx, p.ProviderID)
	if err != nil {
		return pay.State{}, false, err // River retries with backoff
	}
	return st, true, nil
}

// checkState refuses (and records) a fetched state that may not move p;
// ok says whether it may.
func (ps *Payments) checkState(ctx context.Context, p collect.Payment, st pay.State, c claim) (bool, error) {
	if reason := stateMismatch(p, st, c.intentID); reason != "" {
		return false, refuse(ctx, ps.DB, ps.Log, p, c, reason)
	}
	return true, nil
}

// booked counts and logs a payment that a provider's state changed.
func (ps *Payments) booked(p collect.Payment, st pay.State, source string) {
	metrics.PaymentBooked(p.Provider, string(st.Status))
	ps.Log.Info("payment updated", "payment_id", p.ID, "provider", p.Provider, "status", st.Status, "source", source)
}

// stateMismatch says why a fetched state may not move p, or "".
func stateMismatch(p collect.Payment, st pay.State, intentID string) string {
	switch {
	case st.ProviderID != p.ProviderID:
		return fmt.Sprintf("the provider answered for %q, the payment is %q", st.ProviderID, p.ProviderID)
	case intentID != "" && st.IntentID != intentID:
		return fmt.Sprintf("the event names PaymentIntent %q, the payment's session has %q", intentID, st.IntentID)
	case st.Currency != "" && st.Currency != money.EUR, st.Currency == "" && st.MovesMoney():
		return fmt.Sprintf("the provider reports currency %q, not %s", st.Currency, money.EUR)
	}
	return ""
}

// stripeEventMismatch says why a Stripe event may not move p, or "": only a
// Stripe payment, and for a session event only its own session. providerID
// is the event's session (cs_...) or, for charge and dispute events, its
// PaymentIntent, which only the provider's answer can check.
func stripeEventMismatch(p collect.Payment, providerID string) string {
	switch {
	case p.Provider != "stripe":
		return fmt.Sprintf("a Stripe event for a %s payment", p.Provider)
	case providerID == "":
		return "the event names no session or PaymentIntent"
	case strings.HasPrefix(providerID, "cs_") && providerID != p.ProviderID:
		return fmt.Sprintf("the event is for session %q, the payment is %q", providerID, p.ProviderID)
	}
	return ""
}

// refuse records that an event or answer about p was refused, for finance,
// and logs it; the job is done (a retry would refuse again).
func refuse(ctx context.Context, db *postgres.DB, log *slog.Logger, p collect.Payment, c claim, reason string) error {
	log.Warn("provider event refused", "payment_id", p.ID, "payment_provider", p.Provider, "provider", c.provider,
		"event_id", c.eventID, "event_type", c.eventType, "reason", reason)
	return db.RecordRefusedEvent(ctx, postgres.RefusedEvent{CreditorID: p.CreditorID, PaymentID: p.ID, Provider: c.provider,
		EventID: c.eventID, EventType: c.eventType, Reason: reason})
}
