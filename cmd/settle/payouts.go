package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	settleapp "github.com/settle/settle/internal/app"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/money"
)

// cmdPayouts runs `settle payouts sync [--resync] [--json]`: fetch the
// providers' payouts once, reconcile them and print what was found.
func cmdPayouts(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "sync" {
		return usageError{"payouts: say sync"}
	}
	fs := flag.NewFlagSet("payouts", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	resync := fs.Bool("resync", false, "fetch payouts that reconciled before again")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if !settleapp.Payouts(cfg, nil, nil).Configured() {
		return errors.New("payouts: set MOLLIE_ACCESS_TOKEN and/or STRIPE_SECRET_KEY")
	}
	db, stop, err := database(ctx, cfg, newLogger("warn"))
	if err != nil {
		return err
	}
	defer stop()
	payouts := settleapp.Payouts(cfg, db, newLogger(cfg.LogLevel))
	payouts.Resync = *resync
	rep, syncErr := payouts.Sync(ctx)
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printPayouts(os.Stdout, rep)
	}
	if syncErr != nil {
		return fmt.Errorf("payouts: %d failed (see above)", len(rep.Errors))
	}
	return nil
}

func printPayouts(out io.Writer, rep casework.PayoutReport) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PROVIDER\tREFERENCE\tAMOUNT\tLINES\tUNMATCHED\tDIFFERENCE\tFEES BOOKED\tSTATE\t")
	for _, p := range rep.Payouts {
		state := "reconciled"
		if !p.Reconciled {
			state = "differs"
		}
		switch {
		case p.Created:
			state += ", new"
		case p.Changed:
			state += ", updated"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t\n", p.Provider, p.Reference, money.FormatCents(p.Amount, "en"),
			p.Lines, p.Unmatched, money.FormatCents(p.Difference, "en"), money.FormatCents(p.FeesBooked, "en"), state)
	}
	_ = w.Flush()
	for _, p := range rep.Payouts {
		for _, c := range p.Causes {
			fmt.Fprintf(out, "  %s %s: %s %s %s", p.Provider, p.Reference, c.Why, c.Kind, c.ProviderRef)
			if c.OurAmount != 0 {
				fmt.Fprintf(out, " (provider %s, ours %s)", money.FormatCents(c.Amount, "en"), money.FormatCents(c.OurAmount, "en"))
			} else {
				fmt.Fprintf(out, " (%s)", money.FormatCents(c.Amount, "en"))
			}
			fmt.Fprintln(out)
		}
	}
	fmt.Fprintf(out, "%d synced, %d skipped (not paid out, failed, or reconciled before)\n", len(rep.Payouts), rep.Skipped)
	for _, e := range rep.Errors {
		fmt.Fprintln(out, "error:", e)
	}
}
