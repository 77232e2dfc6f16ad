package casework

import (
	"slices"
	"strings"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The day after's messages carry what they are about in their key:
// "promise_missed:<promise>", "instalment_missed:<instalment>:<date>" or
// "plan_broken:<plan>" (FollowUpDayAfter).

// missed is what a day-after message is about: the amount not received
// and the day it was due; ok is false for other messages.
func (f *debtorFile) missed(m postgres.OutboxMessage, today time.Time) (amount int64, on time.Time, ok bool) {
	parts := strings.Split(m.StepKey, ":")
	if len(parts) < 2 || parts[0] != m.Kind {
		return 0, time.Time{}, false
	}
	switch m.Kind {
	case collect.KindPromiseMissed:
		if p, ok := f.promise(parts[1]); ok {
			return p.Amount, p.PromisedOn, true
		}
	case collect.KindInstalmentMissed:
		if in, ok := f.instalment(parts[1]); ok {
			return in.Amount - in.Paid, in.Due, true
		}
	case collect.KindPlanBroken:
		for _, pl := range f.plans {
			if pl.ID != parts[1] {
				continue
			}
			for _, in := range pl.Instalments {
				if in.State(today) == collect.InstalmentLate {
					amount, on = amount+in.Amount-in.Paid, in.Due
				}
			}
			return amount, on, true
		}
	}
	return 0, time.Time{}, false
}

// followUpSettled says why a day-after message need not go any more: what
// it asks for was paid, or the person chose a new date; "" when it goes.
func (f *debtorFile) followUpSettled(m postgres.OutboxMessage, today time.Time) string {
	parts := strings.Split(m.StepKey, ":")
	if len(parts) < 2 || parts[0] != m.Kind {
		return ""
	}
	switch m.Kind {
	case collect.KindPromiseMissed:
		p, ok := f.promise(parts[1])
		open, _ := scopeTotal(f.st, p.InvoiceID)
		switch {
		case ok && open <= 0:
			return "paid after the promised date"
		case ok && slices.ContainsFunc(f.promises, func(q collect.Promise) bool { return q.MovedFrom == p.ID }):
			return "the person chose a new date"
		}
	case collect.KindInstalmentMissed:
		in, ok := f.instalment(parts[1])
		switch {
		case ok && in.Paid >= in.Amount:
			return "the part was paid"
		case ok && len(parts) == 3 && in.Due.Format(time.DateOnly) != parts[2]:
			return "the person chose a new date"
		}
	}
	return ""
}

// lastChance reports whether one more missed part would stop the running plan.
func (f *debtorFile) lastChance(today time.Time) bool {
	for _, pl := range f.plans {
		if pl.Status == collect.PlanApproved {
			return collect.MissedInstalments(pl.Instalments, today, f.policy.MissedLimit).LastChance
		}
	}
	return false
}

func (f *debtorFile) promise(id string) (collect.Promise, bool) {
	i := slices.IndexFunc(f.promises, func(p collect.Promise) bool { return p.ID == id })
	if i < 0 {
		return collect.Promise{}, false
	}
	return f.promises[i], true
}

func (f *debtorFile) instalment(id string) (collect.PlanInstalment, bool) {
	for _, pl := range f.plans {
		for _, in := range pl.Instalments {
			if in.ID == id {
				return in, true
			}
		}
	}
	return collect.PlanInstalment{}, false
}
