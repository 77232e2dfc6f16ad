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
