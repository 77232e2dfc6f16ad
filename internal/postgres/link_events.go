package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// LinkOpenedQuiet is how long after a link's recorded opening another
// opening of the same link is not recorded again: the portal opens the link
// on every step before sign-in, and the file wants one line per visit.
const LinkOpenedQuiet = 30 * time.Minute

// RecordLinkOpened writes "link.opened" on the debtor's file, at most once
// per LinkOpenedQuiet for the same link. Audit records carry the server's
// time (audit_log.at), so the quiet time is measured on it too.
func (db *DB) RecordLinkOpened(ctx context.Context, l Link) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var recent bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_log WHERE debtor_id = $1 AND action = 'link.opened'
			AND subject = $2 AND at > now() - $3::interval)`, l.DebtorID, "link:"+l.JTI, LinkOpenedQuiet.String()).Scan(&recent); err != nil || recent {
			return dbErr(err, "link opened")
		}
		return Audit(ctx, tx, "visitor", "link.opened", l.CreditorID, l.DebtorID, "link:"+l.JTI, nil, map[string]any{"channel": l.Channel})
	})
}

// RecordWrongAnswer writes a wrong second-factor answer at a link on the
// debtor's file, with the tries left (0: the link is now locked).
func (db *DB) RecordWrongAnswer(ctx context.Context, l Link, triesLeft int) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		return Audit(ctx, tx, "visitor", "link.answer_wrong", l.CreditorID, l.DebtorID, "link:"+l.JTI, nil,
			map[string]any{"channel": l.Channel, "tries_left": triesLeft})
	})
}
