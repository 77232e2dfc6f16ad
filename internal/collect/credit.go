package collect

import "time"

// CreditRefundStatus is where the paying back of a debtor's credit stands.
type CreditRefundStatus string

// Credit refund statuses.
const (
	RefundRequested  CreditRefundStatus = "requested"   // booked; the provider is being asked
	RefundSent       CreditRefundStatus = "sent"        // the provider accepted the refund
	RefundFailed     CreditRefundStatus = "failed"      // the provider refused: the credit is the debtor's again
	RefundToTransfer CreditRefundStatus = "to_transfer" // no provider payment: the creditor transfers it by bank
	RefundInFile     CreditRefundStatus = "in_file"     // in a SEPA transfer file for the creditor's bank
)

// CreditRefundMethod is how a credit goes back.
type CreditRefundMethod string

// Credit refund methods.
const (
	RefundByProvider CreditRefundMethod = "provider"
	RefundByTransfer CreditRefundMethod = "bank_transfer"
)

// ApplyCredit computes the booking that applies a debtor's credit (money
// paid over) to what is open at the same creditor on day on, by the same
// rule as a payment (Book: the accruals of the day first, then art. 6:43
// and 6:44 BW), and takes the amount used off the credit. It books nothing
// when there is no credit or nothing open. sourceKey must name this state of
// the ledger, so that a replay collides.
func ApplyCredit(f Facts, on time.Time, sourceKey string) (Booking, error) {
	st, err := BuildStatement(f, on)
	if err != nil {
		return Booking{}, err
	}
	used := min(st.Credit, st.Total())
	if used <= 0 {
		return Booking{}, nil
	}
	b, err := Book(f, Received{Amount: used, On: on, SourceKey: sourceKey, Memo: "credit applied"})
	if err != nil {
		return Booking{}, err
	}
	e := Entry{Account: AccountCredit, Kind: KindPayment, Amount: used, BookedOn: DateOf(on), Memo: "credit applied"}
	b.Postings = append(b.Postings, Posting{Entry: e, SourceKey: sourceKey})
	return b, nil
}

// RefundPart is the part of a credit that goes back through one payment.
type RefundPart struct {
	PaymentID string
	Amount    int64
}

// Refundable is a paid payment as a credit refund sees it: what of it can
// still go back through its provider.
type Refundable struct {
	PaymentID string
	Left      int64 // amount minus what was refunded or charged back
}

// SplitRefund spreads a credit over the payments it can go back through,
// newest first (the money that made the credit came last), each no more
// than it has left; what no payment can take is returned as the rest, for a
// bank transfer.
func SplitRefund(credit int64, payments []Refundable) ([]RefundPart, int64) {
	var parts []RefundPart
	left := credit
	for _, p := range payments {
		if left <= 0 {
			break
		}
		if n := min(left, p.Left); n > 0 {
			parts = append(parts, RefundPart{PaymentID: p.PaymentID, Amount: n})
			left -= n
		}
	}
	return parts, max(left, 0)
}
