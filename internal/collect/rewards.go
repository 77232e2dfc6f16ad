package collect

import "time"

// RewardOccasion is when a creditor rewards paying well.
type RewardOccasion string

// The occasions for a reward.
const (
	RewardPlanKept  RewardOccasion = "plan_kept"  // a payment plan paid in full
	RewardPaidEarly RewardOccasion = "paid_early" // an invoice paid in full on or before its due date
)

// RewardKind is what the debtor gets.
type RewardKind string

// The kinds of reward.
const (
	RewardWaiveCosts RewardKind = "waive_costs" // the collection costs: open ones written off, paid ones credited back
	RewardCredit     RewardKind = "credit"      // a fixed amount credited
	RewardThanks     RewardKind = "thanks"      // a thank-you message only
)

// MaxRewardCredit caps a fixed reward: a reward is a gesture, and a typing
// error of a zero too many should not pay out.
const MaxRewardCredit = 100_00

// RewardRule is a creditor's reward for one occasion.
type RewardRule struct {
	Occasion RewardOccasion
	Kind     RewardKind
	Amount   int64 // cents, for RewardCredit only
}

// Check refuses a rule that cannot be applied, naming the field.
func (r RewardRule) Check() error {
	switch r.Occasion {
	case RewardPlanKept, RewardPaidEarly:
	default:
		return Errorf(EINVALID, "occasion", "occasion must be %s or %s", RewardPlanKept, RewardPaidEarly)
	}
	switch r.Kind {
	case RewardCredit:
		if r.Amount <= 0 || r.Amount > MaxRewardCredit {
			return Errorf(EINVALID, "amount", "a credited reward must be more than 0 and at most %d cents", MaxRewardCredit)
		}
	case RewardWaiveCosts, RewardThanks:
		if r.Amount != 0 {
			return Errorf(EINVALID, "amount", "only a credited reward has an amount")
		}
	default:
		return Errorf(EINVALID, "kind", "kind must be %s, %s or %s", RewardWaiveCosts, RewardCredit, RewardThanks)
	}
	return nil
}

// Rewards are a creditor's rules, at most one per occasion.
type Rewards []RewardRule

// For returns the rule for an occasion.
func (rs Rewards) For(o RewardOccasion) (RewardRule, bool) {
	for _, r := range rs {
		if r.Occasion == o {
			return r, true
		}
	}
	return RewardRule{}, false
}

// RewardCase is what a rule looks at for one plan or one invoice.
type RewardCase struct {
	Occasion  RewardOccasion
	Done      bool      // the plan is completed, or the invoice is paid in full
	PaidOn    time.Time // the day the invoice was paid in full (paid early)
	DueDate   time.Time // the invoice's due date (paid early)
	CostsOpen int64     // collection costs still open on the debt concerned
	CostsPaid int64     // collection costs the debtor already paid there
	Paid      int64     // what the debtor paid on it: a credit is never more
}

// Reward is what a rule gives in one case: open costs written off, an
// amount added to the debtor's credit, and the kind, which picks the
// message.
type Reward struct {
	Kind     RewardKind
	WriteOff int64
	Credit   int64
}

// Amount is the reward in cents.
func (r Reward) Amount() int64 { return r.WriteOff + r.Credit }

// RewardFor decides whether rule rewards c, and with how much. A plan is
// rewarded once completed; an invoice once paid in full no later than its
// due date. Costs waived writes off the open costs and credits back the
// paid ones; with no costs to waive the reward is the thank-you. A fixed
// credit is never more than the debtor paid.
func RewardFor(rule RewardRule, c RewardCase) (Reward, bool) {
	if !c.Done || rule.Occasion != c.Occasion {
		return Reward{}, false
	}
	// An invoice settled by a credit note, not by the debtor, is not paid early.
	if c.Occasion == RewardPaidEarly && (c.Paid <= 0 || c.PaidOn.IsZero() || DateOf(c.PaidOn).After(DateOf(c.DueDate))) {
		return Reward{}, false
	}
	switch rule.Kind {
	case RewardWaiveCosts:
		if c.CostsOpen+c.CostsPaid <= 0 {
			return Reward{Kind: RewardThanks}, true
		}
		return Reward{Kind: RewardWaiveCosts, WriteOff: max(c.CostsOpen, 0), Credit: max(c.CostsPaid, 0)}, true
	case RewardCredit:
		if c.Paid <= 0 {
			return Reward{}, false
		}
		return Reward{Kind: RewardCredit, Credit: min(rule.Amount, c.Paid)}, true
	case RewardThanks:
		return Reward{Kind: RewardThanks}, true
	}
	return Reward{}, false
}

// OfferedReward is the reward a debtor is told about in advance, as if c
// were done today: an invoice only while today is not past its due date,
// with what is open now standing for what will be paid.
func OfferedReward(rule RewardRule, c RewardCase, today time.Time) (Reward, bool) {
	c.Done, c.PaidOn = true, DateOf(today)
	return RewardFor(rule, c)
}

// The messages that tell a debtor of a reward given, by kind.
const (
	KindRewardThanks = "reward_thanks"
	KindRewardCredit = "reward_credit"
	KindRewardCosts  = "reward_costs"
)

// MessageKind is the message that tells the debtor of r.
func (r Reward) MessageKind() string {
	switch r.Kind {
	case RewardCredit:
		return KindRewardCredit
	case RewardWaiveCosts:
		return KindRewardCosts
	}
	return KindRewardThanks
}
