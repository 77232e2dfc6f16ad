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
