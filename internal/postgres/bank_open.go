package postgres

import (
	"context"

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
