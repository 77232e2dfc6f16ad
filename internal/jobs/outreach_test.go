package jobs_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/notify"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// A kick runs outreach soon, not at the next period: with the periodic run
// an hour apart, a reminder that became due after the first run goes within
// seconds of KickOutreach, through River and the store.
func TestKickOutreach(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Wednesday 2 December 2026, 10:00 in Amsterdam: a message may go.
	clk := pgtest.NewClock(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	db, _ := apptest.NewDB(t, clk.Now)
	sms := notify.NewFakeSMS("AC1", "token")
	srv := httptest.NewServer(sms)
	t.Cleanup(srv.Close)
	gw, err := notify.NewSMSGateway(notify.SMSConfig{BaseURL: srv.URL, AccountSID: "AC1", AuthToken: "token", From: "+3197010000000"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	client, done := runRiver(t, db, jobs.Deps{OutreachEvery: time.Hour, Senders: casework.Senders{SMS: gw, BaseURL: "https://settle.example"}})
	// waitOutreach waits for the next outreach run to end, at most within.
	waitOutreach := func(within time.Duration) {
		t.Helper()
		waitJob(t, done, within, func(j *rivertype.JobRow) bool { return j.Kind == (jobs.OutreachArgs{}).Kind() })
	}
	waitOutreach(30 * time.Second) // the run on start, with nothing to do

	cr, _, err := db.CreateCreditor(ctx, collect.Creditor{Name: "Energie Noord", Phone: "050 123 45 67", IBAN: "NL91ABNA0417164300"})
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := db.UpsertDebtor(ctx, collect.Debtor{CreditorID: cr.ID, ExternalRef: "K", Kind: collect.Consumer, Name: "Debtor K", Language: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetContactWishes(ctx, cr.ID, d.ID, collect.ContactWishes{Channel: "sms", Channels: []collect.Channel{collect.ChannelSMS},
		Phone: "+31699999999", Language: "nl"}, clk.Now()); err != nil {
		t.Fatal(err)
	}
	// Due a week ago: the reminder of day 7 is due today.
	if _, err := db.CreateInvoice(ctx, collect.Invoice{CreditorID: cr.ID, DebtorID: d.ID, Number: "F-K",
		IssueDate: collect.Day(2026, 10, 25), DueDate: collect.Day(2026, 11, 25), Amount: 10000, Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	if n := len(sms.Messages()); n != 0 {
		t.Fatalf("%d SMS before the kick", n)
	}
	if err := client.KickOutreach(ctx); err != nil {
		t.Fatal(err)
	}
	waitOutreach(10 * time.Second)
	got := sms.Messages()
	if len(got) != 1 || got[0].To != "+31699999999" {
		t.Errorf("after the kick the gateway has %+v, want the reminder to +31699999999", got)
	}
}
