package reconcile

// Exports for the accountant: the payments with their allocation and the
// journal, as CSV.
//
// Format. The files are meant to open correctly in a spreadsheet set to
// Dutch (Excel, LibreOffice, Numbers with the nl-NL locale), where the
// comma is the decimal separator and the list separator is the semicolon:
//
//   - UTF-8 with a byte order mark (EF BB BF), so names with diacritics
//     (Café De Hoek) are not read as Windows-1252;
//   - fields separated by a semicolon ";", lines ended by CRLF, fields
//     quoted (RFC 4180) only when they hold a semicolon, a quote or a line break;
//   - amounts in euro with a decimal comma and exactly two decimals, no
//     thousands separator, a leading minus for a negative amount
//     ("1234,56", "-0,05"), so no amount ever contains a dot;
//   - dates as YYYY-MM-DD (ISO 8601), which every locale reads as a date;
//   - a header line with the column names.

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/settle/settle/internal/postgres"
)

// BOM is the UTF-8 byte order mark the CSV files start with.
const BOM = "\ufeff"

// CSVSeparator separates the fields of the CSV exports.
const CSVSeparator = ';'

// FormatAmount writes cents as a Dutch decimal: "1234,56", "-0,05", "0,00".
func FormatAmount(cents int64) string {
	neg := cents < 0
	u := uint64(cents)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u/100, 10) + "," + fmt.Sprintf("%02d", u%100)
	if neg {
		return "-" + s
	}
	return s
}

func newCSV(w io.Writer) (*csv.Writer, error) {
	if _, err := io.WriteString(w, BOM); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = CSVSeparator
	cw.UseCRLF = true
	return cw, nil
}

// JournalHeader are the journal CSV's columns.
var JournalHeader = []string{"date", "kind", "account", "account_name", "debit", "credit"}

// WriteJournalCSV writes the journal: first the opening balance of every
// account (kind "opening", dated the first day), then per day and account
// what it was debited and credited (kind "movement"), then the closing
// balances (kind "closing", dated the last day). A balance is written as a
// debit when positive and as a credit when negative. The opening lines, the
// lines of each day and the closing lines each add up to zero.
func WriteJournalCSV(w io.Writer, j Journal) error {
	cw, err := newCSV(w)
	if err != nil {
		return err
	}
	amt := func(v int64) string {
		if v == 0 {
			return ""
		}
		return FormatAmount(v)
	}
	balances := func(kind string, day time.Time, m map[string]int64) {
		for _, a := range Accounts(m) {
			v := m[a]
			debit, credit := max(v, 0), max(-v, 0)
			_ = cw.Write([]string{day.Format(time.DateOnly), kind, a, AccountName(a), amt(debit), amt(credit)})
		}
	}
	_ = cw.Write(JournalHeader)
	balances("opening", j.From, j.Opening)
	for _, d := range j.Days {
		for _, l := range d.Lines {
			_ = cw.Write([]string{d.Day.Format(time.DateOnly), "movement", l.Account, AccountName(l.Account), amt(l.Debit), amt(l.Credit)})
		}
	}
	balances("closing", j.To, j.Closing)
	cw.Flush()
	return cw.Error()
}

// Check verifies the journal's own arithmetic: every day balances, the
// opening and closing balances add up to zero, and the closing balances are
// the opening balances plus the days' movements.
func (j Journal) Check() error {
	var errs []error
	if s := Sum(j.Opening); s != 0 {
		errs = append(errs, fmt.Errorf("opening balances add up to %d, not 0", s))
	}
	if s := Sum(j.Closing); s != 0 {
		errs = append(errs, fmt.Errorf("closing balances add up to %d, not 0", s))
	}
	run := map[string]int64{}
	for a, v := range j.Opening {
		run[a] = v
	}
	for _, d := range j.Days {
		if b := d.Balance(); b != 0 {
			errs = append(errs, fmt.Errorf("%s does not balance: %d", d.Day.Format(time.DateOnly), b))
		}
		for _, l := range d.Lines {
			run[l.Account] += l.Debit - l.Credit
		}
	}
	for _, a := range Accounts(run, j.Closing) {
		if run[a] != j.Closing[a] {
			errs = append(errs, fmt.Errorf("%s closes at %d, opening plus movements is %d", a, j.Closing[a], run[a]))
		}
	}
	return errors.Join(errs...)
}

// PaymentsHeader are the payments CSV's columns.
var PaymentsHeader = []string{"date", "payment_id", "type", "provider", "method", "invoice_number", "costs", "interest", "principal", "credit", "total"}

// WritePaymentsCSV writes the payments with their allocation.
func WritePaymentsCSV(w io.Writer, rows []postgres.PaymentRow) error {
	cw, err := newCSV(w)
	if err != nil {
		return err
	}
	_ = cw.Write(PaymentsHeader)
	for _, r := range rows {
		_ = cw.Write([]string{r.Day.Format(time.DateOnly), r.PaymentID, r.Type, r.Provider, r.Method, r.Invoice,
			FormatAmount(r.Costs), FormatAmount(r.Interest), FormatAmount(r.Principal), FormatAmount(r.Credit), FormatAmount(r.Total())})
	}
	cw.Flush()
	return cw.Error()
}

// MaxExportDays bounds an export's period.
const MaxExportDays = 366 * 5

// ExportPeriod checks a period for an export: both dates set, from not after to.
func ExportPeriod(from, to time.Time) error {
	switch {
	case from.IsZero() || to.IsZero():
		return errors.New("give the period as from and to, both YYYY-MM-DD")
	case from.After(to):
		return errors.New("the period's start is after its end")
	case to.Sub(from) > MaxExportDays*24*time.Hour:
		return fmt.Errorf("a period may be at most %d days", MaxExportDays)
	}
	return nil
}

// LoadJournal reads a creditor's ledger and creditor entries up to to and
// builds the journal of from..to (postgres.DB.JournalMoves sums them).
func LoadJournal(ctx context.Context, db *postgres.DB, creditorID string, from, to time.Time) (Journal, error) {
	from, to = dateOnly(from), dateOnly(to)
	ledger, books, err := db.JournalMoves(ctx, creditorID, from, to)
	if err != nil {
		return Journal{}, err
	}
	return BuildJournal(from, to, ledger, books), nil
}
