package casework

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile/pain001"
)

// Credit paid back by bank transfer: what RefundCredit could not send
// through a payment provider (the debtor paid by bank transfer, or paid
// over what a provider payment can give back) waits as to_transfer until
// finance makes a SEPA transfer file of it for the creditor's bank.

// RefundsToTransfer lists the creditor's credit refunds waiting for a
// bank transfer, each with the IBAN it would go to ("" when unknown).
func RefundsToTransfer(ctx context.Context, db *postgres.DB, creditorID string) ([]postgres.RefundToTransfer, error) {
	return db.RefundsToTransfer(ctx, creditorID)
}

// MakeTransferFile writes the creditor's waiting refunds whose IBAN is known
// into one pain.001 file, executed on the next day, and stores it with the
// refunds marked in_file, so that no refund goes into two files. Refunds
// without a known IBAN stay waiting. It is a conflict when nothing can go
// into a file or the creditor has no IBAN of its own.
func MakeTransferFile(ctx context.Context, db *postgres.DB, creditorID, by string) (postgres.TransferFile, error) {
	cr, err := db.Creditor(ctx, creditorID)
	if err != nil {
		return postgres.TransferFile{}, err
	}
	iban := strings.ToUpper(strings.ReplaceAll(cr.IBAN, " ", ""))
	if iban == "" {
		return postgres.TransferFile{}, collect.Errorf(collect.ECONFLICT, "", "%s has no IBAN of its own to transfer from", cr.Name)
	}
	waiting, err := db.RefundsToTransfer(ctx, creditorID)
	if err != nil {
		return postgres.TransferFile{}, err
	}
	now := db.Now()
	f := pain001.File{MessageID: "SETTLE-" + now.UTC().Format("20060102-150405.000"), CreatedAt: now, Debtor: cr.Name, DebtorIBAN: iban,
		DebtorBIC: strings.ToUpper(strings.TrimSpace(cr.BIC)), ExecuteOn: collect.DutchDate(now).AddDate(0, 0, 1)}
	var in []postgres.RefundToTransfer
	for _, r := range waiting {
		if r.IBAN == "" {
			continue
		}
		in = append(in, r)
		f.Transfers = append(f.Transfers, pain001.Transfer{EndToEndID: "REFUND-" + strings.ToUpper(strings.ReplaceAll(r.ID, "-", ""))[:24],
			Name: r.DebtorName, IBAN: r.IBAN, Amount: r.Amount, Remittance: fmt.Sprintf("Terugbetaling tegoed %s, klantnummer %s", cr.Name, r.ExternalRef)})
	}
	if len(in) == 0 {
		return postgres.TransferFile{}, collect.Errorf(collect.ECONFLICT, "", "no credit waits for a bank transfer to a known IBAN")
	}
	var b bytes.Buffer
	if err := pain001.Write(&b, f); err != nil {
		return postgres.TransferFile{}, collect.Errorf(collect.ECONFLICT, "", "%s", err.Error())
	}
	return db.RecordTransferFile(ctx, postgres.TransferFile{CreditorID: creditorID, MessageID: f.MessageID, Transfers: len(in), Total: f.Total(),
		XML: b.Bytes(), CreatedBy: by}, in)
}

// TransferFile loads one of a creditor's transfer files to download again.
func TransferFile(ctx context.Context, db *postgres.DB, creditorID, id string) (postgres.TransferFile, error) {
	return db.TransferFileOf(ctx, creditorID, id)
}
