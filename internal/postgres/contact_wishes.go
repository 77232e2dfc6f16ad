package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// SetContactWishes stores a debtor's contact wishes.
func (db *DB) SetContactWishes(ctx context.Context, creditorID, debtorID string, w collect.ContactWishes) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO contact_wishes (debtor_id, channel, quiet_times, language, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (debtor_id) DO UPDATE SET channel = EXCLUDED.channel, quiet_times = EXCLUDED.quiet_times, language = EXCLUDED.language, updated_at = EXCLUDED.updated_at`,
			debtorID, w.Channel, w.QuietTimes, w.Language, db.Now()); err != nil {
			return dbErr(err, "contact wishes")
		}
		return Audit(ctx, tx, "debtor:"+debtorID, "contact.wishes", creditorID, debtorID, "debtor:"+debtorID, nil,
			map[string]any{"channel": w.Channel, "quiet_times": w.QuietTimes, "language": w.Language})
	})
}

// ContactWishesOf loads a debtor's wishes; ok is false when none were given.
func (db *DB) ContactWishesOf(ctx context.Context, debtorID string) (collect.ContactWishes, bool, error) {
	var w collect.ContactWishes
	err := db.pool.QueryRow(ctx, `SELECT channel, quiet_times, language, updated_at FROM contact_wishes WHERE debtor_id = $1`, debtorID).
		Scan(&w.Channel, &w.QuietTimes, &w.Language, &w.UpdatedAt)
	if err != nil {
		if collect.IsNotFound(dbErr(err, "")) {
			return w, false, nil
		}
		return w, false, dbErr(err, "contact wishes")
	}
	return w, true, nil
}
