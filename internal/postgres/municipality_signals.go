package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// Vroegsignalering's storage: the creditor's kind, the dated thresholds,
// the postcode table and the signal list. The rule is collect's
// DecideMunicipalSignal; casework passes the facts read here to it.

// CreditorKind is what the creditor supplies.
func (db *DB) CreditorKind(ctx context.Context, creditorID string) (collect.CreditorKind, error) {
	if !validUUID(creditorID) {
		return "", collect.Errorf(collect.ENOTFOUND, "", "creditor not found")
	}
	var k string
	err := db.pool.QueryRow(ctx, `SELECT creditor_kind FROM creditors WHERE id = $1`, creditorID).Scan(&k)
	return collect.CreditorKind(k), dbErr(err, "creditor kind")
}

// SetCreditorKind records what the creditor supplies, with its audit record.
func (db *DB) SetCreditorKind(ctx context.Context, actor, creditorID string, kind collect.CreditorKind) error {
	if !validUUID(creditorID) {
		return collect.Errorf(collect.ENOTFOUND, "", "creditor not found")
	}
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var before string
		if err := tx.QueryRow(ctx, `SELECT creditor_kind FROM creditors WHERE id = $1 FOR UPDATE`, creditorID).Scan(&before); err != nil {
			return dbErr(err, "creditor kind")
		}
		if _, err := tx.Exec(ctx, `UPDATE creditors SET creditor_kind = $2 WHERE id = $1`, creditorID, string(kind)); err != nil {
			return dbErr(err, "set creditor kind")
		}
		return Audit(ctx, tx, actor, "creditor.kind_set", creditorID, "", "creditor:"+creditorID,
			map[string]any{"kind": before}, map[string]any{"kind": string(kind)})
	})
}

// MunicipalThresholds loads the whole dated threshold table.
func (db *DB) MunicipalThresholds(ctx context.Context) (collect.MunicipalThresholds, error) {
	rows, err := db.pool.Query(ctx, `SELECT kind, valid_from, min_days_overdue, min_arrears_cents, source
		FROM signal_thresholds ORDER BY kind, valid_from`)
	if err != nil {
		return nil, dbErr(err, "signal thresholds")
	}
	return collectRows(rows, func(r pgx.Row) (collect.MunicipalThreshold, error) {
		var t collect.MunicipalThreshold
		var kind string
		err := r.Scan(&kind, &t.From, &t.MinDaysOverdue, &t.MinArrears, &t.Source)
		t.Kind = collect.CreditorKind(kind)
		return t, err
	}, "signal thresholds")
}

// AddMunicipalThreshold adds a dated row; a row for the same kind and day
// is a conflict (delete it first, on purpose).
func (db *DB) AddMunicipalThreshold(ctx context.Context, t collect.MunicipalThreshold) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO signal_thresholds (kind, valid_from, min_days_overdue, min_arrears_cents, source)
		VALUES ($1, $2, $3, $4, $5)`, string(t.Kind), t.From, t.MinDaysOverdue, t.MinArrears, t.Source)
	return dbErr(err, "add signal threshold")
}

// MunicipalityRow is one postcode range of the municipality table.
type MunicipalityRow struct {
	From, To  string // normalised postcodes, "1234AA"
	ValidFrom time.Time
	Code      string // CBS code, "GM0363"
	Name      string
	Source    string
}

// LoadMunicipalities adds or replaces postcode ranges in one transaction
// (a range starting at the same postcode on the same day is replaced).
func (db *DB) LoadMunicipalities(ctx context.Context, rows []MunicipalityRow) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, r := range rows {
			b.Queue(`INSERT INTO postcode_municipalities (pc_from, pc_to, valid_from, code, name, source) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (pc_from, valid_from) DO UPDATE SET pc_to = excluded.pc_to, code = excluded.code, name = excluded.name, source = excluded.source`,
				r.From, r.To, r.ValidFrom, r.Code, r.Name, r.Source)
		}
		return dbErr(tx.SendBatch(ctx, b).Close(), "load municipalities")
	})
}

// MunicipalityOf finds the municipality of a normalised postcode on day:
// the narrowest range holding it, of the latest table in force. Both are
// empty when no range holds it.
func (db *DB) MunicipalityOf(ctx context.Context, postcode string, day time.Time) (code, name string, err error) {
	err = db.pool.QueryRow(ctx, `SELECT code, name FROM postcode_municipalities
		WHERE pc_from <= $1 AND pc_to >= $1 AND valid_from <= $2
		ORDER BY valid_from DESC, pc_to DESC, pc_from DESC LIMIT 1`, postcode, day).Scan(&code, &name)
	if err == pgx.ErrNoRows {
		return "", "", nil
	}
	return code, name, dbErr(err, "municipality")
}

// MunicipalCandidate is a consumer of a signalling creditor with an
// invoice past its due date: the daily run looks at each.
type MunicipalCandidate struct {
	CreditorID string
	DebtorID   string
	Kind       collect.CreditorKind
}

// MunicipalCandidates lists the consumers of creditors of a kind other
// than "other" with an invoice due before today.
func (db *DB) MunicipalCandidates(ctx context.Context, today time.Time) ([]MunicipalCandidate, error) {
	rows, err := db.pool.Query(ctx, `SELECT DISTINCT c.id::text, d.id::text, c.creditor_kind
		FROM creditors c JOIN debtors d ON d.creditor_id = c.id JOIN invoices i ON i.debtor_id = d.id
		WHERE c.creditor_kind <> 'other' AND d.kind = 'consumer' AND i.due_date < $1
		ORDER BY 1, 2`, today)
	if err != nil {
		return nil, dbErr(err, "signal candidates")
	}
	return collectRows(rows, func(r pgx.Row) (MunicipalCandidate, error) {
		var m MunicipalCandidate
		var kind string
		err := r.Scan(&m.CreditorID, &m.DebtorID, &kind)
		m.Kind = collect.CreditorKind(kind)
		return m, err
	}, "signal candidates")
}

// MunicipalEfforts are the first day (in the Netherlands) of each effort
// Settle recorded for a debtor at a creditor, and whether a plan runs.
type MunicipalEfforts struct {
	ReminderOn, PlanOfferedOn, ContactOn *time.Time
	PlanRunning                          bool
}

// Efforts reads the efforts: reminders are sent messages and notices;
// plan offers are plans in offerStatuses (the day an agent offered or
// agreed to it); contact attempts are agent tasks done and sent messages of
// contactKinds (an agent's own words).
func (db *DB) Efforts(ctx context.Context, creditorID, debtorID string, offerStatuses, contactKinds []string) (MunicipalEfforts, error) {
	var e MunicipalEfforts
	err := db.pool.QueryRow(ctx, `SELECT
		least((SELECT min(sent_on) FROM notices WHERE creditor_id = $1 AND debtor_id = $2),
		      (SELECT min((sent_at AT TIME ZONE 'Europe/Amsterdam')::date) FROM messages
		        WHERE creditor_id = $1 AND debtor_id = $2 AND sent_at IS NOT NULL AND state IN ('sent', 'delivered'))),
		(SELECT min((coalesce(decided_at, created_at) AT TIME ZONE 'Europe/Amsterdam')::date) FROM plans
		  WHERE creditor_id = $1 AND debtor_id = $2 AND status = ANY($3)),
		least((SELECT min((done_at AT TIME ZONE 'Europe/Amsterdam')::date) FROM agent_tasks
		        WHERE creditor_id = $1 AND debtor_id = $2 AND done_at IS NOT NULL),
		      (SELECT min((sent_at AT TIME ZONE 'Europe/Amsterdam')::date) FROM messages
		        WHERE creditor_id = $1 AND debtor_id = $2 AND sent_at IS NOT NULL AND state IN ('sent', 'delivered') AND kind = ANY($4))),
		EXISTS (SELECT 1 FROM plans WHERE creditor_id = $1 AND debtor_id = $2 AND status = 'approved')`,
		creditorID, debtorID, offerStatuses, contactKinds).Scan(&e.ReminderOn, &e.PlanOfferedOn, &e.ContactOn, &e.PlanRunning)
	return e, dbErr(err, "efforts")
}

// RaiseMunicipalSignal puts a consumer on the list with the audit record
// signal.raised; raised is false when this arrears episode (the same oldest
// due date) is already on it, and then nothing is written.
func (db *DB) RaiseMunicipalSignal(ctx context.Context, s collect.MunicipalitySignal, now time.Time) (raised bool, err error) {
	err = db.WithTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO municipality_signals (creditor_id, debtor_id, creditor_kind, oldest_due, arrears_cents,
				municipality_code, municipality_name, raised_on, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (creditor_id, debtor_id, oldest_due) DO NOTHING RETURNING id::text`,
			s.CreditorID, s.DebtorID, string(s.Kind), s.OldestDue, s.Arrears, s.MunicipalityCode, s.MunicipalityName, s.RaisedOn, now).Scan(&s.ID)
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return dbErr(err, "raise signal")
		}
		raised = true
		return Audit(ctx, tx, "system", "signal.raised", s.CreditorID, s.DebtorID, "municipality_signal:"+s.ID, nil,
			map[string]any{"signal_id": s.ID, "rule": "vroegsignalering", "creditor_kind": string(s.Kind),
				"arrears_cents": s.Arrears, "raised_on": s.RaisedOn.Format(time.DateOnly), "municipality_code": s.MunicipalityCode})
	})
	return raised, err
}

const municipalSignalColumns = `s.id::text, s.creditor_id::text, s.debtor_id::text, s.creditor_kind, s.raised_on,
	s.municipality_code, s.municipality_name, d.external_ref, d.name, d.street, d.house_number, d.postcode, d.city,
	d.email, d.phone, s.arrears_cents, s.oldest_due, s.outcome, s.outcome_note, s.outcome_on
	FROM municipality_signals s JOIN debtors d ON d.id = s.debtor_id`

func scanMunicipalSignal(r pgx.Row) (collect.MunicipalitySignal, error) {
	var s collect.MunicipalitySignal
	var kind, outcome string
	err := r.Scan(&s.ID, &s.CreditorID, &s.DebtorID, &kind, &s.RaisedOn, &s.MunicipalityCode, &s.MunicipalityName,
		&s.CustomerNumber, &s.Name, &s.Address.Street, &s.Address.HouseNumber, &s.Address.Postcode, &s.Address.City,
		&s.Email, &s.Phone, &s.Arrears, &s.OldestDue, &outcome, &s.OutcomeNote, &s.OutcomeOn)
	s.Kind, s.Outcome = collect.CreditorKind(kind), collect.MunicipalOutcome(outcome)
	return s, err
}

// MunicipalSignals lists a creditor's signals, newest first, by municipality.
func (db *DB) MunicipalSignals(ctx context.Context, creditorID string) ([]collect.MunicipalitySignal, error) {
	if !validUUID(creditorID) {
		return nil, collect.Errorf(collect.ENOTFOUND, "", "creditor not found")
	}
	rows, err := db.pool.Query(ctx, `SELECT `+municipalSignalColumns+`
		WHERE s.creditor_id = $1 ORDER BY s.raised_on DESC, s.municipality_name, d.name, s.id`, creditorID)
	if err != nil {
		return nil, dbErr(err, "signals")
	}
	return collectRows(rows, scanMunicipalSignal, "signals")
}

// RecordMunicipalOutcome records what the municipality reported about a
// signal of one of creditorIDs, with the audit record signal.outcome on the
// debtor's file.
func (db *DB) RecordMunicipalOutcome(ctx context.Context, agentID string, creditorIDs []string, signalID string,
	outcome collect.MunicipalOutcome, note string, on time.Time) (collect.MunicipalitySignal, error) {
	var s collect.MunicipalitySignal
	if !validUUID(signalID) || len(creditorIDs) == 0 {
		return s, collect.Errorf(collect.ENOTFOUND, "", "signal not found")
	}
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		s, err = scanMunicipalSignal(tx.QueryRow(ctx, `SELECT `+municipalSignalColumns+`
			WHERE s.id = $1 AND s.creditor_id = ANY($2::uuid[]) FOR UPDATE OF s`, signalID, creditorIDs))
		if err != nil {
			return dbErr(err, "signal")
		}
		before := map[string]any{"outcome": string(s.Outcome), "note": s.OutcomeNote}
		if _, err := tx.Exec(ctx, `UPDATE municipality_signals SET outcome = $2, outcome_note = $3, outcome_on = $4, outcome_by = $5 WHERE id = $1`,
			signalID, string(outcome), note, on, agentID); err != nil {
			return dbErr(err, "record outcome")
		}
		s.Outcome, s.OutcomeNote, s.OutcomeOn = outcome, note, &on
		return Audit(ctx, tx, "agent:"+agentID, "signal.outcome", s.CreditorID, s.DebtorID, "municipality_signal:"+s.ID, before,
			map[string]any{"signal_id": s.ID, "outcome": string(outcome), "note": note, "on": on.Format(time.DateOnly)})
	})
	return s, err
}

// AddAgentTask asks an agent for a personal follow-up of a debtor, due on
// dueOn (the demo's "call them" task; the ladder's task steps write their
// own in RunLadderStep).
func (db *DB) AddAgentTask(ctx context.Context, creditorID, debtorID, kind string, dueOn time.Time) (string, error) {
	var id string
	err := db.pool.QueryRow(ctx, `INSERT INTO agent_tasks (creditor_id, debtor_id, kind, due_on, created_at)
		SELECT creditor_id, id, $3, $4, $5 FROM debtors WHERE id = $2 AND creditor_id = $1 RETURNING id::text`,
		creditorID, debtorID, kind, dueOn, db.Now()).Scan(&id)
	return id, dbErr(err, "add agent task")
}
