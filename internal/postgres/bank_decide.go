package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
)

const bankLineCols = `id::text, statement_id::text, creditor_id::text, seq, entry_key, amount_cents, currency, credit, reversal, booking_date,
	reference, text, cp_name, cp_iban, end_to_end_id, state, reason, coalesce(invoice_id::text, ''), coalesce(debtor_id::text, ''),
	coalesce(payment_id::text, ''), coalesce(payout_id::text, ''), coalesce(reverses::text, ''), decided_by`

func scanBankLine(r pgx.Row) (collect.BankLine, error) {
	var l collect.BankLine
	err := r.Scan(&l.ID, &l.StatementID, &l.CreditorID, &l.Seq, &l.EntryKey, &l.Amount, &l.Currency, &l.Credit, &l.Reversal, &l.BookingDate,
		&l.Reference, &l.Text, &l.CPName, &l.CPIBAN, &l.EndToEndID, &l.State, &l.Reason, &l.InvoiceID, &l.DebtorID,
		&l.PaymentID, &l.PayoutID, &l.Reverses, &l.DecidedBy)
	l.BookingDate = collect.DateOf(l.BookingDate)
	return l, err
}

// BankStatementOf loads a statement of one creditor ("" for any creditor).
func (db *DB) BankStatementOf(ctx context.Context, creditorID, id string) (collect.BankStatement, error) {
	var s collect.BankStatement
	if !validUUID(id) {
		return s, collect.Errorf(collect.ENOTFOUND, "", "bank statement not found")
	}
	err := db.pool.QueryRow(ctx, `SELECT id::text, creditor_id::text, account_iban, stmt_id, sequence, version, created_at, imported_at, imported_by, balance_problem
		FROM bank_statements WHERE id = $1 AND ($2 = '' OR creditor_id::text = $2)`, id, creditorID).
		Scan(&s.ID, &s.CreditorID, &s.AccountIBAN, &s.StmtID, &s.Sequence, &s.Version, &s.CreatedAt, &s.ImportedAt, &s.ImportedBy, &s.BalanceProblem)
	if err != nil {
		return s, dbErr(err, "bank statement")
	}
	rows, err := db.pool.Query(ctx, `SELECT state, count(*) FROM bank_lines WHERE statement_id = $1 GROUP BY state`, id)
	if err != nil {
		return s, dbErr(err, "bank lines")
	}
	defer rows.Close()
	s.States = map[collect.BankLineState]int{}
	for rows.Next() {
		var st collect.BankLineState
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return s, dbErr(err, "bank lines")
		}
		s.States[st] = n
	}
	return s, dbErr(rows.Err(), "bank lines")
}

// BankLines lists a statement's lines in file order after seq afterSeq, at
// most limit, each with its suggestions.
func (db *DB) BankLines(ctx context.Context, statementID string, afterSeq int64, limit int) ([]collect.BankLine, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+bankLineCols+` FROM bank_lines WHERE statement_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, statementID, afterSeq, limit)
	if err != nil {
		return nil, dbErr(err, "bank lines")
	}
	lines, err := collectRows(rows, scanBankLine, "bank lines")
	if err != nil || len(lines) == 0 {
		return lines, err
	}
	idx := map[string]int{}
	var ids []string
	for i, l := range lines {
		idx[l.ID] = i
		ids = append(ids, l.ID)
	}
	rows, err = db.pool.Query(ctx, `SELECT line_id::text, id, debtor_id::text, coalesce(invoice_id::text, ''), score, evidence
		FROM bank_suggestions WHERE line_id = ANY($1::uuid[]) ORDER BY line_id, score DESC, id`, ids)
	if err != nil {
		return nil, dbErr(err, "bank suggestions")
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		var s collect.BankSuggestion
		if err := rows.Scan(&line, &s.ID, &s.DebtorID, &s.InvoiceID, &s.Score, &s.Evidence); err != nil {
			return nil, dbErr(err, "bank suggestions")
		}
		lines[idx[line]].Suggestions = append(lines[idx[line]].Suggestions, s)
	}
	return lines, dbErr(rows.Err(), "bank suggestions")
}

// BankLine loads one line with its suggestions.
func (db *DB) BankLine(ctx context.Context, id string) (collect.BankLine, error) {
	if !validUUID(id) {
		return collect.BankLine{}, collect.Errorf(collect.ENOTFOUND, "", "bank line not found")
	}
	l, err := scanBankLine(db.pool.QueryRow(ctx, `SELECT `+bankLineCols+` FROM bank_lines WHERE id = $1`, id))
	if err != nil {
		return l, dbErr(err, "bank line")
	}
	rows, err := db.pool.Query(ctx, `SELECT id, debtor_id::text, coalesce(invoice_id::text, ''), score, evidence FROM bank_suggestions WHERE line_id = $1 ORDER BY score DESC, id`, id)
	if err != nil {
		return l, dbErr(err, "bank suggestions")
	}
	l.Suggestions, err = collectRows(rows, func(r pgx.Row) (collect.BankSuggestion, error) {
		var s collect.BankSuggestion
		return s, r.Scan(&s.ID, &s.DebtorID, &s.InvoiceID, &s.Score, &s.Evidence)
	}, "bank suggestions")
	return l, err
}

func lockBankLine(ctx context.Context, tx pgx.Tx, id string) (collect.BankLine, error) {
	if !validUUID(id) {
		return collect.BankLine{}, collect.Errorf(collect.ENOTFOUND, "", "bank line not found")
	}
	l, err := scanBankLine(tx.QueryRow(ctx, `SELECT `+bankLineCols+` FROM bank_lines WHERE id = $1 FOR UPDATE`, id))
	return l, dbErr(err, "bank line")
}

// lockUndecidedBankLine locks a line a finance user may still decide on: a
// suggested or unmatched one.
func lockUndecidedBankLine(ctx context.Context, tx pgx.Tx, id string) (collect.BankLine, error) {
	l, err := lockBankLine(ctx, tx, id)
	if err != nil {
		return l, err
	}
	if l.State != collect.BankSuggested && l.State != collect.BankUnmatched {
		return l, collect.Errorf(collect.ECONFLICT, "state", "this bank line is %s, not waiting for a decision", l.State)
	}
	return l, nil
}

// ConfirmBankSuggestion books a suggested (or unmatched) line on the
// suggestion's debtor and invoice, with the rules of an exact reference
// match, and records who decided, in one transaction.
func (db *DB) ConfirmBankSuggestion(ctx context.Context, lineID, suggestionID, by string) (collect.BankLine, error) {
	var out collect.BankLine
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		l, err := lockUndecidedBankLine(ctx, tx, lineID)
		if err != nil {
			return err
		}
		sid, err := strconv.ParseInt(suggestionID, 10, 64)
		if err != nil {
			return collect.Errorf(collect.ENOTFOUND, "suggestion", "suggestion not found")
		}
		var s collect.BankSuggestion
		err = tx.QueryRow(ctx, `SELECT s.id, s.debtor_id::text, coalesce(s.invoice_id::text, ''), s.score, s.evidence
			FROM bank_suggestions s JOIN debtors d ON d.id = s.debtor_id
			WHERE s.id = $1 AND s.line_id = $2 AND d.creditor_id = $3`, sid, l.ID, l.CreditorID).
			Scan(&s.ID, &s.DebtorID, &s.InvoiceID, &s.Score, &s.Evidence)
		if err != nil {
			return dbErr(err, "suggestion")
		}
		paymentID, err := bookBankLineTx(ctx, tx, l, s.DebtorID, s.InvoiceID, db.Now())
		if err != nil {
			return err
		}
		before := map[string]any{"state": l.State, "reason": l.Reason}
		if _, err := tx.Exec(ctx, `UPDATE bank_lines SET state = 'booked', reason = '', debtor_id = $2, invoice_id = $3, payment_id = $4, decided_by = $5, updated_at = $6 WHERE id = $1`,
			l.ID, s.DebtorID, nullable(s.InvoiceID), paymentID, by, db.Now()); err != nil {
			return dbErr(err, "bank line")
		}
		if err := Audit(ctx, tx, by, "bank_line.confirmed", l.CreditorID, s.DebtorID, "bank_line:"+l.ID, before,
			map[string]any{"state": collect.BankBooked, "suggestion": s.ID, "evidence": s.Evidence, "invoice_id": s.InvoiceID, "payment_id": paymentID}); err != nil {
			return err
		}
		out, err = scanBankLine(tx.QueryRow(ctx, `SELECT `+bankLineCols+` FROM bank_lines WHERE id = $1`, l.ID))
		return dbErr(err, "bank line")
	})
	return out, err
}

// BookBankLineOn books a suggested or unmatched line as a payment of a
// debtor a finance user chose (by search, not among the suggestions), on
// one of that debtor's invoices or (invoiceID "") in the legal order, with the rules
// of every other booking (bookBankLineTx), in one transaction with its
// audit record. The line is locked and must still wait for a decision, and
// the booking's source key is the line's, so it is booked once however
// often the form is sent.
func (db *DB) BookBankLineOn(ctx context.Context, lineID, debtorID, invoiceID, by string) (collect.BankLine, error) {
	var out collect.BankLine
	if !validUUID(debtorID) {
		return out, collect.Errorf(collect.ENOTFOUND, "debtor", "debtor not found")
	}
	if invoiceID != "" && !validUUID(invoiceID) {
		return out, collect.Errorf(collect.ENOTFOUND, "invoice", "invoice not found")
	}
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		l, err := lockUndecidedBankLine(ctx, tx, lineID)
		if err != nil {
			return err
		}
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM debtors WHERE id = $1 AND creditor_id = $2)
				AND ($3 = '' OR EXISTS (SELECT 1 FROM invoices WHERE id::text = $3 AND debtor_id = $1))`,
			debtorID, l.CreditorID, invoiceID).Scan(&ok); err != nil {
			return dbErr(err, "debtor")
		}
		if !ok {
			return collect.Errorf(collect.ENOTFOUND, "debtor", "no such debtor or invoice at this line's creditor")
		}
		paymentID, err := bookBankLineTx(ctx, tx, l, debtorID, invoiceID, db.Now())
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bank_lines SET state = 'booked', reason = '', debtor_id = $2, invoice_id = $3, payment_id = $4, decided_by = $5, updated_at = $6 WHERE id = $1`,
			l.ID, debtorID, nullable(invoiceID), paymentID, by, db.Now()); err != nil {
			return dbErr(err, "bank line")
		}
		// The same action as a confirmed suggestion, so the creditor gets
		// its payment.booked event; "chosen" tells the two apart.
		if err := Audit(ctx, tx, by, "bank_line.confirmed", l.CreditorID, debtorID, "bank_line:"+l.ID,
			map[string]any{"state": l.State, "reason": l.Reason},
			map[string]any{"state": collect.BankBooked, "chosen": "search", "invoice_id": invoiceID, "payment_id": paymentID, "amount_cents": l.Amount}); err != nil {
			return err
		}
		out, err = scanBankLine(tx.QueryRow(ctx, `SELECT `+bankLineCols+` FROM bank_lines WHERE id = $1`, l.ID))
		return dbErr(err, "bank line")
	})
	return out, err
}

// bookBankLineTx creates the bank-transfer payment of a line and books it
// with ApplyPaymentTx (source key bank:<line id>). It returns the payment id.
func bookBankLineTx(ctx context.Context, tx pgx.Tx, l collect.BankLine, debtorID, invoiceID string, now time.Time) (string, error) {
	if !l.Credit || l.Reversal || l.Currency != "EUR" {
		return "", collect.Errorf(collect.EINVALID, "", "only a euro credit can be booked as a payment")
	}
	var id string
	err := tx.QueryRow(ctx, `INSERT INTO payments (creditor_id, debtor_id, invoice_id, amount_cents, provider, method, provider_id, status, payer_iban, created_at, updated_at, paid_at)
		VALUES ($1, $2, $3, $4, 'bank', 'transfer', $5, 'paid', $6, $7, $7, $7) RETURNING id::text`,
		l.CreditorID, debtorID, nullable(invoiceID), l.Amount, l.EntryKey, l.CPIBAN, now).Scan(&id)
	if err != nil {
		return "", dbErr(err, "bank payment")
	}
	if err := history(ctx, tx, id, "", pay.StatusPaid, "bank statement"); err != nil {
		return "", err
	}
	_, _, err = ApplyPaymentTx(ctx, tx, Receipt{CreditorID: l.CreditorID, DebtorID: debtorID, Amount: l.Amount, InvoiceID: invoiceID,
		On: l.BookingDate, SourceKey: "bank:" + l.ID, PaymentID: id, Memo: "bank transfer"})
	return id, err
}

// RejectBankLine marks a suggested or unmatched line rejected, with the
// reason a finance user gives, in one transaction with its audit record: it
// no longer waits for a decision and is offered for no match.
func (db *DB) RejectBankLine(ctx context.Context, lineID, reason, by string) (collect.BankLine, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return collect.BankLine{}, collect.Errorf(collect.EINVALID, "reason", "say why this line is rejected")
	}
	var out collect.BankLine
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		l, err := lockUndecidedBankLine(ctx, tx, lineID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bank_lines SET state = 'rejected', reason = $2, decided_by = $3, updated_at = $4 WHERE id = $1`,
			l.ID, reason, by, db.Now()); err != nil {
			return dbErr(err, "bank line")
		}
		if err := Audit(ctx, tx, by, "bank_line.rejected", l.CreditorID, "", "bank_line:"+l.ID,
			map[string]any{"state": l.State, "reason": l.Reason}, map[string]any{"state": collect.BankRejected, "reason": reason}); err != nil {
			return err
		}
		out, err = scanBankLine(tx.QueryRow(ctx, `SELECT `+bankLineCols+` FROM bank_lines WHERE id = $1`, l.ID))
		return dbErr(err, "bank line")
	})
	return out, err
}

// ReverseBankPaymentTx undoes amount of a booked payment because the bank
// reversed the transfer: the ledger is reversed like a chargeback
// (reversePaymentTx: credit first, then principal, interest, costs), and the
// payment becomes charged_back, with its history.
func ReverseBankPaymentTx(ctx context.Context, tx pgx.Tx, paymentID string, amount int64, sourceKey string, now time.Time) error {
	p, err := scanPayment(tx.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE id = $1 FOR UPDATE`, paymentID))
	if err != nil {
		return dbErr(err, "payment")
	}
	if err := reversePaymentTx(ctx, tx, p, amount, sourceKey, now); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE payments SET status = 'charged_back', charged_back_cents = charged_back_cents + $2, updated_at = $3 WHERE id = $1`,
		p.ID, amount, now); err != nil {
		return dbErr(err, "payment")
	}
	if p.Status != pay.StatusChargedBack {
		return history(ctx, tx, p.ID, p.Status, pay.StatusChargedBack, "bank reversal")
	}
	return nil
}

// reverseLineTx handles one stored reversal line: it finds the original
// (same creditor, amount and currency, booked on or before it, and the same
// end-to-end id, reference or payer IBAN, in that order of preference),
// undoes what it did, and links the two. The reversal of a payout's arrival
// is left unmatched for a person. A reversal another run handled while
// this one waited for its lock is left alone.
func reverseLineTx(ctx context.Context, tx pgx.Tx, id, by string, now time.Time) error {
	r, err := lockBankLine(ctx, tx, id)
	if err != nil || r.State != collect.BankReversal || r.Reverses != "" {
		return err
	}
	var orig collect.BankLine
	orig, err = scanBankLine(tx.QueryRow(ctx, `SELECT `+bankLineCols+` FROM bank_lines
		WHERE creditor_id = $1 AND credit AND NOT reversal AND amount_cents = $2 AND currency = $3 AND booking_date <= $4
			AND state IN ('booked', 'matched', 'payout', 'suggested', 'unmatched', 'rejected')
			AND (($5 <> '' AND end_to_end_id = $5) OR ($6 <> '' AND reference = $6) OR ($7 <> '' AND cp_iban = $7))
		ORDER BY ($5 <> '' AND end_to_end_id = $5) DESC, ($6 <> '' AND reference = $6) DESC, booking_date DESC, seq DESC
		LIMIT 1 FOR UPDATE`, r.CreditorID, r.Amount, r.Currency, r.BookingDate, r.EndToEndID, r.Reference, r.CPIBAN))
	if err == pgx.ErrNoRows {
		_, err := tx.Exec(ctx, `UPDATE bank_lines SET state = 'unmatched', reason = 'a reversal, but the payment it undoes is not among the imported lines', updated_at = $2 WHERE id = $1`, r.ID, now)
		return dbErr(err, "bank line")
	}
	if err != nil {
		return dbErr(err, "original of reversal")
	}
	switch orig.State {
	case collect.BankMatched:
		// An import stores its lines before it books them (BankImport's
		// stages), so the original may be matched, stored by an import
		// that was cut off or is still booking, its receipt not in the
		// ledger yet. Book it first, as that import would (the same
		// payment and source key, so neither books it twice); reversing it
		// unbooked would leave the amount as a debt on the credit account.
		if orig.PaymentID == "" {
			orig.PaymentID = uuid.NewString()
		}
		if _, err := tx.Exec(ctx, bookedLinesSQL, []string{orig.ID}, now, []string{orig.PaymentID}); err != nil {
			return dbErr(err, "bank line: booked")
		}
		if _, _, err := ApplyPaymentTx(ctx, tx, Receipt{CreditorID: orig.CreditorID, DebtorID: orig.DebtorID, Amount: orig.Amount, InvoiceID: orig.InvoiceID,
			On: collect.DateOf(orig.BookingDate), SourceKey: "bank:" + orig.ID, PaymentID: orig.PaymentID, Memo: "bank transfer"}); err != nil {
			return err
		}
		orig.State = collect.BankBooked
		if err := ReverseBankPaymentTx(ctx, tx, orig.PaymentID, r.Amount, "bank-reversal:"+r.ID, now); err != nil {
			return err
		}
	case collect.BankBooked:
		if err := ReverseBankPaymentTx(ctx, tx, orig.PaymentID, r.Amount, "bank-reversal:"+r.ID, now); err != nil {
			return err
		}
	case collect.BankPayout:
		// The arrival is booked in the creditor's books, which are append-only
		// and the payout reconciliation's to correct: a person decides.
		_, err := tx.Exec(ctx, `UPDATE bank_lines SET state = 'unmatched', reverses = $2, payout_id = $3, updated_at = $4,
			reason = 'reverses the arrival of a provider payout: correct the payout by hand' WHERE id = $1`, r.ID, orig.ID, orig.PayoutID, now)
		return dbErr(err, "bank line")
	}
	if _, err := tx.Exec(ctx, `UPDATE bank_lines SET state = 'reversed', reason = $2, updated_at = $3 WHERE id = $1`,
		orig.ID, "undone by the bank's reversal of "+r.BookingDate.Format("2006-01-02"), now); err != nil {
		return dbErr(err, "bank line")
	}
	if _, err := tx.Exec(ctx, `UPDATE bank_lines SET state = 'reversal', reason = $2, reverses = $3, debtor_id = $4, invoice_id = $5, payment_id = $6, payout_id = $7, updated_at = $8 WHERE id = $1`,
		r.ID, "undoes the line of "+orig.BookingDate.Format("2006-01-02")+" ("+string(orig.State)+")", orig.ID,
		nullable(orig.DebtorID), nullable(orig.InvoiceID), nullable(orig.PaymentID), nullable(orig.PayoutID), now); err != nil {
		return dbErr(err, "bank line")
	}
	return Audit(ctx, tx, by, "bank_line.reversed", orig.CreditorID, orig.DebtorID, "bank_line:"+orig.ID,
		map[string]any{"state": orig.State}, map[string]any{"state": collect.BankReversed, "reversal": r.ID})
}
