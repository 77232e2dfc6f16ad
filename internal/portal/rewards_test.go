package portal_test

import (
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// The debtor sees a reward before earning it: on the overview, what paying
// a bill by its due date brings; on the plan page, what keeping the plan
// brings (here the collection costs of the notice dropped).
func TestRewardsShownInAdvance(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	for _, r := range []collect.RewardRule{
		{Occasion: collect.RewardPaidEarly, Kind: collect.RewardCredit, Amount: 500},
		{Occasion: collect.RewardPlanKept, Kind: collect.RewardWaiveCosts},
	} {
		if err := casework.SetReward(e.Ctx, e.DB, "cli", cr.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	d, _, c := selfServiceDebtor(t, e, cr, "R-1", "12") // overdue, with a notice: costs
	e.invoice(cr, d, "F-NEXT", "Stroom december", collect.Day(2026, 11, 20), collect.Day(2026, 12, 4), 8000)
	costs := e.statement(cr, d).Costs
	if costs <= 0 {
		t.Fatalf("costs %d, want the notice's costs", costs)
	}
	page := c.Get("/overview")
	apptest.WantContains(t, "overview", page.Body, "Betaalt u rekening F-NEXT uiterlijk 4 december 2026 helemaal? Dan krijgt u als dank € 5,00 terug.")
	apptest.WantNotContains(t, "overview", page.Body, "rekening F-R-1 uiterlijk") // past its due date: no offer
	plan := c.Get("/plan")
	apptest.WantContains(t, "plan page", plan.Body, "Betaalt u alle delen van uw plan op tijd? Dan schrappen wij de "+i18n.For("nl").Money(costs)+" kosten.")
}
