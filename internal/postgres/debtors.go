package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

const debtorCols = `id, creditor_id, external_ref, kind, name, email, phone, language, street, house_number, postcode, city, birth_date`

func scanDebtor(row pgx.Row) (collect.Debtor, error) {
	var d collect.Debtor
	var kind string
	var birth *time.Time
	err := row.Scan(&d.ID, &d.CreditorID, &d.ExternalRef, &kind, &d.Name, &d.Email, &d.Phone, &d.Language,
		&d.Address.Street, &d.Address.HouseNumber, &d.Address.Postcode, &d.Address.City, &birth)
	d.Kind = collect.DebtorKind(kind)
	if birth != nil {
		b := collect.DateOf(*birth)
		d.BirthDate = &b
	}
	return d, err
}

// UpsertDebtor creates a debtor or updates the one with the same external_ref
// at that creditor; created says which happened.
func (db *DB) UpsertDebtor(ctx context.Context, d collect.Debtor) (collect.Debtor, bool, error) {
	var created bool
	row := db.pool.QueryRow(ctx, `INSERT INTO debtors (creditor_id, external_ref, kind, name, email, phone, language, street, house_number, postcode, city, birth_date)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (creditor_id, external_ref) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, email = EXCLUDED.email,
			phone = EXCLUDED.phone, language = EXCLUDED.language, street = EXCLUDED.street, house_number = EXCLUDED.house_number,
			postcode = EXCLUDED.postcode, city = EXCLUDED.city, birth_date = EXCLUDED.birth_date, updated_at = now()
		RETURNING `+debtorCols+`, (xmax = 0)`,
		d.CreditorID, d.ExternalRef, string(d.Kind), d.Name, d.Email, d.Phone, d.Language,
		d.Address.Street, d.Address.HouseNumber, d.Address.Postcode, d.Address.City, d.BirthDate)
	var out collect.Debtor
	var kind string
	var birth *time.Time
	err := row.Scan(&out.ID, &out.CreditorID, &out.ExternalRef, &kind, &out.Name, &out.Email, &out.Phone, &out.Language,
		&out.Address.Street, &out.Address.HouseNumber, &out.Address.Postcode, &out.Address.City, &birth, &created)
	out.Kind = collect.DebtorKind(kind)
	if birth != nil {
		b := collect.DateOf(*birth)
		out.BirthDate = &b
	}
	return out, created, dbErr(err, "upsert debtor")
}

// Debtor loads a debtor of one creditor; another creditor's debtor is not found.
func (db *DB) Debtor(ctx context.Context, creditorID, id string) (collect.Debtor, error) {
	if !validUUID(id) {
		return collect.Debtor{}, collect.Errorf(collect.ENOTFOUND, "", "debtor not found")
	}
	d, err := scanDebtor(db.pool.QueryRow(ctx, `SELECT `+debtorCols+` FROM debtors WHERE id = $1 AND creditor_id = $2`, id, creditorID))
	return d, dbErr(err, "debtor")
}

// DebtorByExternalRef loads a debtor by the creditor's own reference.
func (db *DB) DebtorByExternalRef(ctx context.Context, creditorID, ref string) (collect.Debtor, error) {
	d, err := scanDebtor(db.pool.QueryRow(ctx, `SELECT `+debtorCols+` FROM debtors WHERE external_ref = $1 AND creditor_id = $2`, ref, creditorID))
	return d, dbErr(err, "debtor")
}

// The agent's reads take the creditor ids the agent may see (or one creditor
// id already checked against them), so a console user never reads another
// creditor's data.

// QueueItem is one open request in the agent's work queue.
type QueueItem struct {
	Kind         string // plan, dispute, hardship or task (a ladder's personal follow-up)
	ID           string
	CreatedAt    time.Time
	DebtorID     string
	DebtorName   string
	CreditorID   string
	CreditorName string
	AnswerDays   int
	Detail       string            // for a dispute, hardship report or task: what it is about, in a few words
	Total        int64             // for a plan: its total in cents
	Months       int               // for a plan: its number of instalments
	Frequency    collect.Frequency // for a plan: how often it is paid
	DueOn        time.Time         // for a task: the day it is due
	// AssignedID and AssignedEmail are the agent who works on it ("" for nobody).
	AssignedID    string
	AssignedEmail string
}

// WorkQueue lists open plan proposals, open disputes, open hardship
// reports and open personal follow-ups of the given creditors, oldest first.
func (db *DB) WorkQueue(ctx context.Context, creditorIDs []string, limit int) ([]QueueItem, error) {
	if len(creditorIDs) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `
		SELECT q.kind, q.id::text, q.created_at, d.id::text, d.name, c.id::text, c.name, c.answer_days, q.detail, q.total, q.months, q.frequency, q.due_on,
			coalesce(qa.agent_id::text, ''), coalesce(ag.email, '') FROM (
			SELECT 'plan' AS kind, p.id, p.created_at, p.debtor_id, p.creditor_id, '' AS detail, p.total_cents AS total, p.months, p.frequency, NULL::date AS due_on
			FROM plans p WHERE p.status = 'proposed' AND p.creditor_id = ANY($1)
			UNION ALL
			SELECT 'dispute', x.id, x.created_at, x.debtor_id, x.creditor_id, 'invoice ' || i.number || ', reason: ' || replace(x.reason, '_', ' '), 0, 0, '', NULL
			FROM disputes x JOIN invoices i ON i.id = x.invoice_id WHERE x.status = 'open' AND x.creditor_id = ANY($1)
			UNION ALL
			SELECT 'hardship', h.id, h.created_at, h.debtor_id, h.creditor_id,
				'reason: ' || h.reason || ', breathing space until ' || to_char(h.breathing_until, 'FMDD Mon YYYY'), 0, 0, '', NULL
			FROM hardships h WHERE h.status = 'open' AND h.creditor_id = ANY($1)
			UNION ALL
			SELECT 'task', t.id, t.created_at, t.debtor_id, t.creditor_id,
				coalesce('invoice ' || i.number || ' still open, ', '') || 'ladder step: ' || replace(t.kind, '_', ' '), 0, 0, '', t.due_on
			FROM agent_tasks t LEFT JOIN invoices i ON i.id = t.invoice_id WHERE t.done_at IS NULL AND t.creditor_id = ANY($1)
		) q
		JOIN debtors d ON d.id = q.debtor_id AND d.creditor_id = q.creditor_id
		JOIN creditors c ON c.id = q.creditor_id
		LEFT JOIN queue_assignments qa ON qa.kind = q.kind AND qa.item_id = q.id
		LEFT JOIN agents ag ON ag.id = qa.agent_id
		ORDER BY q.created_at, q.id
		LIMIT $2`, creditorIDs, limit)
	if err != nil {
		return nil, dbErr(err, "work queue")
	}
	return collectRows(rows, func(r pgx.Row) (QueueItem, error) {
		var q QueueItem
		var due *time.Time
		err := r.Scan(&q.Kind, &q.ID, &q.CreatedAt, &q.DebtorID, &q.DebtorName, &q.CreditorID, &q.CreditorName, &q.AnswerDays, &q.Detail, &q.Total, &q.Months, &q.Frequency, &due, &q.AssignedID, &q.AssignedEmail)
		if due != nil {
			q.DueOn = *due
		}
		return q, err
	}, "work queue")
}

// DebtorOfCreditors loads a debtor only when it belongs to one of the given
// creditors; any other id is not found.
func (db *DB) DebtorOfCreditors(ctx context.Context, creditorIDs []string, id string) (collect.Debtor, error) {
	if !validUUID(id) || len(creditorIDs) == 0 {
		return collect.Debtor{}, collect.Errorf(collect.ENOTFOUND, "", "debtor not found")
	}
	d, err := scanDebtor(db.pool.QueryRow(ctx, `SELECT `+debtorCols+` FROM debtors WHERE id = $1 AND creditor_id = ANY($2)`, id, creditorIDs))
	return d, dbErr(err, "debtor")
}
