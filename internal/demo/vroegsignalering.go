package demo

import (
	"context"
	"fmt"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// municipalSituation is the demo debtor past the vroegsignalering threshold
// after every effort: the Municipality signals page lists her.
const municipalSituation = "vroegsignalering: on the municipality's list"

// municipalDebtors are Zonnestroom's consumers for the municipality list: one
// 45 days in arrears with a 14-day letter 40 days ago, to whom the demo's
// agent offers a plan and whom it tried to call, all seeded below.
var municipalDebtors = []debtorSpec{
	{situation: municipalSituation, debtor: collect.Debtor{ExternalRef: "ZE-1008", Name: "Fatima Bouzid", Email: "f.bouzid@example.nl", Language: "nl",
		Address: collect.Address{Street: "Stationsweg", HouseNumber: "22", Postcode: "6711 PN", City: "Ede"}},
		invoices: []invoiceSpec{{"2026-0808", "Energie augustus", 18990, -45, 0}}, noticeAgo: ago(40), channel: "post"},
}

// seedMunicipalSignal makes Zonnestroom an energy company, records the
// agent's plan offer and a finished call task for the demo's list debtor,
// and builds the list, so the page shows her signal from the start.
func seedMunicipalSignal(ctx context.Context, db *postgres.DB, energy collect.Creditor, out Output) error {
	if err := casework.SetCreditorKind(ctx, db, "demo", energy.ID, string(collect.KindEnergy)); err != nil {
		return err
	}
	agent, err := db.AgentByEmail(ctx, "agent@settle.example")
	if err != nil {
		return err
	}
	for _, d := range out.Debtors {
		if d.Situation != municipalSituation {
			continue
		}
		first := db.Today().AddDate(0, 0, 14)
		if _, err := casework.OfferPlan(ctx, db, agent.ID, energy.ID, d.ID, collect.Plan{Total: 18990, Months: 3, FirstDue: first}); err != nil {
			return err
		}
		task, err := db.AddAgentTask(ctx, energy.ID, d.ID, "call", db.Today())
		if err != nil {
			return err
		}
		if err := casework.FinishTask(ctx, db, agent.ID, []string{energy.ID}, task); err != nil {
			return err
		}
	}
	n, err := casework.RunMunicipalSignals(ctx, db)
	if err == nil && n == 0 {
		err = fmt.Errorf("the demo's municipality signal was not raised")
	}
	return err
}
