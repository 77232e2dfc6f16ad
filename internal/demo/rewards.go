package demo

import (
	"context"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// The demo's rewards and credits. Energie Noord gives € 5,00 for a bill paid
// in full by its due date and drops the costs of a plan kept to the end.
// One debtor can still earn the reward (the overview says so; pay with iDEAL
// and the thank-you is in Mailpit within a minute); one paid early today (the
// rewards job gives the € 5,00 on start: nothing is open, so the console
// file offers to refund it); one paid too much on an old bill and has a new
// one, which the credit pays by itself.
const (
	rewardOfferSituation   = "can earn € 5,00 by paying before the due date"
	rewardAppliedSituation = "paid early: € 5,00 reward, credit to refund"
	creditNextSituation    = "paid too much: the credit pays the next bill"
)

var rewardDebtors = []debtorSpec{
	{situation: rewardOfferSituation, debtor: collect.Debtor{ExternalRef: "ZE-1041", Name: "Noor Bakker", Email: "noor@example.nl", Language: "nl",
		Address: collect.Address{Street: "Lindelaan", HouseNumber: "4", Postcode: "3511 AB", City: "Utrecht"}},
		invoices: []invoiceSpec{{"2026-1041", "Energie november", 9600, 10, 0}}},
	{situation: rewardAppliedSituation, debtor: collect.Debtor{ExternalRef: "ZE-1042", Name: "Daan Smit", Email: "daan@example.nl", Language: "en",
		Address: collect.Address{Street: "Esdoornstraat", HouseNumber: "15", Postcode: "6511 AB", City: "Nijmegen"}},
		invoices: []invoiceSpec{{"2026-1042", "Energie november", 7200, 5, 0}}},
	{situation: creditNextSituation, debtor: collect.Debtor{ExternalRef: "ZE-1043", Name: "Fenna de Boer", Email: "fenna@example.nl", Language: "nl",
		Address: collect.Address{Street: "Populierenweg", HouseNumber: "30", Postcode: "9711 AB", City: "Groningen"}},
		invoices: []invoiceSpec{{"2026-1043", "Energie oktober", 6000, -30, 8500}, {"2026-1044", "Energie november", 6000, 12, 0}}},
}

// seedRewardRules gives the energy creditor its rewards.
func seedRewardRules(ctx context.Context, db *postgres.DB, energy collect.Creditor) error {
	for _, r := range []collect.RewardRule{
		{Occasion: collect.RewardPaidEarly, Kind: collect.RewardCredit, Amount: 500},
		{Occasion: collect.RewardPlanKept, Kind: collect.RewardWaiveCosts},
	} {
		if err := db.SetRewardRule(ctx, "demo", energy.ID, r); err != nil {
			return err
		}
	}
	return nil
}

// seedReward pays the early payer's bill in full today; others nothing.
func seedReward(ctx context.Context, db *postgres.DB, cred collect.Creditor, debtorID string, s debtorSpec, invoiceIDs []string, today time.Time) error {
	if s.situation != rewardAppliedSituation {
		return nil
	}
	_, _, err := db.ApplyPayment(ctx, postgres.Receipt{CreditorID: cred.ID, DebtorID: debtorID, Amount: s.invoices[0].amount, InvoiceID: invoiceIDs[0],
		On: today, SourceKey: "demo:early:" + debtorID, Memo: "bank transfer"})
	return err
}
