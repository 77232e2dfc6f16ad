package postgres

import (
	"context"
)

// SetCreditorText stores a creditor's own text for key in lang, replacing
// the one there was.
func (db *DB) SetCreditorText(ctx context.Context, creditorID, lang, key, text string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO creditor_texts (creditor_id, lang, key, text) VALUES ($1, $2, $3, $4)
		ON CONFLICT (creditor_id, lang, key) DO UPDATE SET text = EXCLUDED.text`, creditorID, lang, key, text)
	return dbErr(err, "creditor text")
}

// CreditorTexts returns a creditor's own texts in lang by key; empty when
// the creditor wrote none in that language.
func (db *DB) CreditorTexts(ctx context.Context, creditorID, lang string) (map[string]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT key, text FROM creditor_texts WHERE creditor_id = $1 AND lang = $2`, creditorID, lang)
	if err != nil {
		return nil, dbErr(err, "creditor texts")
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, t string
		if err := rows.Scan(&k, &t); err != nil {
			return nil, dbErr(err, "creditor texts")
		}
		out[k] = t
	}
	return out, dbErr(rows.Err(), "creditor texts")
}
