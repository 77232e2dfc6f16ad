package reconcile

// The matching rules of a bank statement line (CAMT.053): its identity,
// what can be decided without the database, and the references that match
// it exactly. casework.ImportCAMT runs the import with them; the store
// books and suggests with the scores of collect.SuggestionScores.
//
// Identity. A line is the bank's AcctSvcrRef (with the account) or
// camt053's hash of the entry, plus the transaction's index in the entry;
// entries without AcctSvcrRef that hash the same inside one statement (two
// identical payments on one day) are numbered, so both count.
//
// Matching, in this order, for each euro credit:
//
//	(a) a valid RF reference or 16-digit betalingskenmerk (structured, or
//	    else found in the free text) that is the payment reference of an
//	    invoice of the account's creditor (PaymentReference);
//	(b) a Mollie settlement reference or Stripe payout id in the text or
//	    reference of an expected payout of the same amount (PayoutReferences);
//	(c) otherwise candidates ranked by evidence (collect.SuggestionScores).
//
// Debits and other currencies are not handled, with the reason
// (ClassifyLine).

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/reconcile/camt053"
)

// statusPending is an entry's Sts (Sts/Cd) while the bank has not booked it.
const statusPending = "PDNG"

// AccountOf is how a statement names its account: the IBAN, else the bank's
// own account number.
func AccountOf(st camt053.Statement) string {
	if st.AccountIBAN != "" {
		return st.AccountIBAN
	}
	return st.AccountOther
}

// LineKey is the identity of transaction ti of entry e on the statement
// st; occurrence numbers the entries without AcctSvcrRef that hash the same
// inside one statement (1 for the first).
func LineKey(st camt053.Statement, e camt053.Entry, ti, occurrence int) string {
	var key string
	if e.AcctSvcrRef != "" {
		key = "r:" + AccountOf(st) + ":" + e.AcctSvcrRef + ":" + strconv.Itoa(ti)
	} else {
		key = "h:" + e.Hash
		if occurrence > 1 {
			key += "#" + strconv.Itoa(occurrence)
		}
		key += ":" + strconv.Itoa(ti)
	}
	if e.Status == statusPending {
		// Its own key, so that the entry, once booked in a later statement
		// (with the same reference or hash), is new and books, while the
		// same pending entry in a repeated statement is still a duplicate.
		key = "p:" + key
	}
	return key
}

// ClassifyLine decides what can be decided about a transaction without the
// database: the state (with the reason) of a line that is pending, held,
// not handled or a reversal; "" for a euro credit still to be matched.
func ClassifyLine(e camt053.Entry, tx camt053.Transaction) (collect.BankLineState, string) {
	switch {
	case e.Status == statusPending:
		return collect.BankPending, "pending at the bank (status PDNG): the money has not arrived, nothing is booked until a statement brings the entry as booked"
	case e.Mismatch != "":
		// One line of a batch cannot be booked without knowing the others
		// are right, so the whole entry waits for finance.
		return collect.BankHeld, "held for finance, nothing of this entry is booked: " + e.Mismatch
	case tx.Currency != "EUR":
		return collect.BankNotHandled, "in " + tx.Currency + ": only euro lines are handled, none is converted"
	case e.Reversal && tx.Credit:
		return collect.BankNotHandled, "reverses money paid out: payments out are not booked here"
	case e.Reversal:
		return collect.BankReversal, ""
	case !tx.Credit:
		return collect.BankNotHandled, "a debit: money paid out is not booked here"
	case tx.AmountCents <= 0:
		return collect.BankNotHandled, "an amount of zero books nothing"
	}
	return "", ""
}

// PaymentReference returns the valid RF reference or 16-digit
// betalingskenmerk in ref (the structured reference), or else the first one
// written in the free text (also when typed in groups with spaces),
// normalised as invoices store them; "" when there is none.
func PaymentReference(ref, text string) string {
	if n := normRef(ref); n != "" {
		return n
	}
	if text == "" {
		return ""
	}
	words := strings.FieldsFunc(strings.ToUpper(text), func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	for i := range words {
		joined := ""
		for j := i; j < len(words) && j < i+7; j++ {
			joined += words[j]
			if len(joined) > 25 {
				break
			}
			if n := normRef(joined); n != "" {
				return n
			}
		}
	}
	return ""
}

func normRef(s string) string {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if s == "" {
		return ""
	}
	if strings.HasPrefix(s, "RF") && collect.ValidRF(s) {
		return s
	}
	if len(s) == 16 && collect.ValidBetalingskenmerk(s) {
		return s
	}
	return ""
}

var (
	mollieRef = regexp.MustCompile(`\b\d{4,10}\.\d{4}\.\d{2}\b`)
	stripeRef = regexp.MustCompile(`\bpo_[A-Za-z0-9]{6,}\b`)
)

// PayoutReferences lists the Mollie settlement references (1234567.2404.03)
// and Stripe payout ids (po_...) written in s.
func PayoutReferences(s string) []string {
	var out []string
	if strings.Count(s, ".") >= 2 {
		out = append(out, mollieRef.FindAllString(s, 4)...)
	}
	if strings.Contains(s, "po_") {
		out = append(out, stripeRef.FindAllString(s, 4)...)
	}
	return out
}
