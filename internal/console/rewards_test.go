package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
)

// An admin sets a creditor's rewards beside its ladder; a wrong amount is
// refused naming the field, and an agent may not set one.
func TestAdminSetsRewards(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	e.Agent("admin@example.nl", "admin", cr.ID)
	admin := e.signedIn("admin@example.nl")
	path := "/console/ladders/" + cr.ID + "/rewards"
	apptest.WantContains(t, "ladder page", admin.Get("/console/ladders/"+cr.ID).Body, `id="reward-paid_early"`, "No reward")
	r := admin.Post(path, url.Values{"occasion": {"paid_early"}, "kind": {"credit"}, "amount": {"7,50"}})
	apptest.WantStatus(t, "save", r, http.StatusSeeOther)
	page := admin.Get(r.Header.Get("Location"))
	apptest.WantContains(t, "ladder page", page.Body, "The reward is saved", `value="7,50"`)
	rules, err := e.DB.RewardRules(e.Ctx, cr.ID)
	if rule, ok := rules.For(collect.RewardPaidEarly); err != nil || !ok || rule.Kind != collect.RewardCredit || rule.Amount != 750 {
		t.Fatalf("rules = %+v, %v; want 7,50 credited for paying early", rules, err)
	}
	bad := admin.Post(path, url.Values{"occasion": {"plan_kept"}, "kind": {"credit"}, "amount": {"500,00"}})
	apptest.WantStatus(t, "too much", bad, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "too much", bad.Body, "amount:")
	agent := e.signedIn("agent@example.nl")
	agent.Get("/console")
	apptest.WantStatus(t, "agent", agent.Post(path, url.Values{"occasion": {"plan_kept"}, "kind": {"thanks"}}), http.StatusForbidden)
}
