package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

const debtorCols = `id, creditor_id, external_ref, kind, name, email, phone, language, street, house_number, postcode, city, birth_date`

func scanDebtor(row pgx.Row) (collect.Debtor, error) {
	var d collect.Debtor
	var kind string
	var birth *time.Time
	err := row.Scan(&d.ID, &d.CreditorID, &d.ExternalRef, &kind, &d.Name, &d.Email, &d.Phone, &d.Language,
		&d.Address.Street, &d.Address.HouseNumber, &d.Address.Postcode, &d.Address.City, &birth)
	d.Kind = collect.DebtorKind(kind)
	if birth != nil {
		b := collect.DateOf(*birth)
		d.BirthDate = &b
	}
	return d, err
}

// UpsertDebtor creates a debtor or updates the one with the same external_ref
// at that creditor; created says which happened.
func (db *DB) UpsertDebtor(ctx context.Context, d collect.Debtor) (collect.Debtor, bool, error) {
	var created bool
	row := db.pool.QueryRow(ctx, `INSERT INTO debtors (creditor_id, external_ref, kind, name, email, phone, language, street, house_number, postcode, city, birth_date)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (creditor_id, external_ref) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, email = EXCLUDED.email,
			phone = EXCLUDED.phone, language = EXCLUDED.language, street = EXCLUDED.street, house_number = EXCLUDED.house_number,
			postcode = EXCLUDED.postcode, city = EXCLUDED.city, birth_date = EXCLUDED.birth_date, updated_at = now()
		RETURNING `+debtorCols+`, (xmax = 0)`,
		d.CreditorID, d.ExternalRef, string(d.Kind), d.Name, d.Email, d.Phone, d.Language,
		d.Address.Street, d.Address.HouseNumber, d.Address.Postcode, d.Address.City, d.BirthDate)
	var out collect.Debtor
	var kind string
	var birth *time.Time
	err := row.Scan(&out.ID, &out.CreditorID, &out.ExternalRef, &kind, &out.Name, &out.Email, &out.Phone, &out.Language,
		&out.Address.Street, &out.Address.HouseNumber, &out.Address.Postcode, &out.Address.City, &birth, &created)
	out.Kind = collect.DebtorKind(kind)
	if birth != nil {
		b := collect.DateOf(*birth)
		out.BirthDate = &b
	}
	return out, created, dbErr(err, "upsert debtor")
}

// Debtor loads a debtor of one creditor; another creditor's debtor is not found.
func (db *DB) Debtor(ctx context.Context, creditorID, id string) (collect.Debtor, error) {
	if !validUUID(id) {
		return collect.Debtor{}, collect.Errorf(collect.ENOTFOUND, "", "debtor not found")
	}
	d, err := scanDebtor(db.pool.QueryRow(ctx, `SELECT `+debtorCols+` FROM debtors WHERE id = $1 AND creditor_id = $2`, id, creditorID))
	return d, dbErr(err, "debtor")
}

// DebtorByExternalRef loads a debtor by the creditor's own reference.
func (db *DB) DebtorByExternalRef(ctx context.Context, creditorID, ref string) (collect.Debtor, error) {
	d, err := scanDebtor(db.pool.QueryRow(ctx, `SELECT `+debtorCols+` FROM debtors WHERE external_ref = $1 AND creditor_id = $2`, ref, creditorID))
	return d, dbErr(err, "debtor")
}
