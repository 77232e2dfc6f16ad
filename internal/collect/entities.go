package collect

import "time"

// Payment is our record of one payment attempt.
type Payment struct {
	ID           string
	CreditorID   string
	DebtorID     string
	InvoiceID    string
	Amount       int64
	Provider     string
	Method       string
	ProviderID   string
	CheckoutURL  string
	Status       PaymentStatus
	Refunded     int64
	ChargedBack  int64
	InstalmentID string
	CreatedAt    time.Time
	PaidAt       *time.Time
	UpdatedAt    time.Time // set only where a query reads it (the API's cursor)
}

// Plan is a payment plan with its schedule.
type Plan struct {
	ID          string
	CreditorID  string
	DebtorID    string
	Status      PlanStatus
	Total       int64
	Months      int       // the number of instalments: months only when Frequency is monthly
	Frequency   Frequency // how often an instalment falls due; "" is monthly
	FirstDue    time.Time
	Reason      string // why rejected or countered, for the debtor; why outside policy, for the agent
	CounterOf   string
	CreatedAt   time.Time
	DecidedAt   *time.Time
	Instalments []PlanInstalment
}

// PlanInstalment is one instalment with what was paid on it.
type PlanInstalment struct {
	ID     string
	Seq    int
	Due    time.Time
	Amount int64
	Paid   int64
}

// Dispute is a debtor's "I don't agree" on one invoice.
type Dispute struct {
	ID         string
	CreditorID string
	DebtorID   string
	InvoiceID  string
	Reason     string
	Body       string
	Status     DisputeStatus
	Answer     string
	CreatedAt  time.Time
	ResolvedAt *time.Time
	Files      []DisputeFile
}

// DisputeFile is one piece of evidence.
type DisputeFile struct {
	ID          string
	DisputeID   string
	Filename    string
	ContentType string
	Size        int
	Data        []byte
}

// Hardship is a debtor's "I can't pay now".
type Hardship struct {
	ID             string
	CreditorID     string
	DebtorID       string
	Reason         string
	Income         *int64
	FixedCosts     *int64
	Consent        bool
	Counsellor     string
	BreathingFrom  time.Time
	BreathingUntil time.Time
	Status         HardshipStatus
	CreatedAt      time.Time
}

// ContactWishes are how and when a debtor wants to be contacted.
type ContactWishes struct {
	// Channel is the first choice (kept for the API's "channel" field).
	Channel string
	// Channels are the channels the debtor accepts, most preferred first.
	Channels []Channel
	Phone    string // E.164, "" when not given
	Email    string // "" when not given
	// Avoid are the times that do not suit, for example weekdays 8:00-17:00.
	Avoid []TimeRange
	// QuietTimes is the free text of the old form; QuietNeedsReview marks
	// it for an agent to turn into Avoid ranges.
	QuietTimes       string
	QuietNeedsReview bool
	Language         string
	UpdatedAt        time.Time
}

// BankStatement is an imported statement.
type BankStatement struct {
	ID          string
	CreditorID  string
	AccountIBAN string
	StmtID      string
	Sequence    string
	Version     string
	CreatedAt   *time.Time
	ImportedAt  time.Time
	ImportedBy  string
	// BalanceProblem says why the entries do not add up to the statement's
	// balances; empty when they do or could not be checked.
	BalanceProblem string
	// Counts per line state.
	States map[BankLineState]int
}

// BankLine is one stored bank line with its match.
type BankLine struct {
	ID          string
	StatementID string
	CreditorID  string
	Seq         int64
	EntryKey    string
	Amount      int64
	Currency    string
	Credit      bool
	Reversal    bool
	BookingDate time.Time
	Reference   string
	Text        string
	CPName      string
	CPIBAN      string
	EndToEndID  string
	State       BankLineState
	Reason      string
	InvoiceID   string
	DebtorID    string
	PaymentID   string
	PayoutID    string
	Reverses    string
	DecidedBy   string
	Suggestions []BankSuggestion
}

// BankSuggestion is a candidate debtor (and maybe invoice) for a line.
type BankSuggestion struct {
	ID        int64
	DebtorID  string
	InvoiceID string
	Score     int
	Evidence  string
}

// Payout is what a provider paid out (a Mollie settlement or a Stripe
// payout), with the lines that explain it.
//
// Sign conventions. Payout lines are signed from the creditor's side: a
// payment is positive; a refund, chargeback or fee negative; an adjustment
// carries the provider's sign. FeeBips is signed the same way as Amount
// (a fee of 0,3509 euro is -3509) and keeps the precision the provider
// reported; Amount is that fee in whole cents (see reconcile for how the
// cents are derived so that they add up exactly).
//
// creditor_entries use debit positive, credit negative, and every source_key
// sums to zero: a fee is a debit to "fees" (+) and a credit to
// "clearing:<provider>" (-); a payout arriving is a debit to "bank" (+) and
// a credit to "clearing:<provider>" (-).
type Payout struct {
	ID         string
	Provider   string
	ProviderID string
	// Reference is what the bank statement shows when the money arrives: a
	// Mollie settlement reference (1234567.2404.03) or the Stripe payout id.
	Reference  string
	Amount     int64
	Currency   string
	Status     PayoutStatus
	Difference int64 // our matched lines minus the payout amount; 0 when it reconciles
	Reconciled bool
	SettledAt  *time.Time
	ArrivedAt  *time.Time
	BankLineID string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Lines      []PayoutLine
}

// PayoutLine is one line of a payout.
type PayoutLine struct {
	ID          int64
	Kind        PayoutLineKind
	ProviderRef string
	Method      string
	Amount      int64
	FeeBips     int64
	PaymentID   string
	CreditorID  string
	// Matched is false for a line that matches nothing of ours: listed,
	// never dropped.
	Matched bool
	// OurAmount is our payment's amount for a matched payment line (read
	// from payments, not stored on the line); 0 otherwise.
	OurAmount int64
}

// Cause says why this line makes its payout differ, or "" when it does not:
// it matches nothing of ours, or it is a payment whose amount differs from
// what we recorded.
func (l PayoutLine) Cause() PayoutLineCause {
	switch {
	case !l.Matched:
		return CauseUnmatched
	case l.Kind == PayoutLinePayment && l.PaymentID != "" && l.OurAmount != l.Amount:
		return CauseAmountDiffers
	}
	return ""
}
