// Command settle runs the Settle payment portal and its admin one-shots.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `settle: a self-service payment portal for people who owe money

Usage:
  settle serve                 run the portal, console, API and job workers
  settle demo [--fresh]        serve on a local PostgreSQL with demo data
  settle migrate               apply the database migrations and exit
  settle creditor add --name NAME [--json]
  settle creditor add-account --id ID --account NUMBER [--json]  an account number banks use instead of the IBAN
  settle creditor rotate-key --id ID [--json]
  settle creditor reward --id ID --occasion plan_kept|paid_early --kind waive_costs|credit|thanks|none [--amount 5,00] [--json]
  settle creditor promises --id ID [--promise-days 14] [--missed 2] [--json]  how far ahead debtors may promise; missed instalments that break a plan
  settle creditor set-kind --id ID --kind energy|water|housing|health_insurance|other [--json]  vroegsignalering
  settle creditor signal-checkin --id ID --checkin on|off [--json]  a raised early signal sends one friendly check-in message
  settle agent add --email EMAIL --role agent|finance|admin [--creditor ID]... [--password-stdin] [--json]
  settle rates list | add --kind consumer|commercial --from YYYY-MM-DD --percent 4.25 --source TEXT
  settle signal-thresholds list | add --kind energy|water|housing|health_insurance --from YYYY-MM-DD --days N [--amount 0,00] --source TEXT
  settle municipalities load --file CSV --from YYYY-MM-DD --source TEXT  postcode ranges to municipalities (CBS)
  settle holidays list | add --date YYYY-MM-DD --source TEXT
  settle payouts sync [--resync] [--json]  fetch and reconcile the providers' payouts
  settle import camt FILE      import a bank statement (CAMT.053): book, match, suggest
  settle letters --date YYYY-MM-DD --out DIR [--creditor ID] [--per-pdf N]  the day's letters for the print partner

Configuration comes from environment variables; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprint(os.Stderr, usage)
		}
		fmt.Fprintln(os.Stderr, "settle:", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"no command given"}
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], false)
	case "demo":
		return cmdServe(ctx, args[1:], true)
	case "migrate":
		return cmdMigrate(ctx)
	case "creditor":
		return cmdCreditor(ctx, args[1:])
	case "agent":
		return cmdAgent(ctx, args[1:])
	case "rates":
		return cmdRates(ctx, args[1:])
	case "signal-thresholds":
		return cmdSignalThresholds(ctx, args[1:])
	case "municipalities":
		return cmdMunicipalities(ctx, args[1:])
	case "holidays":
		return cmdHolidays(ctx, args[1:])
	case "import":
		return cmdImport(ctx, args[1:])
	case "payouts":
		return cmdPayouts(ctx, args[1:])
	case "letters":
		return cmdLetters(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
