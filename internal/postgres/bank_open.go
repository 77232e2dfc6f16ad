package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/settle/settle/internal/collect"
)

// OpenBankLine is a bank line waiting for a decision. Its Suggestions name
// the candidates as people know them, in place of the line's own.
type OpenBankLine struct {
	collect.BankLine
	Suggestions []NamedSuggestion
}

// NamedSuggestion is a candidate for an open line with the debtor's name
// and the invoice's number.
type NamedSuggestion struct {
	ID            int64
	DebtorID      string
	DebtorName    string
	InvoiceNumber string
	Score         int
	Evidence      string
}

// OpenBankLines lists the creditor's bank lines that are suggested or
// unmatched, oldest first, at most limit, each with its candidates among
// the creditor's debtors, best first; and how many there are in all.
func (db *DB) OpenBankLines(ctx context.Context, creditorID string, limit int) ([]OpenBankLine, int, error) {
	var total int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM bank_lines WHERE creditor_id = $1 AND state IN ('suggested', 'unmatched')`,
		creditorID).Scan(&total); err != nil {
		return nil, 0, dbErr(err, "open bank lines")
	}
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM bank_lines WHERE creditor_id = $1 AND state IN ('suggested', 'unmatched')
		ORDER BY booking_date, seq, id LIMIT $2`, creditorID, limit)
	if err != nil {
		return nil, 0, dbErr(err, "open bank lines")
	}
	ids, err := collectRows(rows, func(r pgx.Row) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, "open bank lines")
	if err != nil {
		return nil, 0, err
	}
	out := make([]OpenBankLine, 0, len(ids))
	for _, id := range ids {
		l, err := db.BankLine(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		rows, err := db.pool.Query(ctx, `SELECT s.id, s.debtor_id::text, d.name, coalesce(i.number, ''), s.score, s.evidence
			FROM bank_suggestions s JOIN debtors d ON d.id = s.debtor_id AND d.creditor_id = $2
			LEFT JOIN invoices i ON i.id = s.invoice_id
			WHERE s.line_id = $1 ORDER BY s.score DESC, s.id`, id, creditorID)
		if err != nil {
			return nil, 0, dbErr(err, "suggestions")
		}
		named, err := collectRows(rows, func(r pgx.Row) (NamedSuggestion, error) {
			var s NamedSuggestion
			return s, r.Scan(&s.ID, &s.DebtorID, &s.DebtorName, &s.InvoiceNumber, &s.Score, &s.Evidence)
		}, "suggestions")
		if err != nil {
			return nil, 0, err
		}
		out = append(out, OpenBankLine{BankLine: l, Suggestions: named})
	}
	return out, total, nil
}

// RejectedBankLines lists the creditor's rejected bank lines, newest
// first, at most limit; and how many there are in all.
func (db *DB) RejectedBankLines(ctx context.Context, creditorID string, limit int) ([]collect.BankLine, int, error) {
	var total int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM bank_lines WHERE creditor_id = $1 AND state = 'rejected'`, creditorID).Scan(&total); err != nil {
		return nil, 0, dbErr(err, "rejected bank lines")
	}
	rows, err := db.pool.Query(ctx, `SELECT `+bankLineCols+` FROM bank_lines WHERE creditor_id = $1 AND state = 'rejected'
		ORDER BY booking_date DESC, seq DESC, id LIMIT $2`, creditorID, limit)
	if err != nil {
		return nil, 0, dbErr(err, "rejected bank lines")
	}
	lines, err := collectRows(rows, scanBankLine, "rejected bank lines")
	return lines, total, err
}

// DebtorMatch is a debtor found for a bank line, with an open invoice to
// book on ("" for the legal order).
type DebtorMatch struct {
	DebtorID      string
	Name          string
	ExternalRef   string
	Postcode      string
	InvoiceID     string
	InvoiceNumber string
}

// SearchDebtorsForLine finds a creditor's debtors by a part of their name
// or by their exact customer number, invoice number, payment reference or
// payer IBAN of an earlier payment, at most limit, with each debtor's
// invoices (one row per invoice, and one without an invoice).
func (db *DB) SearchDebtorsForLine(ctx context.Context, creditorID, q string, limit int) ([]DebtorMatch, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	compact := strings.ToUpper(strings.ReplaceAll(q, " ", ""))
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
	rows, err := db.pool.Query(ctx, `WITH found AS (
			SELECT d.id, d.name, d.external_ref, d.postcode FROM debtors d
			WHERE d.creditor_id = $1 AND (lower(d.name) LIKE $2 OR d.external_ref = $3
				OR EXISTS (SELECT 1 FROM invoices i WHERE i.debtor_id = d.id AND (i.number = $3 OR upper(i.payment_reference) = $4))
				OR EXISTS (SELECT 1 FROM payments p WHERE p.debtor_id = d.id AND p.payer_iban = $4 AND p.payer_iban <> ''))
			ORDER BY d.name, d.id LIMIT $5)
		SELECT f.id::text, f.name, f.external_ref, f.postcode, '', '' FROM found f
		UNION ALL
		SELECT f.id::text, f.name, f.external_ref, f.postcode, i.id::text, i.number FROM found f JOIN invoices i ON i.debtor_id = f.id
		ORDER BY 2, 1, 6`, creditorID, like, q, compact, limit)
	if err != nil {
		return nil, dbErr(err, "search debtors")
	}
	return collectRows(rows, func(r pgx.Row) (DebtorMatch, error) {
		var m DebtorMatch
		return m, r.Scan(&m.DebtorID, &m.Name, &m.ExternalRef, &m.Postcode, &m.InvoiceID, &m.InvoiceNumber)
	}, "search debtors")
}
