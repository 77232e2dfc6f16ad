package jobs_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/jobs"
	"github.com/settle/settle/internal/notify"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// TestCleanup: the periodic cleanup job deletes idempotency keys older than
// 24 hours, per-address sign-in counters past their window and expired
// pending sign-ins, by the database's clock, and keeps the current ones.
func TestCleanup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := pgtest.NewClock(start)
	db, _ := apptest.NewDB(t, clk.Now)
	// rows makes one of each kind at the clock's time, named by suffix. Each
	// key has a creditor of its own, since storing a key drops its creditor's
	// expired keys itself: the job is for those of creditors gone quiet.
	rows := func(suffix string) {
		t.Helper()
		cr, _, err := db.CreateCreditor(ctx, collect.Creditor{Name: "Creditor " + suffix + " B.V."})
		if err != nil {
			t.Fatal(err)
		}
		agent, err := db.CreateAgent(ctx, "agent"+suffix+"@example.nl", "agent", "not-a-real-hash", []string{cr.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, claim, err := db.ClaimIdempotencyKey(ctx, cr.ID, "key-"+suffix, []byte("hash"))
		if err != nil {
			t.Fatal(err)
		}
		if err := claim.Save(ctx, postgres.StoredAnswer{Status: 201, Body: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimAddressAttempt(ctx, "192.0.2."+suffix, access.MaxAddressAttempts, access.AddressWindow); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreatePendingLogin(ctx, agent.ID); err != nil {
			t.Fatal(err)
		}
	}
	count := func(table string) int {
		t.Helper()
		var n int
		if err := db.PoolForTests().QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	rows("1")
	clk.Advance(23 * time.Hour)
	rows("2") // the pending sign-in and the address counter of "1" are expired, its key is not
	clk.Advance(time.Hour)
	rows("3") // now key-1 is 24 hours old; key-2 and everything of "3" are current

	// The job as River runs it, on a worker of its own.
	client, done := runRiver(t, db, jobs.Deps{})
	res, err := client.River.Insert(ctx, jobs.CleanupArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitJob(t, done, 30*time.Second, func(j *rivertype.JobRow) bool { return j.ID == res.Job.ID })

	var keys []string
	r, err := db.PoolForTests().Query(ctx, `SELECT key FROM idempotency_keys ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var k string
		if err := r.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	if len(keys) != 2 || keys[0] != "key-2" || keys[1] != "key-3" {
		t.Errorf("idempotency keys kept %v, want [key-2 key-3]", keys)
	}
	if n := count(`console_login_addresses WHERE address = '192.0.2.3'`); n != 1 || count("console_login_addresses") != 1 {
		t.Errorf("address counters: %d, want only the current one", count("console_login_addresses"))
	}
	if n := count(`console_pending_logins WHERE expires_at > '` + clk.Now().Format(time.RFC3339) + `'`); n != 1 || count("console_pending_logins") != 1 {
		t.Errorf("pending sign-ins: %d, want only the current one", count("console_pending_logins"))
	}
}

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

// TestSyncPayoutsJob: the payouts job runs the configured sync; without
// one it does nothing and succeeds.
func TestSyncPayoutsJob(t *testing.T) {
	ctx := context.Background()
	db, _ := apptest.NewDB(t, nil)
	ran := make(chan struct{}, 1)
	c, _ := runRiver(t, db, jobs.Deps{SyncPayouts: func(context.Context) error {
		ran <- struct{}{}
		return nil
	}})
	if _, err := c.River.Insert(ctx, jobs.SyncPayoutsArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	case <-time.After(15 * time.Second):
		t.Fatal("the payouts job did not run the sync")
	}
}

// The early_signals job, as River runs it after a kick (the demo clock's),
// raises the signal a failed payment gives.
func TestKickSignals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := apptest.NewDB(t, func() time.Time { return start })
	cr, _, err := db.CreateCreditor(ctx, collect.Creditor{Name: "Waterbedrijf"})
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := db.UpsertDebtor(ctx, collect.Debtor{CreditorID: cr.ID, ExternalRef: "W-1", Kind: collect.Consumer, Name: "Wim", Language: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreatePayment(ctx, collect.Payment{CreditorID: cr.ID, DebtorID: d.ID, Amount: 5000, Provider: "mollie", Method: "ideal"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FailCheckout(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	client, done := runRiver(t, db, jobs.Deps{})
	if err := client.KickSignals(ctx); err != nil {
		t.Fatal(err)
	}
	waitJob(t, done, 30*time.Second, func(j *rivertype.JobRow) bool { return j.Kind == jobs.SignalsArgs{}.Kind() })
	ss, err := casework.OpenSignals(ctx, db, []string{cr.ID})
	if err != nil || len(ss) != 1 || ss[0].Reason != collect.ReasonPaymentFailed || ss[0].Subject != p.ID {
		t.Errorf("signals after the job: %+v, %v; want the failed payment's", ss, err)
	}
}
