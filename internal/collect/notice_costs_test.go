package collect

import (
	"testing"
	"time"
)

// claimFacts is a consumer's file with invoices of the given principal,
// booked on 1 March 2026, and the given notices.
func claimFacts(principal map[string]int64, notices ...Notice) Facts {
	f := Facts{Rates: flat4, Notices: notices}
	for id, p := range principal {
		f.Invoices = append(f.Invoices, Invoice{ID: id, Number: id, IssueDate: Day(2026, 3, 1), DueDate: Day(2026, 3, 15), Amount: p})
		f.Entries = append(f.Entries, Entry{InvoiceID: id, Account: AccountPrincipal, Kind: KindCharge, Amount: p, BookedOn: Day(2026, 3, 1)})
	}
	return f
}

func emailNotice(id string, sentOn time.Time, principal int64, invoiceIDs ...string) Notice {
	n := NewNotice("email", sentOn, 0, principal, false, NewCalendar(equatedDays))
	n.ID, n.InvoiceIDs = id, invoiceIDs
	return n
}

func TestNoticeCostsOnceForTheClaim(t *testing.T) {
	april := Day(2026, 4, 1) // deadline Wednesday 15 April
	june := Day(2026, 6, 1)
	tests := []struct {
		name      string
		principal map[string]int64
		notices   []Notice
		want      int64
	}{
		{"one notice", map[string]int64{"A": 30000}, []Notice{emailNotice("n1", april, 30000, "A")}, 4500},
		{"the same notice three times", map[string]int64{"A": 30000}, []Notice{
			emailNotice("n1", april, 30000, "A"), emailNotice("n2", april, 30000, "A"), emailNotice("n3", april, 30000, "A")}, 4500},
		{"a later notice for the same invoice", map[string]int64{"A": 30000}, []Notice{
			emailNotice("n1", april, 30000, "A"), emailNotice("n2", Day(2026, 5, 1), 30000, "A")}, 4500},
		// 300 + 2,400 collected together: 15% of 2,500 + 10% of 200 = 395,
		// not 45 + 360 = 405 for two notices each on its own.
		{"a later notice for another invoice", map[string]int64{"A": 30000, "B": 240000}, []Notice{
			emailNotice("n1", april, 30000, "A"), emailNotice("n2", Day(2026, 5, 1), 240000, "B")}, 39500},
		{"a later notice for both", map[string]int64{"A": 30000, "B": 240000}, []Notice{
			emailNotice("n1", april, 30000, "A"), emailNotice("n2", Day(2026, 5, 1), 270000, "A", "B")}, 39500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := BuildStatement(claimFacts(tt.principal, tt.notices...), june)
			if err != nil {
				t.Fatal(err)
			}
			var accrued int64
			for _, a := range st.Accruals() {
				if a.Account == AccountCosts {
					accrued += a.Amount
				}
			}
			if st.Costs != tt.want || accrued != tt.want {
				t.Errorf("costs %d (accruals %d), want %d", st.Costs, accrued, tt.want)
			}
		})
	}
}

func TestNoticeCostsOnceAfterBooking(t *testing.T) {
	// n1's costs are booked; a second notice over A and B may only add what
	// the scale over 300 + 2,400 leaves: 395 - 45 = 350.
	f := claimFacts(map[string]int64{"A": 30000, "B": 240000},
		emailNotice("n1", Day(2026, 4, 1), 30000, "A"), emailNotice("n2", Day(2026, 5, 1), 270000, "A", "B"))
	f.Entries = append(f.Entries,
		Entry{InvoiceID: "A", Account: AccountCosts, Kind: KindCharge, Amount: 4500, BookedOn: Day(2026, 4, 20), NoticeID: "n1"},
		// Writing the costs off does not make room for new ones.
		Entry{InvoiceID: "A", Account: AccountCosts, Kind: KindWriteOff, Amount: -4500, BookedOn: Day(2026, 4, 21)})
	st, err := BuildStatement(f, Day(2026, 6, 1))
	if err != nil {
		t.Fatal(err)
	}
	if st.Costs != 35000 {
		t.Errorf("open costs %d, want 35000", st.Costs)
	}
}

func TestNoticeCostsLeft(t *testing.T) {
	april := Day(2026, 4, 1)
	cases := []struct {
		name      string
		principal map[string]int64
		notices   []Notice
		asOf      time.Time
		invoices  []string
		want      int64
	}{
		{"first notice", map[string]int64{"A": 30000}, nil, april, []string{"A"}, 4500},
		{"repeat while the first runs", map[string]int64{"A": 30000}, []Notice{emailNotice("n1", april, 30000, "A")}, april, []string{"A"}, 0},
		{"repeat after the first ran out unpaid", map[string]int64{"A": 30000}, []Notice{emailNotice("n1", april, 30000, "A")}, Day(2026, 6, 1), []string{"A"}, 0},
		{"adds an invoice", map[string]int64{"A": 30000, "B": 240000}, []Notice{emailNotice("n1", april, 30000, "A")}, april, []string{"A", "B"}, 35000},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NoticeCostsLeft(claimFacts(tt.principal, tt.notices...), tt.invoices, tt.asOf)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("NoticeCostsLeft = %d, want %d", got, tt.want)
			}
		})
	}
	// A debtor who paid within the term owes no costs for that notice, so a
	// later invoice's notice may bring the scale over its own principal.
	f := claimFacts(map[string]int64{"A": 30000, "B": 30000}, emailNotice("n1", april, 30000, "A"))
	f.Entries = append(f.Entries, Entry{InvoiceID: "A", Account: AccountPrincipal, Kind: KindPayment, Amount: -30000, BookedOn: Day(2026, 4, 10)})
	if got, err := NoticeCostsLeft(f, []string{"B"}, Day(2026, 6, 1)); err != nil || got != 4500 {
		t.Errorf("notice for B after A was paid in time: %d, %v; want 4500", got, err)
	}
}

func TestRunningNotice(t *testing.T) {
	n1 := emailNotice("n1", Day(2026, 4, 1), 30000, "A", "B") // deadline 15 April
	today := Day(2026, 4, 10)
	for _, tt := range []struct {
		name     string
		invoices []string
		sentOn   time.Time
		today    time.Time
		want     bool
	}{
		{"same invoices, same day", []string{"A", "B"}, Day(2026, 4, 1), today, true},
		{"some of its invoices", []string{"B"}, Day(2026, 4, 5), today, true},
		{"an invoice it does not cover", []string{"A", "C"}, Day(2026, 4, 5), today, false},
		{"sent after it ran out", []string{"A"}, Day(2026, 4, 16), Day(2026, 4, 16), false},
		{"recorded late, sent while it ran", []string{"A"}, Day(2026, 4, 10), Day(2026, 5, 1), true},
		{"on its deadline", []string{"A"}, Day(2026, 4, 15), Day(2026, 4, 15), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := RunningNotice([]Notice{n1}, tt.invoices, tt.sentOn, tt.today)
			if ok != tt.want || ok && got.ID != "n1" {
				t.Errorf("RunningNotice = %q, %v; want %v", got.ID, ok, tt.want)
			}
		})
	}
}
