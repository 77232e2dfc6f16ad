package reconcile

// The journal: the double entry behind the debtors' ledger and the
// creditor's own books, per day, for the accountant.
//
// Settle keeps two single-sided books. ledger_entries hold what each debtor
// owes, per account (principal, costs, interest, credit), signed from the
// debtor's side: positive raises what the debtor owes. creditor_entries hold
// the creditor's money accounts (bank, clearing:mollie, clearing:stripe,
// fees, unexplained), debit positive, every source_key summing to zero.
//
// BuildJournal turns both into one double-entry journal. Every amount is
// debit positive, credit negative.
//
// Ledger entry of amount a on debtor account X (principal, costs, interest,
// credit) is two lines that cancel out:
//
//	debtors:X            a   (a receivable: owing more is a debit)
//	counter account     -a
//
// and the counter account follows from the entry's kind:
//
//	charge       principal → claims (claims handed over by the creditor)
//	             costs     → income:costs, interest → income:interest,
//	             credit    → claims
//	payment,     the money account of the payment's provider: bank for a
//	reversal     bank transfer (or a receipt with no payment record),
//	             clearing:mollie or clearing:stripe for a provider payment
//	             (a payment debits the money account; a refund, chargeback
//	             or bank reversal credits it)
//	credit_note  → credit_notes
//	write_off    → write_offs
//
// creditor_entries are already double entry and are taken as they are: a
// provider fee is fees (debit) against clearing:<provider> (credit); a
// payout arriving is bank (debit) against clearing:<provider> (credit), the
// part no line explains against unexplained.
//
// So every day balances to zero, the debtors' accounts close at exactly the
// ledger's sums, bank closes at the bank transfers received plus the
// payouts arrived, and clearing:<provider> closes at what the provider
// holds for the creditor (payments less refunds, chargebacks, fees and
// payouts); zero once everything is paid out.

import (
	"cmp"
	"slices"
	"time"

	"github.com/settle/settle/internal/postgres"
)

// Journal account codes.
const (
	AcctPrincipal      = "debtors:principal"
	AcctCosts          = "debtors:costs"
	AcctInterest       = "debtors:interest"
	AcctCredit         = "debtors:credit"
	AcctBank           = "bank"
	AcctClearingMollie = "clearing:mollie"
	AcctClearingStripe = "clearing:stripe"
	AcctFees           = "fees"
	AcctUnexplained    = "unexplained"
	AcctClaims         = "claims"
	AcctIncomeCosts    = "income:costs"
	AcctIncomeInterest = "income:interest"
	AcctCreditNotes    = "credit_notes"
	AcctWriteOffs      = "write_offs"
)

// JournalAccounts are the journal's accounts in the order they are listed,
// with their names.
var JournalAccounts = []struct{ Code, Name string }{
	{AcctPrincipal, "Debtors: principal"},
	{AcctCosts, "Debtors: collection costs"},
	{AcctInterest, "Debtors: interest"},
	{AcctCredit, "Debtors: credit balances"},
	{AcctBank, "Bank"},
	{AcctClearingMollie, "Clearing: Mollie"},
	{AcctClearingStripe, "Clearing: Stripe"},
	{AcctFees, "Payment provider fees"},
	{AcctUnexplained, "Unexplained receipts (suspense)"},
	{AcctClaims, "Claims handed over"},
	{AcctIncomeCosts, "Income: collection costs"},
	{AcctIncomeInterest, "Income: interest"},
	{AcctCreditNotes, "Credit notes"},
	{AcctWriteOffs, "Write-offs"},
}

// AccountName is an account's name for people; an unknown code is its own name.
func AccountName(code string) string {
	for _, a := range JournalAccounts {
		if a.Code == code {
			return a.Name
		}
	}
	return code
}

func accountOrder(code string) int {
	for i, a := range JournalAccounts {
		if a.Code == code {
			return i
		}
	}
	return len(JournalAccounts)
}

// JournalLine is what one account moved on one day: Debit and Credit are
// both positive (gross, not netted).
type JournalLine struct {
	Account string
	Debit   int64
	Credit  int64
}

// JournalDay is one day of the journal.
type JournalDay struct {
	Day   time.Time
	Lines []JournalLine
}

// Journal is the double entry of one period: balances at the start, each
// day's movements, balances at the end. Balances are debit positive.
type Journal struct {
	From, To time.Time
	Opening  map[string]int64
	Days     []JournalDay
	Closing  map[string]int64
}

// Posting is one side of a double entry.
type Posting struct {
	Account string
	Amount  int64 // debit positive
}

// LedgerPostings is the double entry of one ledger entry (see the package
// notes on the journal): the debtor's account and its counter account.
func LedgerPostings(m postgres.LedgerMove) [2]Posting {
	debtor := "debtors:" + m.Account
	var counter string
	switch m.Kind {
	case "charge":
		switch m.Account {
		case "costs":
			counter = AcctIncomeCosts
		case "interest":
			counter = AcctIncomeInterest
		default:
			counter = AcctClaims
		}
	case "payment", "reversal":
		counter = MoneyAccount(m.Provider)
	case "credit_note":
		counter = AcctCreditNotes
	case "write_off":
		counter = AcctWriteOffs
	default:
		counter = AcctUnexplained
	}
	return [2]Posting{{debtor, m.Amount}, {counter, -m.Amount}}
}

// MoneyAccount is where a payment of provider lands: the provider's
// clearing account, or the bank for a bank transfer and a receipt without a
// payment record.
func MoneyAccount(provider string) string {
	switch provider {
	case "mollie":
		return AcctClearingMollie
	case "stripe":
		return AcctClearingStripe
	}
	return AcctBank
}

// BuildJournal makes the journal of the period from..to (dates, both
// included) from all ledger and creditor entries booked up to to (earlier
// ones make the opening balances; later ones are ignored). It is a pure
// function: the same entries give the same journal.
func BuildJournal(from, to time.Time, ledger []postgres.LedgerMove, books []postgres.BookMove) Journal {
	from, to = dateOnly(from), dateOnly(to)
	j := Journal{From: from, To: to, Opening: map[string]int64{}, Closing: map[string]int64{}}
	type key struct {
		day     time.Time
		account string
	}
	moves := map[key]*JournalLine{}
	post := func(day time.Time, p Posting) {
		day = dateOnly(day)
		if p.Amount == 0 || day.After(to) {
			return
		}
		if day.Before(from) {
			j.Opening[p.Account] += p.Amount
			j.Closing[p.Account] += p.Amount
			return
		}
		j.Closing[p.Account] += p.Amount
		k := key{day, p.Account}
		l := moves[k]
		if l == nil {
			l = &JournalLine{Account: p.Account}
			moves[k] = l
		}
		if p.Amount > 0 {
			l.Debit += p.Amount
		} else {
			l.Credit -= p.Amount
		}
	}
	for _, m := range ledger {
		for _, p := range LedgerPostings(m) {
			post(m.Day, p)
		}
	}
	for _, b := range books {
		post(b.Day, Posting{b.Account, b.Amount})
	}
	days := map[time.Time][]JournalLine{}
	for k, l := range moves {
		days[k.day] = append(days[k.day], *l)
	}
	for day, lines := range days {
		slices.SortFunc(lines, func(a, b JournalLine) int {
			return cmp.Or(cmp.Compare(accountOrder(a.Account), accountOrder(b.Account)), cmp.Compare(a.Account, b.Account))
		})
		j.Days = append(j.Days, JournalDay{Day: day, Lines: lines})
	}
	slices.SortFunc(j.Days, func(a, b JournalDay) int { return a.Day.Compare(b.Day) })
	for _, m := range []map[string]int64{j.Opening, j.Closing} {
		for a, v := range m {
			if v == 0 {
				delete(m, a)
			}
		}
	}
	return j
}

// Balance is a day's debits less its credits: zero for a balanced day.
func (d JournalDay) Balance() int64 {
	var s int64
	for _, l := range d.Lines {
		s += l.Debit - l.Credit
	}
	return s
}

// Accounts lists the codes of the accounts in balances, in the journal's order.
func Accounts(balances ...map[string]int64) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range balances {
		for a := range m {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		return cmp.Or(cmp.Compare(accountOrder(a), accountOrder(b)), cmp.Compare(a, b))
	})
	return out
}

// Sum is the total of balances (zero for a journal that balances).
func Sum(balances map[string]int64) int64 {
	var s int64
	for _, v := range balances {
		s += v
	}
	return s
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
