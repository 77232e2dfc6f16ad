package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

type clock = pgtest.Clock

// fixture is one test's database with one creditor.
type fixture struct {
	db       *postgres.DB
	pool     *pgxpool.Pool
	url      string
	clock    *clock
	creditor collect.Creditor
}

// today is the fixed date of every test: Monday 23 November 2026, noon in Amsterdam.
var today = time.Date(2026, 11, 23, 12, 0, 0, 0, amsterdam)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool, url := pgtest.New(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	c := pgtest.NewClock(today)
	db.Now = c.Now
	cr, _, err := db.CreateCreditor(ctx, collect.Creditor{Name: "Energie Noord B.V."})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, pool: pool, url: url, clock: c, creditor: cr}
}

func (f *fixture) debtor(t *testing.T, ref string, kind collect.DebtorKind) string {
	t.Helper()
	d, created, err := f.db.UpsertDebtor(context.Background(), collect.Debtor{CreditorID: f.creditor.ID, ExternalRef: ref, Kind: kind, Name: "Debtor " + ref, Language: "nl"})
	if err != nil || !created {
		t.Fatalf("upsert debtor: created %v, %v", created, err)
	}
	return d.ID
}

func (f *fixture) invoice(t *testing.T, debtorID, number, due string, amount int64) string {
	t.Helper()
	// Issued 14 days before the due date, but never after today: the
	// principal is booked on the issue date.
	issue := day(due).AddDate(0, 0, -14)
	if first := day("2026-11-01"); issue.After(first) {
		issue = first
	}
	inv, err := f.db.CreateInvoice(context.Background(), collect.Invoice{CreditorID: f.creditor.ID, DebtorID: debtorID, Number: number,
		IssueDate: issue, DueDate: day(due), Amount: amount, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	return inv.ID
}

func (f *fixture) notice(t *testing.T, debtorID, channel, sentOn string, invoiceIDs ...string) collect.Notice {
	t.Helper()
	n, err := f.db.CreateNotice(context.Background(), f.creditor, debtorID, invoiceIDs, collect.Notice{Channel: channel, SentOn: day(sentOn)})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) pay(t *testing.T, debtorID string, amount int64, on, key, invoiceID string) collect.Allocation {
	t.Helper()
	a, booked, err := f.db.ApplyPayment(context.Background(), postgres.Receipt{CreditorID: f.creditor.ID, DebtorID: debtorID,
		Amount: amount, On: day(on), SourceKey: key, InvoiceID: invoiceID, Memo: "test " + key})
	if err != nil {
		t.Fatal(err)
	}
	if !booked {
		t.Fatalf("payment %s was not booked", key)
	}
	return a
}

func (f *fixture) statement(t *testing.T, debtorID, asOf string) collect.Statement {
	t.Helper()
	_, st, err := f.db.Statement(context.Background(), f.creditor.ID, debtorID, day(asOf))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *fixture) entries(t *testing.T, debtorID string) []collect.Entry {
	t.Helper()
	es, err := f.db.Entries(context.Background(), f.creditor.ID, debtorID)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// sum adds the entries of one account and kind ("" for any kind).
func sum(es []collect.Entry, account collect.Account, kind collect.EntryKind) (total int64, n int) {
	for _, e := range es {
		if e.Account == account && (kind == "" || e.Kind == kind) {
			total += e.Amount
			n++
		}
	}
	return total, n
}

func line(t *testing.T, st collect.Statement, invoiceID string) collect.Line {
	t.Helper()
	l, ok := st.Line(invoiceID)
	if !ok {
		t.Fatalf("no line for invoice %s", invoiceID)
	}
	return l
}

func TestMigrateTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	snapshot := func() string {
		t.Helper()
		var out []string
		for _, q := range []string{
			`SELECT count(*)::text || '/' || coalesce(max(version_id), 0)::text FROM goose_db_version`,
			`SELECT string_agg(version::text, ',' ORDER BY version) FROM river_migration`,
			`SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name) FROM information_schema.columns WHERE table_schema = 'public'`,
			`SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'`,
			`SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal`,
			`SELECT count(*)::text FROM interest_rates`,
			`SELECT count(*)::text FROM equated_holidays`,
			`SELECT count(*)::text FROM creditors`,
		} {
			var s string
			if err := f.pool.QueryRow(ctx, q).Scan(&s); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			out = append(out, s)
		}
		return strings.Join(out, "\n")
	}
	before := snapshot()
	for i := range 2 {
		if err := postgres.Migrate(ctx, f.url); err != nil {
			t.Fatalf("migrate #%d: %v", i+1, err)
		}
		if after := snapshot(); after != before {
			t.Errorf("migrate #%d changed the database:\nbefore %s\nafter  %s", i+1, before, after)
		}
	}
	ok, err := f.db.MigrationsCurrent(ctx)
	if err != nil || !ok {
		t.Errorf("migrations current: %v, %v", ok, err)
	}
}
