package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

func TestQueueOldestFirstWithDueBy(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
	d1 := e.debtor(cr, "D-1", "Eerste Persoon")
	d2 := e.debtor(cr, "D-2", "Tweede Persoon")
	d3 := e.debtor(cr, "D-3", "Derde Persoon")
	inv := e.invoice(cr, d2, "F-2", e.DB.Today().AddDate(0, 0, -20), 10000)
	e.proposal(cr, d1, 90000, 18) // Monday 23 November 10:00
	e.Clock.Advance(3 * time.Hour)
	e.dispute(cr, d2, inv, "nee")
	e.Clock.Advance(24 * time.Hour)
	e.hardship(cr, d3)
	e.Clock.Advance(6 * 24 * time.Hour) // Monday 30 November 13:00: the plan is overdue
	c := e.signedIn("agent@example.nl")
	r := c.Get("/console")
	apptest.WantStatus(t, "queue", r, http.StatusOK)
	i1, i2, i3 := strings.Index(r.Body, "Eerste Persoon"), strings.Index(r.Body, "Tweede Persoon"), strings.Index(r.Body, "Derde Persoon")
	if i1 < 0 || i2 < 0 || i3 < 0 || !(i1 < i2 && i2 < i3) {
		t.Errorf("queue order: plan at %d, dispute at %d, hardship at %d; want oldest first", i1, i2, i3)
	}
	apptest.WantContains(t, "queue", r.Body, "3 open requests", "Payment plan proposal", "Dispute", "Hardship report",
		"Mon 30 Nov 2026, 10:00", "overdue", "7 days", "€900.00 in 18 months", "invoice F-2, reason: amount wrong")
}

// The ladder's personal follow-up is in the work queue with the debtor,
// the reason and its day; the agent marks it done with a form (CSRF,
// audit), once, and only for their own creditors.
func TestFollowUpInQueue(t *testing.T) {
	t.Parallel()
	e, cr := newAgentEnv(t)
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
