package casework_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// signalBench is a creditor with debtors whose data the signal tests shape.
type signalBench struct {
	*apptest.Env
	cr apptest.Creditor
	n  int
}

func newSignalBench(t *testing.T, checkin bool) *signalBench {
	e := apptest.NewStore(t, time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC))
	b := &signalBench{Env: e, cr: e.Creditor(collect.Creditor{Name: "Waterbedrijf Oost"})}
	if err := e.DB.SetSignalCheckin(e.Ctx, "cli", b.cr.ID, checkin); err != nil {
		t.Fatal(err)
	}
	return b
}

// debtor is a new debtor with an email address.
func (b *signalBench) debtor(name string) collect.Debtor {
	b.n++
	return b.Debtor(collect.Debtor{CreditorID: b.cr.ID, ExternalRef: fmt.Sprintf("S-%d", b.n), Name: name,
		Email: fmt.Sprintf("s%d@example.nl", b.n)})
}

// paidLate gives d an invoice of 100 euros due on each day of dues and pays
// each in full delays[i] days after it was due.
func (b *signalBench) paidLate(d collect.Debtor, dues []time.Time, delays []int) {
	b.T.Helper()
	for i, due := range dues {
		b.n++
		inv := b.Invoice(collect.Invoice{CreditorID: b.cr.ID, DebtorID: d.ID, Number: fmt.Sprintf("W-%d", b.n),
			IssueDate: due.AddDate(0, 0, -14), DueDate: due, Amount: 10000})
		on := due.AddDate(0, 0, delays[i])
		b.Clock.Set(on.Add(10 * time.Hour))
		var open int64
		for _, l := range b.Statement(b.cr.ID, d.ID).Lines {
			if l.Invoice.ID == inv.ID {
				open = l.Total()
			}
		}
		b.Pay(postgres.Receipt{CreditorID: b.cr.ID, DebtorID: d.ID, InvoiceID: inv.ID, Amount: open, On: on, SourceKey: "late:" + inv.ID})
	}
}

// raised are the open signals as "debtor name: rule/reason", sorted.
func (b *signalBench) raised() []string {
	b.T.Helper()
	ss, err := casework.OpenSignals(b.Ctx, b.DB, []string{b.cr.ID})
	if err != nil {
		b.T.Fatal(err)
	}
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%s: %s/%s", s.DebtorName, s.Rule, s.Reason))
	}
	slices.Sort(out)
	return out
}

// raise runs RaiseSignals at the clock and checks how many it raised.
func (b *signalBench) raise(want int) {
	b.T.Helper()
	n, err := casework.RaiseSignals(b.Ctx, b.DB, b.Clock.Now())
	if err != nil || n != want {
		b.T.Fatalf("RaiseSignals = %d, %v; want %d", n, err, want)
	}
}

func (b *signalBench) payment(d collect.Debtor, amount int64) collect.Payment {
	b.T.Helper()
	p, err := b.DB.CreatePayment(b.Ctx, collect.Payment{CreditorID: b.cr.ID, DebtorID: d.ID, Amount: amount, Provider: "mollie", Method: "ideal"})
	if err != nil {
		b.T.Fatal(err)
	}
	return p
}

func (b *signalBench) providerSays(p collect.Payment, st pay.State) {
	b.T.Helper()
	st.ProviderID, st.Amount, st.Currency = "tr_"+p.ID[:8], p.Amount, "EUR"
	if _, err := b.DB.ApplyProviderState(b.Ctx, p.ID, st, "test"); err != nil {
		b.T.Fatal(err)
	}
}

// Each rule is raised by its data and not by its near misses; a second run
// raises nothing again; each raised signal has its audit record.
func TestEarlySignalRules(t *testing.T) {
	t.Parallel()
	b := newSignalBench(t, false)
	dues := []time.Time{collect.Day(2026, 10, 1), collect.Day(2026, 10, 15), collect.Day(2026, 11, 1)}
	b.paidLate(b.debtor("Later en later"), dues, []int{2, 7, 12})
	b.paidLate(b.debtor("Bijna later"), dues, []int{2, 6, 12})      // one step of 4 days
	b.paidLate(b.debtor("Altijd op tijd"), dues, []int{-10, -5, 0}) // later, but never late

	failed, cancelled, chargedBack := b.debtor("Mislukt"), b.debtor("Afgebroken"), b.debtor("Teruggeboekt")
	if err := b.DB.FailCheckout(b.Ctx, b.payment(failed, 5000).ID); err != nil {
		t.Fatal(err)
	}
	b.providerSays(b.payment(cancelled, 5000), pay.State{Status: pay.StatusCanceled})
	b.Invoice(collect.Invoice{CreditorID: b.cr.ID, DebtorID: chargedBack.ID, Number: "W-CB", IssueDate: collect.Day(2026, 10, 20),
		DueDate: collect.Day(2026, 11, 3), Amount: 5000})
	p := b.payment(chargedBack, 5000)
	b.providerSays(p, pay.State{Status: pay.StatusPaid})
	b.providerSays(p, pay.State{Status: pay.StatusChargedBack, ChargedBack: 5000})

	broke, kept := b.debtor("Belofte gebroken"), b.debtor("Belofte gehouden")
	for _, pr := range []struct {
		d      collect.Debtor
		status string
	}{{broke, "broken"}, {kept, "kept"}} {
		if _, err := b.DB.PoolForTests().Exec(b.Ctx, `INSERT INTO promises (creditor_id, debtor_id, promised_on, amount_cents, status, created_at, decided_at)
			VALUES ($1, $2, '2026-11-10', 5000, $3, '2026-11-01', '2026-11-11 08:00Z')`, b.cr.ID, pr.d.ID, pr.status); err != nil {
			t.Fatal(err)
		}
	}

	planBroken, planRunning := b.debtor("Plan gebroken"), b.debtor("Plan loopt")
	for _, pl := range []struct {
		d      collect.Debtor
		status collect.PlanStatus
	}{{planBroken, collect.PlanBroken}, {planRunning, collect.PlanApproved}} {
		if _, err := b.DB.PoolForTests().Exec(b.Ctx, `INSERT INTO plans (creditor_id, debtor_id, status, total_cents, months, first_due, created_at, decided_at)
			VALUES ($1, $2, $3, 30000, 3, '2026-10-01', '2026-09-20', '2026-11-16 06:00Z')`, b.cr.ID, pl.d.ID, pl.status); err != nil {
			t.Fatal(err)
		}
	}

	// Breathing room of 30 days from 1 October ends on 31 October; one
	// reported later still runs.
	over, running := b.debtor("Adempauze voorbij"), b.debtor("Adempauze loopt")
	b.Clock.Set(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	if _, err := b.DB.ReportHardship(b.Ctx, collect.Hardship{CreditorID: b.cr.ID, DebtorID: over.ID, Reason: "income"}, 30); err != nil {
		t.Fatal(err)
	}
	b.Clock.Set(time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC))
	if _, err := b.DB.ReportHardship(b.Ctx, collect.Hardship{CreditorID: b.cr.ID, DebtorID: running.ID, Reason: "income"}, 30); err != nil {
		t.Fatal(err)
	}

	b.Clock.Set(time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC))
	b.raise(6)
	want := []string{
		"Adempauze voorbij: hardship_ended/breathing_room_ended",
		"Belofte gebroken: broken_promise/promise_broken",
		"Later en later: delay_growing/delay_growing",
		"Mislukt: payment_problem/payment_failed",
		"Plan gebroken: broken_promise/plan_broken",
		"Teruggeboekt: payment_problem/charged_back",
	}
	if got := b.raised(); !slices.Equal(got, want) {
		t.Errorf("open signals:\n%q\nwant\n%q", got, want)
	}
	if n := b.Count(`SELECT count(*) FROM audit_log WHERE action = 'signal.raised' AND after->>'rule' <> '' AND after->>'reason' <> ''
		AND after->>'debtor_id' = debtor_id::text AND after->>'creditor_id' = $1`, b.cr.ID); n != 6 {
		t.Errorf("%d signal.raised audit records with rule, reason and ids, want 6", n)
	}
	// The job runs every hour: the same data raises nothing again.
	b.Clock.Add(time.Hour)
	b.raise(0)
	// No check-ins: this creditor has them off.
	if n := b.Count(`SELECT count(*) FROM messages WHERE kind = $1`, collect.KindSignalCheckin); n != 0 {
		t.Errorf("%d check-in messages with check-ins off, want 0", n)
	}
}

// An agent dismisses a signal with a note; it leaves the list, is not
// raised again, and the dismissal is in the audit log. A note is required,
// a second dismissal is a conflict, and another creditor's agent finds none.
func TestDismissSignal(t *testing.T) {
	t.Parallel()
	b := newSignalBench(t, false)
	d := b.debtor("Mislukt")
	if err := b.DB.FailCheckout(b.Ctx, b.payment(d, 5000).ID); err != nil {
		t.Fatal(err)
	}
	b.raise(1)
	ss, err := casework.OpenSignals(b.Ctx, b.DB, []string{b.cr.ID})
	if err != nil || len(ss) != 1 {
		t.Fatalf("open signals %+v, %v; want one", ss, err)
	}
	agent := b.Agent("agent@example.nl", "agent", b.cr.ID)
	other := b.Creditor(collect.Creditor{Name: "Ander"})
	mine := []string{b.cr.ID}
	cases := []struct {
		name      string
		creditors []string
		note      string
		want      string
	}{
		{"no note", mine, "  ", collect.EINVALID},
		{"another creditor's agent", []string{other.ID}, "Klant belde.", collect.ENOTFOUND},
		{"with a note", mine, "Klant belde: de bank deed moeilijk, is opgelost.", ""},
		{"twice", mine, "Nog eens.", collect.ECONFLICT},
	}
	for _, c := range cases {
		_, err := casework.DismissSignal(b.Ctx, b.DB, b.Clock.Now(), agent.ID, c.creditors, ss[0].ID, c.note)
		if (c.want == "" && err != nil) || (c.want != "" && collect.ErrorCode(err) != c.want) {
			t.Errorf("%s: %v, want code %q", c.name, err, c.want)
		}
	}
	if got := b.raised(); len(got) != 0 {
		t.Errorf("open signals after dismissal: %q", got)
	}
	if n := b.Count(`SELECT count(*) FROM audit_log WHERE action = 'signal.dismissed' AND actor = $1
		AND after->>'note' LIKE 'Klant belde%'`, "agent:"+agent.ID); n != 1 {
		t.Errorf("%d signal.dismissed audit records with the note, want 1", n)
	}
	b.Clock.Add(24 * time.Hour)
	b.raise(0)
}

// With check-ins on, a raised signal schedules one friendly check-in, and
// never a second within 30 days, however many signals come; after 30 days
// a new signal may send another.
func TestSignalCheckinOnce(t *testing.T) {
	t.Parallel()
	b := newSignalBench(t, true)
	d := b.debtor("Mislukt")
	fail := func() {
		t.Helper()
		if err := b.DB.FailCheckout(b.Ctx, b.payment(d, 5000).ID); err != nil {
			t.Fatal(err)
		}
	}
	checkins := func() int {
		return b.Count(`SELECT count(*) FROM messages WHERE debtor_id = $1 AND kind = $2 AND channel = 'email' AND state = 'scheduled'`,
			d.ID, collect.KindSignalCheckin)
	}
	b.Clock.Set(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))
	fail()
	fail()
	b.raise(2)
	if n := checkins(); n != 1 {
		t.Fatalf("%d check-ins after two signals, want 1", n)
	}
	b.Clock.Add(29 * 24 * time.Hour)
	fail()
	b.raise(1)
	if n := checkins(); n != 1 {
		t.Errorf("%d check-ins after a signal 29 days later, want still 1", n)
	}
	b.Clock.Add(24 * time.Hour)
	fail()
	b.raise(1)
	if n := checkins(); n != 2 {
		t.Errorf("%d check-ins after a signal 30 days later, want 2", n)
	}
}
