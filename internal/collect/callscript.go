package collect

import (
	"fmt"
	"time"
)

// CallFacts are the facts of a debtor's file that decide how an agent
// opens a phone call and what they agree on.
type CallFacts struct {
	Name            string // CallName of the debtor
	Creditor        string
	Open            int64 // everything open now, in cents
	Overdue         int64 // the part of Open past its due date
	OpenDispute     bool  // a dispute waits for an answer
	DisputedInvoice string
	Hardship        bool      // money trouble reported and not ended as "won't pay"
	BreathingUntil  time.Time // the end of the breathing space (zero: none)
	BrokenPromise   bool      // the last promise to pay was not kept
	MissedPart      bool      // a part of a running payment plan is late
	PlanRunning     bool
	Today           time.Time
}

// Call situations, most delicate first: the first that applies decides the
// script.
const (
	CallHardship = "hardship"
	CallDispute  = "dispute"
	CallMissed   = "missed_promise"
	CallArrears  = "arrears"
	CallNothing  = "nothing_open"
)

// CallScript is the card an agent reads before and during a call.
type CallScript struct {
	Situation string
	Title     string
	Opening   string   // what to say first
	Questions []string // what to ask
	Agree     []string // what to agree before hanging up
}

// CallScriptFor chooses the script for a file: money trouble first (be
// careful, never press), then an open dispute (collection waits), then a
// broken promise or missed plan part, then plain arrears.
func CallScriptFor(f CallFacts) CallScript {
	hello := fmt.Sprintf("Good morning/afternoon, am I speaking with %s? This is [your name] calling for %s.", f.Name, f.Creditor)
	switch {
	case f.Hardship:
		s := CallScript{Situation: CallHardship, Title: "Money trouble was reported: listen first",
			Opening: hello + " You told us that paying is hard right now. I am calling to see how you are doing and what would help, not to press you.",
			Questions: []string{
				"How are things now? Has your income or your fixed costs changed?",
				"Is someone helping you with your money, such as a debt counsellor or the municipality? May we talk with them?",
				"What amount could you pay each month without missing rent, energy or food?",
			},
			Agree: []string{
				"A payment plan that fits the amount the debtor named, or more time.",
				"Whether to waive the open collection costs.",
				"When you will call again, and write it in a note.",
			}}
		if !f.BreathingUntil.IsZero() && !f.BreathingUntil.Before(f.Today) {
			s.Opening += fmt.Sprintf(" Until %s no costs or interest are added.", f.BreathingUntil.Format("2 January 2006"))
		}
		return s
	case f.OpenDispute:
		inv := "an invoice"
		if f.DisputedInvoice != "" {
			inv = "invoice " + f.DisputedInvoice
		}
		return CallScript{Situation: CallDispute, Title: "A dispute is open: collection waits",
			Opening: hello + fmt.Sprintf(" You told us that %s is not right. I would like to understand what happened. Until we have answered, you do not have to pay that invoice.", inv),
			Questions: []string{
				"What exactly is not right: the amount, the service, or is it not your invoice?",
				"Do you have a receipt, a contract or an email that shows this? You can upload it in the portal.",
				"Is the rest of what is open right, and can that be paid?",
			},
			Agree: []string{
				"What you will check, and by when you answer.",
				"Uphold, correct or reject the dispute on the file, with the reason the debtor will read.",
			}}
	case f.BrokenPromise || f.MissedPart:
		what := "the payment you promised"
		if f.MissedPart {
			what = "a part of your payment plan"
		}
		return CallScript{Situation: CallMissed, Title: "A promise or plan part was missed",
			Opening: hello + fmt.Sprintf(" We did not receive %s. Can we find a date that works for you?", what),
			Questions: []string{
				"Did something change, so that paying on that day did not work?",
				"Which day suits you better: around payday, or after benefits come in?",
				"Would a smaller amount per month help?",
			},
			Agree: []string{
				"A new date or a new plan the debtor can keep.",
				fmt.Sprintf("Open now: %s. Say the amount and the date out loud and check they are right.", euros(f.Open)),
				"If money trouble comes up: report hardship, so costs stop.",
			}}
	case f.Open > 0:
		return CallScript{Situation: CallArrears, Title: "Open invoices",
			Opening: hello + fmt.Sprintf(" You have %s open with %s, of which %s is past its due date. I am calling to see how we can settle this together.", euros(f.Open), f.Creditor, euros(f.Overdue)),
			Questions: []string{
				"Did you receive our messages, and are the invoices right?",
				"Can you pay it all at once, or would a payment plan help?",
				"How would you like us to reach you: SMS, email or post, and at what times?",
			},
			Agree: []string{
				"Payment today through the link, a promise to pay on a date, or a payment plan.",
				"Contact wishes, if the debtor gives them.",
			}}
	}
	return CallScript{Situation: CallNothing, Title: "Nothing is open",
		Opening:   hello + " Everything is paid; thank you. I am calling about something else.",
		Questions: []string{"Is there anything we can help you with?"},
		Agree:     []string{"Nothing to agree on payment; write a note of the call."}}
}

// Customer is whether a debtor is new or a regular customer of the creditor.
func Customer(since, today time.Time, invoices int) string {
	if invoices >= 3 || (!since.IsZero() && !since.AddDate(1, 0, 0).After(today)) {
		return "regular customer"
	}
	return "new customer"
}

// PaymentMark says how one invoice was paid, for the payment-history strip
// at the top of the file.
type PaymentMark struct {
	Number string
	Mark   string // on_time, late, open, overdue or disputed
	Words  string
}

// MarkInvoice marks one invoice: paidOn is the day of its last payment
// (zero when nothing was paid).
func MarkInvoice(l Line, paidOn, today time.Time) PaymentMark {
	m := PaymentMark{Number: l.Invoice.Number}
	due := l.Invoice.DueDate
	switch {
	case l.Disputed:
		m.Mark, m.Words = "disputed", "disputed"
	case l.Total() == 0 && !paidOn.IsZero() && paidOn.After(due):
		days := int(paidOn.Sub(due).Hours() / 24)
		m.Mark, m.Words = "late", fmt.Sprintf("paid %s late", count(days, "day", "days"))
	case l.Total() == 0:
		m.Mark, m.Words = "on_time", "paid on time"
	case today.After(due):
		days := int(today.Sub(due).Hours() / 24)
		m.Mark, m.Words = "overdue", fmt.Sprintf("open, %s past due", count(days, "day", "days"))
	default:
		m.Mark, m.Words = "open", "open, not yet due"
	}
	return m
}
