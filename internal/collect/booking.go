package collect

import (
	"slices"
	"strconv"
	"time"
)

// Received is money a debtor paid, as its booking needs it.
type Received struct {
	Amount    int64     // cents, > 0
	InvoiceID string    // the invoice the debtor chose, or "" for the legal order
	On        time.Time // the day the money was received
	SourceKey string    // unique per receipt: makes booking idempotent
	PaymentID string    // our payment record, when there is one
	Memo      string
}

// Check refuses an amount that is not money received.
func (r Received) Check() error {
	if r.Amount <= 0 {
		return Errorf(EINVALID, "amount", "a payment must be more than 0")
	}
	return nil
}

// Posting is a ledger entry to write, with the source key that makes writing
// it a second time detectable.
type Posting struct {
	Entry     Entry
	SourceKey string
}

// Booking is what one receipt writes: the postings in the order to write
// them (the accruals due on the day first, then the payment's parts, then
// any credit), and how the money was applied.
type Booking struct {
	Postings   []Posting
	Allocation Allocation
}

// Book computes the booking of r on the debtor's facts. The costs and
// interest due on r's day but not yet in the ledger are booked first, so
// the payment can be applied to them and every balance stays a sum of
// entries; then the money goes to costs, interest and principal (art. 6:44
// BW) across invoices (art. 6:43 BW, r.InvoiceID first when the debtor chose
// one), the rest kept as credit. f.Entries must be in ledger order (booking
// day, then as stored); f is not changed.
func Book(f Facts, r Received) (Booking, error) {
	if err := r.Check(); err != nil {
		return Booking{}, err
	}
	on := DateOf(r.On)
	st, err := BuildStatement(f, on)
	if err != nil {
		return Booking{}, err
	}
	b := Booking{Postings: AccrualPostings(st)}
	if len(b.Postings) > 0 {
		// The payment is applied to the ledger as it stands once the
		// accruals are in: after every entry booked up to that day.
		entries := slices.Clone(f.Entries)
		for _, p := range b.Postings {
			entries = append(entries, p.Entry)
		}
		slices.SortStableFunc(entries, func(x, y Entry) int { return x.BookedOn.Compare(y.BookedOn) })
		f.Entries = entries
		if st, err = BuildStatement(f, on); err != nil {
			return Booking{}, err
		}
	}
	b.Allocation = Allocate(r.Amount, st.OpenItems(), on, r.InvoiceID)
	pay := func(invoiceID string, account Account, amount int64) {
		if amount == 0 {
			return
		}
		e := Entry{InvoiceID: invoiceID, Account: account, Kind: KindPayment, Amount: -amount, BookedOn: on, Memo: r.Memo, PaymentID: r.PaymentID}
		b.Postings = append(b.Postings, Posting{Entry: e, SourceKey: r.SourceKey})
	}
	for _, p := range b.Allocation.Parts {
		pay(p.InvoiceID, AccountCosts, p.Costs)
		pay(p.InvoiceID, AccountInterest, p.Interest)
		pay(p.InvoiceID, AccountPrincipal, p.Principal)
	}
	pay("", AccountCredit, b.Allocation.Credit)
	return b, nil
}

// AccrualPostings are the charges that bring the ledger up to the
// statement's day: collection costs whose notice deadline passed and
// interest accrued since the last booking.
func AccrualPostings(st Statement) []Posting {
	var out []Posting
	for _, a := range st.Accruals() {
		e := Entry{InvoiceID: a.InvoiceID, Account: a.Account, Kind: KindCharge, Amount: a.Amount, BookedOn: st.AsOf, NoticeID: a.NoticeID}
		var key string
		if a.Account == AccountCosts {
			e.Memo = "collection costs (WIK) after notice"
			key = "accrual:costs:" + a.NoticeID
		} else {
			e.Memo = "statutory interest until " + st.AsOf.Format("2006-01-02")
			key = interestAccrualKey(a, st.AsOf)
		}
		out = append(out, Posting{Entry: e, SourceKey: key})
	}
	return out
}

// interestAccrualKey is the source key of an interest accrual: the invoice,
// the day, and the interest charged in all once it is booked. The total
// keeps a second accrual on the same day (a refund or reversal reopened
// principal that already earned interest today) from colliding with the
// first, while the same accrual booked twice still collides.
func interestAccrualKey(a Accrual, on time.Time) string {
	return "accrual:interest:" + a.InvoiceID + ":" + on.Format("2006-01-02") + ":" + strconv.FormatInt(a.ChargedTotal, 10)
}
