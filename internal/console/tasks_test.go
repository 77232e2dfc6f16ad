package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The ladder's personal follow-up is in the work queue with the debtor,
// the reason and its day; the agent marks it done with a form (CSRF,
// audit), once, and only for their own creditors.
func TestFollowUpInQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cr := e.creditor("Zonnestroom")
	other := e.creditor("Groothandel")
	d := e.debtor(cr, "T-1", "Tessa Timmer")
	today := e.DB.Today()
	inv := e.invoice(cr, d, "T-F1", today.AddDate(0, 0, -35), 10000)
	// The planner's step 35: only the task, as PlanOutreach stores it.
	if _, err := e.DB.RunLadderStep(e.Ctx, postgres.LadderRun{Invoice: inv, After: collect.LadderProgress{Done: 4}, StepKey: "follow_up",
		Task: &postgres.AgentTask{CreditorID: cr.ID, DebtorID: d.ID, InvoiceID: inv.ID, Kind: "follow_up", StepKey: inv.ID + ":0:follow_up:task", DueOn: today},
		Now:  e.DB.Now()}); err != nil {
		t.Fatal(err)
	}
	tasks, err := e.DB.AgentTasks(e.Ctx, cr.ID, d.ID)
	if err != nil || len(tasks) != 1 {
		t.Fatalf("tasks %+v, %v", tasks, err)
	}
	done := "/console/tasks/" + tasks[0].ID + "/done"
	e.Agent("agent@example.nl", "agent", cr.ID)
	e.Agent("other@example.nl", "agent", other.ID)

	c := e.Client()
	c.SignInAgent("agent@example.nl")
	r := c.Get("/console")
	apptest.WantStatus(t, "queue", r, http.StatusOK)
	apptest.WantContains(t, "queue", r.Body, "Personal follow-up", "Tessa Timmer", "invoice T-F1 still open", `action="`+done+`"`)

	o := e.Client()
	o.SignInAgent("other@example.nl")
	o.Get("/console")
	apptest.WantStatus(t, "another creditor's agent", o.Post(done, url.Values{}), http.StatusNotFound)
	apptest.WantStatus(t, "without the CSRF token", c.PostAsIs(done, url.Values{}), http.StatusForbidden)

	apptest.WantStatus(t, "mark done", c.Post(done, url.Values{}), http.StatusSeeOther)
	if a := e.lastAction(d.ID); a != "task.done" {
		t.Errorf("last audit action %q, want task.done", a)
	}
	apptest.WantNotContains(t, "queue after", c.Get("/console").Body, "Tessa Timmer", done)
	apptest.WantStatus(t, "mark done twice", c.Post(done, url.Values{}), http.StatusConflict)
}
