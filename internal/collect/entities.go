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
	Months      int
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
	Channel    string
	QuietTimes string
	Language   string
	UpdatedAt  time.Time
}
