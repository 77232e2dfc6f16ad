package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

const creditorCols = `id, name, phone, phone_hours, email, iban, post_delivery_days, second_factor, waive_costs, coalesce(ideal_provider, ''), coalesce(card_provider, ''), mollie_key_env, stripe_key_env,
	plan_max_months, plan_min_instalment, plan_max_total, plan_waive_costs, plan_auto_approve, breathing_days, hardship_waive_costs, answer_days, help_phone, help_site,
	bic, street, house_number, postcode, city`

func scanCreditor(row pgx.Row) (collect.Creditor, error) {
	var c collect.Creditor
	err := row.Scan(&c.ID, &c.Name, &c.Phone, &c.PhoneHours, &c.Email, &c.IBAN, &c.PostDeliveryDays, &c.SecondFactor, &c.WaiveCosts,
		&c.IdealProvider, &c.CardProvider, &c.MollieKeyEnv, &c.StripeKeyEnv,
		&c.Policy.Plan.MaxMonths, &c.Policy.Plan.MinInstalment, &c.Policy.Plan.MaxTotal, &c.Policy.Plan.WaiveCostsIfKept, &c.Policy.Plan.AutoApprove,
		&c.Policy.BreathingDays, &c.Policy.HardshipWaiveCosts, &c.Policy.AnswerDays, &c.Policy.HelpPhone, &c.Policy.HelpSite,
		&c.BIC, &c.Address.Street, &c.Address.HouseNumber, &c.Address.Postcode, &c.Address.City)
	return c, err
}

// CreateCreditor stores a creditor and gives it its first API key, returned once in plain text.
func (db *DB) CreateCreditor(ctx context.Context, c collect.Creditor) (collect.Creditor, string, error) {
	if c.Name == "" {
		return c, "", collect.Errorf(collect.EINVALID, "name", "a creditor needs a name")
	}
	if c.SecondFactor == "" {
		c.SecondFactor = "address"
	}
	if c.PostDeliveryDays == 0 {
		c.PostDeliveryDays = 2
	}
	var key string
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `INSERT INTO creditors (name, phone, phone_hours, email, iban, post_delivery_days, second_factor, waive_costs,
				ideal_provider, card_provider, mollie_key_env, stripe_key_env, bic, street, house_number, postcode, city)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING `+creditorCols,
			c.Name, c.Phone, c.PhoneHours, c.Email, c.IBAN, c.PostDeliveryDays, c.SecondFactor, c.WaiveCosts,
			nullable(c.IdealProvider), nullable(c.CardProvider), c.MollieKeyEnv, c.StripeKeyEnv,
			c.BIC, c.Address.Street, c.Address.HouseNumber, c.Address.Postcode, c.Address.City)
		var err error
		if c, err = scanCreditor(row); err != nil {
			return dbErr(err, "insert creditor")
		}
		key, err = insertAPIKey(ctx, tx, c.ID)
		return err
	})
	return c, key, err
}

// RotateAPIKey issues a new API key for a creditor and revokes all older ones.
func (db *DB) RotateAPIKey(ctx context.Context, creditorID string) (string, error) {
	var key string
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = now() WHERE creditor_id = $1 AND revoked_at IS NULL`, creditorID); err != nil {
			return dbErr(err, "revoke api keys")
		}
		var err error
		key, err = insertAPIKey(ctx, tx, creditorID)
		return err
	})
	return key, err
}

func insertAPIKey(ctx context.Context, tx pgx.Tx, creditorID string) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("random api key: %w", err)
	}
	key := "stl_" + base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(key))
	_, err := tx.Exec(ctx, `INSERT INTO api_keys (creditor_id, prefix, hash) VALUES ($1, $2, $3)`, creditorID, key[:8], sum[:])
	return key, dbErr(err, "insert api key")
}

// CreditorByAPIKey finds the creditor a (not revoked) API key belongs to.
func (db *DB) CreditorByAPIKey(ctx context.Context, key string) (collect.Creditor, error) {
	sum := sha256.Sum256([]byte(key))
	// creditorCols holds expressions (coalesce(a, b)), which prefixed cannot
	// qualify, so look the key up in a subquery instead of a join.
	row := db.pool.QueryRow(ctx, `SELECT `+creditorCols+` FROM creditors
		WHERE id = (SELECT creditor_id FROM api_keys WHERE hash = $1 AND revoked_at IS NULL)`, sum[:])
	c, err := scanCreditor(row)
	return c, dbErr(err, "api key")
}

// AddCreditorAccount registers an account number the creditor's bank names
// the account by in its statements (Acct/Id/Othr/Id) instead of an IBAN.
// Registering it again changes nothing.
func (db *DB) AddCreditorAccount(ctx context.Context, creditorID, account string) error {
	account = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(account), " ", ""))
	if account == "" {
		return collect.Errorf(collect.EINVALID, "account", "an account number is needed")
	}
	if !validUUID(creditorID) {
		return collect.Errorf(collect.ENOTFOUND, "id", "creditor not found")
	}
	tag, err := db.pool.Exec(ctx, `INSERT INTO creditor_accounts (creditor_id, account)
		SELECT id, $2 FROM creditors WHERE id = $1 ON CONFLICT DO NOTHING`, creditorID, account)
	if err != nil {
		return dbErr(err, "creditor account")
	}
	if tag.RowsAffected() == 0 {
		// Either registered before or no such creditor.
		if _, err := db.Creditor(ctx, creditorID); err != nil {
			return err
		}
	}
	return nil
}

// Creditor loads one creditor.
func (db *DB) Creditor(ctx context.Context, id string) (collect.Creditor, error) {
	c, err := scanCreditor(db.pool.QueryRow(ctx, `SELECT `+creditorCols+` FROM creditors WHERE id = $1`, id))
	return c, dbErr(err, "creditor")
}
