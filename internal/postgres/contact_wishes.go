package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// avoidRange is how a collect.TimeRange is kept in contact_wishes.avoid.
type avoidRange struct {
	Days []time.Weekday `json:"days"`
	From int            `json:"from"`
	To   int            `json:"to"`
}

// SetContactWishes stores a debtor's contact wishes. The free text of the
// old form is kept as it was: the new form does not ask for it.
func (db *DB) SetContactWishes(ctx context.Context, creditorID, debtorID string, w collect.ContactWishes, now time.Time) error {
	avoid := make([]avoidRange, len(w.Avoid))
	for i, r := range w.Avoid {
		avoid[i] = avoidRange(r)
	}
	channels := make([]string, len(w.Channels))
	for i, c := range w.Channels {
		channels[i] = string(c)
	}
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO contact_wishes (debtor_id, channel, channels, phone, email, avoid, language, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (debtor_id) DO UPDATE SET channel = EXCLUDED.channel, channels = EXCLUDED.channels, phone = EXCLUDED.phone,
				email = EXCLUDED.email, avoid = EXCLUDED.avoid, language = EXCLUDED.language, updated_at = EXCLUDED.updated_at`,
			debtorID, w.Channel, channels, w.Phone, w.Email, avoid, w.Language, now); err != nil {
			return dbErr(err, "contact wishes")
		}
		return Audit(ctx, tx, "debtor:"+debtorID, "contact.wishes", creditorID, debtorID, "debtor:"+debtorID, nil,
			map[string]any{"channels": channels, "phone": w.Phone, "email": w.Email, "avoid": avoid, "language": w.Language})
	})
}

// ContactWishesOf loads a debtor's wishes; ok is false when none were given.
func (db *DB) ContactWishesOf(ctx context.Context, debtorID string) (collect.ContactWishes, bool, error) {
	_, w, err := scanContactWishes(db.pool.QueryRow(ctx, `SELECT `+contactWishCols+` FROM contact_wishes WHERE debtor_id = $1`, debtorID))
	if err != nil {
		if collect.IsNotFound(dbErr(err, "")) {
			return w, false, nil
		}
		return w, false, dbErr(err, "contact wishes")
	}
	return w, true, nil
}

const contactWishCols = `debtor_id::text, channel, channels, phone, email, avoid, quiet_times, quiet_needs_review, language, updated_at`

// scanContactWishes reads contactWishCols: whose wishes, and the wishes.
func scanContactWishes(r pgx.Row) (string, collect.ContactWishes, error) {
	var (
		debtorID string
		w        collect.ContactWishes
		channels []string
		avoid    []byte
	)
	if err := r.Scan(&debtorID, &w.Channel, &channels, &w.Phone, &w.Email, &avoid, &w.QuietTimes, &w.QuietNeedsReview, &w.Language, &w.UpdatedAt); err != nil {
		return debtorID, w, err
	}
	for _, c := range channels {
		w.Channels = append(w.Channels, collect.Channel(c))
	}
	var ranges []avoidRange
	if err := json.Unmarshal(avoid, &ranges); err != nil {
		return debtorID, w, fmt.Errorf("contact wishes of %s: avoid: %w", debtorID, err)
	}
	for _, r := range ranges {
		w.Avoid = append(w.Avoid, collect.TimeRange(r))
	}
	return debtorID, w, nil
}
