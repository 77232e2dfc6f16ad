package collect

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/settle/settle/internal/money"
)

// Two invoices of the largest int64 once wrapped the totals negative and told
// the debtor nothing was open (issue F.7). Now the statement is refused.
func TestBuildStatementRefusesOverflowingSums(t *testing.T) {
	asOf := Day(2026, time.November, 23)
	due := Day(2026, time.December, 31) // not due: no interest, only sums
	inv := func(id string) Invoice {
		return Invoice{ID: id, Number: id, IssueDate: Day(2026, time.November, 1), DueDate: due, Amount: math.MaxInt64, Currency: "EUR"}
	}
	charge := func(id string, amount int64) Entry {
		return Entry{InvoiceID: id, Account: AccountPrincipal, Kind: KindCharge, Amount: amount, BookedOn: Day(2026, time.November, 1)}
	}
	cases := []struct {
		name  string
		facts Facts
	}{
		{"two huge invoices", Facts{
			Invoices: []Invoice{inv("A"), inv("B")},
			Entries:  []Entry{charge("A", math.MaxInt64), charge("B", math.MaxInt64)},
		}},
		{"one invoice charged twice", Facts{
			Invoices: []Invoice{inv("A")},
			Entries:  []Entry{charge("A", math.MaxInt64), charge("A", 1)},
		}},
		{"credit past int64", Facts{
			Entries: []Entry{
				{Account: AccountCredit, Amount: math.MinInt64, BookedOn: asOf},
			},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := BuildStatement(tc.facts, asOf)
			if !errors.Is(err, money.ErrOverflow) {
				t.Fatalf("BuildStatement: total %d, err %v; want money.ErrOverflow", st.Total(), err)
			}
		})
	}
}

// The largest amounts the API accepts add up without trouble.
func TestBuildStatementLargeButValidSums(t *testing.T) {
	asOf := Day(2026, time.November, 23)
	const most = 1_000_000_000 // EUR 10.000.000,00, the API's limit per invoice
	var f Facts
	for _, id := range []string{"A", "B", "C"} {
		f.Invoices = append(f.Invoices, Invoice{ID: id, Number: id, IssueDate: Day(2026, time.November, 1), DueDate: Day(2026, time.December, 31), Amount: most, Currency: "EUR"})
		f.Entries = append(f.Entries, Entry{InvoiceID: id, Account: AccountPrincipal, Kind: KindCharge, Amount: most, BookedOn: Day(2026, time.November, 1)})
	}
	st, err := BuildStatement(f, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total() != 3*most {
		t.Fatalf("total = %d, want %d", st.Total(), 3*most)
	}
}

func TestInterestRefusesOverflowingPrincipal(t *testing.T) {
	changes := []PrincipalChange{{On: Day(2025, time.January, 1), Delta: math.MaxInt64}, {On: Day(2025, time.January, 2), Delta: math.MaxInt64}}
	_, err := Interest(changes, Day(2025, time.January, 1), Day(2025, time.January, 5), consumerRates)
	if !errors.Is(err, money.ErrOverflow) {
		t.Fatalf("Interest: err = %v, want money.ErrOverflow", err)
	}
}
