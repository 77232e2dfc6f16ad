package collect

import (
	"testing"
	"time"
)

// A disputed invoice is apart: not in PayAll, and paid only with money
// beyond every other open invoice.
func TestDisputedApart(t *testing.T) {
	asOf := Day(2026, time.November, 23)
	due := Day(2026, time.December, 31) // not due: no interest, only sums
	var f Facts
	for _, inv := range []struct {
		id     string
		amount int64
	}{{"A", 10000}, {"B", 5000}, {"C", 2000}} {
		f.Invoices = append(f.Invoices, Invoice{ID: inv.id, Number: inv.id, IssueDate: Day(2026, time.November, 1), DueDate: due, Amount: inv.amount})
		f.Entries = append(f.Entries, Entry{InvoiceID: inv.id, Account: AccountPrincipal, Kind: KindCharge, Amount: inv.amount, BookedOn: Day(2026, time.November, 1)})
	}
	f.Holds = map[string][]Period{
		"A": {{From: Day(2026, time.November, 20)}},                                   // open
		"B": {{From: Day(2026, time.November, 10), To: Day(2026, time.November, 23)}}, // resolved today
		"C": {{From: Day(2026, time.November, 24)}},                                   // opened after the day asked for
	}
	st, err := BuildStatement(f, asOf)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id       string
		disputed bool
	}{{"A", true}, {"B", false}, {"C", false}}
	for _, tt := range tests {
		if l, _ := st.Line(tt.id); l.Disputed != tt.disputed {
			t.Errorf("invoice %s: disputed %v, want %v", tt.id, l.Disputed, tt.disputed)
		}
	}
	if st.Total() != 17000 || st.PayAll() != 7000 || len(st.Disputed()) != 1 || len(st.Undisputed()) != 2 {
		t.Errorf("total %d, pay all %d, %d disputed, %d undisputed; want 17000, 7000, 1, 2",
			st.Total(), st.PayAll(), len(st.Disputed()), len(st.Undisputed()))
	}
	// A is the oldest by number but comes last; money beyond B and C reaches it.
	for _, c := range []struct {
		amount int64
		want   []Part
	}{
		{7000, []Part{{InvoiceID: "B", Principal: 5000}, {InvoiceID: "C", Principal: 2000}}},
		{8000, []Part{{InvoiceID: "B", Principal: 5000}, {InvoiceID: "C", Principal: 2000}, {InvoiceID: "A", Principal: 1000}}},
	} {
		got := Allocate(c.amount, st.OpenItems(), asOf, "")
		if len(got.Parts) != len(c.want) {
			t.Errorf("Allocate(%d) = %+v, want %+v", c.amount, got.Parts, c.want)
			continue
		}
		for i := range c.want {
			if got.Parts[i] != c.want[i] {
				t.Errorf("Allocate(%d) = %+v, want %+v", c.amount, got.Parts, c.want)
				break
			}
		}
	}
	// Named by the debtor, a disputed invoice is paid first all the same.
	if got := Allocate(1000, st.OpenItems(), asOf, "A"); len(got.Parts) != 1 || got.Parts[0].InvoiceID != "A" {
		t.Errorf("Allocate naming A = %+v, want A first", got.Parts)
	}
}
