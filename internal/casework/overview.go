package casework

import (
	"context"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// DebtorStatement is a debtor's statement on the Dutch day of now, the day
// every legal term runs by.
func DebtorStatement(ctx context.Context, db *postgres.DB, now time.Time, creditorID, debtorID string) (collect.Facts, collect.Statement, error) {
	return db.Statement(ctx, creditorID, debtorID, collect.DutchDate(now))
}

// DebtorOverview is what a signed-in debtor's overview shows on a day.
type DebtorOverview struct {
	Facts     collect.Facts
	Statement collect.Statement
	Today     time.Time
	// Approved is the plan the debtor pays by, nil without one.
	Approved *collect.Plan
	// Question is the debtor's one open plan question: the newest proposal
	// or counter-offer, or a refusal while it is the newest plan; nil
	// without one. An agent answers a proposal by QuestionAnswerBy.
	Question         *collect.Plan
	QuestionAnswerBy time.Time
	Disputes         []DebtorDispute
	// Breathing is the breathing space the debtor has today, nil without one.
	Breathing *collect.Hardship
	// Paid are the debtor's payments, newest first, with what each paid.
	Paid []postgres.PaidPayment
	// Promises are the debtor's promises to pay and missed plan parts.
	Promises PromiseDesk
	// Rewards are the rewards the debtor can still earn (RewardOffers).
	Rewards []RewardOffer
}

// DebtorDispute is one of a debtor's disputes with the invoice number it
// is about and the day an agent answers by.
type DebtorDispute struct {
	collect.Dispute
	Number   string
	Opened   time.Time
	AnswerBy time.Time
}

// Overview gathers a debtor's overview on the day of now: the statement,
// plans, disputes, breathing space and payments.
func Overview(ctx context.Context, db *postgres.DB, now time.Time, creditorID, debtorID string) (DebtorOverview, error) {
	o := DebtorOverview{Today: collect.DutchDate(now)}
	var err error
	if o.Facts, o.Statement, err = DebtorStatement(ctx, db, now, creditorID, debtorID); err != nil {
		return o, err
	}
	cr := o.Facts.Creditor
	plans, err := db.Plans(ctx, creditorID, debtorID)
	if err != nil {
		return o, err
	}
	for i, pl := range plans {
		switch pl.Status {
		case collect.PlanApproved:
			if o.Approved == nil {
				o.Approved = &plans[i]
			}
		case collect.PlanProposed, collect.PlanCountered, collect.PlanRejected:
			// A refusal counts only while it is the newest plan; later it is history.
			if o.Question == nil && (pl.Status != collect.PlanRejected || i == 0) {
				o.Question = &plans[i]
				if o.QuestionAnswerBy, err = answerDate(ctx, db, cr, collect.DutchDate(pl.CreatedAt)); err != nil {
					return o, err
				}
			}
		}
	}
	ds, err := db.Disputes(ctx, creditorID, debtorID)
	if err != nil {
		return o, err
	}
	for _, d := range ds {
		dv := DebtorDispute{Dispute: d, Opened: collect.DutchDate(d.CreatedAt)}
		if dv.AnswerBy, err = answerDate(ctx, db, cr, dv.Opened); err != nil {
			return o, err
		}
		if l, ok := o.Statement.Line(d.InvoiceID); ok {
			dv.Number = l.Invoice.Number
		}
		o.Disputes = append(o.Disputes, dv)
	}
	hs, err := db.Hardships(ctx, creditorID, debtorID)
	if err != nil {
		return o, err
	}
	for i := range hs {
		if hs[i].Status != collect.HardshipWontPay && !hs[i].BreathingUntil.Before(o.Today) {
			o.Breathing = &hs[i]
			break
		}
	}
	if o.Promises, err = promiseDesk(ctx, db, o.Today, creditorID, debtorID, o.Facts, o.Statement, plans); err != nil {
		return o, err
	}
	if o.Rewards, err = RewardOffers(ctx, db, o.Statement, creditorID, o.Approved != nil); err != nil {
		return o, err
	}
	o.Paid, err = db.PaidPayments(ctx, creditorID, debtorID)
	return o, err
}

// DebtorInvoice is one invoice of a debtor as its page shows it.
type DebtorInvoice struct {
	Facts collect.Facts
	Line  collect.Line
	// OpenClaim is true while a dispute about this invoice is open.
	OpenClaim bool
	// Paid are the debtor's payments, newest first, with what each paid.
	Paid []postgres.PaidPayment
}

// InvoiceOfDebtor is one invoice of a debtor on the day of now; another
// debtor's invoice is not found, as an id that does not exist.
func InvoiceOfDebtor(ctx context.Context, db *postgres.DB, now time.Time, creditorID, debtorID, invoiceID string) (DebtorInvoice, error) {
	var out DebtorInvoice
	f, st, err := DebtorStatement(ctx, db, now, creditorID, debtorID)
	if err != nil {
		return out, err
	}
	line, ok := st.Line(invoiceID)
	if !ok {
		return out, collect.Errorf(collect.ENOTFOUND, "", "invoice not found")
	}
	out.Facts, out.Line = f, line
	if out.Paid, err = db.PaidPayments(ctx, creditorID, debtorID); err != nil {
		return out, err
	}
	ds, err := db.Disputes(ctx, creditorID, debtorID)
	if err != nil {
		return out, err
	}
	for _, d := range ds {
		if d.InvoiceID == invoiceID && d.Status == collect.DisputeOpen {
			out.OpenClaim = true
		}
	}
	return out, nil
}
