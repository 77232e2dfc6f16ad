package casework_test

import (
	"testing"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// The creditor's weekly cap, through the store: of two reminders two days
// apart, the second waits until the first is a week old; it is deferred,
// never dropped.
func TestWeeklyCapDefers(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	tmpl := func(key string) map[string]string { return map[string]string{"nl": key, "en": key} }
	if _, err := casework.SaveLadder(b.ctx, b.db, b.clk.Now(), casework.LadderSave{CreditorID: b.cr.ID, Actor: "cli", MaxPerWeek: 1,
		Steps: []collect.LadderStep{
			{Key: "reminder_before", Kind: collect.StepMessage, Day: -3, Templates: tmpl("reminder_before")},
			{Key: "reminder_after", Kind: collect.StepMessage, Day: -1, Templates: tmpl("reminder_after")},
		}}); err != nil {
		t.Fatal(err)
	}
	d, _ := b.debtor(t, "C", "nl", collect.ContactWishes{Channels: []collect.Channel{collect.ChannelSMS}, Phone: "+31688888888"})
	// Until Saturday 5 December: the second reminder is planned, and waits.
	b.run(t, time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC), time.Hour, nil)
	ms := b.messages(t, d.ID)
	if len(ms) != 2 || ms[0].State != collect.MessageSent || ms[1].State != collect.MessageScheduled {
		t.Fatalf("messages %+v, want the first sent and the second waiting", ms)
	}
	weekLater := ms[0].SentAt.Add(7 * 24 * time.Hour)
	if !ms[1].NotBefore.Equal(weekLater) {
		t.Errorf("the second waits until %v, want %v, a week after the first", ms[1].NotBefore.In(dutchTime), weekLater.In(dutchTime))
	}
	b.run(t, time.Date(2026, 12, 9, 9, 0, 0, 0, time.UTC), time.Hour, nil)
	ms = b.messages(t, d.ID)
	if ms[1].State != collect.MessageSent || ms[1].SentAt.Before(weekLater) || ms[1].SentAt.After(weekLater.Add(time.Hour)) {
		t.Errorf("the second is %s at %v, want sent within the hour after %v", ms[1].State, ms[1].SentAt, weekLater.In(dutchTime))
	}
	if n := len(b.sms.Messages()); n != 2 {
		t.Errorf("%d SMS, want 2", n)
	}
}

// A 14-day letter planned on a Sunday goes on Monday, the first day the
// print partner posts: the notice says it was sent on Monday, and its term
// counts from then.
func TestNoticeSentOnPostingDay(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	d, _, err := b.db.UpsertDebtor(b.ctx, collect.Debtor{CreditorID: b.cr.ID, ExternalRef: "W", Kind: collect.Consumer, Name: "Debtor W",
		Language: "nl", Address: collect.Address{Street: "Dorpsstraat", HouseNumber: "2", Postcode: "9711 AA", City: "Groningen"}})
	if err != nil {
		t.Fatal(err)
	}
	// Due on Sunday 6 December: day 14, the letter's day, is Sunday 20 December.
	if _, err := b.db.CreateInvoice(b.ctx, collect.Invoice{CreditorID: b.cr.ID, DebtorID: d.ID, Number: "F-W",
		IssueDate: collect.Day(2026, 11, 6), DueDate: collect.Day(2026, 12, 6), Amount: 10000, Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	b.run(t, time.Date(2026, 12, 22, 9, 0, 0, 0, time.UTC), 2*time.Hour, nil)
	var letter *collect.Message
	for _, m := range b.messages(t, d.ID) {
		if m.Kind == "notice" && m.Channel == collect.ChannelPost {
			letter = &m.Message
		}
	}
	if letter == nil || letter.NoticeID == "" {
		t.Fatal("no 14-day letter with its notice")
	}
	monday := collect.Day(2026, 12, 21)
	if letter.SentAt == nil || !collect.DutchDate(*letter.SentAt).Equal(monday) {
		t.Errorf("the letter went at %v, want on Monday 21 December", letter.SentAt)
	}
	facts, _, err := b.db.Statement(b.ctx, b.cr.ID, d.ID, monday)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := b.db.Calendar(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range facts.Notices {
		if n.ID != letter.NoticeID {
			continue
		}
		found = true
		if !n.SentOn.Equal(monday) {
			t.Errorf("the notice was sent on %v, want Monday 21 December", n.SentOn)
		}
		if want := collect.NoticeDeadline(monday, facts.Creditor.PostDeliveryDays, cal); !n.Deadline.Equal(want) {
			t.Errorf("deadline %v, want %v", n.Deadline, want)
		}
	}
	if !found {
		t.Errorf("the letter's notice %s is not on file", letter.NoticeID)
	}
}
