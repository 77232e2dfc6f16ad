package portal

import (
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// rewardLines words the rewards a debtor can still earn, one sentence each;
// only, when not "", keeps the rewards of that occasion.
func rewardLines(pr i18n.Printer, offers []casework.RewardOffer, only collect.RewardOccasion) []string {
	var out []string
	for _, o := range offers {
		if only != "" && o.Occasion != only {
			continue
		}
		kind := "credit"
		if o.Kind == collect.RewardWaiveCosts {
			kind = "costs"
		}
		if o.Occasion == collect.RewardPlanKept {
			out = append(out, pr.T("reward.plan."+kind, pr.Money(o.Amount())))
			continue
		}
		out = append(out, pr.T("reward.early."+kind, o.Number, pr.Date(o.Before), pr.Money(o.Amount())))
	}
	return out
}
