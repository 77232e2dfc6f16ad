package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// DebtorFile is what the outreach planner reads about one debtor, loaded
// for many debtors at once by DebtorFiles.
type DebtorFile struct {
	Facts collect.Facts
	// Promises are the debtor's with its creditor, newest first (as Promises).
	Promises []collect.Promise
	// Policy is the creditor's (as PromisePolicy).
	Policy collect.PromisePolicy
	// HasPlans says the debtor has plans with its creditor; they are not
	// loaded here (a plan's instalments take their own reads: use Plans).
	HasPlans bool
	// Wishes are the debtor's own contact wishes; WishesGiven is false when
	// none were given (as ContactWishesOf).
	Wishes      collect.ContactWishes
	WishesGiven bool
	// Blocked are the debtor's bounced addresses (as BlockedAddresses).
	Blocked map[collect.Channel][]string
}

// DebtorFiles loads the files of many debtors with one query per table, in
// one snapshot, instead of a dozen round trips per debtor: the planner
// reads the file of every debtor with an unfinished ladder every minute. A
// debtor that is not found is left out.
func (db *DB) DebtorFiles(ctx context.Context, debtorIDs []string) (map[string]*DebtorFile, error) {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, dbErr(err, "debtor files")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read only; nothing to keep
	fs, err := factsMany(ctx, tx, debtorIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*DebtorFile, len(fs))
	var creditorIDs []string
	for id, f := range fs {
		out[id] = &DebtorFile{Facts: *f, Blocked: map[collect.Channel][]string{}}
		creditorIDs = append(creditorIDs, f.Creditor.ID)
	}
	// ours is a debtor's file when the row is of its own creditor, as the
	// single reads filter on the creditor too.
	ours := func(debtorID, creditorID string) *DebtorFile {
		if f := out[debtorID]; f != nil && (creditorID == "" || f.Facts.Creditor.ID == creditorID) {
			return f
		}
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT id::text, promise_max_days, plan_missed_limit FROM creditors WHERE id = ANY($1::uuid[])`, creditorIDs)
	if err != nil {
		return nil, dbErr(err, "promise policy")
	}
	policies := map[string]collect.PromisePolicy{}
	var id string
	var pol collect.PromisePolicy
	if _, err := pgx.ForEachRow(rows, []any{&id, &pol.MaxDays, &pol.MissedLimit}, func() error {
		policies[id] = pol
		return nil
	}); err != nil {
		return nil, dbErr(err, "promise policy")
	}
	for _, f := range out {
		f.Policy = policies[f.Facts.Creditor.ID]
	}
	rows, err = tx.Query(ctx, `SELECT `+promiseCols+` FROM promises WHERE debtor_id = ANY($1::uuid[]) ORDER BY debtor_id, created_at DESC, id`, debtorIDs)
	if err != nil {
		return nil, dbErr(err, "promises")
	}
	ps, err := collectRows(rows, scanPromise, "promises")
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if f := ours(p.DebtorID, p.CreditorID); f != nil {
			f.Promises = append(f.Promises, p)
		}
	}
	rows, err = tx.Query(ctx, `SELECT DISTINCT debtor_id::text, creditor_id::text FROM plans WHERE debtor_id = ANY($1::uuid[])`, debtorIDs)
	if err != nil {
		return nil, dbErr(err, "plans")
	}
	var debtor, creditor string
	if _, err := pgx.ForEachRow(rows, []any{&debtor, &creditor}, func() error {
		if f := ours(debtor, creditor); f != nil {
			f.HasPlans = true
		}
		return nil
	}); err != nil {
		return nil, dbErr(err, "plans")
	}
	rows, err = tx.Query(ctx, `SELECT `+contactWishCols+` FROM contact_wishes WHERE debtor_id = ANY($1::uuid[])`, debtorIDs)
	if err != nil {
		return nil, dbErr(err, "contact wishes")
	}
	for rows.Next() {
		debtor, w, err := scanContactWishes(rows)
		if err != nil {
			rows.Close()
			return nil, dbErr(err, "contact wishes")
		}
		if f := ours(debtor, ""); f != nil {
			f.Wishes, f.WishesGiven = w, true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "contact wishes")
	}
	rows, err = tx.Query(ctx, `SELECT debtor_id::text, channel, address FROM blocked_addresses WHERE debtor_id = ANY($1::uuid[])`, debtorIDs)
	if err != nil {
		return nil, dbErr(err, "blocked addresses")
	}
	var c collect.Channel
	var a string
	if _, err := pgx.ForEachRow(rows, []any{&debtor, &c, &a}, func() error {
		if f := ours(debtor, ""); f != nil {
			f.Blocked[c] = append(f.Blocked[c], a)
		}
		return nil
	}); err != nil {
		return nil, dbErr(err, "blocked addresses")
	}
	return out, nil
}
