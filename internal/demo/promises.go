package demo

import (
	"context"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The demo's promises and the day after: one debtor promised to pay and
// did (the first outreach run marks the promise kept), one promised and has
// not paid yet (the overview shows the promise; a week on the demo clock
// shows the follow-up), and one pays by a plan whose first part is due
// today (move the demo clock a day: the next morning's message is in
// Mailpit and a task in the agent's queue).
const (
	promiseKeptSituation  = "promised to pay, and paid"
	promiseOpenSituation  = "promised to pay in 5 days"
	planMissableSituation = "payment plan, first part due today"
)

var promiseDebtors = []debtorSpec{
	{situation: promiseKeptSituation, debtor: collect.Debtor{ExternalRef: "ZE-1031", Name: "Sem de Jong", Email: "sem@example.nl", Language: "nl",
		Address: collect.Address{Street: "Beukenlaan", HouseNumber: "8", Postcode: "5611 AA", City: "Eindhoven"}},
		invoices: []invoiceSpec{{"2026-0931", "Energie september", 13400, -10, 0}}},
	{situation: promiseOpenSituation, debtor: collect.Debtor{ExternalRef: "ZE-1032", Name: "Ahmet Yilmaz", Email: "ahmet@example.nl", Language: "nl",
		Address: collect.Address{Street: "Eikenlaan", HouseNumber: "21", Postcode: "7511 AB", City: "Enschede"}},
		invoices: []invoiceSpec{{"2026-0932", "Energie september", 8700, -9, 0}}},
	{situation: planMissableSituation, debtor: collect.Debtor{ExternalRef: "ZE-1033", Name: "Eva Mulder", Email: "eva@example.nl", Language: "nl",
		Address: collect.Address{Street: "Wilgenweg", HouseNumber: "2", Postcode: "8011 AA", City: "Zwolle"}},
		invoices: []invoiceSpec{{"2026-0933", "Energie september", 15000, -20, 0}}},
}

// seedPromise gives a promise debtor their promise or plan; others nothing.
func seedPromise(ctx context.Context, db *postgres.DB, cred collect.Creditor, debtorID string, s debtorSpec, invoiceIDs []string, today time.Time) error {
	now := db.Now()
	switch s.situation {
	case promiseKeptSituation, promiseOpenSituation:
		_, st, err := db.Statement(ctx, cred.ID, debtorID, today)
		if err != nil {
			return err
		}
		p := collect.Promise{CreditorID: cred.ID, DebtorID: debtorID, InvoiceID: invoiceIDs[0], PromisedOn: today.AddDate(0, 0, 5),
			Amount: st.Total(), MadeBy: collect.MadeByDebtor, CreatedAt: now.AddDate(0, 0, -2)}
		if _, err := db.MakePromise(ctx, p, nil); err != nil || s.situation == promiseOpenSituation {
			return err
		}
		_, _, err = db.ApplyPayment(ctx, postgres.Receipt{CreditorID: cred.ID, DebtorID: debtorID, Amount: st.Total(), InvoiceID: invoiceIDs[0],
			On: today, SourceKey: "demo:promise:" + debtorID, Memo: "bank transfer"})
		return err
	case planMissableSituation:
		_, st, err := db.Statement(ctx, cred.ID, debtorID, today)
		if err != nil {
			return err
		}
		_, err = db.ProposePlan(ctx, collect.ProposePlan(collect.Plan{CreditorID: cred.ID, DebtorID: debtorID, Total: st.Total(), Months: 3, FirstDue: today},
			collect.PlanCheck{Inside: true}, true, now))
		return err
	}
	return nil
}
