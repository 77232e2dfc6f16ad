package casework

import (
	"context"
	"slices"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// RewardLookbackDays is how far back a rewards run looks for plans
// completed and invoices due: runs come every minute, so this only covers
// a long stop of the jobs.
const RewardLookbackDays = 14

// RewardRun counts what one run gave by itself.
type RewardRun struct {
	Rewards int   // rewards given
	Credits int   // debtors whose credit paid something open
	Applied int64 // cents of credit applied
}

// RunRewards gives, by itself and once each, every reward earned and not
// yet given (collect.RewardFor decides; the store's unique key per plan or
// invoice keeps a replay from giving it twice), with its thank-you message
// through the outbox, and applies every credit that can pay something open
// at the same creditor. The store's clock says what day it is.
func RunRewards(ctx context.Context, db *postgres.DB) (RewardRun, error) {
	var out RewardRun
	now, today := db.Now(), db.Today()
	cands, err := db.RewardCandidates(ctx, today.AddDate(0, 0, -RewardLookbackDays))
	if err != nil {
		return out, err
	}
	for _, c := range cands {
		if c.PlanID != "" {
			// A kept plan covered the debtor's whole debt: the costs
			// still open are those of the whole statement.
			_, st, err := db.Statement(ctx, c.CreditorID, c.DebtorID, today)
			if err != nil {
				return out, err
			}
			c.Case.CostsOpen = st.Costs
		}
		reward, ok := collect.RewardFor(c.Rule, c.Case)
		if !ok {
			continue
		}
		msg, err := answerMessage(ctx, db, now, c.CreditorID, c.DebtorID, reward.MessageKind())
		if err != nil {
			return out, err
		}
		applied, err := db.ApplyReward(ctx, c, reward, today, &msg)
		if err != nil {
			return out, err
		}
		if applied {
			out.Rewards++
		}
	}
	debtors, err := db.CreditDebtors(ctx)
	if err != nil {
		return out, err
	}
	for _, d := range debtors {
		used, err := db.ApplyCredit(ctx, d.CreditorID, d.DebtorID, today)
		if err != nil {
			return out, err
		}
		if used > 0 {
			out.Credits++
			out.Applied += used
		}
	}
	return out, nil
}

// RewardOffer is a reward the debtor is told about in advance: what they
// get, and, for an invoice, by when to pay.
type RewardOffer struct {
	collect.Reward
	Occasion  collect.RewardOccasion
	InvoiceID string
	Number    string
	Before    time.Time // pay in full on or before this day (paid early)
}

// RewardOffers are the rewards a debtor can still earn at the creditor:
// one for each open invoice not yet past its due date, and one for a
// running plan (the costs open now stand for what would be waived). A
// thank-you alone is not announced: it is a surprise, not a promise.
func RewardOffers(ctx context.Context, db *postgres.DB, st collect.Statement, creditorID string, planRunning bool) ([]RewardOffer, error) {
	rules, err := db.RewardRules(ctx, creditorID)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	var out []RewardOffer
	if rule, ok := rules.For(collect.RewardPaidEarly); ok {
		for _, l := range st.Open() {
			c := collect.RewardCase{Occasion: collect.RewardPaidEarly, DueDate: l.Invoice.DueDate, Paid: l.Total()}
			if r, ok := collect.OfferedReward(rule, c, st.AsOf); ok && r.Amount() > 0 {
				out = append(out, RewardOffer{Reward: r, Occasion: rule.Occasion, InvoiceID: l.Invoice.ID, Number: l.Invoice.Number, Before: l.Invoice.DueDate})
			}
		}
	}
	if rule, ok := rules.For(collect.RewardPlanKept); ok && planRunning {
		c := collect.RewardCase{Occasion: collect.RewardPlanKept, CostsOpen: st.Costs, Paid: st.Total()}
		if r, ok := collect.OfferedReward(rule, c, st.AsOf); ok && r.Amount() > 0 {
			out = append(out, RewardOffer{Reward: r, Occasion: rule.Occasion})
		}
	}
	return out, nil
}

// SetReward validates and stores a creditor's reward for one occasion;
// kind "" (or "none") removes it.
func SetReward(ctx context.Context, db *postgres.DB, actor, creditorID string, rule collect.RewardRule) error {
	if rule.Kind == "none" {
		rule.Kind = ""
	}
	if rule.Kind != "" {
		if err := rule.Check(); err != nil {
			return err
		}
	} else if err := (collect.RewardRule{Occasion: rule.Occasion, Kind: collect.RewardThanks}).Check(); err != nil {
		return err
	}
	return db.SetRewardRule(ctx, actor, creditorID, rule)
}

// SetCreditorReward is SetReward for a console admin: only for a creditor
// among creditorIDs (any other is not found).
func SetCreditorReward(ctx context.Context, db *postgres.DB, creditorIDs []string, actor, creditorID string, rule collect.RewardRule) error {
	if !slices.Contains(creditorIDs, creditorID) {
		return collect.Errorf(collect.ENOTFOUND, "", "creditor not found")
	}
	return SetReward(ctx, db, actor, creditorID, rule)
}
