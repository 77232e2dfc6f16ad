package casework_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/notify"
	"github.com/settle/settle/internal/notify/mailpit"
	"github.com/settle/settle/internal/postgres"
)

var dutchTime = apptest.Amsterdam

// outreachBundle is a creditor on the default ladder, a clock the test
// moves, and the channels: a real Mailpit and the fake SMS gateway.
type outreachBundle struct {
	caseDB
	senders casework.Senders
	sms     *notify.FakeSMS
	mail    *mailpit.Server
}

// setupOutreach starts on Monday 23 November 2026, 10:00 in Amsterdam.
func setupOutreach(t *testing.T, withMail bool) *outreachBundle {
	t.Helper()
	b := &outreachBundle{caseDB: newCaseDB(t, apptest.Start, collect.Creditor{Name: "Energie Noord", Phone: "050 123 45 67", PhoneHours: "ma-vr 9-17",
		IBAN: "NL91ABNA0417164300", Email: "klant@energienoord.example"})}
	ctx := b.ctx
	b.sms = notify.NewFakeSMS("AC1", "token")
	srv := httptest.NewServer(b.sms)
	t.Cleanup(srv.Close)
	gw, err := notify.NewSMSGateway(notify.SMSConfig{BaseURL: srv.URL, AccountSID: "AC1", AuthToken: "token", From: "+3197010000000"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.senders = casework.Senders{SMS: gw, BaseURL: "https://settle.example"}
	if withMail {
		if b.mail, err = mailpit.Start(ctx, mailpit.Options{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.mail.Stop() })
		smtp, err := notify.ParseSMTPURL(b.mail.SMTPURL())
		if err != nil {
			t.Fatal(err)
		}
		if b.senders.Email, err = notify.NewMailer(smtp, "Energie Noord <noreply@energienoord.example>"); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// debtor adds a debtor with contact wishes and one invoice of 100,00 due
// on Wednesday 2 December 2026.
func (b *outreachBundle) debtor(t *testing.T, ref, lang string, w collect.ContactWishes) (collect.Debtor, collect.Invoice) {
	t.Helper()
	d, _, err := b.db.UpsertDebtor(b.ctx, collect.Debtor{CreditorID: b.cr.ID, ExternalRef: ref, Kind: collect.Consumer, Name: "Debtor " + ref,
		Language: lang, Address: collect.Address{Street: "Dorpsstraat", HouseNumber: "1", Postcode: "9711 AA", City: "Groningen"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Channels) > 0 {
		w.Channel, w.Language = string(w.Channels[0]), lang
		if err := b.db.SetContactWishes(b.ctx, b.cr.ID, d.ID, w, b.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := b.db.CreateInvoice(b.ctx, collect.Invoice{CreditorID: b.cr.ID, DebtorID: d.ID, Number: "F-" + ref,
		IssueDate: collect.Day(2026, 11, 2), DueDate: collect.Day(2026, 12, 2), Amount: 10000, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	return d, inv
}

// run moves the clock in steps of every until to, running outreach as the
// periodic job does, and calls at(day) once at the start of each new day.
func (b *outreachBundle) run(t *testing.T, to time.Time, every time.Duration, at func(now time.Time)) {
	t.Helper()
	for now := b.clk.Now(); now.Before(to); now = b.clk.Add(every) {
		if at != nil {
			at(now)
		}
		if _, err := casework.PlanOutreach(b.ctx, b.db, now, b.senders.BaseURL); err != nil {
			t.Fatalf("%v: plan: %v", now, err)
		}
		if _, err := casework.DeliverDue(b.ctx, b.db, b.senders, now); err != nil {
			t.Fatalf("%v: deliver: %v", now, err)
		}
	}
}

func (b *outreachBundle) messages(t *testing.T, debtorID string) []postgres.OutboxMessage {
	t.Helper()
	ms, err := b.db.Messages(b.ctx, b.cr.ID, debtorID)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(ms) // oldest first
	return ms
}

// sentAllowed fails when a message went at a moment it may not: at night,
// on a Sunday or a holiday, or in one of the person's avoided ranges.
func sentAllowed(t *testing.T, m postgres.OutboxMessage, avoid []collect.TimeRange) {
	t.Helper()
	if m.SentAt == nil {
		return
	}
	local := m.SentAt.In(dutchTime)
	if local.Hour() < 8 || local.Hour() >= 21 || local.Weekday() == time.Sunday {
		t.Errorf("%s %s went at %v", m.Kind, m.Channel, local)
	}
	if m.Channel == collect.ChannelPost {
		return
	}
	minute := local.Hour()*60 + local.Minute()
	for _, r := range avoid {
		if slices.Contains(r.Days, local.Weekday()) && minute >= r.From && minute < r.To {
			t.Errorf("%s %s went at %v, a time the person avoids", m.Kind, m.Channel, local)
		}
	}
}

// Sixty days from the invoice to the agent's follow-up, for three people
// with different wishes: each message on the right channel, at an allowed
// local time, in the person's language, with the link, and each step once.
func TestLadderSixtyDays(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, true)
	officeHours := []collect.TimeRange{{Days: []time.Weekday{1, 2, 3, 4, 5}, From: 8 * 60, To: 17 * 60}}
	emailFirst, _ := b.debtor(t, "E", "nl", collect.ContactWishes{Channels: []collect.Channel{collect.ChannelEmail, collect.ChannelSMS}, Email: "e@example.nl", Phone: "+31611111111"})
	smsFirst, _ := b.debtor(t, "S", "en", collect.ContactWishes{Channels: []collect.Channel{collect.ChannelSMS, collect.ChannelEmail}, Phone: "+31622222222", Avoid: officeHours})
	postOnly, _ := b.debtor(t, "P", "nl", collect.ContactWishes{Channels: []collect.Channel{collect.ChannelPost}})

	smsSent := counted(t, "settle_messages_total", "channel", string(collect.ChannelSMS), "state", string(collect.MessageSent))

	b.run(t, time.Date(2027, 1, 22, 9, 0, 0, 0, time.UTC), 2*time.Hour, nil)

	// Other tests may send SMS at the same time, so at least smsFirst's three.
	if got := counted(t, "settle_messages_total", "channel", string(collect.ChannelSMS), "state", string(collect.MessageSent)); got < smsSent+3 {
		t.Errorf("settle_messages_total for sms sent: %v, was %v; want at least 3 more", got, smsSent)
	}
	type want struct {
		kind    string
		channel collect.Channel
	}
	for _, tc := range []struct {
		d     collect.Debtor
		lang  string
		avoid []collect.TimeRange
		want  []want
	}{
		{emailFirst, "nl", nil, []want{{"reminder_before", "email"}, {"reminder_after", "email"}, {"notice", "post"}, {"notice", "email"}}},
		{smsFirst, "en", officeHours, []want{{"reminder_before", "sms"}, {"reminder_after", "sms"}, {"notice", "post"}, {"notice", "sms"}}},
		{postOnly, "nl", nil, []want{{"reminder_before", "post"}, {"reminder_after", "post"}, {"notice", "post"}}},
	} {
		ms := b.messages(t, tc.d.ID)
		var got []want
		for _, m := range ms {
			got = append(got, want{m.Kind, m.Channel})
			if m.State != collect.MessageSent {
				t.Errorf("%s: %s %s is %s (%s), want sent", tc.d.ExternalRef, m.Kind, m.Channel, m.State, m.Error)
			}
			if m.Language != tc.lang || !strings.Contains(m.Text, "https://settle.example/b/") || !strings.Contains(m.Text, "Energie Noord") {
				t.Errorf("%s: %s %s in %q:\n%s", tc.d.ExternalRef, m.Kind, m.Channel, m.Language, m.Text)
			}
			sentAllowed(t, m, tc.avoid)
		}
		// A step's letter and message are planned together, in no set order.
		byStep := func(a, b want) int { return strings.Compare(a.kind+string(a.channel), b.kind+string(b.channel)) }
		slices.SortStableFunc(got, byStep)
		slices.SortStableFunc(tc.want, byStep)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: messages %v, want %v", tc.d.ExternalRef, got, tc.want)
		}
		tasks, err := b.db.AgentTasks(b.ctx, b.cr.ID, tc.d.ID)
		if err != nil || len(tasks) != 1 || tasks[0].Kind != "follow_up" || !tasks[0].DueOn.Equal(collect.Day(2027, 1, 6)) {
			t.Errorf("%s: tasks %+v, %v; want one follow-up on 6 January 2027 (day 35)", tc.d.ExternalRef, tasks, err)
		}
	}

	// Sunday 29 November, three days before the due date, waits for Monday 8:00.
	first := b.messages(t, emailFirst.ID)[0]
	if want := time.Date(2026, 11, 30, 8, 0, 0, 0, dutchTime); first.SentAt == nil || first.SentAt.Before(want) || first.SentAt.After(want.Add(2*time.Hour)) {
		t.Errorf("first reminder went at %v, want soon after %v", first.SentAt, want)
	}
	// The email arrived in Mailpit as written, in Dutch with the amount.
	if first.ProviderID == "" {
		t.Fatal("the email has no Message-ID")
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	got, err := b.mail.WaitFor(ctx, first.ProviderID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != first.Subject || len(got.To) != 1 || got.To[0].Address != "e@example.nl" ||
		!strings.Contains(got.Text, "€ 100,00") || !strings.Contains(got.HTML, `<a href="https://settle.example/b/`) {
		t.Errorf("mailpit has %q to %v:\n%s\n%s", got.Subject, got.To, got.Text, got.HTML)
	}
	// The SMS went to the number, in English, never in office hours.
	var bodies []string
	for _, m := range b.sms.Messages() {
		if m.To == "+31622222222" {
			bodies = append(bodies, m.Body)
		}
	}
	if len(bodies) != 3 || !strings.Contains(bodies[0], "you need to pay €") || !strings.Contains(bodies[2], "A letter is on its way") {
		t.Errorf("SMS to the sms-first person: %q", bodies)
	}
	// The 14-day letter is a notice on record, sent by post.
	for _, m := range b.messages(t, postOnly.ID) {
		if m.Kind != "notice" {
			continue
		}
		if m.NoticeID == "" {
			t.Error("the 14-day letter has no notice")
			continue
		}
		// The notice keeps the letter it was sent with, its short link on
		// the address the messages use.
		l, err := casework.NoticeLetter(b.ctx, b.db, b.cr.ID, m.NoticeID)
		if err != nil || !bytes.HasPrefix(l.PDF, []byte("%PDF-")) || l.Number == "" || !bytes.Contains(l.Facts, []byte("https://settle.example/b/")) {
			t.Errorf("the 14-day letter: %v, %d bytes of PDF, number %q, facts %s", err, len(l.PDF), l.Number, l.Facts)
		}
	}
	// Running again plans and sends nothing more.
	if n, err := casework.PlanOutreach(b.ctx, b.db, b.clk.Now(), b.senders.BaseURL); err != nil || n != 0 {
		t.Errorf("a rerun planned %d steps (%v)", n, err)
	}
}

// A dispute and a breathing space pause the ladder; afterwards it goes on
// from where it was, later by the pause, one step at a time.
// A claim that already had its 14-day letter (sent by the creditor before
// the ladder ran) does not get a second one: the notice step is passed.
func TestLadderSendsTheNoticeOnce(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	d, inv := b.debtor(t, "N", "nl", collect.ContactWishes{Channels: []collect.Channel{collect.ChannelPost}})
	if _, err := casework.RecordNotice(b.ctx, b.db, b.cr, casework.NoticeRequest{DebtorID: d.ID, InvoiceIDs: []string{inv.ID},
		SentOn: collect.Day(2026, 12, 3), Channel: "email"}); err != nil {
		t.Fatal(err)
	}
	b.run(t, time.Date(2027, 1, 22, 9, 0, 0, 0, time.UTC), 6*time.Hour, nil)
	var kinds []string
	for _, m := range b.messages(t, d.ID) {
		kinds = append(kinds, m.Kind)
		if m.Kind == "notice" || m.NoticeID != "" {
			t.Errorf("a second 14-day letter: %+v", m)
		}
	}
	if !slices.Contains(kinds, "reminder_after") {
		t.Errorf("messages %v: the ladder stopped instead of passing the notice step", kinds)
	}
}

func TestLadderPausesAndResumes(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	sms := func(n string) collect.ContactWishes {
		return collect.ContactWishes{Channels: []collect.Channel{collect.ChannelSMS}, Phone: n}
	}
	disputer, dinv := b.debtor(t, "D", "nl", sms("+31633333333"))
	breather, _ := b.debtor(t, "B", "nl", sms("+31644444444"))
	agent := b.addAgent(t)
	var dispute collect.Dispute
	b.run(t, time.Date(2026, 12, 31, 9, 0, 0, 0, time.UTC), 3*time.Hour, func(now time.Time) {
		switch collect.DutchDate(now) {
		case collect.Day(2026, 12, 4):
			if now.In(dutchTime).Hour() != 10 {
				return
			}
			var err error
			if dispute, err = b.db.CreateDispute(b.ctx, collect.Dispute{CreditorID: b.cr.ID, DebtorID: disputer.ID, InvoiceID: dinv.ID, Reason: "amount_wrong"}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.db.ReportHardship(b.ctx, collect.Hardship{CreditorID: b.cr.ID, DebtorID: breather.ID, Reason: "income"}, 14); err != nil {
				t.Fatal(err)
			}
		case collect.Day(2026, 12, 16):
			if now.In(dutchTime).Hour() != 10 {
				return
			}
			if err := b.db.ResolveDispute(b.ctx, agent.ID, b.cr.ID, dispute.ID, collect.DisputeRejected, "Het bedrag klopt.", 0); err != nil {
				t.Fatal(err)
			}
		}
	})
	for _, tc := range []struct {
		d     collect.Debtor
		after time.Time // the reminder of day 7 comes no sooner than this
	}{
		// Paused from 4 December: day 7 (9 December) moves by the 12 days to 21 December.
		{disputer, time.Date(2026, 12, 21, 8, 0, 0, 0, dutchTime)},
		// Breathing space from 4 to 18 December: 14 days later (23 December).
		{breather, time.Date(2026, 12, 23, 8, 0, 0, 0, dutchTime)},
	} {
		var sent []postgres.OutboxMessage
		for _, m := range b.messages(t, tc.d.ID) {
			if m.State == collect.MessageSent {
				sent = append(sent, m)
			}
		}
		if len(sent) < 2 || sent[0].Kind != "reminder_before" || sent[1].Kind != "reminder_after" {
			t.Fatalf("%s: sent %d messages, want the two reminders first", tc.d.ExternalRef, len(sent))
		}
		if sent[1].SentAt.Before(tc.after) {
			t.Errorf("%s: the reminder after the due date went at %v, during or right after the pause; want from %v", tc.d.ExternalRef, sent[1].SentAt.In(dutchTime), tc.after)
		}
		// No burst: a week between the resumed reminder and the letter.
		if len(sent) > 2 && sent[2].SentAt.Sub(*sent[1].SentAt) < 6*24*time.Hour {
			t.Errorf("%s: %s at %v right after %s at %v", tc.d.ExternalRef, sent[2].Kind, sent[2].SentAt, sent[1].Kind, sent[1].SentAt)
		}
	}
}

// bouncer is an email channel whose every address bounces.
type bouncer struct{ tried []string }

func (s *bouncer) Send(_ context.Context, m notify.Message) notify.Result {
	s.tried = append(s.tried, m.To)
	return notify.Result{Outcome: notify.PermanentFailure, Code: "550 5.1.1", Err: errUnknownMailbox}
}

var errUnknownMailbox = errors.New("550 5.1.1 no such mailbox")

// A bounced email is recorded, its address blocked, and the message goes on
// the next channel the person accepts; the next step skips the address.
// With email off altogether, messages fall back in the same way.
func TestBounceFallsBackAndBlocks(t *testing.T) {
	t.Parallel()
	b := setupOutreach(t, false)
	bounce := &bouncer{}
	b.senders.Email = bounce
	d, _ := b.debtor(t, "X", "nl", collect.ContactWishes{Channels: []collect.Channel{collect.ChannelEmail, collect.ChannelWhatsApp}, Email: "gone@example.nl", Phone: "+31655555555"})
	b.run(t, time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC), 2*time.Hour, nil)
	var got []string
	for _, m := range b.messages(t, d.ID) {
		got = append(got, string(m.Channel)+":"+string(m.State))
	}
	if want := []string{"email:bounced", "sms:sent", "sms:sent"}; !slices.Equal(got, want) {
		t.Errorf("messages %v, want %v (WhatsApp goes as SMS)", got, want)
	}
	if len(bounce.tried) != 1 {
		t.Errorf("email tried %d times, want once: a bounced address is not used again", len(bounce.tried))
	}
	blocked, err := b.db.BlockedAddresses(b.ctx, d.ID)
	if err != nil || !slices.Equal(blocked[collect.ChannelEmail], []string{"gone@example.nl"}) {
		t.Errorf("blocked %v, %v", blocked, err)
	}
	if n := len(b.sms.Messages()); n != 2 {
		t.Errorf("%d SMS, want 2", n)
	}
}
