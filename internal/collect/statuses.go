package collect

// The states of Settle's entities. Each value is what the database keeps in
// the entity's status (or state) column, whose CHECK constraint in
// migrations/ lists the same values; code outside this package names them
// only through these constants (internal/archtest enforces it).

// PaymentStatus is our payment's status; providers' statuses are mapped onto it.
type PaymentStatus string

// Payment statuses. Refunded and ChargedBack follow Paid.
const (
	PaymentOpen        PaymentStatus = "open"
	PaymentPending     PaymentStatus = "pending"
	PaymentPaid        PaymentStatus = "paid"
	PaymentFailed      PaymentStatus = "failed"
	PaymentCanceled    PaymentStatus = "canceled"
	PaymentExpired     PaymentStatus = "expired"
	PaymentRefunded    PaymentStatus = "refunded"
	PaymentChargedBack PaymentStatus = "charged_back"
)

// Final reports whether a status can no longer become paid.
func (s PaymentStatus) Final() bool {
	return s == PaymentFailed || s == PaymentCanceled || s == PaymentExpired
}

// PlanStatus is where a payment plan stands.
type PlanStatus string

// Plan statuses. A debtor has at most one proposed or countered plan at a time.
const (
	PlanProposed  PlanStatus = "proposed"  // waiting for an agent
	PlanApproved  PlanStatus = "approved"  // running: instalments are due
	PlanCountered PlanStatus = "countered" // an agent's other terms, waiting for the debtor
	PlanRejected  PlanStatus = "rejected"  // an agent said no
	PlanDeclined  PlanStatus = "declined"  // the debtor said no to a counter-offer
	PlanBroken    PlanStatus = "broken"    // the policy's number of instalments were missed
	PlanCompleted PlanStatus = "completed" // every instalment paid
	PlanReplaced  PlanStatus = "replaced"  // superseded by a newer proposal or a counter-offer
)

// Running reports whether a plan's instalments are (or were) due, so that
// payments count towards them.
func (s PlanStatus) Running() bool {
	return s == PlanApproved || s == PlanCompleted || s == PlanBroken
}

// Open reports whether a plan still waits for an answer (an agent's or the debtor's).
func (s PlanStatus) Open() bool {
	return s == PlanProposed || s == PlanCountered
}

// DisputeStatus is where a dispute stands; the three outcomes end it.
type DisputeStatus string

// Dispute statuses.
const (
	DisputeOpen      DisputeStatus = "open"
	DisputeUpheld    DisputeStatus = "upheld"    // the debtor was right: what is open on the invoice is credited
	DisputeRejected  DisputeStatus = "rejected"  // collection resumes
	DisputeCorrected DisputeStatus = "corrected" // the invoice amount was lowered
)

// HardshipStatus is where a hardship report stands.
type HardshipStatus string

// Hardship statuses.
const (
	HardshipOpen       HardshipStatus = "open"
	HardshipFollowedUp HardshipStatus = "followed_up"
	HardshipWontPay    HardshipStatus = "wont_pay" // the debtor can pay but will not: hardship treatment ends
)

// BankLineState is what became of an imported bank line.
type BankLineState string

// Bank line states.
const (
	BankBooked     BankLineState = "booked"
	BankPayout     BankLineState = "payout"
	BankSuggested  BankLineState = "suggested"
	BankUnmatched  BankLineState = "unmatched"
	BankNotHandled BankLineState = "not_handled"
	BankReversed   BankLineState = "reversed"
	BankReversal   BankLineState = "reversal"
	// BankMatched is a line whose reference names an invoice, stored by a
	// bank import and not booked yet: it has no payment until it is
	// booked, in one transaction with its ledger entries.
	BankMatched BankLineState = "matched"
	// BankHeld is a line of an entry whose transactions do not account for
	// the entry's amount: nothing of the entry is booked, finance decides.
	BankHeld BankLineState = "held"
	// BankPending is an entry the bank has not booked yet (Sts PDNG): money
	// that has not arrived, so nothing is booked; the entry counts once the
	// bank books it, in a later statement.
	BankPending BankLineState = "pending"
	// BankRejected is a line finance decided is no debtor's payment (the
	// reason says why): it no longer waits and is not offered for matching.
	BankRejected BankLineState = "rejected"
)

// PayoutStatus says whether a provider's payout reached the bank.
type PayoutStatus string

// Payout statuses.
const (
	PayoutExpected PayoutStatus = "expected"
	PayoutArrived  PayoutStatus = "arrived"
)

// PayoutLineKind is what one line of a payout is.
type PayoutLineKind string

// Payout line kinds.
const (
	PayoutLinePayment    PayoutLineKind = "payment"
	PayoutLineRefund     PayoutLineKind = "refund"
	PayoutLineChargeback PayoutLineKind = "chargeback"
	PayoutLineFee        PayoutLineKind = "fee"
	PayoutLineAdjustment PayoutLineKind = "adjustment"
	PayoutLineOther      PayoutLineKind = "other"
)

// PayoutLineCause says why a payout line makes its payout differ.
type PayoutLineCause string

// Line causes of a difference, as PayoutLine.Cause reports them.
const (
	CauseUnmatched     PayoutLineCause = "unmatched"
	CauseAmountDiffers PayoutLineCause = "amount_differs"
)

// Suggestion scores: the evidence that an unmatched bank line is a given
// debtor's payment. They add up; a line keeps its three best candidates.
const (
	ScoreInvoiceNumber = 50 // an invoice number of the debtor in the text
	ScorePayerIBAN     = 45 // the debtor paid from this IBAN before
	ScoreOpenTotal     = 40 // the amount is what the debtor owes in all
	ScoreInstalment    = 35 // the amount is an instalment of the debtor's approved plan
	ScorePayerName     = 25 // the payer's name is the debtor's name
	ScoreNameInText    = 20 // the debtor's name is in the text (only for candidates found otherwise)
	// MaxSameAmount is how many debtors may share an open total, an
	// instalment or a name before it alone says nothing.
	MaxSameAmount = 3
)
