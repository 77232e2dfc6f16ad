package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// RefundToTransfer is credit a creditor pays back by bank transfer, with
// the account to send it to: the payer's IBAN of the debtor's latest bank
// payment at the creditor ("" when none is known).
type RefundToTransfer struct {
	ID          string
	DebtorID    string
	DebtorName  string
	ExternalRef string
	Amount      int64
	IBAN        string
	CreatedAt   time.Time
}

// RefundsToTransfer lists a creditor's credit refunds waiting for a bank
// transfer, oldest first.
func (db *DB) RefundsToTransfer(ctx context.Context, creditorID string) ([]RefundToTransfer, error) {
	rows, err := db.pool.Query(ctx, `SELECT r.id::text, r.debtor_id::text, d.name, d.external_ref, r.amount_cents,
			coalesce((SELECT p.payer_iban FROM payments p WHERE p.debtor_id = r.debtor_id AND p.creditor_id = r.creditor_id AND p.payer_iban <> ''
				ORDER BY coalesce(p.paid_at, p.created_at) DESC, p.id LIMIT 1), ''), r.created_at
		FROM credit_refunds r JOIN debtors d ON d.id = r.debtor_id
		WHERE r.creditor_id = $1 AND r.status = 'to_transfer' ORDER BY r.created_at, r.id`, creditorID)
	if err != nil {
		return nil, dbErr(err, "refunds to transfer")
	}
	return collectRows(rows, func(r pgx.Row) (RefundToTransfer, error) {
		var x RefundToTransfer
		return x, r.Scan(&x.ID, &x.DebtorID, &x.DebtorName, &x.ExternalRef, &x.Amount, &x.IBAN, &x.CreatedAt)
	}, "refunds to transfer")
}

// TransferFile is a SEPA credit transfer file made for a creditor.
type TransferFile struct {
	ID         string
	CreditorID string
	MessageID  string
	Transfers  int
	Total      int64
	XML        []byte
	CreatedBy  string
	CreatedAt  time.Time
}

// RecordTransferFile stores a transfer file and marks its refunds in_file
// with the IBAN each went to, in one transaction with an audit record per
// debtor. A refund that is no longer waiting (another file took it) makes
// it a conflict and stores nothing.
func (db *DB) RecordTransferFile(ctx context.Context, f TransferFile, refunds []RefundToTransfer) (TransferFile, error) {
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		f.CreatedAt = db.Now()
		if err := tx.QueryRow(ctx, `INSERT INTO transfer_files (creditor_id, message_id, transfers, total_cents, xml, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text`, f.CreditorID, f.MessageID, f.Transfers, f.Total, f.XML, f.CreatedBy, f.CreatedAt).Scan(&f.ID); err != nil {
			return dbErr(err, "transfer file")
		}
		for _, r := range refunds {
			tag, err := tx.Exec(ctx, `UPDATE credit_refunds SET status = 'in_file', iban = $3, transfer_file_id = $4, decided_at = $5
				WHERE id = $1 AND creditor_id = $2 AND status = 'to_transfer'`, r.ID, f.CreditorID, r.IBAN, f.ID, f.CreatedAt)
			if err != nil {
				return dbErr(err, "refund in file")
			}
			if tag.RowsAffected() != 1 {
				return collect.Errorf(collect.ECONFLICT, "", "a refund of this file is no longer waiting for a transfer: make the file again")
			}
			if err := Audit(ctx, tx, f.CreatedBy, "credit.refund_in_file", f.CreditorID, r.DebtorID, "debtor:"+r.DebtorID, nil,
				map[string]any{"credit_refund_id": r.ID, "amount_cents": r.Amount, "transfer_file": f.MessageID}); err != nil {
				return err
			}
		}
		return nil
	})
	return f, err
}

// TransferFileOf loads one of a creditor's transfer files.
func (db *DB) TransferFileOf(ctx context.Context, creditorID, id string) (TransferFile, error) {
	var f TransferFile
	if !validUUID(id) {
		return f, collect.Errorf(collect.ENOTFOUND, "", "transfer file not found")
	}
	err := db.pool.QueryRow(ctx, `SELECT id::text, creditor_id::text, message_id, transfers, total_cents, xml, created_by, created_at
		FROM transfer_files WHERE id = $1 AND creditor_id = $2`, id, creditorID).
		Scan(&f.ID, &f.CreditorID, &f.MessageID, &f.Transfers, &f.Total, &f.XML, &f.CreatedBy, &f.CreatedAt)
	return f, dbErr(err, "transfer file")
}
