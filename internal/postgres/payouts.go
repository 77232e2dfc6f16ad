package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// PayoutSaved tells what SavePayout did.
type PayoutSaved struct {
	PayoutID string
	Created  bool // the payout was new
	Changed  bool // the payout or any of its lines was inserted, changed or removed
	// FeesBooked is the sum of fee debits booked now (0 when the fees were
	// booked before and did not change).
	FeesBooked int64
}

const payoutCols = `id, provider, provider_id, reference, amount_cents, currency, status, difference_cents, reconciled,
	settled_at, arrived_at, coalesce(bank_line_id::text, ''), created_at, updated_at`

func scanPayout(r pgx.Row) (collect.Payout, error) {
	var p collect.Payout
	err := r.Scan(&p.ID, &p.Provider, &p.ProviderID, &p.Reference, &p.Amount, &p.Currency, &p.Status, &p.Difference, &p.Reconciled,
		&p.SettledAt, &p.ArrivedAt, &p.BankLineID, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

const payoutLineCols = `l.id, l.kind, l.provider_ref, l.method, l.amount_cents, l.fee_bips, coalesce(l.payment_id::text, ''),
	coalesce(l.creditor_id::text, ''), l.matched, coalesce(pm.amount_cents, 0)`

func scanPayoutLine(r pgx.Row) (collect.PayoutLine, error) {
	var l collect.PayoutLine
	err := r.Scan(&l.ID, &l.Kind, &l.ProviderRef, &l.Method, &l.Amount, &l.FeeBips, &l.PaymentID, &l.CreditorID, &l.Matched, &l.OurAmount)
	return l, err
}

// PaymentsByProviderIDs returns our payments of provider whose provider_id
// is one of ids, keyed by provider_id.
func (db *DB) PaymentsByProviderIDs(ctx context.Context, provider string, ids []string) (map[string]collect.Payment, error) {
	out := map[string]collect.Payment{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+paymentCols+` FROM payments WHERE provider = $1 AND provider_id = ANY($2)`, provider, ids)
	if err != nil {
		return nil, dbErr(err, "payments by provider id")
	}
	ps, err := collectRows(rows, scanPayment, "payments by provider id")
	for _, p := range ps {
		out[p.ProviderID] = p
	}
	return out, err
}

// PaymentsByIDs returns our payments whose id is one of ids, keyed by id.
// Ids that are not UUIDs are ignored (they match nothing).
func (db *DB) PaymentsByIDs(ctx context.Context, ids []string) (map[string]collect.Payment, error) {
	out := map[string]collect.Payment{}
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if validUUID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+paymentCols+` FROM payments WHERE id = ANY($1::uuid[])`, valid)
	if err != nil {
		return nil, dbErr(err, "payments by id")
	}
	ps, err := collectRows(rows, scanPayment, "payments by id")
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, err
}

// PayoutByProviderID loads a payout (without lines) by the provider's id.
func (db *DB) PayoutByProviderID(ctx context.Context, provider, providerID string) (collect.Payout, error) {
	p, err := scanPayout(db.pool.QueryRow(ctx, `SELECT `+payoutCols+` FROM payouts WHERE provider = $1 AND provider_id = $2`, provider, providerID))
	return p, dbErr(err, "payout")
}

// PayoutByReference finds the payout whose bank reference is ref (a Mollie
// settlement reference such as 1234567.2404.03, or a Stripe payout id), with
// all its lines. The bank statement import calls it to recognise a payout
// arriving. When several payouts carry ref, the latest is returned.
func (db *DB) PayoutByReference(ctx context.Context, ref string) (collect.Payout, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return collect.Payout{}, collect.Errorf(collect.ENOTFOUND, "", "payout not found")
	}
	p, err := scanPayout(db.pool.QueryRow(ctx, `SELECT `+payoutCols+` FROM payouts WHERE reference = $1 OR (provider = 'stripe' AND provider_id = $1)
		ORDER BY settled_at DESC NULLS LAST, created_at DESC LIMIT 1`, ref))
	if err != nil {
		return collect.Payout{}, dbErr(err, "payout "+ref)
	}
	rows, err := db.pool.Query(ctx, `SELECT `+payoutLineCols+` FROM payout_lines l LEFT JOIN payments pm ON pm.id = l.payment_id
		WHERE l.payout_id = $1 ORDER BY l.id`, p.ID)
	if err != nil {
		return collect.Payout{}, dbErr(err, "payout lines")
	}
	p.Lines, err = collectRows(rows, scanPayoutLine, "payout lines")
	return p, err
}

// PayoutsOfCreditor lists the payouts that carry at least one line of the
// creditor, newest first, each with only that creditor's lines.
func (db *DB) PayoutsOfCreditor(ctx context.Context, creditorID string, limit int) ([]collect.Payout, error) {
	if !validUUID(creditorID) {
		return nil, nil
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := db.pool.Query(ctx, `SELECT `+payoutCols+` FROM payouts p
		WHERE EXISTS (SELECT 1 FROM payout_lines l WHERE l.payout_id = p.id AND l.creditor_id = $1)
		ORDER BY coalesce(p.settled_at, p.created_at) DESC, p.id LIMIT $2`, creditorID, limit)
	if err != nil {
		return nil, dbErr(err, "payouts")
	}
	ps, err := collectRows(rows, scanPayout, "payouts")
	if err != nil || len(ps) == 0 {
		return ps, err
	}
	ids := make([]string, len(ps))
	at := map[string]int{}
	for i, p := range ps {
		ids[i] = p.ID
		at[p.ID] = i
	}
	rows, err = db.pool.Query(ctx, `SELECT l.payout_id::text, `+payoutLineCols+` FROM payout_lines l LEFT JOIN payments pm ON pm.id = l.payment_id
		WHERE l.payout_id = ANY($1::uuid[]) AND l.creditor_id = $2 ORDER BY l.id`, ids, creditorID)
	if err != nil {
		return nil, dbErr(err, "payout lines")
	}
	type owned struct {
		payout string
		line   collect.PayoutLine
	}
	ls, err := collectRows(rows, func(r pgx.Row) (owned, error) {
		var o owned
		l := &o.line
		err := r.Scan(&o.payout, &l.ID, &l.Kind, &l.ProviderRef, &l.Method, &l.Amount, &l.FeeBips, &l.PaymentID, &l.CreditorID, &l.Matched, &l.OurAmount)
		return o, err
	}, "payout lines")
	for _, o := range ls {
		ps[at[o.payout]].Lines = append(ps[at[o.payout]].Lines, o.line)
	}
	return ps, err
}

// SavePayout stores a payout and its lines and books its fees, in one
// transaction. It is idempotent: saving the same payout again changes no
// row and books nothing. Lines are keyed by (kind, provider_ref); lines the
// provider no longer reports are removed. Fees are booked per creditor as
// the difference between the fee lines now and what was booked before, so
// a changed attribution books only the change (creditor_entries are
// append-only); unattributed fee lines are not booked, they stay visible
// as unmatched lines.
func (db *DB) SavePayout(ctx context.Context, p collect.Payout) (PayoutSaved, error) {
	var res PayoutSaved
	if p.Provider != "mollie" && p.Provider != "stripe" {
		return res, collect.Errorf(collect.EINVALID, "provider", "unknown payout provider %q", p.Provider)
	}
	if p.Currency == "" {
		p.Currency = "EUR"
	}
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		res = PayoutSaved{}
		now := db.Now()
		tag, err := tx.Exec(ctx, `INSERT INTO payouts (provider, provider_id, reference, amount_cents, currency, difference_cents, reconciled, settled_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (provider, provider_id) DO NOTHING`,
			p.Provider, p.ProviderID, p.Reference, p.Amount, p.Currency, p.Difference, p.Reconciled, p.SettledAt, now)
		if err != nil {
			return dbErr(err, "insert payout")
		}
		res.Created = tag.RowsAffected() == 1
		var id, status string
		if err := tx.QueryRow(ctx, `SELECT id, status FROM payouts WHERE provider = $1 AND provider_id = $2 FOR UPDATE`,
			p.Provider, p.ProviderID).Scan(&id, &status); err != nil {
			return dbErr(err, "payout")
		}
		res.PayoutID = id
		if !res.Created {
			tag, err := tx.Exec(ctx, `UPDATE payouts SET reference = $2, amount_cents = $3, currency = $4, difference_cents = $5,
				reconciled = $6, settled_at = $7, updated_at = $8
				WHERE id = $1 AND (reference, amount_cents, currency, difference_cents, reconciled, settled_at)
					IS DISTINCT FROM ($2, $3, $4, $5, $6, $7::timestamptz)`,
				id, p.Reference, p.Amount, p.Currency, p.Difference, p.Reconciled, p.SettledAt, now)
			if err != nil {
				return dbErr(err, "update payout")
			}
			res.Changed = tag.RowsAffected() > 0
		}
		res.Changed = res.Changed || res.Created

		kinds := make([]string, len(p.Lines))
		refs := make([]string, len(p.Lines))
		b := &pgx.Batch{}
		for i, l := range p.Lines {
			kinds[i], refs[i] = string(l.Kind), l.ProviderRef
			b.Queue(`INSERT INTO payout_lines (payout_id, kind, provider_ref, method, amount_cents, fee_bips, payment_id, creditor_id, matched)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				ON CONFLICT (payout_id, kind, provider_ref) DO UPDATE SET method = EXCLUDED.method, amount_cents = EXCLUDED.amount_cents,
					fee_bips = EXCLUDED.fee_bips, payment_id = EXCLUDED.payment_id, creditor_id = EXCLUDED.creditor_id, matched = EXCLUDED.matched
				WHERE (payout_lines.method, payout_lines.amount_cents, payout_lines.fee_bips, payout_lines.payment_id, payout_lines.creditor_id, payout_lines.matched)
					IS DISTINCT FROM (EXCLUDED.method, EXCLUDED.amount_cents, EXCLUDED.fee_bips, EXCLUDED.payment_id, EXCLUDED.creditor_id, EXCLUDED.matched)`,
				id, l.Kind, l.ProviderRef, l.Method, l.Amount, l.FeeBips, nullable(l.PaymentID), nullable(l.CreditorID), l.Matched)
		}
		br := tx.SendBatch(ctx, b)
		for range p.Lines {
			tag, err := br.Exec()
			if err != nil {
				_ = br.Close()
				return dbErr(err, "payout line")
			}
			if tag.RowsAffected() > 0 {
				res.Changed = true
			}
		}
		if err := br.Close(); err != nil {
			return dbErr(err, "payout lines")
		}
		tag, err = tx.Exec(ctx, `DELETE FROM payout_lines WHERE payout_id = $1
			AND (kind, provider_ref) NOT IN (SELECT k, r FROM unnest($2::text[], $3::text[]) AS u(k, r))`, id, kinds, refs)
		if err != nil {
			return dbErr(err, "remove payout lines")
		}
		if tag.RowsAffected() > 0 {
			res.Changed = true
		}
		res.FeesBooked, err = bookPayoutFees(ctx, tx, id, p, db.Today())
		if err != nil {
			return err
		}
		if res.Changed {
			return Audit(ctx, tx, "provider:"+p.Provider, "payout.synced", "", "", "payout:"+id, nil,
				map[string]any{"provider_id": p.ProviderID, "reference": p.Reference, "amount": p.Amount,
					"difference": p.Difference, "reconciled": p.Reconciled, "lines": len(p.Lines), "fees_booked": res.FeesBooked})
		}
		return nil
	})
	return res, err
}

// bookPayoutFees brings each creditor's booked fees for the payout to the sum
// of its fee lines: fees debit (+), clearing:<provider> credit (-). The first
// booking has source_key payout:<id>:fees:<creditor>; a later correction
// gets a numbered suffix. It returns the fee debits booked now.
func bookPayoutFees(ctx context.Context, tx pgx.Tx, payoutID string, p collect.Payout, today time.Time) (int64, error) {
	want := map[string]int64{}
	for _, l := range p.Lines {
		if l.Kind == "fee" && l.CreditorID != "" {
			want[l.CreditorID] -= l.Amount
		}
	}
	rows, err := tx.Query(ctx, `SELECT creditor_id::text, sum(amount_cents), count(*) FROM creditor_entries
		WHERE payout_id = $1 AND account = 'fees' GROUP BY creditor_id`, payoutID)
	if err != nil {
		return 0, dbErr(err, "booked fees")
	}
	type booked struct {
		creditor string
		sum, n   int64
	}
	bs, err := collectRows(rows, func(r pgx.Row) (booked, error) {
		var b booked
		err := r.Scan(&b.creditor, &b.sum, &b.n)
		return b, err
	}, "booked fees")
	if err != nil {
		return 0, err
	}
	have := map[string]booked{}
	for _, b := range bs {
		have[b.creditor] = b
		if _, ok := want[b.creditor]; !ok {
			want[b.creditor] = 0 // its fee lines went away: book them back
		}
	}
	on := today
	if p.SettledAt != nil {
		on = collect.DutchDate(*p.SettledAt)
	}
	var total int64
	for _, c := range slices.Sorted(maps.Keys(want)) {
		delta := want[c] - have[c].sum
		if delta == 0 {
			continue
		}
		key := fmt.Sprintf("payout:%s:fees:%s", payoutID, c)
		day := on
		if n := have[c].n; n > 0 {
			key = fmt.Sprintf("%s:%d", key, n+1)
			day = today // a correction is booked when it is found
		}
		memo := fmt.Sprintf("%s fees %s", p.Provider, p.Reference)
		for _, e := range []struct {
			account string
			amount  int64
		}{{"fees", delta}, {"clearing:" + p.Provider, -delta}} {
			if _, err := tx.Exec(ctx, `INSERT INTO creditor_entries (creditor_id, account, amount_cents, booked_on, source_key, memo, payout_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (source_key, account) DO NOTHING`,
				c, e.account, e.amount, day, key, memo, payoutID); err != nil {
				return 0, dbErr(err, "book payout fees")
			}
		}
		total += delta
	}
	return total, nil
}

// MarkPayoutArrivedTx records, in the bank import's transaction, that a
// payout reached the bank (bank line bankLineID, booked on on). Each
// creditor's share of the payout (the sum of its lines) is booked as bank
// debit (+) against clearing:<provider> credit (-); what no creditor's line
// explains (unmatched lines) is booked bank (+) against "unexplained" (-)
// on the bank line's creditor. It is idempotent: marking the same payout
// with the same bank line again does nothing; with another bank line it is
// a conflict.
func MarkPayoutArrivedTx(ctx context.Context, tx pgx.Tx, payoutID, bankLineID string, on time.Time) error {
	if !validUUID(payoutID) {
		return collect.Errorf(collect.ENOTFOUND, "", "payout not found")
	}
	if bankLineID != "" && !validUUID(bankLineID) {
		return collect.Errorf(collect.EINVALID, "bank_line_id", "bank line id %q is not a UUID", bankLineID)
	}
	var provider, reference, status, line string
	var amount int64
	err := tx.QueryRow(ctx, `SELECT provider, reference, status, coalesce(bank_line_id::text, ''), amount_cents FROM payouts WHERE id = $1 FOR UPDATE`,
		payoutID).Scan(&provider, &reference, &status, &line, &amount)
	if err != nil {
		return dbErr(err, "payout")
	}
	if status == "arrived" {
		if line == bankLineID {
			return nil
		}
		return collect.Errorf(collect.ECONFLICT, "bank_line_id", "payout %s already arrived with another bank line", reference)
	}
	rows, err := tx.Query(ctx, `SELECT creditor_id::text, sum(amount_cents) FROM payout_lines
		WHERE payout_id = $1 AND creditor_id IS NOT NULL GROUP BY creditor_id ORDER BY creditor_id`, payoutID)
	if err != nil {
		return dbErr(err, "payout shares")
	}
	type share struct {
		creditor string
		amount   int64
	}
	shares, err := collectRows(rows, func(r pgx.Row) (share, error) {
		var s share
		err := r.Scan(&s.creditor, &s.amount)
		return s, err
	}, "payout shares")
	if err != nil {
		return err
	}
	rest := amount
	for _, s := range shares {
		rest -= s.amount
	}
	day := collect.DutchDate(on)
	book := func(creditor, key, credit string, cents int64) error {
		if cents == 0 {
			return nil
		}
		for _, e := range []struct {
			account string
			amount  int64
		}{{"bank", cents}, {credit, -cents}} {
			if _, err := tx.Exec(ctx, `INSERT INTO creditor_entries (creditor_id, account, amount_cents, booked_on, source_key, memo, payout_id, bank_line_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (source_key, account) DO NOTHING`,
				creditor, e.account, e.amount, day, key, provider+" payout "+reference, payoutID, nullable(bankLineID)); err != nil {
				return dbErr(err, "book payout arrival")
			}
		}
		return nil
	}
	// The bank line is part of the key, so that a payout whose arrival was
	// reversed can arrive again with another line.
	prefix := arrivalKey(payoutID, bankLineID)
	for _, s := range shares {
		if err := book(s.creditor, prefix+":"+s.creditor, "clearing:"+provider, s.amount); err != nil {
			return err
		}
	}
	if rest != 0 {
		owner := ""
		if bankLineID != "" {
			err := tx.QueryRow(ctx, `SELECT creditor_id::text FROM bank_lines WHERE id = $1`, bankLineID).Scan(&owner)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return dbErr(err, "bank line")
			}
		}
		if owner == "" {
			var best int64
			for _, s := range shares {
				if owner == "" || s.amount > best {
					owner, best = s.creditor, s.amount
				}
			}
		}
		if owner == "" {
			return collect.Errorf(collect.EINVALID, "payout", "payout %s has no creditor's line and no bank line to book it on", reference)
		}
		if err := book(owner, prefix+":unexplained", "unexplained", rest); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `UPDATE payouts SET status = 'arrived', arrived_at = $2, bank_line_id = $3, updated_at = now() WHERE id = $1`,
		payoutID, on, nullable(bankLineID))
	if err != nil {
		return dbErr(err, "mark payout arrived")
	}
	return Audit(ctx, tx, "bank", "payout.arrived", "", "", "payout:"+payoutID, map[string]any{"status": status},
		map[string]any{"status": "arrived", "bank_line_id": bankLineID, "on": day.Format(time.DateOnly)})
}

func arrivalKey(payoutID, bankLineID string) string {
	if bankLineID == "" {
		bankLineID = "none"
	}
	return fmt.Sprintf("payout:%s:arrived:%s", payoutID, bankLineID)
}

// ReversePayoutArrivalTx undoes MarkPayoutArrivedTx when the bank reverses
// the line that carried the payout: every entry the arrival booked is
// booked again with the opposite sign (source_key + ":reversed", on on),
// and the payout is expected again. It does nothing when the payout did
// not arrive with bankLineID, so it is safe to call twice.
func ReversePayoutArrivalTx(ctx context.Context, tx pgx.Tx, payoutID, bankLineID string, on time.Time) error {
	if !validUUID(payoutID) {
		return collect.Errorf(collect.ENOTFOUND, "", "payout not found")
	}
	var status, line string
	err := tx.QueryRow(ctx, `SELECT status, coalesce(bank_line_id::text, '') FROM payouts WHERE id = $1 FOR UPDATE`, payoutID).Scan(&status, &line)
	if err != nil {
		return dbErr(err, "payout")
	}
	if status != "arrived" || line != bankLineID {
		return nil
	}
	prefix := arrivalKey(payoutID, bankLineID)
	_, err = tx.Exec(ctx, `INSERT INTO creditor_entries (creditor_id, account, amount_cents, booked_on, source_key, memo, payout_id, bank_line_id)
		SELECT creditor_id, account, -amount_cents, $3, source_key || ':reversed', 'reversed: ' || memo, payout_id, bank_line_id
		FROM creditor_entries WHERE payout_id = $1 AND starts_with(source_key, $2 || ':') AND NOT source_key LIKE '%:reversed'
		ON CONFLICT (source_key, account) DO NOTHING`, payoutID, prefix, collect.DutchDate(on))
	if err != nil {
		return dbErr(err, "reverse payout arrival")
	}
	if _, err := tx.Exec(ctx, `UPDATE payouts SET status = 'expected', arrived_at = NULL, bank_line_id = NULL, updated_at = now() WHERE id = $1`, payoutID); err != nil {
		return dbErr(err, "payout expected again")
	}
	return Audit(ctx, tx, "bank", "payout.arrival_reversed", "", "", "payout:"+payoutID,
		map[string]any{"status": "arrived", "bank_line_id": bankLineID}, map[string]any{"status": "expected"})
}
