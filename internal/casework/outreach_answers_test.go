package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// messagesOfKind are a debtor's messages of one kind, oldest first.
func (b *outreachBundle) messagesOfKind(t *testing.T, debtorID, kind string) []postgres.OutboxMessage {
	t.Helper()
	var out []postgres.OutboxMessage
	for _, m := range b.messages(t, debtorID) {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// An agent's answers reach the debtor: a counter-offer by SMS in English,
// outside the hours the person avoids and despite the weekly cap; an
// approval and a dispute's answer by email in Dutch, in Mailpit, each with
// a short link to the portal, whose overview shows the answer.
func TestAnswersReachTheDebtor(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, true)
	agent := b.addAgent(t)
	officeHours := []collect.TimeRange{{Days: collect.Weekdays, From: 8 * 60, To: 17 * 60}}
	texter, _ := b.debtor(t, "T", "en", collect.ContactWishes{Channels: []collect.Channel{collect.ChannelSMS}, Phone: "+31677777777", Avoid: officeHours})
	mailer, minv := b.debtor(t, "M", "nl", collect.ContactWishes{Channels: []collect.Channel{collect.ChannelEmail}, Email: "m@example.nl"})
	// One message a week: the reminder of Monday 30 November fills the week.
	if _, err := casework.SaveLadder(b.ctx, b.db, b.clk.Now(), casework.LadderSave{CreditorID: b.cr.ID, Actor: "cli", MaxPerWeek: 1,
		Steps: []collect.LadderStep{{Key: "reminder_before", Kind: collect.StepMessage, Day: -3, Templates: map[string]string{"nl": "reminder_before", "en": "reminder_before"}}}}); err != nil {
		t.Fatal(err)
	}
	q, err := casework.ProposePlan(b.ctx, b.db, b.clk.Now(), casework.PlanRequest{CreditorID: b.cr.ID, DebtorID: mailer.ID, Months: 3, First: collect.Day(2027, 1, 15)})
	if err != nil || q.Plan.Status != collect.PlanProposed {
		t.Fatalf("propose = %+v, %v; want a proposal for an agent", q.Plan, err)
	}
	dispute, err := b.db.CreateDispute(b.ctx, collect.Dispute{CreditorID: b.cr.ID, DebtorID: mailer.ID, InvoiceID: minv.ID, Reason: "amount_wrong"})
	if err != nil {
		t.Fatal(err)
	}

	// Tuesday 1 December, 10:00: the agent answers all three.
	b.run(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), time.Hour, nil)
	if _, err := casework.OfferPlan(b.ctx, b.db, agent.ID, b.cr.ID, texter.ID, collect.Plan{Total: 10000, Months: 4, FirstDue: collect.Day(2026, 12, 15)}); err != nil {
		t.Fatal(err)
	}
	if _, err := casework.DecidePlan(b.ctx, b.db, casework.PlanDecision{AgentID: agent.ID, CreditorID: b.cr.ID, DebtorID: mailer.ID, PlanID: q.Plan.ID, Decision: "approve"}); err != nil {
		t.Fatal(err)
	}
	if err := casework.ResolveDispute(b.ctx, b.db, casework.DisputeAnswer{AgentID: agent.ID, CreditorID: b.cr.ID, DebtorID: mailer.ID,
		DisputeID: dispute.ID, Outcome: collect.DisputeRejected, Answer: "Het bedrag klopt."}); err != nil {
		t.Fatal(err)
	}
	// The messages are on the file at once, in the answer's transaction.
	for _, k := range []struct {
		debtor, kind string
	}{{texter.ID, collect.KindPlanCountered}, {mailer.ID, collect.KindPlanApproved}, {mailer.ID, collect.KindDisputeAnswered}} {
		if ms := b.messagesOfKind(t, k.debtor, k.kind); len(ms) != 1 || ms[0].State != collect.MessageScheduled {
			t.Fatalf("%s: %+v, want one scheduled message", k.kind, ms)
		}
	}
	b.run(t, time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), 30*time.Minute, nil)

	// The counter-offer waits for 17:00, the end of the hours the texter
	// avoids, though a reminder went the day before: the cap holds back
	// reminders, not answers.
	if rs := b.messagesOfKind(t, texter.ID, "reminder_before"); len(rs) != 1 || rs[0].SentAt == nil {
		t.Fatalf("reminders %+v, want the one of Monday sent", rs)
	}
	offer := b.messagesOfKind(t, texter.ID, collect.KindPlanCountered)[0]
	if want := time.Date(2026, 12, 1, 17, 0, 0, 0, dutchTime); offer.State != collect.MessageSent || offer.SentAt == nil ||
		offer.SentAt.Before(want) || offer.SentAt.After(want.Add(30*time.Minute)) {
		t.Errorf("counter-offer %s at %v (%s), want sent soon after %v", offer.State, offer.SentAt, offer.Error, want)
	}
	if offer.Channel != collect.ChannelSMS || offer.Language != "en" || !strings.Contains(offer.Text, "another offer") ||
		!strings.Contains(offer.Text, "https://settle.example/b/") {
		t.Errorf("counter-offer by %s in %s: %q", offer.Channel, offer.Language, offer.Text)
	}
	sentAllowed(t, offer, officeHours)

	// The approval and the dispute's answer went by email, in Dutch, at once.
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	for kind, subject := range map[string]string{collect.KindPlanApproved: "goedgekeurd", collect.KindDisputeAnswered: "Ons antwoord"} {
		ms := b.messagesOfKind(t, mailer.ID, kind)
		m := ms[0]
		if m.State != collect.MessageSent || m.Channel != collect.ChannelEmail || m.Language != "nl" || m.SentAt == nil ||
			m.SentAt.After(time.Date(2026, 12, 1, 10, 30, 0, 0, dutchTime)) {
			t.Errorf("%s: %s by %s in %s at %v (%s)", kind, m.State, m.Channel, m.Language, m.SentAt, m.Error)
			continue
		}
		got, err := b.mail.WaitFor(ctx, m.ProviderID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.Subject, subject) || len(got.To) != 1 || got.To[0].Address != "m@example.nl" ||
			!strings.Contains(got.HTML, `<a href="https://settle.example/b/`) {
			t.Errorf("%s: mailpit has %q to %v:\n%s", kind, got.Subject, got.To, got.HTML)
		}
	}
}

// A person with no channel that works still has the answer on file, as a
// failure an agent sees, and the answer itself is stored.
func TestAnswerWithoutChannelFailsVisibly(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	agent := b.addAgent(t)
	d, _, err := b.db.UpsertDebtor(b.ctx, collect.Debtor{CreditorID: b.cr.ID, ExternalRef: "N", Kind: collect.Consumer, Name: "Debtor N", Language: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.CreateInvoice(b.ctx, collect.Invoice{CreditorID: b.cr.ID, DebtorID: d.ID, Number: "F-N",
		IssueDate: collect.Day(2026, 11, 2), DueDate: collect.Day(2026, 12, 2), Amount: 10000, Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	if _, err := casework.OfferPlan(b.ctx, b.db, agent.ID, b.cr.ID, d.ID, collect.Plan{Total: 10000, Months: 4, FirstDue: collect.Day(2026, 12, 15)}); err != nil {
		t.Fatal(err)
	}
	ms := b.messagesOfKind(t, d.ID, collect.KindPlanCountered)
	if len(ms) != 1 || ms[0].State != collect.MessageFailed || ms[0].Error == "" {
		t.Errorf("messages %+v, want one failed with its reason", ms)
	}
}
