package collect

// BankScores weigh the evidence that an unmatched bank line is a given
// debtor's payment. The store's suggestion queries take them as
// parameters, so that the policy stays here and the SQL only applies it.
type BankScores struct {
	InvoiceNumber int // an invoice number of the debtor in the text
	PayerIBAN     int // the debtor paid from this IBAN before
	OpenTotal     int // the amount is what the debtor owes in all
	Instalment    int // the amount is an instalment of the debtor's approved plan
	PayerName     int // the payer's name is the debtor's name
	NameInText    int // the debtor's name is in the text (only for candidates found otherwise)
	// MaxSameAmount is how many debtors may share an open total, an
	// instalment or a name before it alone says nothing.
	MaxSameAmount int
}

// SuggestionScores are the scores a bank import suggests candidates with.
func SuggestionScores() BankScores {
	return BankScores{InvoiceNumber: ScoreInvoiceNumber, PayerIBAN: ScorePayerIBAN, OpenTotal: ScoreOpenTotal,
		Instalment: ScoreInstalment, PayerName: ScorePayerName, NameInText: ScoreNameInText, MaxSameAmount: MaxSameAmount}
}
