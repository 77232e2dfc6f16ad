package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// DebtorHit is one person found by the console's search, with what matched.
type DebtorHit struct {
	ID           string
	Name         string
	ExternalRef  string
	Postcode     string
	City         string
	Email        string
	Phone        string
	CreditorName string
	Matched      []string // e.g. "name", "postcode", "invoice F-1"
}

// SearchDebtors finds the debtors of the given creditors that match any of
// the terms, by name first. Each branch reads one index of migration 00028
// (or a unique key); the creditor filter sits in every branch and again on
// the join, so another creditor's debtor never comes back.
func (db *DB) SearchDebtors(ctx context.Context, creditorIDs []string, t collect.SearchTerms, limit int) ([]DebtorHit, error) {
	if len(creditorIDs) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `
		SELECT d.id::text, d.name, d.external_ref, d.postcode, d.city, d.email, d.phone, c.name,
			array_agg(DISTINCT m.why ORDER BY m.why)
		FROM (
			SELECT id AS debtor_id, 'name' AS why FROM debtors
				WHERE $2 <> '' AND lower(name) LIKE $2 AND creditor_id = ANY($1)
			UNION ALL SELECT id, 'customer reference' FROM debtors
				WHERE external_ref = $3 AND creditor_id = ANY($1)
			UNION ALL SELECT id, 'postcode' FROM debtors
				WHERE $4 <> '' AND postcode <> '' AND upper(replace(postcode, ' ', '')) LIKE $4 || '%' AND creditor_id = ANY($1)
			UNION ALL SELECT id, 'email' FROM debtors
				WHERE $5 <> '' AND email <> '' AND lower(email) = $5 AND creditor_id = ANY($1)
			UNION ALL SELECT id, 'phone' FROM debtors
				WHERE $6 <> '' AND phone <> '' AND right(regexp_replace(phone, '[^0-9]', '', 'g'), 9) = $6 AND creditor_id = ANY($1)
			UNION ALL SELECT debtor_id, 'invoice ' || number FROM invoices
				WHERE upper(number) = $7 AND creditor_id = ANY($1)
			UNION ALL SELECT debtor_id, 'payment reference of invoice ' || number FROM invoices
				WHERE $8 <> '' AND payment_reference = $8 AND creditor_id = ANY($1)
		) m
		JOIN debtors d ON d.id = m.debtor_id AND d.creditor_id = ANY($1)
		JOIN creditors c ON c.id = d.creditor_id
		GROUP BY d.id, c.name
		ORDER BY lower(d.name), d.id
		LIMIT $9`, creditorIDs, t.NamePattern, t.CustomerRef, t.Postcode, t.Email, t.Phone, t.Number, t.Reference, limit)
	if err != nil {
		return nil, dbErr(err, "search debtors")
	}
	return collectRows(rows, func(r pgx.Row) (DebtorHit, error) {
		var h DebtorHit
		err := r.Scan(&h.ID, &h.Name, &h.ExternalRef, &h.Postcode, &h.City, &h.Email, &h.Phone, &h.CreditorName, &h.Matched)
		return h, err
	}, "search debtors")
}

// AssigneeOption is a console user who may be given a request of a creditor.
type AssigneeOption struct {
	ID    string
	Email string
}

// Assignees lists the console users who work for at least one of the given
// creditors, and the admins (who see every creditor). AssignQueueItem
// checks the creditor of the request itself.
func (db *DB) Assignees(ctx context.Context, creditorIDs []string) ([]AssigneeOption, error) {
	rows, err := db.pool.Query(ctx, `SELECT a.id::text, a.email FROM agents a
		WHERE a.role = 'admin' OR EXISTS (SELECT 1 FROM agent_creditors ac WHERE ac.agent_id = a.id AND ac.creditor_id = ANY($1))
		ORDER BY a.email`, creditorIDs)
	if err != nil {
		return nil, dbErr(err, "assignees")
	}
	return collectRows(rows, func(r pgx.Row) (AssigneeOption, error) {
		var a AssigneeOption
		return a, r.Scan(&a.ID, &a.Email)
	}, "assignees")
}

// Assignment is who works on one open request of the work queue.
type Assignment struct {
	Kind    string // plan, dispute, hardship or task
	ItemID  string
	AgentID string // "" takes the request off anyone's list
	By      string // the agent who assigns
}

// AssignQueueItem gives an open request of one of creditorIDs to an agent
// who may see its creditor, or takes it off anyone (AgentID ""), with an
// audit record on the debtor's file. A request that is not open, or not of
// those creditors, is not found; an agent who may not see the creditor is
// invalid.
func (db *DB) AssignQueueItem(ctx context.Context, creditorIDs []string, a Assignment) error {
	q, known := queueTables[a.Kind]
	if !known || !validUUID(a.ItemID) || len(creditorIDs) == 0 || (a.AgentID != "" && !validUUID(a.AgentID)) {
		return collect.Errorf(collect.ENOTFOUND, "", "request not found")
	}
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var creditorID, debtorID, before string
		err := tx.QueryRow(ctx, `SELECT x.creditor_id::text, x.debtor_id::text, coalesce(qa.agent_id::text, '')
			FROM `+q.table+` x LEFT JOIN queue_assignments qa ON qa.kind = $3 AND qa.item_id = x.id
			WHERE x.id = $1 AND x.creditor_id = ANY($2) AND `+q.open+` FOR UPDATE OF x`, a.ItemID, creditorIDs, a.Kind).Scan(&creditorID, &debtorID, &before)
		if err != nil {
			return dbErr(err, "queue item")
		}
		if a.AgentID == "" {
			if _, err := tx.Exec(ctx, `DELETE FROM queue_assignments WHERE kind = $1 AND item_id = $2`, a.Kind, a.ItemID); err != nil {
				return dbErr(err, "unassign")
			}
		} else {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM agents a WHERE a.id = $1 AND (a.role = 'admin'
				OR EXISTS (SELECT 1 FROM agent_creditors ac WHERE ac.agent_id = a.id AND ac.creditor_id = $2)))`, a.AgentID, creditorID).Scan(&ok); err != nil {
				return dbErr(err, "assignee")
			}
			if !ok {
				return collect.Errorf(collect.EINVALID, "agent", "this person does not work for the request's creditor")
			}
			if _, err := tx.Exec(ctx, `INSERT INTO queue_assignments (kind, item_id, creditor_id, agent_id, assigned_by, assigned_at)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (kind, item_id) DO UPDATE SET agent_id = EXCLUDED.agent_id, assigned_by = EXCLUDED.assigned_by, assigned_at = EXCLUDED.assigned_at`,
				a.Kind, a.ItemID, creditorID, a.AgentID, a.By, db.Now()); err != nil {
				return dbErr(err, "assign")
			}
		}
		return Audit(ctx, tx, "agent:"+a.By, "queue.assigned", creditorID, debtorID, a.Kind+":"+a.ItemID,
			map[string]any{"agent_id": before}, map[string]any{"agent_id": a.AgentID})
	})
}

// queueTables maps a work queue kind to its table and what makes a row of
// it open (as WorkQueue lists them).
var queueTables = map[string]struct{ table, open string }{
	"plan":     {"plans", "x.status = 'proposed'"},
	"dispute":  {"disputes", "x.status = 'open'"},
	"hardship": {"hardships", "x.status = 'open'"},
	"task":     {"agent_tasks", "x.done_at IS NULL"},
}
