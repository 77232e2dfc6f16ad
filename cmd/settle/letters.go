package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/postgres"
)

// cmdLetters runs `settle letters --date YYYY-MM-DD --out DIR`: the day's
// posted letters for a print-and-mail partner, as PDFs of at most --per-pdf
// letters (letters-DATE-001.pdf, ...) and one manifest, letters-DATE.csv.
func cmdLetters(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("letters", flag.ContinueOnError)
	date := fs.String("date", "", "the day the letters were posted, YYYY-MM-DD")
	out := fs.String("out", "", "the folder to write into (made when missing)")
	creditor := fs.String("creditor", "", "only this creditor's letters (default: every creditor's)")
	perPDF := fs.Int("per-pdf", 1000, "letters per PDF file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	day, err := time.Parse(time.DateOnly, *date)
	if err != nil || *out == "" || *perPDF < 1 {
		return usageError{"letters: give --date YYYY-MM-DD and --out DIR"}
	}
	if err := os.MkdirAll(*out, 0o750); err != nil {
		return err
	}
	return withDB(ctx, func(db *postgres.DB) error {
		name := filepath.Join(*out, "letters-"+*date)
		manifest, err := os.Create(name + ".csv")
		if err != nil {
			return err
		}
		parts := 0
		n, err := casework.DayBatch(ctx, db, *creditor, day, *perPDF, func(part int) (io.WriteCloser, error) {
			parts = part
			return os.Create(fmt.Sprintf("%s-%03d.pdf", name, part))
		}, manifest)
		if cerr := manifest.Close(); err == nil {
			err = cerr
		}
		if errors.Is(err, casework.ErrNoLetters) {
			_ = os.Remove(name + ".csv")
			return fmt.Errorf("letters: no letters were posted on %s", *date)
		}
		if err != nil {
			return fmt.Errorf("letters: %w", err)
		}
		fmt.Printf("%d letters in %d PDF files and %s.csv\n", n, parts, name)
		return nil
	})
}
