package casework_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// signalCase is an energy company with consumers in arrears since 1 May
// 2026 and the efforts each one got.
type signalCase struct {
	caseDB
	agent postgres.Agent
}

func newSignalCase(t *testing.T) signalCase {
	t.Helper()
	b := newCaseDB(t, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), collect.Creditor{Name: "Stroom BV"})
	if err := casework.SetCreditorKind(b.ctx, b.db, "cli", b.cr.ID, string(collect.KindEnergy)); err != nil {
		t.Fatal(err)
	}
	agent, err := b.db.CreateAgent(b.ctx, "agent@stroom.example", "agent", "", []string{b.cr.ID})
	if err != nil {
		t.Fatal(err)
	}
	return signalCase{caseDB: b, agent: agent}
}

// consumer stores a consumer owing 120 euros due on 1 May 2026, and on
// the days given (nil: never) sends a notice, offers a plan and finishes a
// follow-up task.
func (s signalCase) consumer(t *testing.T, ref, postcode string, reminder, offer, contact *time.Time) collect.Debtor {
	t.Helper()
	d := newDebtor(t, s.db, collect.Debtor{CreditorID: s.cr.ID, Kind: collect.Consumer, ExternalRef: ref, Name: "Klant " + ref, Email: ref + "@example.nl",
		Language: "nl", BirthDate: ptr(collect.Day(1980, 1, 2)),
		Address: collect.Address{Street: "Dorpsstraat", HouseNumber: "1", Postcode: postcode, City: "Ergens"}})
	inv := newInvoice(t, s.db, collect.Invoice{CreditorID: s.cr.ID, DebtorID: d.ID, Number: "E-" + ref, IssueDate: collect.Day(2026, 4, 17),
		DueDate: collect.Day(2026, 5, 1), Amount: 12000, Currency: "EUR"})
	at := func(day *time.Time, do func()) {
		if day != nil {
			s.clk.Set(day.Add(10 * time.Hour))
			do()
		}
	}
	at(reminder, func() { apptest.Remind(t, s.db, s.cr, d.ID, []string{inv.ID}, *reminder) })
	at(offer, func() { apptest.OfferPlan(t, s.db, s.agent.ID, s.cr.ID, d.ID, 12000) })
	at(contact, func() { apptest.TryContact(t, s.db, s.agent.ID, s.cr.ID, d.ID) })
	return d
}

func ptr[T any](v T) *T { return &v }

func TestMunicipalSignalsListAndOutcome(t *testing.T) {
	t.Parallel()
	s := newSignalCase(t)
	may := func(d int) *time.Time { return ptr(collect.Day(2026, 5, d)) }
	ede := s.consumer(t, "1", "6711 AB", may(5), may(20), may(21))
	unknown := s.consumer(t, "2", "1234 AB", may(6), may(20), may(22))
	s.consumer(t, "3", "6711 AC", may(5), nil, may(21))                           // no plan offered
	s.consumer(t, "4", "6711 AD", may(5), ptr(collect.Day(2026, 4, 20)), may(21)) // offered before the arrears began
	// A creditor of another kind, with the same facts: no signal.
	cr, _ := newCreditor(t, s.db, collect.Creditor{Name: "Webwinkel BV"})
	otherAgent, err := s.db.CreateAgent(s.ctx, "agent@webwinkel.example", "agent", "", []string{cr.ID})
	if err != nil {
		t.Fatal(err)
	}
	other := signalCase{caseDB: s.caseDB, agent: otherAgent}
	other.cr = cr
	other.consumer(t, "9", "6711 AB", may(5), may(20), may(21))

	run := func(day int) int {
		t.Helper()
		s.clk.Set(time.Date(2026, 5, day, 6, 0, 0, 0, time.UTC))
		n, err := casework.RunMunicipalSignals(s.ctx, s.db)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The placeholder threshold for energy is 30 days overdue: 30 May is day 29.
	if n := run(30); n != 0 {
		t.Fatalf("on day 29 of the arrears %d signals were raised, want none", n)
	}
	if n := run(31); n != 2 {
		t.Fatalf("on day 30 %d signals were raised, want 2 (the two with every effort)", n)
	}
	if n := run(31); n != 0 {
		t.Fatalf("a second run raised %d more, want none", n)
	}
	list, err := casework.MunicipalSignals(s.ctx, s.db, s.cr.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("list = %d signals, %v; want 2", len(list), err)
	}
	byDebtor := map[string]collect.MunicipalitySignal{}
	for _, sig := range list {
		byDebtor[sig.DebtorID] = sig
	}
	got := byDebtor[ede.ID]
	if got.MunicipalityCode != "GM0228" || got.MunicipalityName != "Ede" || got.Arrears != 12000 || got.CustomerNumber != "1" ||
		!got.RaisedOn.Equal(collect.Day(2026, 5, 31)) || got.Kind != collect.KindEnergy {
		t.Errorf("Ede's signal = %+v", got)
	}
	if u := byDebtor[unknown.ID]; u.ID == "" || u.MunicipalityCode != "" || u.MunicipalityName != "" {
		t.Errorf("the signal of a postcode outside the table = %+v, want one without a municipality", u)
	}
	if n := s.count(t, `SELECT count(*) FROM audit_log WHERE action = 'signal.raised'`); n != 2 {
		t.Errorf("%d signal.raised audit records, want 2", n)
	}
	if l, err := casework.MunicipalSignals(s.ctx, s.db, cr.ID); err != nil || len(l) != 0 {
		t.Errorf("the creditor of another kind has %d signals, %v; want none", len(l), err)
	}

	// The outcome: recorded once, in the file, and only by the creditor's own agents.
	if _, err := casework.RecordMunicipalOutcome(s.ctx, s.db, s.clk.Now(), other.agent.ID, []string{other.cr.ID}, got.ID, "help_accepted", ""); !collect.IsNotFound(err) {
		t.Errorf("another creditor's agent recorded an outcome: %v", err)
	}
	if _, err := casework.RecordMunicipalOutcome(s.ctx, s.db, s.clk.Now(), s.agent.ID, []string{s.cr.ID}, got.ID, "solved", ""); collect.ErrorCode(err) != collect.EINVALID {
		t.Errorf("an unknown outcome: %v, want invalid", err)
	}
	day := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	rec, err := casework.RecordMunicipalOutcome(s.ctx, s.db, day, s.agent.ID, []string{s.cr.ID}, got.ID, "help_accepted", " budget advice ")
	if err != nil || rec.Outcome != collect.OutcomeHelpAccepted || rec.OutcomeNote != "budget advice" || !rec.OutcomeOn.Equal(collect.Day(2026, 6, 10)) {
		t.Fatalf("outcome = %+v, %v", rec, err)
	}
	tl, err := s.db.Timeline(s.ctx, s.cr.ID, ede.ID, 5)
	if err != nil || len(tl) == 0 || tl[0].Action != "signal.outcome" || tl[0].After["outcome"] != "help_accepted" {
		t.Errorf("the file's newest event = %+v, %v; want the outcome", tl, err)
	}
}

func (s signalCase) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.WithTx(s.ctx, func(tx pgx.Tx) error { return tx.QueryRow(s.ctx, sql, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}
