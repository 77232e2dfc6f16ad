package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

const hardshipCols = `id, creditor_id, debtor_id, reason, income_cents, fixed_costs_cents, consent, counsellor, breathing_from, breathing_until, status, created_at`

func scanHardship(r pgx.Row) (collect.Hardship, error) {
	var h collect.Hardship
	err := r.Scan(&h.ID, &h.CreditorID, &h.DebtorID, &h.Reason, &h.Income, &h.FixedCosts, &h.Consent, &h.Counsellor, &h.BreathingFrom, &h.BreathingUntil, &h.Status, &h.CreatedAt)
	h.BreathingFrom, h.BreathingUntil = collect.DateOf(h.BreathingFrom), collect.DateOf(h.BreathingUntil)
	return h, err
}

// ReportHardship records that a debtor cannot pay now and starts the
// creditor's breathing space at once.
func (db *DB) ReportHardship(ctx context.Context, h collect.Hardship, breathingDays int) (collect.Hardship, error) {
	today := db.Today()
	h.BreathingFrom, h.BreathingUntil = today, today.AddDate(0, 0, breathingDays)
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `INSERT INTO hardships (creditor_id, debtor_id, reason, income_cents, fixed_costs_cents, consent, counsellor, breathing_from, breathing_until, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING `+hardshipCols,
			h.CreditorID, h.DebtorID, h.Reason, h.Income, h.FixedCosts, h.Consent, h.Counsellor, h.BreathingFrom, h.BreathingUntil, db.Now())
		var err error
		if h, err = scanHardship(row); err != nil {
			return dbErr(err, "insert hardship")
		}
		return Audit(ctx, tx, "debtor:"+h.DebtorID, "hardship.reported", h.CreditorID, h.DebtorID, "hardship:"+h.ID, nil,
			map[string]any{"reason": h.Reason, "breathing_until": h.BreathingUntil.Format("2006-01-02"), "consent": h.Consent})
	})
	return h, err
}

// Hardships lists a debtor's hardship reports, newest first.
func (db *DB) Hardships(ctx context.Context, creditorID, debtorID string) ([]collect.Hardship, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+hardshipCols+` FROM hardships WHERE debtor_id = $1 AND creditor_id = $2 ORDER BY created_at DESC`, debtorID, creditorID)
	if err != nil {
		return nil, dbErr(err, "hardships")
	}
	return collectRows(rows, scanHardship, "hardships")
}

// UpdateHardship applies an agent's follow-up: extend the breathing space by
// days, or record "won't pay", which ends the hardship treatment today.
func (db *DB) UpdateHardship(ctx context.Context, agentID, creditorID, id, action string, days int) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		h, err := scanHardship(tx.QueryRow(ctx, `SELECT `+hardshipCols+` FROM hardships WHERE id = $1 AND creditor_id = $2 FOR UPDATE`, id, creditorID))
		if err != nil {
			return dbErr(err, "hardship")
		}
		before := map[string]any{"status": h.Status, "breathing_until": h.BreathingUntil.Format("2006-01-02")}
		today := db.Today()
		switch action {
		case "extend":
			if days < 1 || days > 180 {
				return collect.Errorf(collect.EINVALID, "days", "extend by 1 to 180 days")
			}
			base := h.BreathingUntil
			if base.Before(today) {
				base = today
			}
			h.BreathingUntil, h.Status = base.AddDate(0, 0, days), collect.HardshipFollowedUp
		case string(collect.HardshipWontPay):
			h.BreathingUntil, h.Status = today.AddDate(0, 0, -1), collect.HardshipWontPay
			if h.BreathingUntil.Before(h.BreathingFrom) {
				h.BreathingUntil = h.BreathingFrom
			}
		case string(collect.HardshipFollowedUp):
			h.Status = collect.HardshipFollowedUp
		default:
			return collect.Errorf(collect.EINVALID, "action", "unknown action")
		}
		if _, err := tx.Exec(ctx, `UPDATE hardships SET status = $2, breathing_until = $3, ended_at = CASE WHEN $2 = $5 THEN $4::timestamptz ELSE ended_at END WHERE id = $1`,
			h.ID, h.Status, h.BreathingUntil, db.Now(), collect.HardshipWontPay); err != nil {
			return dbErr(err, "update hardship")
		}
		return Audit(ctx, tx, "agent:"+agentID, "hardship."+action, h.CreditorID, h.DebtorID, "hardship:"+h.ID, before,
			map[string]any{"status": h.Status, "breathing_until": h.BreathingUntil.Format("2006-01-02")})
	})
}

// breathing loads a debtor's breathing-space periods and whether new costs
// are waived (a hardship that was not ended as "won't pay").
const breathingSQL = `SELECT breathing_from, breathing_until, status FROM hardships WHERE debtor_id = $1`

func breathing(ctx context.Context, q querier, debtorID string) ([]collect.Period, bool, error) {
	return scanBreathing(q.Query(ctx, breathingSQL, debtorID))
}

func scanBreathing(rows pgx.Rows, err error) ([]collect.Period, bool, error) {
	if err != nil {
		return nil, false, dbErr(err, "breathing space")
	}
	defer rows.Close()
	var out []collect.Period
	hardship := false
	for rows.Next() {
		var from, until time.Time
		var status collect.HardshipStatus
		if err := rows.Scan(&from, &until, &status); err != nil {
			return nil, false, dbErr(err, "breathing space")
		}
		out = append(out, collect.Period{From: collect.DateOf(from), To: collect.DateOf(until)})
		if status != collect.HardshipWontPay {
			hardship = true
		}
	}
	return out, hardship, dbErr(rows.Err(), "breathing space")
}

// WaiveCosts writes off the collection costs open on every invoice of the
// debtor of a hardship report. What is due today is booked first, so the
// write-off clears a balance made of entries. One transaction with its audit
// record; the source key "waive:<hardship id>" makes it happen once.
func (db *DB) WaiveCosts(ctx context.Context, agentID, creditorID, hardshipID string) (int64, error) {
	if !validUUID(hardshipID) {
		return 0, collect.Errorf(collect.ENOTFOUND, "", "hardship not found")
	}
	var total int64
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		h, err := scanHardship(tx.QueryRow(ctx, `SELECT `+hardshipCols+` FROM hardships WHERE id = $1 AND creditor_id = $2 FOR UPDATE`, hardshipID, creditorID))
		if err != nil {
			return dbErr(err, "hardship")
		}
		// Once per report: the audit trail says whether it was done before.
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'hardship.waive_costs' AND subject = $1)`, "hardship:"+h.ID).Scan(&done); err != nil {
			return dbErr(err, "earlier waiver")
		}
		if done {
			return collect.Errorf(collect.ECONFLICT, "", "the costs were already waived for this hardship report")
		}
		var invoices map[string]int64
		total, invoices, err = writeOffCostsTx(ctx, tx, h.CreditorID, h.DebtorID, db.Today(), "waive:"+h.ID, "costs waived (hardship)")
		if collect.ErrorCode(err) == collect.ECONFLICT {
			return collect.Errorf(collect.ECONFLICT, "", "the costs were already waived for this hardship report")
		}
		if err != nil {
			return err
		}
		if total == 0 {
			return collect.Errorf(collect.EINVALID, "", "there are no open costs to waive")
		}
		return Audit(ctx, tx, "agent:"+agentID, "hardship.waive_costs", h.CreditorID, h.DebtorID, "hardship:"+h.ID,
			map[string]any{"costs": total}, map[string]any{"costs": 0, "waived": total, "invoices": invoices})
	})
	return total, err
}
