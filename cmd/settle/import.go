package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/postgres"
)

// cmdImport is `settle import camt FILE`: one CAMT.053 file, in the stages
// of casework.ImportCAMT (run it again to complete an import that was cut
// off). Progress goes to stderr every 10,000 entries, the summary to
// stdout, with any statement whose entries do not add up to its balances. A malformed file or an account that is no creditor's IBAN books
// nothing and exits 1 with the line and element that are wrong.
func cmdImport(ctx context.Context, args []string) error {
	if len(args) != 2 || args[0] != "camt" {
		return usageError{"import: say camt FILE"}
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	by := "cli"
	if u := os.Getenv("USER"); u != "" {
		by = "cli:" + u
	}
	return withDB(ctx, func(db *postgres.DB) error {
		start := time.Now()
		res, err := casework.ImportCAMT(ctx, db, bufio.NewReaderSize(f, 1<<20), casework.ImportOptions{
			ImportedBy: by,
			Progress: func(entries int, stage string) {
				fmt.Fprintf(os.Stderr, "%s: %d entries (%s)\n", stage, entries, time.Since(start).Round(time.Millisecond))
			},
		})
		if err != nil {
			return err
		}
		for _, s := range res.Statements {
			state := "imported " + s.ID
			if s.Duplicate {
				state = "imported before, skipped"
			}
			fmt.Printf("statement %s (sequence %q) of %s: %s\n", s.StmtID, s.Sequence, s.AccountIBAN, state)
			if s.BalanceProblem != "" {
				fmt.Printf("  CHECK WITH THE BANK: the entries do not add up to the balances: %s\n", s.BalanceProblem)
			}
		}
		fmt.Printf("statements:      %d\n", len(res.Statements))
		fmt.Printf("entries:         %d\n", res.Entries)
		fmt.Printf("lines:           %d\n", res.Lines)
		fmt.Printf("booked:          %d\n", res.Booked)
		fmt.Printf("payouts arrived: %d\n", res.Payouts)
		fmt.Printf("suggested:       %d\n", res.Suggested)
		fmt.Printf("unmatched:       %d\n", res.Unmatched)
		fmt.Printf("not handled:     %d\n", res.NotHandled)
		fmt.Printf("held:            %d\n", res.Held)
		fmt.Printf("reversals:       %d\n", res.Reversals)
		fmt.Printf("duplicates:      %d\n", res.Duplicates)
		fmt.Printf("took:            %s\n", time.Since(start).Round(time.Millisecond))
		return nil
	})
}
