package collect

import "time"

// Creditor is the company that is owed, with the contact details every debtor page shows.
type Creditor struct {
	ID               string
	Name             string
	Phone            string
	PhoneHours       string
	Email            string
	IBAN             string
	BIC              string  // optional in the EPC QR code of a letter
	Address          Address // the sender's address on a letter
	PostDeliveryDays int
	SecondFactor     string // "address" or "birth_date"
	WaiveCosts       bool
	// Payment providers per method when the creditor has its own account
	// ("" uses the server default), and the names of the environment
	// variables that hold its keys (never the keys themselves).
	IdealProvider string
	CardProvider  string
	MollieKeyEnv  string
	StripeKeyEnv  string
	Policy        Policy
}

// Policy is how a creditor treats self-service requests.
type Policy struct {
	Plan               PlanPolicy
	BreathingDays      int    // length of breathing space after a hardship report
	HardshipWaiveCosts bool   // no new collection costs for someone who cannot pay
	AnswerDays         int    // working days an agent has to answer a request
	HelpPhone          string // national number for free debt help
	HelpSite           string // site for free debt help
}

// Address is a postal address; postcode and house number double as a second factor.
type Address struct {
	Street      string `json:"street"`
	HouseNumber string `json:"house_number"`
	Postcode    string `json:"postcode"`
	City        string `json:"city"`
}

// Debtor is the person or business that owes a creditor.
type Debtor struct {
	ID          string
	CreditorID  string
	ExternalRef string
	Kind        DebtorKind
	Name        string
	Email       string
	Phone       string
	Language    string
	Address     Address
	BirthDate   *time.Time
}

// Invoice is one claim of a creditor on a debtor.
type Invoice struct {
	ID               string
	CreditorID       string
	DebtorID         string
	Number           string
	Description      string
	IssueDate        time.Time
	DueDate          time.Time
	Amount           int64
	Currency         string
	PaymentReference string
}

// Notice is a 14-day letter covering one or more invoices.
type Notice struct {
	ID         string
	Channel    string
	SentOn     time.Time
	ReceivedOn time.Time
	Deadline   time.Time
	Principal  int64
	Costs      int64
	Waived     bool
	InvoiceIDs []string
}

// Account names which part of a debt a ledger entry moves.
type Account string

// The ledger accounts of a debt.
const (
	AccountPrincipal Account = "principal"
	AccountCosts     Account = "costs"
	AccountInterest  Account = "interest"
	AccountCredit    Account = "credit" // money paid over; negative means the debtor has credit
)

// EntryKind says why a ledger entry was booked.
type EntryKind string

// The kinds of ledger entries.
const (
	KindCharge     EntryKind = "charge"
	KindPayment    EntryKind = "payment"
	KindCreditNote EntryKind = "credit_note"
	KindWriteOff   EntryKind = "write_off"
	KindReversal   EntryKind = "reversal"
)

// Entry is one append-only ledger line. Amount is positive when it raises what
// the debtor owes on Account, negative when it lowers it.
type Entry struct {
	ID        int64
	InvoiceID string // empty for the debtor's credit balance
	Account   Account
	Kind      EntryKind
	Amount    int64
	BookedOn  time.Time
	Memo      string
	PaymentID string
	NoticeID  string // set on collection costs booked for a notice
}

// NoticeChannels are the ways a 14-day notice can be sent.
var NoticeChannels = []string{"post", "email", "sms"}

// NewNotice computes a notice's deadline and costs for invoices whose principal adds up to principal.
func NewNotice(channel string, sentOn time.Time, postDeliveryDays int, principal int64, waived bool, cal Calendar) Notice {
	delivery := 0
	if channel == "post" {
		delivery = postDeliveryDays
	}
	sentOn = DateOf(sentOn)
	received := sentOn.AddDate(0, 0, delivery)
	costs := WIKCosts(principal)
	return Notice{
		Channel:    channel,
		SentOn:     sentOn,
		ReceivedOn: received,
		Deadline:   NoticeDeadline(sentOn, delivery, cal),
		Principal:  principal,
		Costs:      costs,
		Waived:     waived,
	}
}
