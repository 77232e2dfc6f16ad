package casework

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// fetchParallel is how many provider fetches one batch of events runs at
// once: enough to hide the API's latency, few enough not to flood it.
const fetchParallel = 8

// fetchPhase is how long a batch waits for its provider fetches: what has
// not come by then fails alone (FailedEvents), and the rest is applied
// within the job's minute even when the provider is slow.
const fetchPhase = 40 * time.Second

// FailedEvents is the error of a batch of which only some events failed:
// the others are applied. RowIDs names the failed ones, so that each can be
// tried again alone, without fetching (or refusing) the others again.
type FailedEvents struct {
	RowIDs []int64
	Err    error
}

func (e *FailedEvents) Error() string { return e.Err.Error() }
func (e *FailedEvents) Unwrap() error { return e.Err }

// ApplyStripeEvents applies stored, verified Stripe events as
// ApplyStripeEvent does each, with the same refusals and the same rows
// written, but as one batch: the events, their payments, creditors and
// fetch numbers come in one round trip; each payment is fetched from
// Stripe once (fetchParallel at a time); and every fetched state is
// applied in one transaction (postgres.ApplyFetchedStates). If that
// transaction fails (a deadlock, one payment that cannot be booked), each
// state is applied alone, so one bad event does not hold up the others.
// The error names only what failed (a *FailedEvents); a retry of the
// whole batch books nothing twice. An event that cannot be read is logged
// and skipped (a retry would read the same bytes).
func (ps *Payments) ApplyStripeEvents(ctx context.Context, eventRowIDs []int64) error {
	evs, err := ps.DB.WebhookEventsToFetch(ctx, eventRowIDs)
	if err != nil {
		return err
	}
	if len(evs) < len(eventRowIDs) {
		ps.Log.Warn("stripe events not found", "asked", len(eventRowIDs), "found", len(evs))
	}
	type item struct {
		ev postgres.WebhookEvent
		f  postgres.PaymentToFetch
		c  claim
	}
	var errs []error
	var failed []int64
	fail := func(rowID int64, err error) {
		errs = append(errs, err)
		failed = append(failed, rowID)
	}
	items := make([]item, 0, len(evs))
	for _, e := range evs {
		f, c, ok, err := ps.stripeEventClaim(ctx, e.Event, e.Fetch, e.Found)
		switch {
		case errors.Is(err, ErrUnreadableEvent):
			ps.Log.Error("stripe event given up", "event_id", e.Event.EventID, "err", err)
		case err != nil:
			fail(e.Event.ID, err)
		case ok:
			items = append(items, item{e.Event, f, c})
		}
	}

	// One fetch per payment: events of the same payment share its answer,
	// as they would share an unchanged state fetched one after another.
	type fetched struct {
		st  pay.State
		ok  bool
		err error
	}
	answers := map[string]*fetched{}
	fetchCtx, cancel := context.WithTimeout(ctx, fetchPhase)
	defer cancel()
	var wg sync.WaitGroup
	slots := make(chan struct{}, fetchParallel)
	for _, it := range items {
		if answers[it.f.Payment.ID] != nil {
			continue
		}
		a := &fetched{}
		answers[it.f.Payment.ID] = a
		wg.Add(1)
		go func(f postgres.PaymentToFetch) {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			a.st, a.ok, a.err = ps.fetchState(fetchCtx, f)
		}(it.f)
	}
	wg.Wait()

	var states []postgres.FetchedState
	var of []item
	for _, it := range items {
		a := answers[it.f.Payment.ID]
		if a.err != nil {
			fail(it.ev.ID, fmt.Errorf("stripe event %s: %w", it.ev.EventID, a.err))
			continue
		}
		if !a.ok {
			continue
		}
		if ok, err := ps.checkState(ctx, it.f.Payment, a.st, it.c); err != nil {
			fail(it.ev.ID, err)
			continue
		} else if !ok {
			continue
		}
		states = append(states, postgres.FetchedState{PaymentID: it.f.Payment.ID, State: a.st, Seq: it.f.Seq, Source: "stripe:" + it.ev.EventID})
		of = append(of, it)
	}
	changed, err := ps.DB.ApplyFetchedStates(ctx, states)
	if err != nil {
		ps.Log.Warn("stripe events: the batch failed, applying them one by one", "events", len(states), "err", err)
		changed = make([]bool, len(states))
		for i, s := range states {
			if changed[i], err = ps.DB.ApplyFetchedState(ctx, s.PaymentID, s.State, s.Seq, s.Source); err != nil {
				fail(of[i].ev.ID, fmt.Errorf("stripe event %s: %w", of[i].ev.EventID, err))
			}
		}
	}
	for i, ch := range changed {
		if ch {
			ps.booked(of[i].f.Payment, states[i].State, states[i].Source)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &FailedEvents{RowIDs: failed, Err: errors.Join(errs...)}
}
