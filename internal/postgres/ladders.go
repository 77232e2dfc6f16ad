package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// Ladder loads a creditor's current ladder: the highest version stored, or
// the default ladder (version 0) when the creditor never set one.
func (db *DB) Ladder(ctx context.Context, creditorID string) (collect.Ladder, error) {
	return db.scanLadder(ctx, creditorID, `SELECT version, steps, max_per_week, created_at, created_by FROM ladders
		WHERE creditor_id = $1 ORDER BY version DESC LIMIT 1`, creditorID)
}

// LadderVersion loads one version of a creditor's ladder; version 0 is the
// default ladder.
func (db *DB) LadderVersion(ctx context.Context, creditorID string, version int) (collect.Ladder, error) {
	if version == 0 {
		l := collect.DefaultLadder()
		l.CreditorID = creditorID
		return l, nil
	}
	l, err := db.scanLadder(ctx, creditorID, `SELECT version, steps, max_per_week, created_at, created_by FROM ladders
		WHERE creditor_id = $1 AND version = $2`, creditorID, version)
	if err == nil && l.Version != version {
		return l, collect.Errorf(collect.ENOTFOUND, "", "ladder version %d not found", version)
	}
	return l, err
}

func (db *DB) scanLadder(ctx context.Context, creditorID, query string, args ...any) (collect.Ladder, error) {
	l := collect.Ladder{CreditorID: creditorID}
	var steps []byte
	err := db.pool.QueryRow(ctx, query, args...).Scan(&l.Version, &steps, &l.MaxPerWeek, &l.CreatedAt, &l.CreatedBy)
	if err != nil {
		if collect.IsNotFound(dbErr(err, "")) {
			d := collect.DefaultLadder()
			d.CreditorID = creditorID
			return d, nil
		}
		return l, dbErr(err, "ladder")
	}
	if err := json.Unmarshal(steps, &l.Steps); err != nil {
		return l, fmt.Errorf("ladder %s v%d: steps: %w", creditorID, l.Version, err)
	}
	return l, nil
}

// SaveLadder stores l as the creditor's next ladder version, with its
// audit record, and returns it with the version it got.
func (db *DB) SaveLadder(ctx context.Context, l collect.Ladder, now time.Time) (collect.Ladder, error) {
	steps, err := json.Marshal(l.Steps)
	if err != nil {
		return l, fmt.Errorf("save ladder: %w", err)
	}
	l.CreatedAt = now
	err = db.WithTx(ctx, func(tx pgx.Tx) error {
		// The creditor's row lock makes two edits at once get two versions.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM creditors WHERE id = $1 FOR UPDATE`, l.CreditorID); err != nil {
			return dbErr(err, "lock creditor")
		}
		err := tx.QueryRow(ctx, `INSERT INTO ladders (creditor_id, version, steps, max_per_week, created_at, created_by)
			SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5 FROM ladders WHERE creditor_id = $1 RETURNING version`,
			l.CreditorID, steps, l.MaxPerWeek, now, l.CreatedBy).Scan(&l.Version)
		if err != nil {
			return dbErr(err, "save ladder")
		}
		return Audit(ctx, tx, l.CreatedBy, "ladder.saved", l.CreditorID, "", fmt.Sprintf("ladder:%d", l.Version), nil,
			map[string]any{"version": l.Version, "steps": l.Steps, "max_per_week": l.MaxPerWeek})
	})
	return l, err
}

// LadderInvoice is an invoice whose ladder has not run to its end, with
// where it stands; Started is false before its first step.
type LadderInvoice struct {
	Invoice  collect.Invoice
	Progress collect.LadderProgress
	Started  bool
}

// LadderInvoices lists the invoices whose ladder may still have a step to
// run, grouped by debtor (ordered by debtor, then due date).
func (db *DB) LadderInvoices(ctx context.Context) ([]LadderInvoice, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+prefixed("i.", invoiceCols)+`,
			p.invoice_id IS NOT NULL, coalesce(p.ladder_version, 0), coalesce(p.done, 0), coalesce(p.shift_days, 0), p.paused_since
		FROM invoices i LEFT JOIN ladder_progress p ON p.invoice_id = i.id
		WHERE p.invoice_id IS NULL OR p.done < coalesce(
			(SELECT jsonb_array_length(l.steps) FROM ladders l WHERE l.creditor_id = p.creditor_id AND l.version = p.ladder_version),
			$1)
		ORDER BY i.debtor_id, i.due_date, i.number`, len(collect.DefaultLadder().Steps))
	if err != nil {
		return nil, dbErr(err, "ladder invoices")
	}
	return collectRows(rows, func(r pgx.Row) (LadderInvoice, error) {
		var li LadderInvoice
		var paused *time.Time
		i := &li.Invoice
		if err := r.Scan(&i.ID, &i.CreditorID, &i.DebtorID, &i.Number, &i.Description, &i.IssueDate, &i.DueDate, &i.Amount, &i.Currency,
			&i.PaymentReference, &li.Started, &li.Progress.Version, &li.Progress.Done, &li.Progress.ShiftDays, &paused); err != nil {
			return li, err
		}
		if paused != nil {
			li.Progress.PausedSince = collect.DateOf(*paused)
		}
		li.Invoice.IssueDate, li.Invoice.DueDate = collect.DateOf(li.Invoice.IssueDate), collect.DateOf(li.Invoice.DueDate)
		return li, nil
	}, "ladder invoices")
}

// Ladders lists every version of a creditor's ladder, newest first; a
// creditor who never set one has only the default ladder (version 0).
func (db *DB) Ladders(ctx context.Context, creditorID string) ([]collect.Ladder, error) {
	rows, err := db.pool.Query(ctx, `SELECT version, steps, max_per_week, created_at, created_by FROM ladders
		WHERE creditor_id = $1 ORDER BY version DESC`, creditorID)
	if err != nil {
		return nil, dbErr(err, "ladders")
	}
	out, err := collectRows(rows, func(r pgx.Row) (collect.Ladder, error) {
		l := collect.Ladder{CreditorID: creditorID}
		var steps []byte
		if err := r.Scan(&l.Version, &steps, &l.MaxPerWeek, &l.CreatedAt, &l.CreatedBy); err != nil {
			return l, err
		}
		if err := json.Unmarshal(steps, &l.Steps); err != nil {
			return l, fmt.Errorf("ladder %s v%d: steps: %w", creditorID, l.Version, err)
		}
		return l, nil
	}, "ladders")
	if err != nil {
		return nil, err
	}
	d := collect.DefaultLadder()
	d.CreditorID = creditorID
	return append(out, d), nil
}

// InvoiceLadderVersions are the ladder versions a creditor's debtor's
// invoices run on, by invoice id; an invoice whose ladder has not started
// is not in it.
func (db *DB) InvoiceLadderVersions(ctx context.Context, creditorID, debtorID string) (map[string]int, error) {
	rows, err := db.pool.Query(ctx, `SELECT invoice_id::text, ladder_version FROM ladder_progress
		WHERE creditor_id = $1 AND debtor_id = $2`, creditorID, debtorID)
	if err != nil {
		return nil, dbErr(err, "invoice ladder versions")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var v int
		if err := rows.Scan(&id, &v); err != nil {
			return nil, dbErr(err, "invoice ladder versions")
		}
		out[id] = v
	}
	return out, dbErr(rows.Err(), "invoice ladder versions")
}
