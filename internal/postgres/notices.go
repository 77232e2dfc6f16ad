package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// CreateNotice records a 14-day notice for some of a debtor's invoices, or
// returns the notice already running for them (see RecordNotice).
func (db *DB) CreateNotice(ctx context.Context, creditor collect.Creditor, debtorID string, invoiceIDs []string, n collect.Notice) (collect.Notice, error) {
	n, _, err := db.RecordNotice(ctx, creditor, debtorID, invoiceIDs, n)
	return n, err
}

// RecordNotice records a 14-day notice for some of a debtor's invoices and
// reports whether it made a new one. A notice for invoices that a notice
// still running already covers returns that notice (created is false). A new
// notice's costs follow the WIK scale over the open principal of its
// invoices, limited to what the scale over the debtor's whole claim leaves
// (collect.NoticeCostsLeft): the costs are due once for the claim.
func (db *DB) RecordNotice(ctx context.Context, creditor collect.Creditor, debtorID string, invoiceIDs []string, n collect.Notice) (collect.Notice, bool, error) {
	return db.RecordNoticeLetter(ctx, creditor, debtorID, invoiceIDs, n, nil)
}

// LetterDraft is what a new posted notice's letter is drawn from: the
// notice as recorded, its letter number, and the debtor's facts it was
// computed from.
type LetterDraft struct {
	Number string
	Notice collect.Notice
	Facts  collect.Facts
}

// Letter is a posted notice's letter: the exact PDF and the facts it was
// drawn from (JSON the store keeps without reading).
type Letter struct {
	NoticeID string
	Number   string
	PDF      []byte
	Facts    []byte
	// Short and Link are the short code printed on a new letter and the
	// magic link it opens, recorded with the notice; nil when none.
	Short *ShortLink
	Link  *Link
}

// RecordNoticeLetter is RecordNotice for a notice that goes out as a
// letter: render draws the new notice's letter, and the PDF commits with the
// notice or not at all. A retry that finds the notice running renders nothing.
func (db *DB) RecordNoticeLetter(ctx context.Context, creditor collect.Creditor, debtorID string, invoiceIDs []string, n collect.Notice,
	render func(LetterDraft) (Letter, error)) (collect.Notice, bool, error) {
	cal, err := db.Calendar(ctx)
	if err != nil {
		return n, false, err
	}
	today := db.Today()
	created := false
	err = db.WithTx(ctx, func(tx pgx.Tx) error {
		// Serialise bookings per debtor so that the principal, the notices and
		// the costs read here are current: two notices posted at once cannot
		// both announce the costs the claim has room for once.
		if err := lockDebtor(ctx, tx, debtorID); err != nil {
			return err
		}
		f, err := facts(ctx, tx, creditor.ID, debtorID)
		if err != nil {
			return err
		}
		if running, ok := collect.RunningNotice(f.Notices, invoiceIDs, n.SentOn, today); ok {
			n = running
			return nil
		}
		var principal int64
		err = tx.QueryRow(ctx, `SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries
			WHERE account = 'principal' AND invoice_id = ANY($1) AND debtor_id = $2 AND creditor_id = $3`,
			invoiceIDs, debtorID, creditor.ID).Scan(&principal)
		if err != nil {
			return dbErr(err, "notice principal")
		}
		if principal <= 0 {
			return collect.Errorf(collect.EINVALID, "invoice_ids", "these invoices have nothing open")
		}
		left, err := collect.NoticeCostsLeft(f, invoiceIDs, today)
		if err != nil {
			return err
		}
		n = collect.NewNotice(n.Channel, n.SentOn, creditor.PostDeliveryDays, principal, creditor.WaiveCosts, cal)
		n.Costs = min(n.Costs, left)
		n.InvoiceIDs = invoiceIDs
		err = tx.QueryRow(ctx, `INSERT INTO notices (creditor_id, debtor_id, channel, sent_on, received_on, deadline, principal_cents, costs_cents, waived)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			creditor.ID, debtorID, n.Channel, n.SentOn, n.ReceivedOn, n.Deadline, n.Principal, n.Costs, n.Waived).Scan(&n.ID)
		if err != nil {
			return dbErr(err, "insert notice")
		}
		for _, id := range invoiceIDs {
			if _, err := tx.Exec(ctx, `INSERT INTO notice_invoices (notice_id, invoice_id) VALUES ($1, $2)`, n.ID, id); err != nil {
				return dbErr(err, "notice invoice")
			}
		}
		created = true
		// The notice's own record: the file shows it, and it is the
		// creditor's notice.sent event.
		if err := Audit(ctx, tx, "system", "notice.sent", creditor.ID, debtorID, "notice:"+n.ID, nil,
			map[string]any{"channel": n.Channel, "sent_on": n.SentOn.Format("2006-01-02"), "deadline": n.Deadline.Format("2006-01-02"),
				"principal": n.Principal, "costs": n.Costs, "waived": n.Waived, "invoice_ids": invoiceIDs}); err != nil {
			return err
		}
		if render == nil {
			return nil
		}
		return storeLetter(ctx, tx, n, f, render)
	})
	return n, created, err
}

// storeLetter numbers a new notice's letter, draws it and keeps it with the
// notice. Drawing takes milliseconds, so it runs inside the transaction
// that holds the debtor's lock: the facts on the letter are the ones the
// notice was computed from.
func storeLetter(ctx context.Context, tx pgx.Tx, n collect.Notice, f collect.Facts, render func(LetterDraft) (Letter, error)) error {
	var seq int64
	if err := tx.QueryRow(ctx, `SELECT nextval('notice_letter_seq')`).Scan(&seq); err != nil {
		return dbErr(err, "letter number")
	}
	number := fmt.Sprintf("%s-%06d", n.SentOn.Format("2006-0102"), seq)
	l, err := render(LetterDraft{Number: number, Notice: n, Facts: f})
	if err != nil || l.PDF == nil {
		// No PDF: the letter could not be drawn from these facts, and the
		// caller decided the notice stands without one.
		return err
	}
	if l.Short != nil && l.Link != nil {
		if err := insertShortLink(ctx, tx, *l.Short, *l.Link); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `UPDATE notices SET letter_number = $2, pdf = $3, letter = $4 WHERE id = $1`, n.ID, number, l.PDF, l.Facts)
	return dbErr(err, "store letter")
}

// NoticeLetter loads the letter of one of a creditor's notices; a notice of
// another creditor, or one that was not posted, is not found.
func (db *DB) NoticeLetter(ctx context.Context, creditorID, noticeID string) (Letter, error) {
	if !validUUID(noticeID) || !validUUID(creditorID) {
		return Letter{}, collect.Errorf(collect.ENOTFOUND, "", "letter not found")
	}
	l := Letter{NoticeID: noticeID}
	err := db.pool.QueryRow(ctx, `SELECT letter_number, pdf, letter FROM notices
		WHERE id = $1 AND creditor_id = $2 AND pdf IS NOT NULL`, noticeID, creditorID).Scan(&l.Number, &l.PDF, &l.Facts)
	return l, dbErr(err, "letter")
}

// LettersSentOn lists up to limit letters of the notices posted on day
// whose number comes after after ("" for the first), in letter number
// order, with their facts and without their PDFs; creditorID "" lists
// every creditor's.
func (db *DB) LettersSentOn(ctx context.Context, creditorID string, day time.Time, after string, limit int) ([]Letter, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, letter_number, letter FROM notices
		WHERE sent_on = $1 AND letter IS NOT NULL AND ($2 = '' OR creditor_id::text = $2) AND letter_number > $3
		ORDER BY letter_number LIMIT $4`,
		collect.DateOf(day), creditorID, after, limit)
	if err != nil {
		return nil, dbErr(err, "letters of the day")
	}
	return collectRows(rows, func(r pgx.Row) (Letter, error) {
		var l Letter
		err := r.Scan(&l.NoticeID, &l.Number, &l.Facts)
		return l, err
	}, "letters of the day")
}

// NoticeLetters lists the posted notices of a creditor's debtor with their
// letter numbers, oldest first, without their PDFs.
func (db *DB) NoticeLetters(ctx context.Context, creditorID, debtorID string) ([]Letter, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, letter_number FROM notices
		WHERE creditor_id = $1 AND debtor_id = $2 AND letter_number IS NOT NULL ORDER BY letter_number`, creditorID, debtorID)
	if err != nil {
		return nil, dbErr(err, "notice letters")
	}
	return collectRows(rows, func(r pgx.Row) (Letter, error) {
		var l Letter
		err := r.Scan(&l.NoticeID, &l.Number)
		return l, err
	}, "notice letters")
}

const noticesSQL = `SELECT n.id, n.channel, n.sent_on, n.received_on, n.deadline, n.principal_cents, n.costs_cents, n.waived,
			array(SELECT invoice_id::text FROM notice_invoices ni WHERE ni.notice_id = n.id ORDER BY invoice_id)
		FROM notices n WHERE n.debtor_id = $1 AND n.creditor_id = $2 ORDER BY n.sent_on, n.created_at`

func notices(ctx context.Context, q querier, creditorID, debtorID string) ([]collect.Notice, error) {
	return scanNotices(q.Query(ctx, noticesSQL, debtorID, creditorID))
}

func scanNotices(rows pgx.Rows, err error) ([]collect.Notice, error) {
	if err != nil {
		return nil, dbErr(err, "notices")
	}
	return collectRows(rows, func(r pgx.Row) (collect.Notice, error) {
		var n collect.Notice
		err := r.Scan(&n.ID, &n.Channel, &n.SentOn, &n.ReceivedOn, &n.Deadline, &n.Principal, &n.Costs, &n.Waived, &n.InvoiceIDs)
		n.SentOn, n.ReceivedOn, n.Deadline = collect.DateOf(n.SentOn), collect.DateOf(n.ReceivedOn), collect.DateOf(n.Deadline)
		return n, err
	}, "notices")
}

// lockDebtor takes a transaction-scoped advisory lock on one debtor, so that
// bookings for that debtor (payments, costs, interest) never interleave.
func lockDebtor(ctx context.Context, tx pgx.Tx, debtorID string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "debtor:"+debtorID)
	return dbErr(err, "lock debtor")
}
