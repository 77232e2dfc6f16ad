package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/postgres"
)

// cmdCreditorReward is `settle creditor reward`: a creditor's reward for a
// plan kept in full or an invoice paid before its due date.
func cmdCreditorReward(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("creditor reward", flag.ContinueOnError)
	id := fs.String("id", "", "creditor id")
	occasion := fs.String("occasion", "", "plan_kept or paid_early")
	kind := fs.String("kind", "", "waive_costs, credit, thanks, or none to remove the reward")
	amount := fs.String("amount", "", "for --kind credit: the amount in euros, e.g. 5,00")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id == "" || *occasion == "" || *kind == "" {
		return usageError{"creditor reward: --id, --occasion and --kind are required"}
	}
	rule := collect.RewardRule{Occasion: collect.RewardOccasion(*occasion), Kind: collect.RewardKind(*kind)}
	if *amount != "" {
		cents, err := money.ParseInput(*amount)
		if err != nil {
			return usageError{"creditor reward: --amount is an amount in euros, e.g. 5,00"}
		}
		rule.Amount = cents
	}
	return withDB(ctx, func(db *postgres.DB) error {
		if err := casework.SetReward(ctx, db, "cli", *id, rule); err != nil {
			return err
		}
		return printResult(*asJSON, map[string]any{"id": *id, "occasion": rule.Occasion, "kind": *kind, "amount_cents": rule.Amount},
			fmt.Sprintf("Reward for %s at creditor %s: %s %s.\n", rule.Occasion, *id, *kind, money.FormatCents(rule.Amount, "en")))
	})
}
