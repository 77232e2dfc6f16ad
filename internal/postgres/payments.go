package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
)

func payStatus(s string) pay.Status { return pay.Status(s) }

const paymentCols = `id, creditor_id, debtor_id, coalesce(invoice_id::text, ''), amount_cents, provider, method, coalesce(provider_id, ''),
	checkout_url, status, refunded_cents, charged_back_cents, coalesce(instalment_id::text, ''), created_at, paid_at`

func scanPayment(r pgx.Row) (collect.Payment, error) { return scanPaymentAnd(r) }

// scanPaymentAnd scans paymentCols followed by the extra columns given.
func scanPaymentAnd(r pgx.Row, extra ...any) (collect.Payment, error) {
	var p collect.Payment
	var status string
	err := r.Scan(append([]any{&p.ID, &p.CreditorID, &p.DebtorID, &p.InvoiceID, &p.Amount, &p.Provider, &p.Method, &p.ProviderID,
		&p.CheckoutURL, &status, &p.Refunded, &p.ChargedBack, &p.InstalmentID, &p.CreatedAt, &p.PaidAt}, extra...)...)
	p.Status = pay.Status(status)
	return p, err
}

// CreatePayment records a payment attempt before the debtor goes to the provider.
func (db *DB) CreatePayment(ctx context.Context, p collect.Payment) (collect.Payment, error) {
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `INSERT INTO payments (creditor_id, debtor_id, invoice_id, amount_cents, provider, method, instalment_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING `+paymentCols,
			p.CreditorID, p.DebtorID, nullable(p.InvoiceID), p.Amount, p.Provider, p.Method, nullable(p.InstalmentID), db.Now())
		var err error
		if p, err = scanPayment(row); err != nil {
			return dbErr(err, "insert payment")
		}
		return history(ctx, tx, p.ID, "", p.Status, "created")
	})
	return p, err
}

// StartCheckout stores the provider's id and page for a payment.
func (db *DB) StartCheckout(ctx context.Context, id string, c pay.Checkout) error {
	_, err := db.pool.Exec(ctx, `UPDATE payments SET provider_id = $2, checkout_url = $3, updated_at = $4 WHERE id = $1`, id, c.ProviderID, c.RedirectURL, db.Now())
	return dbErr(err, "start checkout")
}

// FailCheckout marks a payment failed when the provider refused to start it.
func (db *DB) FailCheckout(ctx context.Context, id string) error {
	return db.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE payments SET status = 'failed', updated_at = $2 WHERE id = $1 AND status = 'open'`, id, db.Now()); err != nil {
			return dbErr(err, "fail checkout")
		}
		return history(ctx, tx, id, pay.StatusOpen, pay.StatusFailed, "provider refused")
	})
}

// PaymentOfDebtor loads a payment only when it belongs to this debtor.
func (db *DB) PaymentOfDebtor(ctx context.Context, creditorID, debtorID, id string) (collect.Payment, error) {
	if !validUUID(id) {
		return collect.Payment{}, collect.Errorf(collect.ENOTFOUND, "", "payment not found")
	}
	p, err := scanPayment(db.pool.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE id = $1 AND debtor_id = $2 AND creditor_id = $3`, id, debtorID, creditorID))
	return p, dbErr(err, "payment")
}

// PaymentByID loads a payment.
func (db *DB) PaymentByID(ctx context.Context, id string) (collect.Payment, error) {
	if !validUUID(id) {
		return collect.Payment{}, collect.Errorf(collect.ENOTFOUND, "", "payment not found")
	}
	p, err := scanPayment(db.pool.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE id = $1`, id))
	return p, dbErr(err, "payment")
}

// PaymentByProviderID finds our payment for a provider's id.
func (db *DB) PaymentByProviderID(ctx context.Context, provider, providerID string) (collect.Payment, error) {
	p, err := scanPayment(db.pool.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE provider = $1 AND provider_id = $2`, provider, providerID))
	return p, dbErr(err, "payment")
}

// UnsettledPayments lists open or pending payments created before cutoff, for the sweeper.
func (db *DB) UnsettledPayments(ctx context.Context, cutoff time.Time, limit int) ([]collect.Payment, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+paymentCols+` FROM payments
		WHERE status IN ('open', 'pending') AND created_at < $1 AND provider_id IS NOT NULL ORDER BY created_at LIMIT $2`, cutoff, limit)
	if err != nil {
		return nil, dbErr(err, "unsettled payments")
	}
	return collectRows(rows, scanPayment, "unsettled payments")
}

// PaymentHistory lists a payment's status changes, oldest first.
func (db *DB) PaymentHistory(ctx context.Context, id string) ([]pay.Status, error) {
	rows, err := db.pool.Query(ctx, `SELECT to_status FROM payment_status_history WHERE payment_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, dbErr(err, "payment history")
	}
	return collectRows(rows, func(r pgx.Row) (pay.Status, error) {
		var s string
		err := r.Scan(&s)
		return pay.Status(s), err
	}, "payment history")
}

func history(ctx context.Context, tx pgx.Tx, id string, from, to pay.Status, source string) error {
	_, err := tx.Exec(ctx, `INSERT INTO payment_status_history (payment_id, from_status, to_status, source) VALUES ($1, $2, $3, $4)`,
		id, nullable(string(from)), string(to), source)
	return dbErr(err, "payment history")
}

// ApplyProviderState brings our payment to what the provider says, in one
// transaction: the status change with its history, the booking of a payment
// that became paid, the reversal of new refunds or chargebacks, and the audit
// record. It is idempotent: the same state applied again, in any order, from
// any process, books nothing more. Refund and chargeback totals only grow
// here, since nothing says how old st is; ApplyFetchedState may lower them.
// It reports whether anything changed.
func (db *DB) ApplyProviderState(ctx context.Context, paymentID string, st pay.State, source string) (bool, error) {
	return db.applyProviderState(ctx, paymentID, st, 0, source)
}

// PaymentToFetch is a payment about to be re-fetched from its provider:
// the payment, its creditor (whose provider setup the fetch uses) and the
// fetch number drawn for it, read in one round trip. The number is drawn
// before the provider is asked, so a later draw means a fresher answer.
type PaymentToFetch struct {
	Payment  collect.Payment
	Creditor collect.Creditor
	Seq      int64
}

// PaymentToFetch loads a payment, its creditor and a fresh fetch number
// together; call it before asking the provider.
func (db *DB) PaymentToFetch(ctx context.Context, id string) (PaymentToFetch, error) {
	if !validUUID(id) {
		return PaymentToFetch{}, collect.Errorf(collect.ENOTFOUND, "", "payment not found")
	}
	b := &pgx.Batch{}
	queuePaymentToFetch(b, `$1::uuid`, id)
	br := db.pool.SendBatch(ctx, b)
	defer br.Close()
	f, err := readPaymentToFetch(br)
	if err != nil {
		return f, err
	}
	return f, dbErr(br.Close(), "payment to fetch")
}

// queuePaymentToFetch queues the reads of a PaymentToFetch; idExpr is the
// SQL that gives the payment's id from arg.
func queuePaymentToFetch(b *pgx.Batch, idExpr string, arg any) {
	b.Queue(`SELECT `+paymentCols+`, nextval('provider_fetch_seq') FROM payments WHERE id = (`+idExpr+`)`, arg)
	b.Queue(`SELECT `+creditorCols+` FROM creditors WHERE id = (SELECT creditor_id FROM payments WHERE id = (`+idExpr+`))`, arg)
}

func readPaymentToFetch(br pgx.BatchResults) (PaymentToFetch, error) {
	var f PaymentToFetch
	var err error
	if f.Payment, err = scanPaymentAnd(br.QueryRow(), &f.Seq); err != nil {
		return f, dbErr(err, "payment")
	}
	if f.Creditor, err = scanCreditor(br.QueryRow()); err != nil {
		return f, dbErr(err, "creditor")
	}
	return f, nil
}

// ApplyFetchedState is ApplyProviderState for a state read from the
// provider's API after drawing seq with PaymentToFetch. Such a state is the
// provider's whole word at that moment, so it may also lower the refund and
// chargeback totals (a refund that failed, a chargeback reversed, a dispute
// won): the money is booked back once. An answer older than the one applied
// last (a smaller seq) changes nothing.
func (db *DB) ApplyFetchedState(ctx context.Context, paymentID string, st pay.State, seq int64, source string) (bool, error) {
	if seq <= 0 {
		return false, fmt.Errorf("apply fetched state of payment %s: fetch sequence %d is not from PaymentToFetch", paymentID, seq)
	}
	return db.applyProviderState(ctx, paymentID, st, seq, source)
}

// applyProviderState applies st; seq is 0 for a state of unknown age.
func (db *DB) applyProviderState(ctx context.Context, paymentID string, st pay.State, seq int64, source string) (bool, error) {
	var changed bool
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		var lastSeq int64
		p, err := scanPaymentAnd(tx.QueryRow(ctx, `SELECT `+paymentCols+`, fetch_seq FROM payments WHERE id = $1 FOR UPDATE`, paymentID), &lastSeq)
		if err != nil {
			return dbErr(err, "payment")
		}
		now := db.Now()
		c := decideState(p, lastSeq, st, seq, now)
		if c.write == writeNothing {
			return nil
		}
		if c.book {
			if _, _, err := ApplyPaymentTx(ctx, tx, c.receipt(now)); err != nil {
				return err
			}
		}
		if err := c.moveMoneyBack(ctx, tx, now); err != nil {
			return err
		}
		if c.write == writeSeq {
			_, err := tx.Exec(ctx, `UPDATE payments SET fetch_seq = $2 WHERE id = $1`, p.ID, seq)
			return dbErr(err, "payment fetch sequence")
		}
		changed = true
		// The history, the payment, its audit record and its event go in
		// one round trip (a pipeline runs them in order).
		b := &pgx.Batch{}
		q := c.after
		if q.Status != c.before.Status {
			// With creditor_id given, 00033's trigger looks nothing up.
			b.Queue(`INSERT INTO payment_status_history (payment_id, creditor_id, from_status, to_status, source) VALUES ($1, $2, $3, $4, $5)`,
				q.ID, q.CreditorID, nullable(string(c.before.Status)), string(q.Status), source)
		}
		b.Queue(`UPDATE payments SET status = $2, refunded_cents = $3, charged_back_cents = $4, paid_at = $5, updated_at = $6, amount_cents = $7,
			fetch_seq = CASE WHEN $8::bigint > 0 THEN $8::bigint ELSE fetch_seq END WHERE id = $1`,
			q.ID, string(q.Status), q.Refunded, q.ChargedBack, q.PaidAt, now, q.Amount, seq)
		before, after := c.audit(source)
		queueAudit(b, tx, "provider:"+q.Provider, "payment."+string(q.Status), q.CreditorID, q.DebtorID, "payment:"+q.ID, before, after)
		return dbErr(tx.SendBatch(ctx, b).Close(), "book payment state")
	})
	return changed, err
}

// stateWrite is what applying a provider's state writes to the payment row.
type stateWrite int

const (
	writeNothing stateWrite = iota // a fresher answer is applied already, or nothing is new
	writeSeq                       // only the fetch number: the state is not news
	writeAll                       // the state, with history, audit record and event
)

// stateChange is what applying a provider's state to a payment does,
// decided before anything is written (decideState), so that one payment
// (applyProviderState) and a batch (ApplyFetchedStates) follow the same rules.
type stateChange struct {
	before, after collect.Payment
	write         stateWrite
	// book is true when the payment became paid: after's receipt is booked.
	book bool
	// back is the money that went back (a refund, a chargeback) or came
	// to us again, in the order it is booked, after the receipt.
	back []moneyBack
}

// moneyBack is one booking of money that went back to the debtor
// (reversePaymentTx) or came back to us (reinstate, reinstatePaymentTx).
type moneyBack struct {
	amount    int64
	key       string
	reinstate bool
}

// decideState decides what applying st (fetched with seq, 0 for a state
// of unknown age) does to p, whose last applied fetch number is lastSeq.
// It reads and writes nothing.
func decideState(p collect.Payment, lastSeq int64, st pay.State, seq int64, now time.Time) stateChange {
	c := stateChange{before: p}
	if seq > 0 && seq <= lastSeq {
		return c // a fresher answer is already applied
	}
	changed := false
	next := pay.Next(p.Status, st.Status)
	wasPaid := p.Status == pay.StatusPaid || p.Status == pay.StatusRefunded || p.Status == pay.StatusChargedBack
	isPaid := next == pay.StatusPaid || next == pay.StatusRefunded || next == pay.StatusChargedBack
	if isPaid && !wasPaid {
		if st.Amount > 0 && st.Amount != p.Amount {
			// The provider is the truth about money received; our record
			// follows it, so refunds, instalments and payouts compare
			// against what was really paid.
			p.Amount = st.Amount
			changed = true
		}
		c.book = true
		p.PaidAt = &now
	}
	if isPaid {
		for _, rev := range []struct {
			kind   string
			target int64
			done   *int64
		}{{"refund", st.Refunded, &p.Refunded}, {"chargeback", st.ChargedBack, &p.ChargedBack}} {
			key := fmt.Sprintf("%s:%s:%d", rev.kind, p.ID, rev.target)
			if seq > 0 {
				// After a booking back the same total can come again;
				// the fetch's number keeps its key apart.
				key += fmt.Sprintf("#%d", seq)
			}
			switch {
			case rev.target > *rev.done:
				c.back = append(c.back, moneyBack{amount: rev.target - *rev.done, key: key})
			case rev.target < *rev.done && seq > 0:
				// The provider's own fresh word: the money came back
				// to us after all, so the reversal is undone.
				c.back = append(c.back, moneyBack{amount: *rev.done - rev.target, key: "reinstate:" + key, reinstate: true})
			default:
				continue // a lower total of unknown age may be an older report
			}
			*rev.done = rev.target
			changed = true
		}
		// A plain "paid" cannot stand once our totals say the money went
		// back: it is an older report arriving late (a retried
		// session event after a refund). Same rule as the providers' Fetch.
		if next == pay.StatusPaid {
			switch {
			case p.ChargedBack > 0:
				next = pay.StatusChargedBack
			case p.Refunded >= p.Amount:
				next = pay.StatusRefunded
			}
		}
	}
	switch {
	case changed || next != p.Status:
		c.write = writeAll
	case seq > 0:
		c.write = writeSeq
	}
	p.Status = next
	c.after = p
	return c
}

// receipt is the booking of a payment that became paid.
func (c stateChange) receipt(now time.Time) Receipt {
	p := c.after
	return Receipt{CreditorID: p.CreditorID, DebtorID: p.DebtorID, Amount: p.Amount, InvoiceID: p.InvoiceID,
		On: collect.DutchDate(now), SourceKey: "payment:" + p.ID, PaymentID: p.ID, Memo: p.Provider + " " + p.Method}
}

// moveMoneyBack books c's money that went back or came again, in order.
func (c stateChange) moveMoneyBack(ctx context.Context, tx pgx.Tx, now time.Time) error {
	for _, m := range c.back {
		var err error
		if m.reinstate {
			err = reinstatePaymentTx(ctx, tx, c.after, m.amount, m.key, now)
		} else {
			err = reversePaymentTx(ctx, tx, c.after, m.amount, m.key, now)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// audit is the audit record's before and after of c.
func (c stateChange) audit(source string) (before, after map[string]any) {
	b, a := c.before, c.after
	return map[string]any{"status": b.Status, "amount": b.Amount, "refunded": b.Refunded, "charged_back": b.ChargedBack},
		map[string]any{"status": a.Status, "amount": a.Amount, "refunded": a.Refunded, "charged_back": a.ChargedBack, "source": source}
}

// reinstatePaymentTx undoes amount of a payment's reversals, when money that
// went back (a refund, a chargeback) came to us again: it re-applies in the
// order of art. 6:44 BW (costs, interest, principal, then credit), each part
// no more than was reversed there.
func reinstatePaymentTx(ctx context.Context, tx pgx.Tx, p collect.Payment, amount int64, sourceKey string, now time.Time) error {
	parts, err := allocationPartsTx(ctx, tx, p, "payment reversals", `SELECT coalesce(invoice_id::text, ''), account, sum(amount_cents) FROM ledger_entries
		WHERE payment_id = $1 AND kind = 'reversal' GROUP BY invoice_id, account
		HAVING sum(amount_cents) > 0
		ORDER BY CASE account WHEN 'costs' THEN 0 WHEN 'interest' THEN 1 WHEN 'principal' THEN 2 ELSE 3 END, min(id)`)
	if err != nil {
		return err
	}
	left, err := bookReversalsTx(ctx, tx, p, parts, amount, -1, sourceKey, now)
	if err != nil {
		return err
	}
	if left > 0 {
		return fmt.Errorf("payment %s: booking back %d cents, but only %d were reversed", p.ID, amount, amount-left)
	}
	return nil
}

// allocationPart is a payment's net amount on one invoice and account.
type allocationPart struct {
	invoice string
	account collect.Account
	amount  int64
}

func scanAllocationPart(r pgx.Row) (allocationPart, error) {
	var x allocationPart
	var account string
	err := r.Scan(&x.invoice, &account, &x.amount)
	x.account = collect.Account(account)
	return x, err
}

// allocationPartsTx locks p's debtor and reads p's parts per invoice and
// account with query (which takes the payment id as $1), in the order
// they are to be booked.
func allocationPartsTx(ctx context.Context, tx pgx.Tx, p collect.Payment, what, query string) ([]allocationPart, error) {
	if err := lockDebtor(ctx, tx, p.DebtorID); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, query, p.ID)
	if err != nil {
		return nil, dbErr(err, what)
	}
	return collectRows(rows, scanAllocationPart, what)
}

// bookReversalsTx books up to amount as reversal entries over parts, in
// their order, with sign -1 to take a reversal back and 1 to reverse, and
// returns the cents that found no part.
func bookReversalsTx(ctx context.Context, tx pgx.Tx, p collect.Payment, parts []allocationPart, amount, sign int64, sourceKey string, now time.Time) (int64, error) {
	left := amount
	on := collect.DutchDate(now)
	for _, x := range parts {
		if left == 0 {
			break
		}
		n := min(left, x.amount)
		e := collect.Entry{InvoiceID: x.invoice, Account: x.account, Kind: collect.KindReversal, Amount: sign * n, BookedOn: on, PaymentID: p.ID, Memo: sourceKey}
		if err := insertEntry(ctx, tx, p.CreditorID, p.DebtorID, e, sourceKey); err != nil {
			return 0, err
		}
		left -= n
	}
	return left, nil
}

// reversePaymentTx books money that went back to the debtor (a refund or a
// chargeback): it undoes the payment's allocation in reverse order (credit
// first, then principal, interest, costs), so the balance opens again.
func reversePaymentTx(ctx context.Context, tx pgx.Tx, p collect.Payment, amount int64, sourceKey string, now time.Time) error {
	parts, err := allocationPartsTx(ctx, tx, p, "payment allocation", `SELECT coalesce(invoice_id::text, ''), account, -sum(amount_cents) FROM ledger_entries
		WHERE payment_id = $1 AND kind IN ('payment', 'reversal') GROUP BY invoice_id, account
		HAVING -sum(amount_cents) > 0
		ORDER BY CASE account WHEN 'credit' THEN 0 WHEN 'principal' THEN 1 WHEN 'interest' THEN 2 ELSE 3 END, min(id) DESC`)
	if err != nil {
		return err
	}
	left, err := bookReversalsTx(ctx, tx, p, parts, amount, 1, sourceKey, now)
	if err != nil {
		return err
	}
	if left > 0 {
		// More went back than was ever booked for this payment: keep it visible as a debt on the credit account.
		e := collect.Entry{Account: collect.AccountCredit, Kind: collect.KindReversal, Amount: left, BookedOn: collect.DutchDate(now), PaymentID: p.ID, Memo: sourceKey}
		if err := insertEntry(ctx, tx, p.CreditorID, p.DebtorID, e, sourceKey); err != nil {
			return err
		}
	}
	return nil
}

// FailAbandonedCheckouts marks payments failed whose checkout never started
// (the process stopped between recording the payment and reaching the
// provider) once they are older than cutoff. It returns how many it closed.
func (db *DB) FailAbandonedCheckouts(ctx context.Context, cutoff time.Time) (int, error) {
	var n int
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE payments SET status = 'failed', updated_at = $2
			WHERE status = 'open' AND provider_id IS NULL AND created_at < $1 RETURNING id`, cutoff, db.Now())
		if err != nil {
			return dbErr(err, "abandoned checkouts")
		}
		ids, err := collectRows(rows, func(r pgx.Row) (string, error) {
			var id string
			err := r.Scan(&id)
			return id, err
		}, "abandoned checkouts")
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := history(ctx, tx, id, pay.StatusOpen, pay.StatusFailed, "checkout never started"); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// Payments lists a debtor's payments at one creditor, newest first.
func (db *DB) Payments(ctx context.Context, creditorID, debtorID string) ([]collect.Payment, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+paymentCols+` FROM payments WHERE debtor_id = $1 AND creditor_id = $2 ORDER BY created_at DESC, id`, debtorID, creditorID)
	if err != nil {
		return nil, dbErr(err, "payments")
	}
	return collectRows(rows, scanPayment, "payments")
}
