package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// CreateDispute stores a dispute with its evidence; the invoice is on hold
// from this moment. Everything, with its audit record, is one transaction.
func (db *DB) CreateDispute(ctx context.Context, d collect.Dispute) (collect.Dispute, error) {
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO disputes (creditor_id, debtor_id, invoice_id, reason, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, status, created_at`,
			d.CreditorID, d.DebtorID, d.InvoiceID, d.Reason, d.Body, db.Now()).Scan(&d.ID, &d.Status, &d.CreatedAt)
		if err != nil {
			return dbErr(err, "insert dispute")
		}
		for i, f := range d.Files {
			if err := tx.QueryRow(ctx, `INSERT INTO dispute_files (dispute_id, filename, content_type, size, data) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				d.ID, f.Filename, f.ContentType, len(f.Data), f.Data).Scan(&d.Files[i].ID); err != nil {
				return dbErr(err, "insert evidence")
			}
		}
		return Audit(ctx, tx, "debtor:"+d.DebtorID, "dispute.opened", d.CreditorID, d.DebtorID, "dispute:"+d.ID, nil,
			map[string]any{"invoice_id": d.InvoiceID, "reason": d.Reason, "files": len(d.Files)})
	})
	return d, err
}

const disputeCols = `id, creditor_id, debtor_id, invoice_id, reason, body, status, answer, created_at, resolved_at`

func scanDispute(r pgx.Row) (collect.Dispute, error) {
	var d collect.Dispute
	err := r.Scan(&d.ID, &d.CreditorID, &d.DebtorID, &d.InvoiceID, &d.Reason, &d.Body, &d.Status, &d.Answer, &d.CreatedAt, &d.ResolvedAt)
	return d, err
}

// Disputes lists a debtor's disputes with their files (without the file contents), newest first.
func (db *DB) Disputes(ctx context.Context, creditorID, debtorID string) ([]collect.Dispute, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+disputeCols+` FROM disputes WHERE debtor_id = $1 AND creditor_id = $2 ORDER BY created_at DESC`, debtorID, creditorID)
	if err != nil {
		return nil, dbErr(err, "disputes")
	}
	ds, err := collectRows(rows, scanDispute, "disputes")
	if err != nil {
		return nil, err
	}
	for i := range ds {
		frows, err := db.pool.Query(ctx, `SELECT id, dispute_id, filename, content_type, size FROM dispute_files WHERE dispute_id = $1 ORDER BY created_at`, ds[i].ID)
		if err != nil {
			return nil, dbErr(err, "evidence")
		}
		if ds[i].Files, err = collectRows(frows, func(r pgx.Row) (collect.DisputeFile, error) {
			var f collect.DisputeFile
			err := r.Scan(&f.ID, &f.DisputeID, &f.Filename, &f.ContentType, &f.Size)
			return f, err
		}, "evidence"); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// DisputeFileOf loads one evidence file if it belongs to one of the given creditors.
func (db *DB) DisputeFileOf(ctx context.Context, creditorIDs []string, fileID string) (collect.DisputeFile, error) {
	if !validUUID(fileID) {
		return collect.DisputeFile{}, collect.Errorf(collect.ENOTFOUND, "", "file not found")
	}
	var f collect.DisputeFile
	err := db.pool.QueryRow(ctx, `SELECT f.id, f.dispute_id, f.filename, f.content_type, f.size, f.data FROM dispute_files f
		JOIN disputes d ON d.id = f.dispute_id WHERE f.id = $1 AND d.creditor_id = ANY($2)`, fileID, creditorIDs).
		Scan(&f.ID, &f.DisputeID, &f.Filename, &f.ContentType, &f.Size, &f.Data)
	return f, dbErr(err, "file")
}

// ResolveDispute closes a dispute. upheld credits what is open on the invoice;
// corrected credits the difference down to correctTo (cents of principal);
// rejected lets collection resume. The answer is what the debtor reads; tell
// are the messages that bring it, scheduled in the same transaction.
func (db *DB) ResolveDispute(ctx context.Context, agentID, creditorID, disputeID string, outcome collect.DisputeStatus, answer string, correctTo int64, tell ...OutboxMessage) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		d, err := scanDispute(tx.QueryRow(ctx, `SELECT `+disputeCols+` FROM disputes WHERE id = $1 AND creditor_id = $2 FOR UPDATE`, disputeID, creditorID))
		if err != nil {
			return dbErr(err, "dispute")
		}
		if d.Status != collect.DisputeOpen {
			return collect.Errorf(collect.ECONFLICT, "", "this dispute is already resolved")
		}
		now := db.Now()
		today := collect.DutchDate(now)
		if outcome == collect.DisputeUpheld || outcome == collect.DisputeCorrected {
			if err := lockDebtor(ctx, tx, d.DebtorID); err != nil {
				return err
			}
			f, err := facts(ctx, tx, d.CreditorID, d.DebtorID)
			if err != nil {
				return err
			}
			st, err := collect.BuildStatement(f, today)
			if err != nil {
				return err
			}
			line, ok := st.Line(d.InvoiceID)
			if !ok {
				return collect.Errorf(collect.ENOTFOUND, "", "invoice not found")
			}
			// Book what is due today first, so the credit clears a balance made of entries.
			if err := bookAccruals(ctx, tx, d.CreditorID, d.DebtorID, today); err != nil {
				return err
			}
			credits := map[collect.Account]int64{collect.AccountPrincipal: line.Principal, collect.AccountCosts: line.Costs, collect.AccountInterest: line.Interest}
			if outcome == collect.DisputeCorrected {
				if correctTo < 0 || correctTo >= line.Invoice.Amount {
					return collect.Errorf(collect.EINVALID, "amount", "the corrected amount must be below the invoice amount")
				}
				reduction := line.Invoice.Amount - correctTo
				credits = map[collect.Account]int64{collect.AccountPrincipal: min(line.Principal, reduction)}
				// Paid more than the corrected amount: the difference is the
				// debtor's, kept as credit.
				if over := reduction - max(line.Principal, 0); over > 0 {
					e := collect.Entry{Account: collect.AccountCredit, Kind: collect.KindCreditNote, Amount: -over, BookedOn: today, Memo: "dispute corrected: paid more than the corrected amount"}
					if err := insertEntry(ctx, tx, d.CreditorID, d.DebtorID, e, "dispute:"+d.ID); err != nil {
						return err
					}
				}
			}
			for _, acc := range []collect.Account{collect.AccountCosts, collect.AccountInterest, collect.AccountPrincipal} {
				if credits[acc] <= 0 {
					continue
				}
				e := collect.Entry{InvoiceID: d.InvoiceID, Account: acc, Kind: collect.KindCreditNote, Amount: -credits[acc], BookedOn: today, Memo: "dispute " + string(outcome)}
				if err := insertEntry(ctx, tx, d.CreditorID, d.DebtorID, e, "dispute:"+d.ID); err != nil {
					return err
				}
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE disputes SET status = $2, answer = $3, resolved_at = $4, resolved_by = $5 WHERE id = $1`,
			d.ID, outcome, answer, now, agentID); err != nil {
			return dbErr(err, "resolve dispute")
		}
		ids, err := scheduleMessages(ctx, tx, tell, now)
		if err != nil {
			return err
		}
		return Audit(ctx, tx, "agent:"+agentID, "dispute."+string(outcome), d.CreditorID, d.DebtorID, "dispute:"+d.ID,
			map[string]any{"status": d.Status}, map[string]any{"status": outcome, "answer": answer, "correct_to": correctTo, "messages": ids})
	})
}

// holds loads the periods each invoice of a debtor was on hold for a dispute.
const holdsSQL = `SELECT invoice_id, created_at, resolved_at FROM disputes WHERE debtor_id = $1`

func holds(ctx context.Context, q querier, debtorID string) (map[string][]collect.Period, error) {
	return scanHolds(q.Query(ctx, holdsSQL, debtorID))
}

func scanHolds(rows pgx.Rows, err error) (map[string][]collect.Period, error) {
	if err != nil {
		return nil, dbErr(err, "holds")
	}
	defer rows.Close()
	out := map[string][]collect.Period{}
	for rows.Next() {
		var inv string
		var from time.Time
		var to *time.Time
		if err := rows.Scan(&inv, &from, &to); err != nil {
			return nil, dbErr(err, "holds")
		}
		p := collect.Period{From: collect.DutchDate(from)}
		if to != nil {
			p.To = collect.DutchDate(*to)
		}
		out[inv] = append(out[inv], p)
	}
	return out, dbErr(rows.Err(), "holds")
}
