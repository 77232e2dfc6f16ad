package casework_test

import (
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// texting are the wishes of a debtor reached by SMS.
func texting(phone string) collect.ContactWishes {
	return collect.ContactWishes{Channels: []collect.Channel{collect.ChannelSMS}, Phone: phone}
}

// pay books a paid payment of amount for the debtor, as a provider would.
func (b *outreachBundle) pay(t *testing.T, debtorID, instalmentID string, amount int64) {
	t.Helper()
	p, err := b.db.CreatePayment(b.ctx, collect.Payment{CreditorID: b.cr.ID, DebtorID: debtorID, Amount: amount, Provider: "bank", Method: "transfer", InstalmentID: instalmentID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.ApplyProviderState(b.ctx, p.ID, pay.State{Status: pay.StatusPaid, Amount: amount}, "test"); err != nil {
		t.Fatal(err)
	}
}

// audits counts the audit records of action about a debtor.
func (b *outreachBundle) audits(t *testing.T, debtorID, action string) int {
	t.Helper()
	var n int
	if err := b.db.PoolForTests().QueryRow(b.ctx, `SELECT count(*) FROM audit_log WHERE debtor_id = $1 AND action = $2`, debtorID, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// followedUp checks a debtor's one day-after message of kind: sent on day
// (Amsterdam) at an allowed moment, saying what it must; and the agent's
// task of that kind due that day.
func (b *outreachBundle) followedUp(t *testing.T, debtorID, kind string, day time.Time, says ...string) postgres.OutboxMessage {
	t.Helper()
	ms := b.messagesOfKind(t, debtorID, kind)
	if len(ms) != 1 {
		t.Fatalf("%d %s messages, want 1", len(ms), kind)
	}
	m := ms[0]
	if m.State != collect.MessageSent || m.SentAt == nil || !collect.DutchDate(*m.SentAt).Equal(day) {
		t.Fatalf("%s: %s at %v (%s), want sent on %s", kind, m.State, m.SentAt, m.Error, day.Format(time.DateOnly))
	}
	sentAllowed(t, m, nil)
	for _, s := range says {
		if !strings.Contains(m.Text, s) {
			t.Errorf("%s does not say %q:\n%s", kind, s, m.Text)
		}
	}
	tasks, err := b.db.AgentTasks(b.ctx, b.cr.ID, debtorID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, task := range tasks {
		found = found || (task.Kind == kind && task.DueOn.Equal(day))
	}
	if !found {
		t.Errorf("tasks %+v, want a %s task due %s", tasks, kind, day.Format(time.DateOnly))
	}
	return m
}

// A promise pauses the ladder until its date. One kept (paid before the
// date) ends quietly; one broken is followed up the morning after, with a
// message and a task, and its date can be moved once.
func TestPromiseKeptAndBroken(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	keeper, kinv := b.debtor(t, "K", "nl", texting("+31611111111"))
	breaker, _ := b.debtor(t, "B", "en", texting("+31622222222"))
	// Thursday 3 December, the day after the due date: both promise.
	b.run(t, time.Date(2026, 12, 3, 10, 0, 0, 0, dutchTime), time.Hour, nil)
	now := b.clk.Now()
	kept, err := casework.MakePromise(b.ctx, b.db, now, casework.PromiseRequest{CreditorID: b.cr.ID, DebtorID: keeper.ID, InvoiceID: kinv.ID, On: collect.Day(2026, 12, 10)})
	if err != nil || kept.Amount < 10000 || kept.Status != collect.PromiseOpen {
		t.Fatalf("promise = %+v, %v", kept, err)
	}
	broken, err := casework.MakePromise(b.ctx, b.db, now, casework.PromiseRequest{CreditorID: b.cr.ID, DebtorID: breaker.ID, On: collect.Day(2026, 12, 10)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = casework.MakePromise(b.ctx, b.db, now, casework.PromiseRequest{CreditorID: b.cr.ID, DebtorID: keeper.ID, InvoiceID: kinv.ID, On: collect.Day(2026, 12, 9)})
	if collect.ErrorCode(err) != collect.ECONFLICT {
		t.Errorf("a second promise for the bill: %v, want a conflict", err)
	}
	_, err = casework.MakePromise(b.ctx, b.db, now, casework.PromiseRequest{CreditorID: b.cr.ID, DebtorID: breaker.ID, On: collect.Day(2026, 12, 18)})
	if collect.ErrorCode(err) != collect.EINVALID {
		t.Errorf("a promise past the 14 days: %v, want invalid", err)
	}

	// The keeper pays on Tuesday 8 December; the breaker does not.
	b.run(t, time.Date(2026, 12, 8, 12, 0, 0, 0, dutchTime), time.Hour, nil)
	b.pay(t, keeper.ID, "", kept.Amount)
	b.run(t, time.Date(2026, 12, 11, 12, 0, 0, 0, dutchTime), time.Hour, nil)

	ps, err := b.db.Promises(b.ctx, b.cr.ID, keeper.ID)
	if err != nil || ps[0].Status != collect.PromiseKept || b.audits(t, keeper.ID, "promise.kept") != 1 {
		t.Fatalf("keeper's promise %+v, %v; want kept, with its audit record", ps, err)
	}
	if ms := b.messagesOfKind(t, keeper.ID, collect.KindPromiseMissed); len(ms) != 0 {
		t.Errorf("the keeper got %d day-after messages", len(ms))
	}
	ps, err = b.db.Promises(b.ctx, b.cr.ID, breaker.ID)
	if err != nil || ps[0].Status != collect.PromiseBroken || b.audits(t, breaker.ID, "promise.broken") != 1 {
		t.Fatalf("breaker's promise %+v, %v; want broken, once", ps, err)
	}
	// Friday 11 December, the day after the promised Thursday.
	b.followedUp(t, breaker.ID, collect.KindPromiseMissed, collect.Day(2026, 12, 11), "€100.0", "10 December 2026", "https://settle.example/b/")
	// The ladder waited: the reminder of day 7 (9 December) did not go
	// while the promise held.
	for _, m := range b.messagesOfKind(t, breaker.ID, "reminder_after") {
		if m.SentAt != nil && m.SentAt.Before(time.Date(2026, 12, 11, 0, 0, 0, 0, dutchTime)) {
			t.Errorf("a reminder went at %v, under the promise", m.SentAt)
		}
	}

	// Moving the date: once.
	moved, err := casework.MovePromise(b.ctx, b.db, b.clk.Now(), b.cr.ID, breaker.ID, broken.ID, collect.Day(2026, 12, 15))
	if err != nil || moved.MovedFrom != broken.ID || moved.Status != collect.PromiseOpen {
		t.Fatalf("move = %+v, %v", moved, err)
	}
	for _, id := range []string{broken.ID, moved.ID} {
		if _, err := casework.MovePromise(b.ctx, b.db, b.clk.Now(), b.cr.ID, breaker.ID, id, collect.Day(2026, 12, 16)); collect.ErrorCode(err) != collect.ECONFLICT {
			t.Errorf("a second move of %s: %v, want a conflict", id, err)
		}
	}
	if _, err := casework.MovePromise(b.ctx, b.db, b.clk.Now(), b.cr.ID, keeper.ID, moved.ID, collect.Day(2026, 12, 16)); !collect.IsNotFound(err) {
		t.Errorf("another debtor's promise: %v, want not found", err)
	}
}

// A plan with one missed part: the next morning (a Saturday's part is
// followed up on Monday, not at night and not on the Sunday) the debtor is
// told calmly that one more miss stops the plan, and an agent has a task
// that day. The second miss breaks the plan and the debtor is told what
// that means.
func TestPlanMissedTwiceIsBroken(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	d, _ := b.debtor(t, "P", "nl", texting("+31633333333"))
	// Two parts of € 50,00: Saturday 5 December 2026 and Tuesday 5 January 2027.
	q, err := casework.ProposePlan(b.ctx, b.db, b.clk.Now(), casework.PlanRequest{CreditorID: b.cr.ID, DebtorID: d.ID, Months: 2, First: collect.Day(2026, 12, 5)})
	if err != nil || q.Plan.Status != collect.PlanApproved {
		t.Fatalf("plan = %+v, %v", q.Plan, err)
	}
	b.run(t, time.Date(2026, 12, 7, 12, 0, 0, 0, dutchTime), time.Hour, nil)
	m := b.followedUp(t, d.ID, collect.KindInstalmentMissed, collect.Day(2026, 12, 7), "€ 50,00", "5 december 2026", "Dan stopt uw plan")
	if local := m.SentAt.In(dutchTime); local.Hour() < 8 {
		t.Errorf("the message went at %v, at night", local)
	}
	if plans, _ := b.db.Plans(b.ctx, b.cr.ID, d.ID); plans[0].Status != collect.PlanApproved {
		t.Fatalf("plan %s after one miss, want still approved", plans[0].Status)
	}

	b.clk.Set(time.Date(2027, 1, 5, 22, 0, 0, 0, dutchTime))
	b.run(t, time.Date(2027, 1, 6, 12, 0, 0, 0, dutchTime), time.Hour, nil)
	plans, err := b.db.Plans(b.ctx, b.cr.ID, d.ID)
	if err != nil || plans[0].Status != collect.PlanBroken || b.audits(t, d.ID, "plan.broken") != 1 {
		t.Fatalf("plan %s (%v) after the second miss, want broken with its audit record", plans[0].Status, err)
	}
	b.followedUp(t, d.ID, collect.KindPlanBroken, collect.Day(2027, 1, 6), "gestopt", "Nog open: € 100,")
	if ms := b.messagesOfKind(t, d.ID, collect.KindInstalmentMissed); len(ms) != 1 {
		t.Errorf("%d instalment messages, want only the first miss's: the second is told as the plan's end", len(ms))
	}
	// Running again changes nothing.
	if r, err := casework.ReviewPlans(b.ctx, b.db); err != nil || r.Broken != 0 {
		t.Errorf("review after = %+v, %v; want nothing more broken", r, err)
	}
}
