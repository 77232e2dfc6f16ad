package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The bulk loader writes rows with COPY, never through the store's one-by-one
// methods. Every id and amount is derived from a row's index, so two
// goroutines (invoices and their ledger lines) agree without talking, and the
// same flags always give the same data.

// mix is splitmix64: a cheap, well-spread hash of a counter.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Namespaces keep the ids of different tables apart.
const (
	nsDebtor uint64 = iota + 1
	nsInvoice
	nsNotice
	nsPayment
	nsAmount
)

// id is a random-looking version 4 UUID for row i of namespace ns.
func id(ns, i uint64) pgtype.UUID {
	var u pgtype.UUID
	a, b := mix(ns<<56^i), mix(ns<<56^i^0x5555555555555555)
	for k := 0; k < 8; k++ {
		u.Bytes[k] = byte(a >> (8 * k))
		u.Bytes[8+k] = byte(b >> (8 * k))
	}
	u.Bytes[6] = u.Bytes[6]&0x0f | 0x40
	u.Bytes[8] = u.Bytes[8]&0x3f | 0x80
	u.Valid = true
	return u
}

func uuidString(u pgtype.UUID) string {
	var buf [36]byte
	hex.Encode(buf[0:8], u.Bytes[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u.Bytes[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u.Bytes[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u.Bytes[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], u.Bytes[10:])
	return string(buf[:])
}

// source feeds CopyFrom row by row from gen and prints progress.
type source struct {
	name   string
	n, i   int
	began  time.Time
	every  int
	gen    func(i int) ([]any, error)
	row    []any
	err    error
	report func(string)
}

func (s *source) Next() bool {
	if s.i >= s.n {
		return false
	}
	s.row, s.err = s.gen(s.i)
	s.i++
	if s.every > 0 && s.i%s.every == 0 && s.i < s.n {
		s.report(fmt.Sprintf("  %-16s %9d / %d  (%s)", s.name, s.i, s.n, time.Since(s.began).Round(100*time.Millisecond)))
	}
	return s.err == nil
}
func (s *source) Values() ([]any, error) { return s.row, s.err }
func (s *source) Err() error             { return s.err }

// loader copies generated rows over its own connection. It tries to turn off
// trigger-based foreign-key checks for that session (superuser only): the
// generator's rows are consistent by construction, and checking 5 million
// references one by one would be most of the load time.
type loader struct {
	url     string
	mu      sync.Mutex
	fkOff   bool
	fkError string
}

func (l *loader) say(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Println(s)
}

func (l *loader) copy(ctx context.Context, table string, cols []string, n int, gen func(i int) ([]any, error)) error {
	conn, err := pgx.Connect(ctx, l.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if l.fkOff {
		if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
			return err
		}
	}
	began := time.Now()
	src := &source{name: table, n: n, began: began, every: 100_000, gen: gen, report: l.say}
	got, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	l.say(fmt.Sprintf("  %-16s %9d rows in %s", table, got, time.Since(began).Round(100*time.Millisecond)))
	return nil
}

// probe finds out whether loading sessions may turn off foreign-key triggers.
func (l *loader) probe(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, l.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		l.fkError = err.Error()
		return nil
	}
	l.fkOff = true
	return nil
}

// run runs fns at once when foreign keys are not checked, else one after
// the other (a row may reference one that another COPY has not committed),
// and returns the first error.
func (l *loader) run(fns ...func() error) error {
	if !l.fkOff {
		for _, fn := range fns {
			if err := fn(); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make(chan error, len(fns))
	for _, fn := range fns {
		go func() { errs <- fn() }()
	}
	var first error
	for range fns {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// portalData describes the portal data set: debtors spread over creditors,
// each with perDebtor invoices issued a month apart.
type portalData struct {
	debtors, perDebtor int
	creditors          []collect.Creditor
	today              time.Time
	cal                collect.Calendar
}

func (d *portalData) creditor(i int) collect.Creditor { return d.creditors[i%len(d.creditors)] }

func (d *portalData) invoice(i, k int) (issue, due time.Time, amount int64) {
	issue = d.today.AddDate(0, 0, -(k*30 + i%30 + 5))
	days := 14
	if d.business(i) {
		days = 30
	}
	return issue, issue.AddDate(0, 0, days), 1500 + int64(mix(nsAmount<<56^uint64(i*d.perDebtor+k))%43500)
}

func (d *portalData) business(i int) bool { return i%10 == 7 }

// Every tenth debtor has had a 14-day notice by post, 40 days ago, for the
// invoices that were overdue then; every fifth has paid half of the oldest
// invoice by bank.
func (d *portalData) noticed(i int) bool { return i%10 == 3 }
func (d *portalData) paid(i int) bool    { return i%5 == 1 }

func (d *portalData) noticeSent() time.Time { return d.today.AddDate(0, 0, -40) }

// noticeInvoices are the invoice numbers k of debtor i's notice.
func (d *portalData) noticeInvoices(i int) []int {
	var ks []int
	for k := 0; k < d.perDebtor; k++ {
		if _, due, _ := d.invoice(i, k); due.Before(d.noticeSent()) {
			ks = append(ks, k)
		}
	}
	return ks
}

var debtorCols = []string{"id", "creditor_id", "external_ref", "kind", "name", "email", "phone", "language", "street", "house_number", "postcode", "city", "birth_date"}

func language(i int) string {
	if i%5 == 4 {
		return "en"
	}
	return "nl"
}

// loadPortal loads the portal data set with COPY.
func loadPortal(ctx context.Context, db *postgres.DB, url string, d *portalData) error {
	l := &loader{url: url}
	if err := l.probe(ctx); err != nil {
		return err
	}
	began := time.Now()
	fmt.Printf("loading %d debtors with %d invoices each (%d invoices) for %d creditors, with COPY\n",
		d.debtors, d.perDebtor, d.debtors*d.perDebtor, len(d.creditors))
	streets := []string{"Dorpsstraat", "Kerkstraat", "Schoolstraat", "Molenweg", "Stationsweg", "Julianalaan"}
	cities := []string{"Amsterdam", "Rotterdam", "Utrecht", "Zwolle", "Groningen", "Eindhoven"}
	err := l.copy(ctx, "debtors", debtorCols, d.debtors, func(i int) ([]any, error) {
		kind, name := "consumer", fmt.Sprintf("Debiteur %d", i)
		birth := any(d.today.AddDate(-20-i%50, 0, -(i % 365)))
		if d.business(i) {
			kind, name, birth = "business", fmt.Sprintf("Bedrijf %d BV", i), nil
		}
		return []any{id(nsDebtor, uint64(i)), d.creditor(i).ID, fmt.Sprintf("K%07d", i), kind, name,
			fmt.Sprintf("debiteur%d@example.nl", i), fmt.Sprintf("06%08d", i), language(i),
			streets[i%len(streets)], strconv.Itoa(1 + i%200), fmt.Sprintf("%04d AB", 1000+i%8999), cities[i%len(cities)], birth}, nil
	})
	if err != nil {
		return err
	}
	n := d.debtors * d.perDebtor
	err = l.run(
		func() error {
			return l.copy(ctx, "invoices", []string{"id", "creditor_id", "debtor_id", "number", "description", "issue_date", "due_date", "amount_cents", "payment_reference"}, n,
				func(j int) ([]any, error) {
					i, k := j/d.perDebtor, j%d.perDebtor
					issue, due, amount := d.invoice(i, k)
					ref, err := collect.RFReference(strconv.Itoa(1000 + j))
					if err != nil {
						return nil, err
					}
					return []any{id(nsInvoice, uint64(j)), d.creditor(i).ID, id(nsDebtor, uint64(i)), fmt.Sprintf("F%07d-%02d", i, k),
						fmt.Sprintf("Levering %s", issue.Format("January 2006")), issue, due, amount, ref}, nil
				})
		},
		func() error {
			return l.copy(ctx, "ledger_entries", []string{"creditor_id", "debtor_id", "invoice_id", "account", "kind", "amount_cents", "booked_on", "source_key", "memo"}, n,
				func(j int) ([]any, error) {
					i, k := j/d.perDebtor, j%d.perDebtor
					issue, _, amount := d.invoice(i, k)
					inv := id(nsInvoice, uint64(j))
					return []any{d.creditor(i).ID, id(nsDebtor, uint64(i)), inv, "principal", "charge", amount, issue,
						"invoice:" + uuidString(inv), fmt.Sprintf("invoice F%07d-%02d", i, k)}, nil
				})
		},
	)
	if err != nil {
		return err
	}
	// Notices, their invoices, and the bank payments.
	var noticed, paid []int
	for i := 0; i < d.debtors; i++ {
		if d.noticed(i) && len(d.noticeInvoices(i)) > 0 {
			noticed = append(noticed, i)
		}
		if d.paid(i) {
			paid = append(paid, i)
		}
	}
	// creditor_id is filled by a trigger (migration 00033), which the
	// loading sessions switch off with the foreign-key checks.
	type link struct {
		notice, invoice pgtype.UUID
		creditor        string
	}
	var links []link
	for _, i := range noticed {
		for _, k := range d.noticeInvoices(i) {
			links = append(links, link{id(nsNotice, uint64(i)), id(nsInvoice, uint64(i*d.perDebtor+k)), d.creditor(i).ID})
		}
	}
	err = l.run(
		func() error {
			return l.copy(ctx, "notices", []string{"id", "creditor_id", "debtor_id", "channel", "sent_on", "received_on", "deadline", "principal_cents", "costs_cents", "waived"}, len(noticed),
				func(x int) ([]any, error) {
					i := noticed[x]
					var principal int64
					for _, k := range d.noticeInvoices(i) {
						_, _, a := d.invoice(i, k)
						principal += a
					}
					cr := d.creditor(i)
					no := collect.NewNotice("post", d.noticeSent(), cr.PostDeliveryDays, principal, cr.WaiveCosts, d.cal)
					return []any{id(nsNotice, uint64(i)), cr.ID, id(nsDebtor, uint64(i)), no.Channel, no.SentOn, no.ReceivedOn, no.Deadline, no.Principal, no.Costs, no.Waived}, nil
				})
		},
		func() error {
			return l.copy(ctx, "notice_invoices", []string{"notice_id", "invoice_id", "creditor_id"}, len(links), func(x int) ([]any, error) {
				return []any{links[x].notice, links[x].invoice, links[x].creditor}, nil
			})
		},
		func() error {
			return l.copy(ctx, "ledger_entries", []string{"creditor_id", "debtor_id", "invoice_id", "account", "kind", "amount_cents", "booked_on", "source_key", "memo"}, len(paid),
				func(x int) ([]any, error) {
					i := paid[x]
					k := d.perDebtor - 1
					_, due, amount := d.invoice(i, k)
					return []any{d.creditor(i).ID, id(nsDebtor, uint64(i)), id(nsInvoice, uint64(i*d.perDebtor+k)), "principal", "payment", -(amount / 2), due.AddDate(0, 0, 3),
						"bank:" + uuidString(id(nsPayment, uint64(i))), "bank transfer"}, nil
				})
		},
	)
	if err != nil {
		return err
	}
	if l.fkOff {
		fmt.Println("  (foreign-key triggers off for the loading sessions; the generated rows are consistent by construction)")
	} else {
		fmt.Println("  (foreign keys checked row by row: could not set session_replication_role:", l.fkError+")")
	}
	// The app's next invoice must not collide with a loaded reference.
	if _, err := db.PoolForTests().Exec(ctx, `SELECT setval('payment_reference_seq', $1)`, int64(1000+n)); err != nil {
		return err
	}
	t := time.Now()
	if _, err := db.PoolForTests().Exec(ctx, `VACUUM (ANALYZE) debtors, invoices, ledger_entries, notices, notice_invoices`); err != nil {
		return err
	}
	fmt.Printf("  vacuum analyze in %s\nloaded in %s\n", time.Since(t).Round(100*time.Millisecond), time.Since(began).Round(100*time.Millisecond))
	return nil
}
