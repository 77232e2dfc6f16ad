package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// analyticsScenario seeds one creditor's November 2026 (and a little of
// October and December around it, which must not count) and returns the
// database, the creditor and another creditor whose records must not count
// either. The figures TestAnalyticsFigures expects are worked out by hand
// in its comments.
func analyticsScenario(t *testing.T) (caseDB, collect.Creditor) {
	t.Helper()
	c := newCaseDB(t, time.Date(2026, 12, 2, 12, 0, 0, 0, amsterdam), collect.Creditor{Name: "Zonnestroom Energie"})
	other, _ := newCreditor(t, c.db, collect.Creditor{Name: "Ander B.V."})
	pool := c.db.PoolForTests()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(c.ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	at := func(s string) time.Time { // a Dutch moment, "2006-01-02 15:04"
		v, err := time.ParseInLocation("2006-01-02 15:04", s, amsterdam)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	debtor := func(cr collect.Creditor, name string, principal int64) (string, string) {
		d := newDebtor(t, c.db, collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-" + name, Name: name, Kind: collect.Consumer, Language: "nl"})
		inv := newInvoice(t, c.db, collect.Invoice{CreditorID: cr.ID, DebtorID: d.ID, Number: "F-" + name, IssueDate: bankDay("2026-09-15"),
			DueDate: bankDay("2026-10-01"), Amount: principal, Currency: "EUR"})
		return d.ID, inv.ID
	}
	n := 0
	pay := func(cr collect.Creditor, debtorID, invoiceID, method string, amount int64, on string) {
		t.Helper()
		n++
		provider := map[string]string{"ideal": "mollie", "card": "stripe", "transfer": "bank"}[method]
		var id string
		if err := pool.QueryRow(c.ctx, `INSERT INTO payments (creditor_id, debtor_id, amount_cents, provider, method, status, paid_at)
			VALUES ($1, $2, $3, $4, $5, 'paid', $6) RETURNING id::text`, cr.ID, debtorID, amount, provider, method, bankDay(on)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO ledger_entries (creditor_id, debtor_id, invoice_id, account, kind, amount_cents, booked_on, source_key, payment_id)
			VALUES ($1, $2, $3, 'principal', 'payment', $4, $5, $6, $7)`, cr.ID, debtorID, invoiceID, -amount, bankDay(on), "test:"+id, id)
	}
	message := func(debtorID, channel string, sent *time.Time) {
		t.Helper()
		state := "sent"
		if sent == nil {
			state = "scheduled"
		}
		exec(`INSERT INTO messages (creditor_id, debtor_id, kind, channel, state, not_before, sent_at, created_at)
			VALUES ($1, $2, 'reminder', $3, $4, coalesce($5, now()), $5, coalesce($5, now()))`, c.cr.ID, debtorID, channel, state, sent)
	}
	signIn := func(debtorID, linkChannel string, when time.Time) {
		t.Helper()
		jti := uuid.NewString()
		exec(`INSERT INTO links (jti, creditor_id, debtor_id, channel, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz + interval '30 days')`,
			jti, c.cr.ID, debtorID, linkChannel, when.Add(-time.Hour))
		c.clk.Set(when)
		if _, err := c.db.CreateSession(c.ctx, postgres.Session{Kind: "debtor", DebtorID: debtorID, CreditorID: c.cr.ID, LinkJTI: jti, Language: "nl"}); err != nil {
			t.Fatal(err)
		}
	}
	ptr := func(s string) *time.Time { v := at(s); return &v }

	// Anna: an email on 2 November, opened the next day; pays all by iDEAL
	// on the 5th. Resolved by herself, 3 days from message to payment.
	anna, annaInv := debtor(c.cr, "Anna", 10000)
	message(anna, "email", ptr("2026-11-02 10:00"))
	signIn(anna, "email", at("2026-11-03 09:00"))
	pay(c.cr, anna, annaInv, "ideal", 10000, "2026-11-05")
	// Bram: an SMS in October; pays 50 and 150 by transfer in November;
	// an agent wrote a note in his file. Resolved with an agent, 21 days.
	bram, bramInv := debtor(c.cr, "Bram", 20000)
	message(bram, "sms", ptr("2026-10-20 10:00"))
	pay(c.cr, bram, bramInv, "transfer", 5000, "2026-11-10")
	pay(c.cr, bram, bramInv, "transfer", 15000, "2026-11-20")
	exec(`INSERT INTO audit_log (actor, action, creditor_id, debtor_id, subject) VALUES ($1, 'note.added', $2, $3, 'debtor')`, "agent:"+uuid.NewString(), c.cr.ID, bram)
	// Cees: a letter on 3 November, its link used on the 25th (after 14
	// days: not opened); pays 100 of 300 by card on the 15th: not
	// resolved, 12 days.
	cees, ceesInv := debtor(c.cr, "Cees", 30000)
	message(cees, "post", ptr("2026-11-03 08:00"))
	signIn(cees, "letter", at("2026-11-25 20:00"))
	pay(c.cr, cees, ceesInv, "card", 10000, "2026-11-15")
	// Dirk: no message at all; pays 50 by transfer. Resolved by himself;
	// no days to pay (no message).
	dirk, dirkInv := debtor(c.cr, "Dirk", 5000)
	pay(c.cr, dirk, dirkInv, "transfer", 5000, "2026-11-08")
	// Eva: an email in October and a first payment then; the rest in
	// November by transfer (after the email: its channel). A WhatsApp on
	// the 20th, opened through an SMS link the next day; a message still
	// scheduled does not count. Resolved by herself; her first payment was
	// in October, so no days to pay.
	eva, evaInv := debtor(c.cr, "Eva", 4000)
	message(eva, "email", ptr("2026-10-10 10:00"))
	pay(c.cr, eva, evaInv, "transfer", 1000, "2026-10-15")
	pay(c.cr, eva, evaInv, "transfer", 3000, "2026-11-12")
	message(eva, "whatsapp", ptr("2026-11-20 18:00"))
	signIn(eva, "sms", at("2026-11-21 08:00"))
	message(eva, "sms", nil)

	// Promises: kept on 6 Nov, broken on 9 Nov, kept on 30 Oct (outside),
	// one still open.
	for _, p := range []struct {
		status  string
		decided *time.Time
	}{{"kept", ptr("2026-11-06 01:00")}, {"broken", ptr("2026-11-09 01:00")}, {"kept", ptr("2026-10-30 01:00")}, {"open", nil}} {
		exec(`INSERT INTO promises (creditor_id, debtor_id, promised_on, amount_cents, status, created_at, decided_at) VALUES ($1, $2, '2026-11-05', 1000, $3, $4, $5)`,
			c.cr.ID, cees, p.status, at("2026-10-01 12:00"), p.decided)
	}
	// Plans: completed on 25 Nov, broken on 11 Nov, broken on 1 Dec (outside).
	for _, p := range []struct{ status, decided string }{{"completed", "2026-11-25 03:00"}, {"broken", "2026-11-11 03:00"}, {"broken", "2026-12-01 03:00"}} {
		exec(`INSERT INTO plans (creditor_id, debtor_id, status, total_cents, months, first_due, created_at, decided_at) VALUES ($1, $2, $3, 30000, 3, '2026-08-01', $4, $5)`,
			c.cr.ID, cees, p.status, at("2026-07-01 12:00"), at(p.decided))
	}
	// Disputes: upheld, rejected and open in November (the last one late on
	// the 30th, Dutch time); one on the evening of 31 October (outside).
	for _, d := range []struct{ status, created string }{{"upheld", "2026-11-04 12:00"}, {"rejected", "2026-11-05 12:00"}, {"open", "2026-11-29 12:00"},
		{"open", "2026-11-30 23:30"}, {"open", "2026-10-31 23:30"}} {
		exec(`INSERT INTO disputes (creditor_id, debtor_id, invoice_id, reason, status, created_at) VALUES ($1, $2, $3, 'other', $4, $5)`,
			c.cr.ID, cees, ceesInv, d.status, at(d.created))
	}
	// Hardship: two for income and one for illness in November, one in December.
	for _, h := range []struct{ reason, created string }{{"income", "2026-11-02 12:00"}, {"income", "2026-11-16 12:00"}, {"illness", "2026-11-17 12:00"}, {"income", "2026-12-01 12:00"}} {
		exec(`INSERT INTO hardships (creditor_id, debtor_id, reason, breathing_from, breathing_until, created_at) VALUES ($1, $2, $3, '2026-11-01', '2026-12-01', $4)`,
			c.cr.ID, cees, h.reason, at(h.created))
	}
	// The other creditor's debtor pays in November and gets a message: none
	// of it counts for Zonnestroom.
	x, xInv := debtor(other, "Xander", 9900)
	pay(other, x, xInv, "ideal", 9900, "2026-11-05")
	exec(`INSERT INTO messages (creditor_id, debtor_id, kind, channel, state, not_before, sent_at, created_at) VALUES ($1, $2, 'reminder', 'email', 'sent', $3, $3, $3)`,
		other.ID, x, at("2026-11-02 10:00"))
	return c, other
}

func TestAnalyticsFigures(t *testing.T) {
	t.Parallel()
	c, _ := analyticsScenario(t)
	f, err := casework.Analytics(context.Background(), c.db, c.cr.ID, bankDay("2026-11-01"), bankDay("2026-11-30"))
	if err != nil {
		t.Fatal(err)
	}
	// Resolved: Anna, Bram, Dirk, Eva (Cees still owes 200); Bram had an
	// agent: 3 of 4 = 75%.
	if f.SelfService != (casework.Rate{Part: 3, Whole: 4, Percent: 75}) {
		t.Errorf("self-service %+v, want 3 of 4, 75%%", f.SelfService)
	}
	// Promises decided in November: one kept, one broken.
	if f.PromisesKept != (casework.Rate{Part: 1, Whole: 2, Percent: 50}) {
		t.Errorf("promises kept %+v, want 1 of 2", f.PromisesKept)
	}
	if f.PlansKept != (casework.Rate{Part: 1, Whole: 2, Percent: 50}) {
		t.Errorf("plans kept %+v, want 1 of 2", f.PlansKept)
	}
	// First paid in November after a message: Anna 3, Cees 12, Bram 21 days.
	if f.DaysToPay != (postgres.DaysToPay{Debtors: 3, Median: 12, Average: 12}) {
		t.Errorf("days to pay %+v, want 3 debtors, median 12, average 12.0", f.DaysToPay)
	}
	// By the channel of the last message before each payment: email Anna
	// 100 + Eva 30, SMS Bram 50 + 150, post Cees 100, none Dirk 50.
	wantChannels := []postgres.AmountCount{{Key: "email", Amount: 13000, Payments: 2}, {Key: "sms", Amount: 20000, Payments: 2},
		{Key: "whatsapp"}, {Key: "post", Amount: 10000, Payments: 1}, {Key: "none", Amount: 5000, Payments: 1}}
	if len(f.ByChannel) != len(wantChannels) {
		t.Fatalf("by channel %+v, want %+v", f.ByChannel, wantChannels)
	}
	for i, w := range wantChannels {
		if f.ByChannel[i] != w {
			t.Errorf("by channel [%d] %+v, want %+v", i, f.ByChannel[i], w)
		}
	}
	// By method: iDEAL Anna 100, card Cees 100, transfer Bram 200 + Dirk 50 + Eva 30.
	wantMethods := []casework.MethodFigure{{Method: "ideal", Payments: 1, Amount: 10000}, {Method: "card", Payments: 1, Amount: 10000},
		{Method: "transfer", Payments: 4, Amount: 28000}}
	for i, w := range wantMethods {
		if i >= len(f.ByMethod) || f.ByMethod[i] != w {
			t.Errorf("by method %+v, want %+v", f.ByMethod, wantMethods)
			break
		}
	}
	if f.CollectedTotal != 48000 {
		t.Errorf("collected %d, want 48000", f.CollectedTotal)
	}
	wantDisputes := []postgres.KeyCount{{Key: "open", Count: 2}, {Key: "upheld", Count: 1}, {Key: "corrected"}, {Key: "rejected", Count: 1}}
	for i, w := range wantDisputes {
		if i >= len(f.Disputes) || f.Disputes[i] != w {
			t.Errorf("disputes %+v, want %+v", f.Disputes, wantDisputes)
			break
		}
	}
	if f.DisputesTotal != 4 || f.HardshipsTotal != 3 || f.Hardships[0] != (postgres.KeyCount{Key: "income", Count: 2}) || f.Hardships[1] != (postgres.KeyCount{Key: "illness", Count: 1}) {
		t.Errorf("disputes %d, hardships %d %+v; want 4, 3 (income 2, illness 1)", f.DisputesTotal, f.HardshipsTotal, f.Hardships)
	}
	// Sent in November: Anna's email (opened), Cees's letter (opened too
	// late), Eva's WhatsApp (opened by its SMS link); the scheduled SMS and
	// Bram's October SMS do not count.
	wantMessages := []casework.MessageFigure{{Channel: "email", Sent: 1, Opened: casework.Rate{Part: 1, Whole: 1, Percent: 100}},
		{Channel: "sms"}, {Channel: "whatsapp", Sent: 1, Opened: casework.Rate{Part: 1, Whole: 1, Percent: 100}},
		{Channel: "post", Sent: 1, Opened: casework.Rate{Whole: 1}}}
	for i, w := range wantMessages {
		if i >= len(f.Messages) || f.Messages[i] != w {
			t.Errorf("messages %+v, want %+v", f.Messages, wantMessages)
			break
		}
	}

	// October alone: Eva paid 10 by transfer after her email; no one was
	// resolved (she still owed 30).
	oct, err := casework.Analytics(context.Background(), c.db, c.cr.ID, bankDay("2026-10-01"), bankDay("2026-10-31"))
	if err != nil {
		t.Fatal(err)
	}
	if oct.CollectedTotal != 1000 || oct.SelfService.Whole != 0 || oct.ByChannel[0] != (postgres.AmountCount{Key: "email", Amount: 1000, Payments: 1}) || oct.DisputesTotal != 1 {
		t.Errorf("October: collected %d, self-service %+v, by channel %+v, disputes %d", oct.CollectedTotal, oct.SelfService, oct.ByChannel, oct.DisputesTotal)
	}
	if _, err := casework.Analytics(context.Background(), c.db, c.cr.ID, bankDay("2026-11-30"), bankDay("2026-11-01")); collect.ErrorCode(err) != collect.EINVALID {
		t.Errorf("a period backwards: %v, want invalid", err)
	}
}
