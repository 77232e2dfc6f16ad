package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// SignalFacts reads what the early-signal rules look at, per creditor and
// debtor: invoices paid in full (the day of their last payment; only the
// last paidPerDebtor by due date), and payments that failed or were charged
// back, promises and plans broken and breathing room ending on or after
// since. Debtors with none of these are left out.
func (db *DB) SignalFacts(ctx context.Context, since time.Time, paidPerDebtor int) ([]collect.SignalFacts, error) {
	since = collect.DateOf(since)
	facts := map[[2]string]*collect.SignalFacts{}
	var order [][2]string
	of := func(creditorID, debtorID string) *collect.SignalFacts {
		k := [2]string{creditorID, debtorID}
		if f, ok := facts[k]; ok {
			return f
		}
		facts[k] = &collect.SignalFacts{CreditorID: creditorID, DebtorID: debtorID}
		order = append(order, k)
		return facts[k]
	}
	rows, err := db.pool.Query(ctx, `SELECT creditor_id, debtor_id, id, due_date, paid_on FROM (
			SELECT i.creditor_id, i.debtor_id, i.id, i.due_date,
				max(e.booked_on) FILTER (WHERE e.kind = 'payment') AS paid_on,
				row_number() OVER (PARTITION BY i.creditor_id, i.debtor_id ORDER BY i.due_date DESC, i.id DESC) AS n
			FROM invoices i JOIN ledger_entries e ON e.invoice_id = i.id AND e.account = 'principal'
			GROUP BY i.id
			HAVING sum(e.amount_cents) <= 0 AND count(*) FILTER (WHERE e.kind = 'payment') > 0) p
		WHERE n <= $1 ORDER BY creditor_id, debtor_id, due_date`, paidPerDebtor)
	if err != nil {
		return nil, dbErr(err, "signal facts: paid invoices")
	}
	var c, d string
	var p collect.PaidInvoice
	if _, err := pgx.ForEachRow(rows, []any{&c, &d, &p.InvoiceID, &p.Due, &p.PaidOn}, func() error {
		f := of(c, d)
		f.Paid = append(f.Paid, p)
		return nil
	}); err != nil {
		return nil, dbErr(err, "signal facts: paid invoices")
	}
	// Each event query answers creditor, debtor, subject id, day, reason.
	events := []struct {
		what string
		sql  string
		add  func(*collect.SignalFacts, collect.SignalEvent)
	}{
		{"payment problems", `SELECT creditor_id, debtor_id, id, updated_at::date,
				CASE WHEN status = 'failed' THEN 'payment_failed' ELSE 'charged_back' END
			FROM payments WHERE (status IN ('failed', 'charged_back') OR charged_back_cents > 0) AND updated_at >= $1`,
			func(f *collect.SignalFacts, e collect.SignalEvent) { f.PaymentProblems = append(f.PaymentProblems, e) }},
		{"broken promises and plans", `SELECT creditor_id, debtor_id, id, decided_at::date, 'promise_broken'
				FROM promises WHERE status = 'broken' AND decided_at >= $1
			UNION ALL SELECT creditor_id, debtor_id, id, coalesce(decided_at, created_at)::date, 'plan_broken'
				FROM plans WHERE status = 'broken' AND coalesce(decided_at, created_at) >= $1`,
			func(f *collect.SignalFacts, e collect.SignalEvent) { f.Broken = append(f.Broken, e) }},
		{"breathing room", `SELECT creditor_id, debtor_id, id, breathing_until, '' FROM hardships WHERE breathing_until >= $1`,
			func(f *collect.SignalFacts, e collect.SignalEvent) { f.BreathingEnds = append(f.BreathingEnds, e) }},
	}
	for _, q := range events {
		rows, err := db.pool.Query(ctx, q.sql, since)
		if err != nil {
			return nil, dbErr(err, "signal facts: "+q.what)
		}
		var e collect.SignalEvent
		if _, err := pgx.ForEachRow(rows, []any{&c, &d, &e.ID, &e.On, &e.Why}, func() error {
			q.add(of(c, d), e)
			return nil
		}); err != nil {
			return nil, dbErr(err, "signal facts: "+q.what)
		}
	}
	out := make([]collect.SignalFacts, 0, len(order))
	for _, k := range order {
		out = append(out, *facts[k])
	}
	return out, nil
}

// SignalKey names a signal the way the table keeps it unique.
func SignalKey(s collect.Signal) string {
	return s.CreditorID + "|" + s.DebtorID + "|" + string(s.Rule) + "|" + s.Subject
}

// RaisedSignals returns the keys (SignalKey) of every signal raised so far,
// open or dismissed.
func (db *DB) RaisedSignals(ctx context.Context) (map[string]bool, error) {
	rows, err := db.pool.Query(ctx, `SELECT creditor_id::text || '|' || debtor_id::text || '|' || rule || '|' || subject FROM signals`)
	if err != nil {
		return nil, dbErr(err, "raised signals")
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, dbErr(err, "raised signals")
	}
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out, nil
}

// CheckinState says whether a creditor sends check-in messages and when its
// last one to a debtor was made (nil: never).
func (db *DB) CheckinState(ctx context.Context, creditorID, debtorID string) (on bool, last *time.Time, err error) {
	err = db.pool.QueryRow(ctx, `SELECT c.signal_checkin,
			(SELECT max(m.created_at) FROM messages m WHERE m.creditor_id = c.id AND m.debtor_id = $2 AND m.kind = $3)
		FROM creditors c WHERE c.id = $1`, creditorID, debtorID, collect.KindSignalCheckin).Scan(&on, &last)
	return on, last, dbErr(err, "check-in state")
}

// RaiseSignal stores a new signal with its audit record (signal.raised)
// and, when checkin is not nil, schedules that check-in message in the
// same transaction, unless another check-in to the debtor was made after
// checkinAfter (a second run got there first). A signal raised before for
// the same rule and subject is left as it is, and raised is false.
func (db *DB) RaiseSignal(ctx context.Context, s collect.Signal, checkin *OutboxMessage, checkinAfter, now time.Time) (raised bool, err error) {
	err = db.WithTx(ctx, func(tx pgx.Tx) error {
		if err := lockDebtor(ctx, tx, s.DebtorID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO signals (creditor_id, debtor_id, rule, reason, subject, since, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (creditor_id, debtor_id, rule, subject) DO NOTHING RETURNING id`,
			s.CreditorID, s.DebtorID, s.Rule, s.Reason, s.Subject, collect.DateOf(s.Since), now).Scan(&s.ID)
		if collect.IsNotFound(dbErr(err, "")) {
			return nil
		}
		if err != nil {
			return dbErr(err, "raise signal")
		}
		raised = true
		after := map[string]any{"rule": s.Rule, "reason": s.Reason, "subject": s.Subject, "since": s.Since.Format(time.DateOnly),
			"signal_id": s.ID, "creditor_id": s.CreditorID, "debtor_id": s.DebtorID}
		if err := Audit(ctx, tx, "system:signals", "signal.raised", s.CreditorID, s.DebtorID, "signal:"+s.ID, nil, after); err != nil {
			return err
		}
		if checkin == nil {
			return nil
		}
		var sent bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE creditor_id = $1 AND debtor_id = $2 AND kind = $3 AND created_at > $4)`,
			s.CreditorID, s.DebtorID, collect.KindSignalCheckin, checkinAfter).Scan(&sent); err != nil || sent {
			return dbErr(err, "check-in sent")
		}
		_, err = scheduleMessages(ctx, tx, []OutboxMessage{*checkin}, now)
		return err
	})
	return raised, err
}

const signalCols = `s.id, s.creditor_id, s.debtor_id, s.rule, s.reason, s.subject, s.since, s.status, s.note, s.created_at,
	s.dismissed_at, d.name`

func scanSignal(r pgx.Row) (collect.Signal, error) {
	var s collect.Signal
	err := r.Scan(&s.ID, &s.CreditorID, &s.DebtorID, &s.Rule, &s.Reason, &s.Subject, &s.Since, &s.Status, &s.Note, &s.CreatedAt,
		&s.DismissedAt, &s.DebtorName)
	return s, err
}

// OpenSignals lists the open signals of the given creditors, of one debtor
// when debtorID is not "", the most recent first.
func (db *DB) OpenSignals(ctx context.Context, creditorIDs []string, debtorID string) ([]collect.Signal, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+signalCols+` FROM signals s JOIN debtors d ON d.id = s.debtor_id
		WHERE s.creditor_id = ANY($1) AND s.status = 'open' AND ($2 = '' OR s.debtor_id::text = $2)
		ORDER BY s.since DESC, s.created_at DESC, s.id`, creditorIDs, debtorID)
	if err != nil {
		return nil, dbErr(err, "signals")
	}
	return collectRows(rows, scanSignal, "signals")
}

// DismissSignal closes an open signal of one of the given creditors with
// the agent's note, with its audit record. Any other id is not found; a
// signal dismissed before is a conflict. It returns the signal as it was.
func (db *DB) DismissSignal(ctx context.Context, agentID string, creditorIDs []string, signalID, note string, now time.Time) (collect.Signal, error) {
	if !validUUID(signalID) || len(creditorIDs) == 0 {
		return collect.Signal{}, collect.Errorf(collect.ENOTFOUND, "", "signal not found")
	}
	var s collect.Signal
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		s, err = scanSignal(tx.QueryRow(ctx, `SELECT `+signalCols+` FROM signals s JOIN debtors d ON d.id = s.debtor_id
			WHERE s.id = $1 AND s.creditor_id = ANY($2) FOR UPDATE OF s`, signalID, creditorIDs))
		if err != nil {
			return dbErr(err, "signal")
		}
		if s.Status != collect.SignalOpen {
			return collect.Errorf(collect.ECONFLICT, "", "this signal was already dismissed")
		}
		if _, err := tx.Exec(ctx, `UPDATE signals SET status = $2, note = $3, dismissed_at = $4, dismissed_by = $5 WHERE id = $1`,
			s.ID, collect.SignalDismissed, note, now, agentID); err != nil {
			return dbErr(err, "dismiss signal")
		}
		return Audit(ctx, tx, "agent:"+agentID, "signal.dismissed", s.CreditorID, s.DebtorID, "signal:"+s.ID,
			map[string]any{"status": s.Status, "rule": s.Rule, "reason": s.Reason},
			map[string]any{"status": collect.SignalDismissed, "note": note})
	})
	return s, err
}

// SetSignalCheckin turns a creditor's check-in messages on or off, with its
// audit record.
func (db *DB) SetSignalCheckin(ctx context.Context, actor, creditorID string, on bool) error {
	if !validUUID(creditorID) {
		return collect.Errorf(collect.ENOTFOUND, "", "creditor not found")
	}
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		var before bool
		if err := tx.QueryRow(ctx, `SELECT signal_checkin FROM creditors WHERE id = $1 FOR UPDATE`, creditorID).Scan(&before); err != nil {
			return dbErr(err, "creditor")
		}
		if _, err := tx.Exec(ctx, `UPDATE creditors SET signal_checkin = $2 WHERE id = $1`, creditorID, on); err != nil {
			return dbErr(err, "set check-in")
		}
		return Audit(ctx, tx, actor, "creditor.signal_checkin", creditorID, "", "creditor:"+creditorID,
			map[string]any{"signal_checkin": before}, map[string]any{"signal_checkin": on})
	})
}
