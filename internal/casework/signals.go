package casework

import (
	"context"
	"strings"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// RaiseSignals applies the early-signal rules (collect.Signals, with the
// default thresholds) to Settle's own data as it stands at now and stores
// each new signal with its audit record. Where the creditor turned check-ins
// on, a new signal also schedules one friendly check-in message through the
// outbox, at most one per debtor in collect.CheckinEveryDays. It is
// idempotent: a signal already raised for the same creditor, debtor, rule
// and subject is not raised again, even after it was dismissed. It returns
// how many signals it raised.
func RaiseSignals(ctx context.Context, db *postgres.DB, now time.Time) (int, error) {
	th := collect.DefaultSignalThresholds
	facts, err := db.SignalFacts(ctx, collect.DutchDate(now).AddDate(0, 0, -th.LookbackDays-1), max(th.MinPaid, 3))
	if err != nil {
		return 0, err
	}
	done, err := db.RaisedSignals(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range facts {
		for _, s := range collect.Signals(f, now, th) {
			if done[postgres.SignalKey(s)] {
				continue
			}
			checkin, err := signalCheckin(ctx, db, now, s)
			if err != nil {
				return n, err
			}
			raised, err := db.RaiseSignal(ctx, s, checkin, now.AddDate(0, 0, -collect.CheckinEveryDays), now)
			if err != nil {
				return n, err
			}
			if raised {
				n++
			}
		}
	}
	return n, nil
}

// signalCheckin is the check-in message a new signal sends, or nil when
// the creditor has check-ins off or the debtor had one recently.
func signalCheckin(ctx context.Context, db *postgres.DB, now time.Time, s collect.Signal) (*postgres.OutboxMessage, error) {
	on, last, err := db.CheckinState(ctx, s.CreditorID, s.DebtorID)
	if err != nil || !on || !collect.CheckinDue(last, now, collect.CheckinEveryDays) {
		return nil, err
	}
	m, err := answerMessage(ctx, db, now, s.CreditorID, s.DebtorID, collect.KindSignalCheckin)
	return &m, err
}

// RunSignals is RaiseSignals on the store's clock, as the periodic job runs it.
func RunSignals(ctx context.Context, db *postgres.DB) (int, error) {
	return RaiseSignals(ctx, db, db.Now())
}

// OpenSignals lists the open early signals of the agent's creditors, the
// most recent first.
func OpenSignals(ctx context.Context, db *postgres.DB, creditorIDs []string) ([]collect.Signal, error) {
	return db.OpenSignals(ctx, creditorIDs, "")
}

// MaxSignalNote is the longest note an agent may give when dismissing.
const MaxSignalNote = 2000

// DismissSignal closes an open signal of one of the agent's creditors with
// the agent's note (required: why it needs no action), with its audit
// record. Another creditor's signal is not found; one dismissed before is a
// conflict. It returns the signal, whose debtor the console goes back to.
func DismissSignal(ctx context.Context, db *postgres.DB, now time.Time, agentID string, creditorIDs []string, signalID, note string) (collect.Signal, error) {
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return collect.Signal{}, collect.Errorf(collect.EINVALID, "note", "say in a few words why this signal needs no action")
	case len(note) > MaxSignalNote:
		return collect.Signal{}, collect.Errorf(collect.EINVALID, "note", "the note is too long (at most %d characters)", MaxSignalNote)
	}
	return db.DismissSignal(ctx, agentID, creditorIDs, signalID, note, now)
}

// SignalReasonText says in plain words what raised a signal, for agents.
var SignalReasonText = map[collect.SignalReason]string{
	collect.ReasonDelayGrowing:  "Paid later and later: each of the last invoices was paid later after its due date than the one before",
	collect.ReasonPaymentFailed: "A payment failed",
	collect.ReasonChargedBack:   "A payment was charged back",
	collect.ReasonPromiseBroken: "A promise to pay was not kept",
	collect.ReasonPlanBroken:    "A payment plan was broken",
	collect.ReasonBreathingOver: "The breathing room after a hardship report has ended",
}
