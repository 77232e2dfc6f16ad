package casework_test

import (
	"strings"
	"testing"

	"github.com/settle/settle/internal/collect"
)

// TestPendingEntryBooksNothing: an entry the bank has not booked (Sts PDNG,
// or Sts/Cd PDNG since .08) is money that has not arrived. It is kept as a
// pending line and moves nothing; the booked entry beside it books, and the
// pending entry books once a later statement brings it as booked.
func TestPendingEntryBooksNothing(t *testing.T) {
	t.Parallel()
	for name, pdng := range map[string]string{"Sts": "<Sts>PDNG</Sts>", "Sts/Cd": "<Sts><Cd>PDNG</Cd></Sts>"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newBankFixture(t)
			xml := strings.Replace(f.file(t, "bank_pending.xml"), "<Sts>PDNG</Sts>", pdng, 1)
			janOpen, keesOpen := f.open(t, "Jan de Vries"), f.invoiceOpen(t, "F-3001")
			res, err := f.importString(t, xml)
			if err != nil {
				t.Fatal(err)
			}
			if res.Lines != 2 || res.Booked != 1 || res.Pending != 1 {
				t.Errorf("import: %s, want 2 lines, 1 booked and 1 pending", res.Summary())
			}
			if got := f.invoiceOpen(t, "F-3001"); got != keesOpen-8000 {
				t.Errorf("F-3001 open %d, want %d: the booked entry pays it", got, keesOpen-8000)
			}
			if got := f.open(t, "Jan de Vries"); got != janOpen {
				t.Errorf("Jan de Vries owes %d after a pending entry, want %d unchanged", got, janOpen)
			}
			if n := f.count(t, "payments"); n != 1 {
				t.Errorf("%d payments, want 1", n)
			}
			pending := lineWith(t, f.lines(t), func(l collect.BankLine) bool { return l.Amount == 6000 })
			if pending.State != collect.BankPending || !strings.Contains(pending.Reason, "PDNG") || pending.PaymentID != "" {
				t.Errorf("pending line: %s %q payment %q, want pending, nothing booked", pending.State, pending.Reason, pending.PaymentID)
			}

			// The same statement again is a duplicate; the next day's
			// statement brings the entry booked, and then it books.
			if again, err := f.importString(t, xml); err != nil || again.Lines != 0 {
				t.Fatalf("the same statement again: %v, %+v", err, again)
			}
			booked := strings.NewReplacer(pdng, "<Sts>BOOK</Sts>", "ABNA-2024-04-01", "ABNA-2024-04-02", "<ElctrncSeqNb>32<", "<ElctrncSeqNb>33<").Replace(xml)
			later, err := f.importString(t, booked)
			if err != nil {
				t.Fatal(err)
			}
			if later.Booked != 1 || later.Duplicates != 1 {
				t.Errorf("booked later: %s, want the pending entry booked and the other a duplicate", later.Summary())
			}
			if got := f.open(t, "Jan de Vries"); got != janOpen-6000 {
				t.Errorf("Jan de Vries owes %d once the entry is booked, want %d", got, janOpen-6000)
			}
		})
	}
}
