package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

const invoiceCols = `id, creditor_id, debtor_id, number, description, issue_date, due_date, amount_cents, currency, payment_reference`

func scanInvoice(row pgx.Row) (collect.Invoice, error) {
	var i collect.Invoice
	err := row.Scan(&i.ID, &i.CreditorID, &i.DebtorID, &i.Number, &i.Description, &i.IssueDate, &i.DueDate, &i.Amount, &i.Currency, &i.PaymentReference)
	i.IssueDate, i.DueDate = collect.DateOf(i.IssueDate), collect.DateOf(i.DueDate)
	return i, err
}

// CreateInvoice stores an invoice with a fresh RF payment reference and books
// its principal in the ledger, in one transaction.
func (db *DB) CreateInvoice(ctx context.Context, inv collect.Invoice) (collect.Invoice, error) {
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		var seq int64
		if err := tx.QueryRow(ctx, `SELECT nextval('payment_reference_seq')`).Scan(&seq); err != nil {
			return dbErr(err, "payment reference")
		}
		ref, err := collect.RFReference(fmt.Sprintf("%d", seq))
		if err != nil {
			return fmt.Errorf("payment reference: %w", err)
		}
		row := tx.QueryRow(ctx, `INSERT INTO invoices (creditor_id, debtor_id, number, description, issue_date, due_date, amount_cents, currency, payment_reference)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+invoiceCols,
			inv.CreditorID, inv.DebtorID, inv.Number, inv.Description, inv.IssueDate, inv.DueDate, inv.Amount, inv.Currency, ref)
		if inv, err = scanInvoice(row); err != nil {
			return dbErr(err, "invoice")
		}
		return insertEntry(ctx, tx, inv.CreditorID, inv.DebtorID, collect.Entry{
			InvoiceID: inv.ID, Account: collect.AccountPrincipal, Kind: collect.KindCharge,
			Amount: inv.Amount, BookedOn: inv.IssueDate, Memo: "invoice " + inv.Number,
		}, "invoice:"+inv.ID)
	})
	return inv, err
}

// Invoices lists a debtor's invoices, oldest due first.
func (db *DB) Invoices(ctx context.Context, creditorID, debtorID string) ([]collect.Invoice, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE debtor_id = $1 AND creditor_id = $2 ORDER BY due_date, number`, debtorID, creditorID)
	if err != nil {
		return nil, dbErr(err, "invoices")
	}
	return collectRows(rows, scanInvoice, "invoices")
}

// InvoicesByID loads the named invoices of one debtor; any id that is not theirs is not found.
func (db *DB) InvoicesByID(ctx context.Context, creditorID, debtorID string, ids []string) ([]collect.Invoice, error) {
	for _, id := range ids {
		if !validUUID(id) {
			return nil, collect.Errorf(collect.ENOTFOUND, "invoice_ids", "invoice %q not found", id)
		}
	}
	rows, err := db.pool.Query(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE id = ANY($1) AND debtor_id = $2 AND creditor_id = $3`, ids, debtorID, creditorID)
	if err != nil {
		return nil, dbErr(err, "invoices")
	}
	out, err := collectRows(rows, scanInvoice, "invoices")
	if err == nil && len(out) != len(ids) {
		return nil, collect.Errorf(collect.ENOTFOUND, "invoice_ids", "one or more invoices not found for this debtor")
	}
	return out, err
}

func collectRows[T any](rows pgx.Rows, scan func(pgx.Row) (T, error), what string) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, dbErr(err, what)
		}
		out = append(out, v)
	}
	return out, dbErr(rows.Err(), what)
}

// PaymentReferencesOfAccount maps the invoice numbers of the creditors
// whose bank account is iban (compact, upper case) to their payment
// references.
func (db *DB) PaymentReferencesOfAccount(ctx context.Context, iban string) (map[string]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT i.number, i.payment_reference FROM invoices i JOIN creditors c ON c.id = i.creditor_id
		WHERE upper(replace(c.iban, ' ', '')) = $1`, iban)
	if err != nil {
		return nil, dbErr(err, "payment references")
	}
	defer rows.Close()
	refs := map[string]string{}
	for rows.Next() {
		var n, r string
		if err := rows.Scan(&n, &r); err != nil {
			return nil, dbErr(err, "payment references")
		}
		refs[n] = r
	}
	return refs, dbErr(rows.Err(), "payment references")
}
