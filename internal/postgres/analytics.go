package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// The creditor analytics: each figure for one creditor and a period of
// Dutch days (from and to included), read set-based with one statement per
// figure, in one read-only snapshot so that the figures agree with each
// other. The definitions are in docs/analytics.md; keep the two in step.

// Analytics are the raw counts and sums of a creditor's period; the use
// case (casework.Analytics) turns them into rates.
type Analytics struct {
	Resolved, ResolvedSelf int // debtors whose case was resolved in the period, and of those without an agent
	PromisesKept           int
	PromisesDecided        int // kept plus broken
	PlansCompleted         int
	PlansEnded             int // completed plus broken
	DaysToPay              DaysToPay
	ByChannel              []AmountCount // payments by the channel of the last message before them
	ByMethod               []MethodTotal // payments by payment method (ReceivedByMethod)
	Disputes               []KeyCount    // opened in the period, by their status now
	Hardships              []KeyCount    // reported in the period, by reason
	Messages               []MessageCount
}

// DaysToPay is the days from a debtor's first message to their first
// payment, over the debtors who first paid in the period.
type DaysToPay struct {
	Debtors int
	Median  int
	Average float64 // rounded to one decimal
}

// AmountCount is money and the number of payments under one key.
type AmountCount struct {
	Key      string
	Amount   int64
	Payments int
}

// KeyCount is a number under one key.
type KeyCount struct {
	Key   string
	Count int
}

// MessageCount is the messages sent by one channel and how many of them
// were opened.
type MessageCount struct {
	Channel string
	Sent    int
	Opened  int
}

// dutchTime is where the period's days begin and end.
var dutchTime = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic("no time zone data for Europe/Amsterdam: " + err.Error())
	}
	return loc
}()

// OpenedWithin is how long after a message a sign-in through a link of its
// channel counts as the message opened.
const OpenedWithin = 14 * 24 * time.Hour

// CreditorAnalytics reads the figures of creditorID for the Dutch days from
// to to.
func (db *DB) CreditorAnalytics(ctx context.Context, creditorID string, from, to time.Time) (Analytics, error) {
	var a Analytics
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, dutchTime)
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, dutchTime)
	from, to = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC), time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return a, dbErr(err, "analytics")
	}
	defer func() { _ = tx.Rollback(ctx) }()

	// Resolved: paid in the period and owing nothing at its end.
	if err := tx.QueryRow(ctx, `WITH paid AS (
			SELECT DISTINCT debtor_id FROM ledger_entries WHERE creditor_id = $1 AND kind = 'payment' AND booked_on BETWEEN $2 AND $3),
		resolved AS (
			SELECT p.debtor_id FROM paid p JOIN ledger_entries e ON e.debtor_id = p.debtor_id AND e.creditor_id = $1 AND e.booked_on <= $3
			GROUP BY p.debtor_id HAVING sum(e.amount_cents) <= 0)
		SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (
			SELECT 1 FROM audit_log l WHERE l.debtor_id = r.debtor_id AND l.creditor_id = $1 AND l.actor LIKE 'agent:%'))
		FROM resolved r`, creditorID, from, to).Scan(&a.Resolved, &a.ResolvedSelf); err != nil {
		return a, dbErr(err, "analytics: resolved")
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'kept'), count(*) FROM promises
		WHERE creditor_id = $1 AND status IN ('kept', 'broken') AND decided_at >= $2 AND decided_at < $3`, creditorID, start, end).
		Scan(&a.PromisesKept, &a.PromisesDecided); err != nil {
		return a, dbErr(err, "analytics: promises")
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'completed'), count(*) FROM plans
		WHERE creditor_id = $1 AND status IN ('completed', 'broken') AND decided_at >= $2 AND decided_at < $3`, creditorID, start, end).
		Scan(&a.PlansCompleted, &a.PlansEnded); err != nil {
		return a, dbErr(err, "analytics: plans")
	}
	if err := tx.QueryRow(ctx, `WITH first_paid AS (
			SELECT debtor_id, min(booked_on) AS paid_on FROM ledger_entries WHERE creditor_id = $1 AND kind = 'payment'
			GROUP BY debtor_id HAVING min(booked_on) BETWEEN $2 AND $3),
		first_sent AS (
			SELECT m.debtor_id, (min(m.sent_at) AT TIME ZONE 'Europe/Amsterdam')::date AS sent_on
			FROM messages m JOIN first_paid f ON f.debtor_id = m.debtor_id
			WHERE m.creditor_id = $1 AND m.sent_at IS NOT NULL GROUP BY m.debtor_id),
		days AS (
			SELECT f.paid_on - s.sent_on AS n FROM first_paid f JOIN first_sent s ON s.debtor_id = f.debtor_id WHERE s.sent_on <= f.paid_on)
		SELECT count(*), coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY n), 0), coalesce(round(avg(n), 1), 0)::float8 FROM days`,
		creditorID, from, to).Scan(&a.DaysToPay.Debtors, &a.DaysToPay.Median, &a.DaysToPay.Average); err != nil {
		return a, dbErr(err, "analytics: days to pay")
	}
	rows, err := tx.Query(ctx, `SELECT coalesce(last.channel, 'none'), -sum(e.amount_cents), count(DISTINCT coalesce(e.payment_id::text, e.source_key))
		FROM ledger_entries e LEFT JOIN LATERAL (
			SELECT m.channel FROM messages m
			WHERE m.debtor_id = e.debtor_id AND m.creditor_id = e.creditor_id AND m.sent_at IS NOT NULL
				AND (m.sent_at AT TIME ZONE 'Europe/Amsterdam')::date <= e.booked_on
			ORDER BY m.sent_at DESC, m.id LIMIT 1) last ON true
		WHERE e.creditor_id = $1 AND e.kind = 'payment' AND e.booked_on BETWEEN $2 AND $3
		GROUP BY 1 ORDER BY 1`, creditorID, from, to)
	if err != nil {
		return a, dbErr(err, "analytics: by channel")
	}
	if a.ByChannel, err = collectRows(rows, func(r pgx.Row) (AmountCount, error) {
		var x AmountCount
		return x, r.Scan(&x.Key, &x.Amount, &x.Payments)
	}, "analytics: by channel"); err != nil {
		return a, err
	}
	rows, err = tx.Query(ctx, `SELECT coalesce(p.method, ''),
			coalesce(-sum(e.amount_cents) FILTER (WHERE e.kind = 'payment'), 0),
			coalesce(sum(e.amount_cents) FILTER (WHERE e.kind = 'reversal'), 0),
			count(DISTINCT coalesce(e.payment_id::text, e.source_key)) FILTER (WHERE e.kind = 'payment')
		FROM ledger_entries e LEFT JOIN payments p ON p.id = e.payment_id
		WHERE e.creditor_id = $1 AND e.kind IN ('payment', 'reversal') AND e.booked_on BETWEEN $2 AND $3
		GROUP BY 1 ORDER BY 1`, creditorID, from, to)
	if err != nil {
		return a, dbErr(err, "analytics: by method")
	}
	if a.ByMethod, err = collectRows(rows, func(r pgx.Row) (MethodTotal, error) {
		var m MethodTotal
		return m, r.Scan(&m.Method, &m.Received, &m.Returned, &m.Count)
	}, "analytics: by method"); err != nil {
		return a, err
	}
	keyCounts := func(sql, what string) ([]KeyCount, error) {
		rows, err := tx.Query(ctx, sql, creditorID, start, end)
		if err != nil {
			return nil, dbErr(err, what)
		}
		return collectRows(rows, func(r pgx.Row) (KeyCount, error) {
			var k KeyCount
			return k, r.Scan(&k.Key, &k.Count)
		}, what)
	}
	if a.Disputes, err = keyCounts(`SELECT status, count(*) FROM disputes WHERE creditor_id = $1 AND created_at >= $2 AND created_at < $3
		GROUP BY 1 ORDER BY 1`, "analytics: disputes"); err != nil {
		return a, err
	}
	if a.Hardships, err = keyCounts(`SELECT reason, count(*) FROM hardships WHERE creditor_id = $1 AND created_at >= $2 AND created_at < $3
		GROUP BY 1 ORDER BY 1`, "analytics: hardships"); err != nil {
		return a, err
	}
	rows, err = tx.Query(ctx, `SELECT m.channel, count(*), count(*) FILTER (WHERE EXISTS (
			SELECT 1 FROM link_opens o WHERE o.debtor_id = m.debtor_id
				AND o.channel = CASE m.channel WHEN 'post' THEN 'letter' WHEN 'whatsapp' THEN 'sms' ELSE m.channel END
				AND o.at >= m.sent_at AND o.at < m.sent_at + $4::interval))
		FROM messages m WHERE m.creditor_id = $1 AND m.sent_at >= $2 AND m.sent_at < $3
		GROUP BY 1 ORDER BY 1`, creditorID, start, end, OpenedWithin.String())
	if err != nil {
		return a, dbErr(err, "analytics: messages")
	}
	if a.Messages, err = collectRows(rows, func(r pgx.Row) (MessageCount, error) {
		var m MessageCount
		return m, r.Scan(&m.Channel, &m.Sent, &m.Opened)
	}, "analytics: messages"); err != nil {
		return a, err
	}
	return a, nil
}
