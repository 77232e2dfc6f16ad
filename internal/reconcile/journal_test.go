package reconcile_test

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile"
)

// world is a random history of one creditor: invoices and their costs and
// interest, payments by Mollie, Stripe and bank transfer, refunds,
// chargebacks, credit notes, write-offs, provider fees and payouts
// arriving, some with a part nothing explains. It keeps, beside the
// entries, what each account must come to.
type world struct {
	ledger []postgres.LedgerMove
	books  []postgres.BookMove
	// What the accounts must close at, from the events themselves.
	debtors  map[string]int64 // principal, costs, interest, credit
	bank     int64
	clearing map[string]int64 // mollie, stripe: what the provider still holds
	fees     int64
	unexpl   int64
}

var providers = []string{"mollie", "stripe", "bank"}

func day0() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

func genWorld(r *rand.Rand, days, events int) *world {
	w := &world{debtors: map[string]int64{}, clearing: map[string]int64{}}
	led := func(d time.Time, account, kind string, amount int64, provider string) {
		if amount == 0 {
			return
		}
		w.ledger = append(w.ledger, postgres.LedgerMove{Day: d, Account: account, Kind: kind, Amount: amount, Provider: provider})
		w.debtors[account] += amount
	}
	book := func(d time.Time, pairs ...any) {
		for i := 0; i < len(pairs); i += 2 {
			w.books = append(w.books, postgres.BookMove{Day: d, Account: pairs[i].(string), Amount: pairs[i+1].(int64)})
		}
	}
	amount := func() int64 { return 1 + r.Int64N(250_000) }
	// The payments made so far, for refunds and chargebacks.
	type paid struct {
		provider string
		left     int64
	}
	var payments []*paid
	for range events {
		d := day0().AddDate(0, 0, r.IntN(days))
		switch k := r.IntN(100); {
		case k < 25: // an invoice handed over, maybe with costs and interest
			led(d, "principal", "charge", amount(), "")
			if r.IntN(2) == 0 {
				led(d, "costs", "charge", 1+r.Int64N(40_000), "")
			}
			if r.IntN(2) == 0 {
				led(d, "interest", "charge", 1+r.Int64N(5_000), "")
			}
		case k < 55: // a payment, allocated over the accounts, maybe with credit
			p := providers[r.IntN(len(providers))]
			total := int64(0)
			for _, acc := range []string{"costs", "interest", "principal", "credit"} {
				if r.IntN(3) == 0 {
					continue
				}
				a := 1 + r.Int64N(50_000)
				led(d, acc, "payment", -a, p)
				total += a
			}
			if total > 0 {
				payments = append(payments, &paid{p, total})
				if p == "bank" {
					w.bank += total
				} else {
					w.clearing[p] += total
				}
			}
		case k < 65: // a refund, chargeback or bank reversal of part of a payment
			if len(payments) == 0 {
				continue
			}
			pm := payments[r.IntN(len(payments))]
			if pm.left == 0 {
				continue
			}
			back := 1 + r.Int64N(pm.left)
			pm.left -= back
			// Booked back on the accounts the way the store does: credit first, then principal...
			rest := back
			for _, acc := range []string{"credit", "principal", "interest", "costs"} {
				part := min(rest, 1+r.Int64N(back))
				if acc == "costs" {
					part = rest
				}
				led(d, acc, "reversal", part, pm.provider)
				rest -= part
				if rest == 0 {
					break
				}
			}
			if pm.provider == "bank" {
				w.bank -= back
			} else {
				w.clearing[pm.provider] -= back
			}
		case k < 72: // a credit note
			led(d, []string{"principal", "costs", "interest"}[r.IntN(3)], "credit_note", -(1 + r.Int64N(20_000)), "")
		case k < 78: // a write-off
			led(d, []string{"principal", "costs"}[r.IntN(2)], "write_off", -(1 + r.Int64N(20_000)), "")
		case k < 88: // a provider fee
			p := providers[r.IntN(2)]
			f := 1 + r.Int64N(500)
			book(d, "fees", f, "clearing:"+p, -f)
			w.fees += f
			w.clearing[p] -= f
		default: // a payout arrives, sometimes with a part no line explains
			p := providers[r.IntN(2)]
			out := r.Int64N(max(w.clearing[p], 0) + 1)
			if out > 0 {
				book(d, "bank", out, "clearing:"+p, -out)
				w.bank += out
				w.clearing[p] -= out
			}
			if r.IntN(4) == 0 {
				u := 1 + r.Int64N(1_000)
				book(d, "bank", u, "unexplained", -u)
				w.bank += u
				w.unexpl -= u
			}
		}
	}
	return w
}

// settleAll pays out everything the providers still hold, on day d.
func (w *world) settleAll(d time.Time) {
	for _, p := range providers[:2] {
		if v := w.clearing[p]; v != 0 {
			w.books = append(w.books, postgres.BookMove{Day: d, Account: "bank", Amount: v}, postgres.BookMove{Day: d, Account: "clearing:" + p, Amount: -v})
			w.bank += v
			w.clearing[p] = 0
		}
	}
}

// TestJournalProperty: for any mix of events, every day of the journal
// balances, the opening and closing balances add up to zero, the debtors'
// accounts close at the ledger's sums, and the bank, clearing, fees and
// unexplained accounts close at what the events put there; after every
// provider paid out everything, the clearing accounts are zero. A journal
// of a part of the history opens where the part before it closed.
func TestJournalProperty(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 7))
	for run := range 300 {
		days := 1 + r.IntN(60)
		w := genWorld(r, days, r.IntN(200))
		if run%2 == 0 {
			w.settleAll(day0().AddDate(0, 0, days))
			days++
		}
		last := day0().AddDate(0, 0, days-1)
		j := reconcile.BuildJournal(day0(), last, w.ledger, w.books)
		if err := j.Check(); err != nil {
			t.Fatalf("run %d (seed %d): %v", run, seed, err)
		}
		if len(j.Opening) != 0 {
			t.Fatalf("run %d: opening balances %v before any entry", run, j.Opening)
		}
		for _, d := range j.Days {
			if b := d.Balance(); b != 0 {
				t.Fatalf("run %d: %s balances at %d", run, d.Day.Format(time.DateOnly), b)
			}
		}
		for _, acc := range []string{"principal", "costs", "interest", "credit"} {
			if got := j.Closing["debtors:"+acc]; got != w.debtors[acc] {
				t.Fatalf("run %d: debtors:%s closes at %d, the ledger says %d", run, acc, got, w.debtors[acc])
			}
		}
		want := map[string]int64{"bank": w.bank, "clearing:mollie": w.clearing["mollie"], "clearing:stripe": w.clearing["stripe"], "fees": w.fees, "unexplained": w.unexpl}
		for acc, v := range want {
			if got := j.Closing[acc]; got != v {
				t.Fatalf("run %d: %s closes at %d, want %d", run, acc, got, v)
			}
		}
		if run%2 == 0 && (j.Closing["clearing:mollie"] != 0 || j.Closing["clearing:stripe"] != 0) {
			t.Fatalf("run %d: everything paid out, clearing still %d / %d", run, j.Closing["clearing:mollie"], j.Closing["clearing:stripe"])
		}
		// A part of the history: opens where the part before closed.
		split := day0().AddDate(0, 0, r.IntN(days))
		before := reconcile.BuildJournal(day0(), split.AddDate(0, 0, -1), w.ledger, w.books)
		after := reconcile.BuildJournal(split, last, w.ledger, w.books)
		if err := after.Check(); err != nil {
			t.Fatalf("run %d, from %s: %v", run, split.Format(time.DateOnly), err)
		}
		for _, acc := range reconcile.Accounts(before.Closing, after.Opening, j.Closing, after.Closing) {
			if before.Closing[acc] != after.Opening[acc] || after.Closing[acc] != j.Closing[acc] {
				t.Fatalf("run %d: %s: closes %d before %s, opens %d; closes %d, whole history %d", run, acc,
					before.Closing[acc], split.Format(time.DateOnly), after.Opening[acc], after.Closing[acc], j.Closing[acc])
			}
		}
		// The CSV says the same, in Dutch number format.
		checkJournalCSV(t, j)
	}
}

// checkJournalCSV parses the journal CSV back: BOM, semicolons, amounts with
// a decimal comma and never a dot, and every group (opening, each day,
// closing) adding up to zero.
func checkJournalCSV(t *testing.T, j reconcile.Journal) {
	t.Helper()
	var b bytes.Buffer
	if err := reconcile.WriteJournalCSV(&b, j); err != nil {
		t.Fatal(err)
	}
	rows := parseDutchCSV(t, b.Bytes(), reconcile.JournalHeader)
	sums := map[string]int64{}
	closing := map[string]int64{}
	for _, row := range rows[1:] {
		debit, credit := cents(t, row[4]), cents(t, row[5])
		sums[row[1]+" "+row[0]] += debit - credit
		if row[1] == "closing" {
			closing[row[2]] = debit - credit
		}
	}
	for k, v := range sums {
		if v != 0 {
			t.Fatalf("journal CSV: %s adds up to %d", k, v)
		}
	}
	for acc, v := range j.Closing {
		if closing[acc] != v {
			t.Fatalf("journal CSV: %s closes at %d, journal %d", acc, closing[acc], v)
		}
	}
}

// parseDutchCSV checks the format every export shares and returns the records.
func parseDutchCSV(t *testing.T, raw []byte, header []string) [][]string {
	t.Helper()
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatalf("CSV does not start with the UTF-8 BOM: %q", raw[:min(len(raw), 10)])
	}
	cr := csv.NewReader(bytes.NewReader(raw[3:]))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse with ';': %v\n%s", err, raw)
	}
	if len(rows) == 0 || strings.Join(rows[0], ";") != strings.Join(header, ";") {
		t.Fatalf("CSV header %v, want %v", rows[0], header)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(raw[3:]), "\r\n"), "\r\n") {
		if strings.Count(line, ";") != len(header)-1 {
			t.Fatalf("CSV line %q does not have %d semicolons (CRLF lines)", line, len(header)-1)
		}
	}
	return rows
}

// cents reads a Dutch amount ("1234,56", "-0,05", "" for none), failing on a dot.
func cents(t *testing.T, s string) int64 {
	t.Helper()
	if s == "" {
		return 0
	}
	if strings.Contains(s, ".") {
		t.Fatalf("amount %q contains a dot", s)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, ok := strings.Cut(s, ",")
	if !ok || len(frac) != 2 || whole == "" {
		t.Fatalf("amount %q is not like 1234,56", s)
	}
	var v int64
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			t.Fatalf("amount %q has %q", s, c)
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v
}

func TestFormatAmount(t *testing.T) {
	for cents, want := range map[int64]string{0: "0,00", 5: "0,05", -5: "-0,05", 123456: "1234,56", -100: "-1,00", 123456789012: "1234567890,12"} {
		if got := reconcile.FormatAmount(cents); got != want {
			t.Errorf("FormatAmount(%d) = %q, want %q", cents, got, want)
		}
	}
}

// TestPaymentsCSV: the payments export in the Dutch format, with a name
// that needs UTF-8 and a field that needs quotes.
func TestPaymentsCSV(t *testing.T) {
	rows := []postgres.PaymentRow{
		{Day: day0(), PaymentID: "p1", Type: "payment", Provider: "mollie", Method: "ideal", Invoice: "F-2026;01", Costs: 4000, Interest: 123, Principal: 100000},
		{Day: day0().AddDate(0, 0, 3), PaymentID: "p1", Type: "reversal", Provider: "mollie", Method: "ideal", Invoice: "Café-1", Principal: -5},
		{Day: day0().AddDate(0, 0, 3), Type: "payment", Credit: 1234567},
	}
	var b bytes.Buffer
	if err := reconcile.WritePaymentsCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	got := parseDutchCSV(t, bytes.ReplaceAll(b.Bytes(), []byte("F-2026;01"), []byte("F-2026-01")), reconcile.PaymentsHeader)
	want := [][]string{
		{"2026-01-01", "p1", "payment", "mollie", "ideal", "F-2026-01", "40,00", "1,23", "1000,00", "0,00", "1041,23"},
		{"2026-01-04", "p1", "reversal", "mollie", "ideal", "Café-1", "0,00", "0,00", "-0,05", "0,00", "-0,05"},
		{"2026-01-04", "", "payment", "", "", "", "0,00", "0,00", "0,00", "12345,67", "12345,67"},
	}
	for i, w := range want {
		if strings.Join(got[i+1], "|") != strings.Join(w, "|") {
			t.Errorf("row %d = %v, want %v", i+1, got[i+1], w)
		}
		for _, cell := range got[i+1][6:] {
			cents(t, cell)
		}
	}
	// A semicolon inside a field is quoted, so the columns stay put.
	cr := csv.NewReader(bytes.NewReader(b.Bytes()[3:]))
	cr.Comma = ';'
	all, err := cr.ReadAll()
	if err != nil || all[1][5] != "F-2026;01" || len(all[1]) != len(reconcile.PaymentsHeader) {
		t.Errorf("quoted field: %v, %v", all[1], err)
	}
}
