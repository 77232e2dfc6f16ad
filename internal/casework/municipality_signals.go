package casework

import (
	"context"
	"strings"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// Vroegsignalering: the list of consumers a creditor of a kind the law
// names passes on to the municipality (collect.DecideMunicipalSignal is the
// rule; docs/domain.md has the law).

// planOffers are the plan statuses that show the creditor offered a plan
// (an agent's counter-offer, taken or declined) or agreed to one.
var planOffers = []string{string(collect.PlanCountered), string(collect.PlanDeclined), string(collect.PlanApproved),
	string(collect.PlanBroken), string(collect.PlanCompleted)}

// RunMunicipalSignals decides, for every consumer of a signalling creditor
// with an invoice past due, whether they go on the list today, and puts
// those who do on it once per arrears episode (idempotent: a second run on
// the same day, or the next day, adds nothing for the same arrears). It
// answers how many signals it raised. The day is the store's clock's.
func RunMunicipalSignals(ctx context.Context, db *postgres.DB) (int, error) {
	now := db.Now()
	today := collect.DutchDate(now)
	thresholds, err := db.MunicipalThresholds(ctx)
	if err != nil {
		return 0, err
	}
	cands, err := db.MunicipalCandidates(ctx, today)
	if err != nil {
		return 0, err
	}
	raised := 0
	for _, c := range cands {
		s, ok, err := municipalSignalFor(ctx, db, c, thresholds, today)
		if err != nil {
			return raised, err
		}
		if !ok {
			continue
		}
		r, err := db.RaiseMunicipalSignal(ctx, s, now)
		if err != nil {
			return raised, err
		}
		if r {
			raised++
		}
	}
	return raised, nil
}

// municipalSignalFor gathers one consumer's facts and applies the rule.
func municipalSignalFor(ctx context.Context, db *postgres.DB, c postgres.MunicipalCandidate, t collect.MunicipalThresholds, today time.Time) (collect.MunicipalitySignal, bool, error) {
	f, st, err := db.Statement(ctx, c.CreditorID, c.DebtorID, today)
	if err != nil {
		return collect.MunicipalitySignal{}, false, err
	}
	arrears, oldest := collect.Arrears(st, today)
	e, err := db.Efforts(ctx, c.CreditorID, c.DebtorID, planOffers, collect.AnswerKinds)
	if err != nil {
		return collect.MunicipalitySignal{}, false, err
	}
	v := collect.DecideMunicipalSignal(collect.MunicipalFacts{
		Kind: c.Kind, Consumer: f.Debtor.Kind == collect.Consumer, Arrears: arrears, OldestDue: oldest,
		PlanRunning: e.PlanRunning, ReminderOn: e.ReminderOn, PlanOfferedOn: e.PlanOfferedOn, ContactOn: e.ContactOn,
	}, t, today)
	if !v.Raise {
		return collect.MunicipalitySignal{}, false, nil
	}
	s := collect.MunicipalitySignal{CreditorID: c.CreditorID, DebtorID: c.DebtorID, Kind: c.Kind, RaisedOn: today,
		Arrears: arrears, OldestDue: oldest}
	if pc, ok := collect.Postcode6(f.Debtor.Address.Postcode); ok {
		if s.MunicipalityCode, s.MunicipalityName, err = db.MunicipalityOf(ctx, pc, today); err != nil {
			return s, false, err
		}
	}
	return s, true, nil
}

// MunicipalSignals is a creditor's signal list, for the API and the console.
func MunicipalSignals(ctx context.Context, db *postgres.DB, creditorID string) ([]collect.MunicipalitySignal, error) {
	return db.MunicipalSignals(ctx, creditorID)
}

// RecordMunicipalOutcome records the municipality's outcome of a signal of
// one of the agent's creditors, with a note, on the day of now; the audit
// record puts it in the debtor's file.
func RecordMunicipalOutcome(ctx context.Context, db *postgres.DB, now time.Time, agentID string, creditorIDs []string, signalID, outcome, note string) (collect.MunicipalitySignal, error) {
	o, err := collect.ParseMunicipalOutcome(strings.TrimSpace(outcome))
	if err != nil {
		return collect.MunicipalitySignal{}, err
	}
	note = strings.TrimSpace(note)
	if len(note) > 1000 {
		return collect.MunicipalitySignal{}, collect.Errorf(collect.EINVALID, "note", "the note is at most 1000 characters")
	}
	return db.RecordMunicipalOutcome(ctx, agentID, creditorIDs, signalID, o, note, collect.DutchDate(now))
}

// SetCreditorKind records what a creditor supplies (settle creditor set-kind).
func SetCreditorKind(ctx context.Context, db *postgres.DB, actor, creditorID, kind string) error {
	k, err := collect.ParseCreditorKind(kind)
	if err != nil {
		return err
	}
	return db.SetCreditorKind(ctx, actor, creditorID, k)
}
