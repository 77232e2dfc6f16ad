package collect

import (
	"strings"
	"time"
)

// ProposalOutcome is what becomes of a debtor's plan proposal: approved at
// once when check says it is inside the creditor's policy and the policy
// approves automatically, else proposed for an agent; reason lists why it is
// outside the policy, for the agent.
func ProposalOutcome(check PlanCheck, autoApprove bool) (status PlanStatus, reason string) {
	if check.Inside && autoApprove {
		return PlanApproved, ""
	}
	return PlanProposed, strings.Join(check.Reasons, "; ")
}

// Proposal is a debtor's plan proposal as decided, ready to be stored.
type Proposal struct {
	Plan         Plan      // with its status, reason and, once approved, decision time
	InsidePolicy bool      // the check's verdict, kept in the audit record
	At           time.Time // when the debtor proposed it
}

// ProposePlan decides a debtor's plan proposal made at now: approved (and
// so decided) at once when check says it is inside the creditor's policy
// and the policy approves automatically, else proposed for an agent with
// the reasons it is outside (ProposalOutcome).
func ProposePlan(p Plan, check PlanCheck, autoApprove bool, now time.Time) Proposal {
	p.Status, p.Reason = ProposalOutcome(check, autoApprove)
	p.DecidedAt = nil
	if p.Status != PlanProposed {
		p.DecidedAt = &now
	}
	return Proposal{Plan: p, InsidePolicy: check.Inside, At: now}
}

// PlanAnswer is the status an agent's decision on a proposal gives it:
// approve, reject, or counter (the proposal is replaced by the counter-offer).
func PlanAnswer(decision string) (PlanStatus, error) {
	switch decision {
	case "approve":
		return PlanApproved, nil
	case "reject":
		return PlanRejected, nil
	case "counter":
		return PlanReplaced, nil
	}
	return "", Errorf(EINVALID, "decision", "approve, reject or counter")
}

// CounterAnswer is the status the debtor's answer to a counter-offer gives it.
func CounterAnswer(accept bool) PlanStatus {
	if accept {
		return PlanApproved
	}
	return PlanDeclined
}

// FillInstalments spreads paid over a plan's instalments in order: a debtor
// who pays the plan keeps the plan, however the money came in.
func FillInstalments(ins []PlanInstalment, paid int64) {
	for i := range ins {
		ins[i].Paid = min(paid, ins[i].Amount)
		paid -= ins[i].Paid
	}
}

// ReviewPlan is what time does to an approved plan: completed once every
// instalment is paid, broken once limit instalments are late at once
// (MissedInstalments), else still approved.
func ReviewPlan(ins []PlanInstalment, today time.Time, limit int) PlanStatus {
	allPaid := len(ins) > 0
	for _, in := range ins {
		allPaid = allPaid && in.Paid >= in.Amount
	}
	switch {
	case allPaid:
		return PlanCompleted
	case MissedInstalments(ins, today, limit).Broken:
		return PlanBroken
	}
	return PlanApproved
}

// InstalmentState is where one instalment of a plan stands on a day.
type InstalmentState string

// Instalment states.
const (
	InstalmentOpen InstalmentState = "open" // not paid in full, its due date not yet past
	InstalmentPaid InstalmentState = "paid"
	InstalmentLate InstalmentState = "late" // not paid in full after its due date
)

// State says where the instalment stands on today.
func (in PlanInstalment) State(today time.Time) InstalmentState {
	switch {
	case in.Paid >= in.Amount:
		return InstalmentPaid
	case in.Due.Before(today):
		return InstalmentLate
	}
	return InstalmentOpen
}
