package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
)

// FetchedState is a provider's state of one payment, read from its API
// after drawing Seq with PaymentToFetch (or WebhookEventsToFetch); Source
// says who asked, for the status history.
type FetchedState struct {
	PaymentID string
	State     pay.State
	Seq       int64
	Source    string
}

// ApplyFetchedStates is ApplyFetchedState for many states in one
// transaction, in the order given, with the same rules (decideState) and
// the same rows written, but set-based: one statement locks the payments,
// BookReceiptsTx books the newly paid ones, and the status history, the
// payments, the audit records and the events are one multi-row statement
// each, sent in one round trip at the end. The same payment may come more
// than once; each state sees the ones before it. It reports for each state
// whether it changed its payment. On an error nothing is applied: the
// caller may apply the states one by one (ApplyFetchedState), so one bad
// payment does not hold up the others.
//
// Locks follow the order of every booking: the payments' rows (sorted by
// id), then the debtors' advisory locks (sorted), then, once, the
// creditors' events locks just before commit, so they are held only for
// the last statements and the commit.
func (db *DB) ApplyFetchedStates(ctx context.Context, states []FetchedState) ([]bool, error) {
	if len(states) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(states))
	for _, s := range states {
		if s.Seq <= 0 {
			return nil, fmt.Errorf("apply fetched state of payment %s: fetch sequence %d is not from PaymentToFetch", s.PaymentID, s.Seq)
		}
		if !validUUID(s.PaymentID) {
			return nil, collect.Errorf(collect.ENOTFOUND, "", "payment %q not found", s.PaymentID)
		}
		ids = append(ids, s.PaymentID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	changed := make([]bool, len(states))
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		clear(changed)
		type locked struct {
			p       collect.Payment
			lastSeq int64
			touched bool // updated_at moves: some state was news
			written bool // the row is written (at least its fetch number)
		}
		rows, err := tx.Query(ctx, `SELECT `+paymentCols+`, fetch_seq FROM payments WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, ids)
		if err != nil {
			return dbErr(err, "lock payments")
		}
		pays := make(map[string]*locked, len(ids))
		_, err = collectRows(rows, func(r pgx.Row) (struct{}, error) {
			var l locked
			var err error
			l.p, err = scanPaymentAnd(r, &l.lastSeq)
			pays[l.p.ID] = &l
			return struct{}{}, err
		}, "lock payments")
		if err != nil {
			return err
		}
		if len(pays) != len(ids) {
			return collect.Errorf(collect.ENOTFOUND, "", "%d of %d payments not found", len(ids)-len(pays), len(ids))
		}
		now := db.Now()
		changes := make([]stateChange, len(states))
		var debtors []string
		for i, s := range states {
			l := pays[s.PaymentID]
			c := decideState(l.p, l.lastSeq, s.State, s.Seq, now)
			changes[i] = c
			if c.write == writeNothing {
				continue
			}
			l.p, l.lastSeq, l.written = c.after, s.Seq, true
			if c.write == writeAll {
				changed[i], l.touched = true, true
			}
			if c.book || len(c.back) > 0 {
				debtors = append(debtors, c.after.DebtorID)
			}
		}
		// Every debtor this batch books for, locked at once in a stable
		// order: BookReceiptsTx and the reversals below then find their
		// locks held and never wait in another order than other batches.
		if len(debtors) > 0 {
			slices.Sort(debtors)
			if _, err := tx.Exec(ctx, `SELECT count(pg_advisory_xact_lock(hashtextextended('debtor:' || d, 0)))
				FROM (SELECT d FROM unnest($1::text[]) AS d ORDER BY d) AS s`, slices.Compact(debtors)); err != nil {
				return dbErr(err, "lock debtors")
			}
		}
		// The receipts go to BookReceiptsTx in runs; money going back
		// needs its payment booked first, so it ends a run.
		var receipts []Receipt
		flush := func() error {
			_, err := BookReceiptsTx(ctx, tx, receipts)
			receipts = receipts[:0]
			return err
		}
		for _, c := range changes {
			if c.book {
				receipts = append(receipts, c.receipt(now))
			}
			if len(c.back) > 0 {
				if err := flush(); err != nil {
					return err
				}
				if err := c.moveMoneyBack(ctx, tx, now); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		return writeStates(ctx, tx, states, changes, func(yield func(p collect.Payment, seq int64, touched bool)) {
			for _, id := range ids {
				if l := pays[id]; l.written {
					yield(l.p, l.lastSeq, l.touched)
				}
			}
		}, now)
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// writeStates writes what the changes decided, in one round trip: the
// status history, every written payment's last state (rows lists them),
// the audit records, then the events lock and the events, in the order of
// the states, as applyProviderState writes them one at a time.
func writeStates(ctx context.Context, tx pgx.Tx, states []FetchedState, changes []stateChange,
	rows func(yield func(p collect.Payment, seq int64, touched bool)), now time.Time) error {
	var hPay, hCred, hTo, hSource []string
	var hFrom []*string
	var aActor, aAction, aCred, aSubject []string
	var aDebtor []*string
	var aBefore, aAfter []string
	var eCred, eType, eData []string
	var eDebtor []*string
	for i, c := range changes {
		if c.write != writeAll {
			continue
		}
		p, s := c.after, states[i]
		if p.Status != c.before.Status {
			from := string(c.before.Status)
			hPay, hCred, hTo, hSource = append(hPay, p.ID), append(hCred, p.CreditorID), append(hTo, string(p.Status)), append(hSource, s.Source)
			hFrom = append(hFrom, optString(from))
		}
		before, after := c.audit(s.Source)
		bj, _ := json.Marshal(before)
		aj, _ := json.Marshal(after)
		action, subject := "payment."+string(p.Status), "payment:"+p.ID
		aActor, aAction, aCred, aDebtor = append(aActor, "provider:"+p.Provider), append(aAction, action), append(aCred, p.CreditorID), append(aDebtor, optString(p.DebtorID))
		aSubject, aBefore, aAfter = append(aSubject, subject), append(aBefore, string(bj)), append(aAfter, string(aj))
		if t, data, ok := eventOf(action, p.CreditorID, p.DebtorID, subject, bj, aj); ok {
			eCred, eType, eData = append(eCred, p.CreditorID), append(eType, string(t)), append(eData, string(data))
			eDebtor = append(eDebtor, optString(p.DebtorID))
		}
	}
	var uID, uStatus []string
	var uRefunded, uChargedBack, uAmount, uSeq []int64
	var uPaidAt []*time.Time
	var uTouched []bool
	rows(func(p collect.Payment, seq int64, touched bool) {
		uID, uStatus, uRefunded, uChargedBack = append(uID, p.ID), append(uStatus, string(p.Status)), append(uRefunded, p.Refunded), append(uChargedBack, p.ChargedBack)
		uAmount, uSeq, uPaidAt, uTouched = append(uAmount, p.Amount), append(uSeq, seq), append(uPaidAt, p.PaidAt), append(uTouched, touched)
	})
	b := &pgx.Batch{}
	if len(hPay) > 0 {
		// With creditor_id given, 00033's trigger looks nothing up.
		b.Queue(`INSERT INTO payment_status_history (payment_id, creditor_id, from_status, to_status, source)
			SELECT payment_id, creditor_id, from_status, to_status, source
			FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
				AS h (payment_id, creditor_id, from_status, to_status, source, ord)
			ORDER BY ord`, hPay, hCred, hFrom, hTo, hSource)
	}
	if len(uID) > 0 {
		b.Queue(`UPDATE payments p SET status = u.status, refunded_cents = u.refunded, charged_back_cents = u.charged_back, paid_at = u.paid_at,
				amount_cents = u.amount, fetch_seq = u.seq, updated_at = CASE WHEN u.touched THEN $9 ELSE p.updated_at END
			FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[], $5::timestamptz[], $6::bigint[], $7::bigint[], $8::bool[])
				AS u (id, status, refunded, charged_back, paid_at, amount, seq, touched)
			WHERE p.id = u.id`, uID, uStatus, uRefunded, uChargedBack, uPaidAt, uAmount, uSeq, uTouched, now)
	}
	if len(aActor) > 0 {
		b.Queue(`INSERT INTO audit_log (actor, action, creditor_id, debtor_id, subject, before, after)
			SELECT actor, action, creditor_id, debtor_id, subject, before, after
			FROM unnest($1::text[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[]) WITH ORDINALITY
				AS a (actor, action, creditor_id, debtor_id, subject, before, after, ord)
			ORDER BY ord`, aActor, aAction, aCred, aDebtor, aSubject, aBefore, aAfter)
	}
	if len(eCred) > 0 {
		// The events lock, once for the batch, as late as it can be.
		b.Queue(lockEventsSQL, eCred)
		b.Queue(`INSERT INTO events (creditor_id, debtor_id, type, data, created_at)
			SELECT creditor_id, debtor_id, type, data, $5
			FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS e (creditor_id, debtor_id, type, data, ord)
			ORDER BY ord`, eCred, eDebtor, eType, eData, txNow(tx))
	}
	if b.Len() == 0 {
		return nil
	}
	return dbErr(tx.SendBatch(ctx, b).Close(), "book payment states")
}

// optString is s as a nullable text array element: "" is NULL.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
