package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/postgres"
)

// cmdSignalThresholds lists and extends the dated vroegsignalering
// thresholds, like `settle rates` does for statutory interest.
func cmdSignalThresholds(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"signal-thresholds: say list or add"}
	}
	fs := flag.NewFlagSet("signal-thresholds", flag.ContinueOnError)
	kind := fs.String("kind", "", "energy, water, housing or health_insurance")
	from := fs.String("from", "", "first day the threshold is in force, YYYY-MM-DD")
	days := fs.Int("days", -1, "days the oldest unpaid invoice must be overdue")
	amount := fs.String("amount", "0", "least arrears in euros, e.g. 100,00 (0: any amount)")
	source := fs.String("source", "", "where the threshold was published")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	return withDB(ctx, func(db *postgres.DB) error {
		switch args[0] {
		case "list":
			rows, err := db.MunicipalThresholds(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KIND\tFROM\tDAYS\tAMOUNT\tSOURCE")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", r.Kind, r.From.Format(time.DateOnly), r.MinDaysOverdue, money.FormatCents(r.MinArrears, "nl"), r.Source)
			}
			return tw.Flush()
		case "add":
			t, err := thresholdFlags(*kind, *from, *days, *amount, *source)
			if err != nil {
				return err
			}
			if err := db.AddMunicipalThreshold(ctx, t); err != nil {
				return err
			}
			fmt.Printf("Added the %s threshold from %s: %d days overdue, at least %s.\n", t.Kind, t.From.Format(time.DateOnly), t.MinDaysOverdue, money.FormatCents(t.MinArrears, "nl"))
			return nil
		}
		return usageError{fmt.Sprintf("signal-thresholds: unknown action %q", args[0])}
	})
}

func thresholdFlags(kind, from string, days int, amount, source string) (collect.MunicipalThreshold, error) {
	var t collect.MunicipalThreshold
	k, err := collect.ParseCreditorKind(kind)
	if err != nil || !k.Signals() {
		return t, usageError{"signal-thresholds add: --kind must be energy, water, housing or health_insurance"}
	}
	d, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return t, usageError{"signal-thresholds add: --from must be a date as YYYY-MM-DD"}
	}
	if days < 0 {
		return t, usageError{"signal-thresholds add: --days must be 0 or more"}
	}
	cents, err := money.ParseInput(amount)
	if err != nil || cents < 0 {
		return t, usageError{"signal-thresholds add: --amount must be an amount in euros like 100,00"}
	}
	if strings.TrimSpace(source) == "" {
		return t, usageError{"signal-thresholds add: --source is required (where was the threshold published?)"}
	}
	return collect.MunicipalThreshold{Kind: k, From: d, MinDaysOverdue: days, MinArrears: cents, Source: source}, nil
}

// cmdMunicipalities loads postcode ranges with their municipality: a CSV
// with semicolons and a header line, columns postcode_from;postcode_to;
// code;name (a four-digit postcode stands for all its letters; the code as
// GM0363 or 0363). The operator turns CBS's yearly postcode-to-municipality
// publication into these columns and loads it each year with a new --from
// (docs/domain.md).
func cmdMunicipalities(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "load" {
		return usageError{"municipalities: say load"}
	}
	fs := flag.NewFlagSet("municipalities", flag.ContinueOnError)
	file := fs.String("file", "", "the CSV file")
	from := fs.String("from", "", "first day the table is in force, YYYY-MM-DD")
	source := fs.String("source", "", "where the table comes from, e.g. CBS, Gemeentelijke indeling 2027")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	d, err := time.Parse(time.DateOnly, *from)
	if err != nil || *file == "" || strings.TrimSpace(*source) == "" {
		return usageError{"municipalities load: --file, --from YYYY-MM-DD and --source are required"}
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := municipalityRows(f, d, *source)
	if err != nil {
		return err
	}
	return withDB(ctx, func(db *postgres.DB) error {
		if err := db.LoadMunicipalities(ctx, rows); err != nil {
			return err
		}
		fmt.Printf("Loaded %d postcode ranges in force from %s.\n", len(rows), d.Format(time.DateOnly))
		return nil
	})
}

// municipalityRows reads the CSV; a bad line is refused with its number.
func municipalityRows(r io.Reader, from time.Time, source string) ([]postgres.MunicipalityRow, error) {
	cr := csv.NewReader(r)
	cr.Comma, cr.FieldsPerRecord = ';', 4
	var rows []postgres.MunicipalityRow
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if line == 1 {
			continue // the header
		}
		pf, pt, ok := collect.PostcodeRange(rec[0], rec[1])
		code := strings.TrimPrefix(strings.TrimSpace(rec[2]), "GM")
		if n, err := strconv.Atoi(code); !ok || err != nil || len(code) != 4 || n < 0 || strings.TrimSpace(rec[3]) == "" {
			return nil, fmt.Errorf("line %d: want postcode_from;postcode_to;code;name, like 6711;6719;GM0228;Ede", line)
		}
		rows = append(rows, postgres.MunicipalityRow{From: pf, To: pt, ValidFrom: from, Code: "GM" + code, Name: strings.TrimSpace(rec[3]), Source: source})
	}
}
