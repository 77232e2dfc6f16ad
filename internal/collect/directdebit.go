package collect

import "time"

// MandateStatus is where a debtor's direct debit mandate for a plan stands.
type MandateStatus string

// Mandate statuses: the provider's (pending until the first payment is
// paid, valid, invalid) and revoked once the debtor stopped it.
const (
	MandatePending MandateStatus = "pending"
	MandateValid   MandateStatus = "valid"
	MandateInvalid MandateStatus = "invalid"
	MandateRevoked MandateStatus = "revoked"
)

// Mandate is a debtor's choice to have a plan's instalments collected by
// SEPA direct debit ("automatische incasso"): the provider's customer, the
// first payment that gives the mandate, and the mandate once given.
type Mandate struct {
	PlanID         string
	CreditorID     string
	DebtorID       string
	Provider       string
	CustomerID     string
	FirstPaymentID string
	MandateID      string
	Status         MandateStatus
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Debit is one instalment to collect today and how much of it.
type Debit struct {
	Instalment PlanInstalment
	Amount     int64
}

// DebitsDue are the instalments of a plan to collect on today: those due
// from the day the debtor chose direct debit (since) up to and including
// today, not paid in full, and not collected yet for their due date
// (collected says which were). Parts that fell due before the choice are
// not collected: the debtor agreed to the schedule from then on, and older
// ones are followed up as missed.
func DebitsDue(ins []PlanInstalment, since, today time.Time, collected func(PlanInstalment) bool) []Debit {
	since, today = DateOf(since), DateOf(today)
	var out []Debit
	for _, in := range ins {
		due := DateOf(in.Due)
		if due.Before(since) || due.After(today) || in.Paid >= in.Amount || collected(in) {
			continue
		}
		out = append(out, Debit{Instalment: in, Amount: in.Amount - in.Paid})
	}
	return out
}
