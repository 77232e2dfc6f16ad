package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/postgres"
)

// withDB runs fn with a migrated database, then closes it (and stops a local
// cluster this command started).
func withDB(ctx context.Context, fn func(db *postgres.DB) error) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	db, stop, err := database(ctx, cfg, newLogger("warn"))
	if err != nil {
		return err
	}
	defer stop()
	return fn(db)
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

func cmdCreditor(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"creditor: say add, add-account, rotate-key, signal-checkin or set-kind"}
	}
	if args[0] == "reward" {
		return cmdCreditorReward(ctx, args[1:])
	}
	fs := flag.NewFlagSet("creditor", flag.ContinueOnError)
	promiseDays := fs.Int("promise-days", collect.DefaultPromisePolicy.MaxDays, "promises: how many days ahead a debtor may promise to pay")
	missed := fs.Int("missed", collect.DefaultPromisePolicy.MissedLimit, "promises: how many missed instalments break a plan")
	name := fs.String("name", "", "creditor name")
	id := fs.String("id", "", "creditor id")
	phone := fs.String("phone", "", "phone number debtors can call")
	email := fs.String("email", "", "email address debtors can write to")
	iban := fs.String("iban", "", "IBAN for bank transfers")
	account := fs.String("account", "", "account number the bank names the account by in CAMT.053 statements (Acct/Id/Othr/Id) instead of the IBAN")
	creditorKind := fs.String("kind", "", "set-kind: what the creditor supplies (energy, water, housing, health_insurance, other)")
	checkin := fs.String("checkin", "", "on or off: a raised early signal sends the debtor one friendly check-in message")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	return withDB(ctx, func(db *postgres.DB) error {
		switch args[0] {
		case "add":
			if *name == "" {
				return usageError{"creditor add: --name is required"}
			}
			c, key, err := db.CreateCreditor(ctx, collect.Creditor{Name: *name, Phone: *phone, Email: *email, IBAN: *iban})
			if err != nil {
				return err
			}
			if *account != "" {
				if err := db.AddCreditorAccount(ctx, c.ID, *account); err != nil {
					return err
				}
			}
			return printResult(*asJSON, map[string]string{"id": c.ID, "api_key": key},
				fmt.Sprintf("Creditor %s created with id %s.\nAPI key (shown once): %s\n", c.Name, c.ID, key))
		case "add-account":
			if *id == "" || *account == "" {
				return usageError{"creditor add-account: --id and --account are required"}
			}
			if err := db.AddCreditorAccount(ctx, *id, *account); err != nil {
				return err
			}
			return printResult(*asJSON, map[string]string{"id": *id, "account": *account},
				fmt.Sprintf("Statements naming account %s (Acct/Id/Othr/Id) are now imported for creditor %s.\n", *account, *id))
		case "rotate-key":
			key, err := db.RotateAPIKey(ctx, *id)
			if err != nil {
				return err
			}
			return printResult(*asJSON, map[string]string{"id": *id, "api_key": key}, fmt.Sprintf("New API key (shown once; older keys no longer work): %s\n", key))
		case "signal-checkin":
			if *id == "" || (*checkin != "on" && *checkin != "off") {
				return usageError{"creditor signal-checkin: --id and --checkin on|off are required"}
			}
			if err := db.SetSignalCheckin(ctx, "cli", *id, *checkin == "on"); err != nil {
				return err
			}
			return printResult(*asJSON, map[string]string{"id": *id, "signal_checkin": *checkin},
				fmt.Sprintf("Check-in messages on early signals are %s for creditor %s.\n", *checkin, *id))
		case "set-kind":
			if err := casework.SetCreditorKind(ctx, db, "cli", *id, *creditorKind); err != nil {
				return err
			}
			return printResult(*asJSON, map[string]string{"id": *id, "kind": *creditorKind},
				fmt.Sprintf("Creditor %s is now of kind %s (vroegsignalering: only energy, water, housing and health_insurance give signals).\n", *id, *creditorKind))
		case "promises":
			pol := collect.PromisePolicy{MaxDays: *promiseDays, MissedLimit: *missed}
			if err := casework.SetPromisePolicy(ctx, db, "cli", *id, pol); err != nil {
				return err
			}
			return printResult(*asJSON, map[string]any{"id": *id, "promise_days": pol.MaxDays, "missed_instalments": pol.MissedLimit},
				fmt.Sprintf("Debtors of creditor %s may promise up to %d days ahead; %d missed instalments break a plan.\n", *id, pol.MaxDays, pol.MissedLimit))
		}
		return usageError{fmt.Sprintf("creditor: unknown action %q", args[0])}
	})
}

func printResult(asJSON bool, v any, text string) error {
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(v)
	}
	fmt.Print(text)
	return nil
}

func cmdRates(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"rates: say list or add"}
	}
	fs := flag.NewFlagSet("rates", flag.ContinueOnError)
	kind := fs.String("kind", "", "consumer or commercial")
	from := fs.String("from", "", "first day the rate is in force, YYYY-MM-DD")
	percent := fs.String("percent", "", "rate in percent a year, e.g. 4 or 10.40")
	source := fs.String("source", "", "where the rate was published")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	return withDB(ctx, func(db *postgres.DB) error {
		switch args[0] {
		case "list":
			rows, err := db.ListRates(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KIND\tFROM\tRATE\tSOURCE")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s%%\t%s\n", r.Kind, r.From.Format("2006-01-02"), percentString(r.BasisPoints), r.Source)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, k := range []string{"consumer", "commercial"} {
				rt, err := db.Rates(ctx, k)
				if err != nil {
					return err
				}
				if end := rt.CoveredThrough(); end.Before(db.Today()) {
					fmt.Printf("\nWARNING: the %s rates end on %s. Add the current rate with `settle rates add`.\n", k, end.Format("2006-01-02"))
				}
			}
			return nil
		case "add":
			if *kind != "consumer" && *kind != "commercial" {
				return usageError{"rates add: --kind must be consumer or commercial"}
			}
			d, err := time.Parse("2006-01-02", *from)
			if err != nil {
				return usageError{"rates add: --from must be a date as YYYY-MM-DD"}
			}
			bp, err := money.ParseDecimal(*percent)
			if err != nil || bp < 0 {
				return usageError{"rates add: --percent must be a number like 4 or 10.40"}
			}
			if *source == "" {
				return usageError{"rates add: --source is required (where was the rate published?)"}
			}
			if err := db.AddRate(ctx, postgres.RateRow{Kind: *kind, From: d, BasisPoints: bp, Source: *source}); err != nil {
				return err
			}
			fmt.Printf("Added the %s rate of %s%% from %s.\n", *kind, percentString(bp), d.Format("2006-01-02"))
			return nil
		}
		return usageError{fmt.Sprintf("rates: unknown action %q", args[0])}
	})
}

func percentString(bp int64) string { return fmt.Sprintf("%d.%02d", bp/100, bp%100) }

func cmdHolidays(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"holidays: say list or add"}
	}
	fs := flag.NewFlagSet("holidays", flag.ContinueOnError)
	day := fs.String("date", "", "the equated day, YYYY-MM-DD")
	source := fs.String("source", "", "the decree that equates it")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	return withDB(ctx, func(db *postgres.DB) error {
		switch args[0] {
		case "list":
			rows, err := db.ListEquatedHolidays(ctx)
			if err != nil {
				return err
			}
			for _, r := range rows {
				fmt.Printf("%s  %s\n", r.Day.Format("2006-01-02 Mon"), r.Source)
			}
			return nil
		case "add":
			d, err := time.Parse("2006-01-02", *day)
			if err != nil {
				return usageError{"holidays add: --date must be YYYY-MM-DD"}
			}
			if *source == "" {
				return usageError{"holidays add: --source is required (which decree?)"}
			}
			if err := db.AddEquatedHoliday(ctx, d, *source); err != nil {
				return err
			}
			fmt.Printf("Added %s as a day equated with a public holiday.\n", d.Format("2006-01-02"))
			return nil
		}
		return usageError{fmt.Sprintf("holidays: unknown action %q", args[0])}
	})
}
