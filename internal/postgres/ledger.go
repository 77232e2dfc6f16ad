package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// insertEntry appends one ledger entry. sourceKey makes it idempotent: the same
// fact booked twice hits the unique key and is refused.
func insertEntry(ctx context.Context, tx pgx.Tx, creditorID, debtorID string, e collect.Entry, sourceKey string) error {
	_, err := tx.Exec(ctx, `INSERT INTO ledger_entries (creditor_id, debtor_id, invoice_id, account, kind, amount_cents, booked_on, source_key, memo, payment_id, notice_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		creditorID, debtorID, nullable(e.InvoiceID), string(e.Account), string(e.Kind), e.Amount, e.BookedOn, nullable(sourceKey), e.Memo, nullable(e.PaymentID), nullable(e.NoticeID))
	return dbErr(err, "ledger entry")
}

// Entries lists a debtor's ledger entries in booking order.
func (db *DB) Entries(ctx context.Context, creditorID, debtorID string) ([]collect.Entry, error) {
	return entries(ctx, db.pool, creditorID, debtorID)
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

const entriesSQL = `SELECT id, coalesce(invoice_id::text, ''), account, kind, amount_cents, booked_on, memo,
			coalesce(payment_id::text, ''), coalesce(notice_id::text, '')
		FROM ledger_entries WHERE debtor_id = $1 AND creditor_id = $2 ORDER BY booked_on, id`

func entries(ctx context.Context, q querier, creditorID, debtorID string) ([]collect.Entry, error) {
	return scanEntries(q.Query(ctx, entriesSQL, debtorID, creditorID))
}

func scanEntries(rows pgx.Rows, err error) ([]collect.Entry, error) {
	if err != nil {
		return nil, dbErr(err, "ledger")
	}
	return collectRows(rows, func(r pgx.Row) (collect.Entry, error) {
		var e collect.Entry
		var account, kind string
		err := r.Scan(&e.ID, &e.InvoiceID, &account, &kind, &e.Amount, &e.BookedOn, &e.Memo, &e.PaymentID, &e.NoticeID)
		e.Account, e.Kind, e.BookedOn = collect.Account(account), collect.EntryKind(kind), collect.DateOf(e.BookedOn)
		return e, err
	}, "ledger")
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Calendar loads the holiday calendar with the equated days an operator keeps.
func (db *DB) Calendar(ctx context.Context) (collect.Calendar, error) {
	rows, err := db.pool.Query(ctx, `SELECT day FROM equated_holidays ORDER BY day`)
	if err != nil {
		return collect.Calendar{}, dbErr(err, "equated holidays")
	}
	days, err := collectRows(rows, func(r pgx.Row) (time.Time, error) {
		var d time.Time
		err := r.Scan(&d)
		return collect.DateOf(d), err
	}, "equated holidays")
	return collect.NewCalendar(days), err
}

// Rates loads the statutory interest rate table for "consumer" or "commercial".
func (db *DB) Rates(ctx context.Context, kind string) (collect.RateTable, error) {
	return rates(ctx, db.pool, kind)
}

const ratesSQL = `SELECT valid_from, basis_points FROM interest_rates WHERE kind = $1 ORDER BY valid_from`

func rates(ctx context.Context, q querier, kind string) (collect.RateTable, error) {
	return scanRates(q.Query(ctx, ratesSQL, kind))
}

func scanRates(rows pgx.Rows, err error) (collect.RateTable, error) {
	if err != nil {
		return nil, dbErr(err, "interest rates")
	}
	return collectRows(rows, func(r pgx.Row) (collect.Rate, error) {
		var rt collect.Rate
		err := r.Scan(&rt.From, &rt.BasisPoints)
		rt.From = collect.DateOf(rt.From)
		return rt, err
	}, "interest rates")
}

// RateKind is the rate table that applies to a debtor: commercial for businesses.
func RateKind(k collect.DebtorKind) string {
	if k == collect.Business {
		return "commercial"
	}
	return "consumer"
}

// writeOffCostsTx books what is due today, then writes off the collection
// costs open on every invoice of a debtor, under one source key. It returns
// the total and the amount per invoice number.
func writeOffCostsTx(ctx context.Context, tx pgx.Tx, creditorID, debtorID string, today time.Time, sourceKey, memo string) (int64, map[string]int64, error) {
	if err := lockDebtor(ctx, tx, debtorID); err != nil {
		return 0, nil, err
	}
	if err := bookAccruals(ctx, tx, creditorID, debtorID, today); err != nil {
		return 0, nil, err
	}
	f, err := facts(ctx, tx, creditorID, debtorID)
	if err != nil {
		return 0, nil, err
	}
	st, err := collect.BuildStatement(f, today)
	if err != nil {
		return 0, nil, err
	}
	var total int64
	invoices := map[string]int64{}
	for _, l := range st.Lines {
		if l.Costs <= 0 {
			continue
		}
		e := collect.Entry{InvoiceID: l.Invoice.ID, Account: collect.AccountCosts, Kind: collect.KindWriteOff, Amount: -l.Costs, BookedOn: today, Memo: memo}
		if err := insertEntry(ctx, tx, creditorID, debtorID, e, sourceKey); err != nil {
			return 0, nil, err
		}
		invoices[l.Invoice.Number] = l.Costs
		total += l.Costs
	}
	return total, invoices, nil
}

// Receipt is money received from a debtor, to be applied to their debt.
type Receipt struct {
	CreditorID string
	DebtorID   string
	Amount     int64     // cents, > 0
	InvoiceID  string    // the invoice the debtor chose, or "" for the legal order
	On         time.Time // the day the money was received
	SourceKey  string    // unique per receipt: makes booking idempotent
	PaymentID  string    // our payment record, when there is one
	Memo       string
}

// ApplyPayment books a receipt in one transaction: it first books the costs and
// interest that are due on that day, then applies the money to costs, interest
// and principal (art. 6:44 BW) across invoices (art. 6:43 BW), keeping any rest
// as credit. Booking the same SourceKey twice books nothing and returns false.
func (db *DB) ApplyPayment(ctx context.Context, r Receipt) (collect.Allocation, bool, error) {
	var alloc collect.Allocation
	var booked bool
	err := db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		alloc, booked, err = ApplyPaymentTx(ctx, tx, r)
		return err
	})
	return alloc, booked, err
}

// ApplyPaymentTx is ApplyPayment inside a caller's transaction, so that a
// payment's status change, its booking and its audit record commit together.
func ApplyPaymentTx(ctx context.Context, tx pgx.Tx, r Receipt) (collect.Allocation, bool, error) {
	if err := r.received().Check(); err != nil {
		return collect.Allocation{}, false, err
	}
	f, seen, err := lockedFacts(ctx, tx, r)
	if err != nil || seen {
		return collect.Allocation{}, false, err
	}
	b, err := collect.Book(f, r.received())
	if err != nil {
		return collect.Allocation{}, false, err
	}
	if err := insertPostings(ctx, tx, r.CreditorID, r.DebtorID, b.Postings); err != nil {
		return b.Allocation, false, err
	}
	return b.Allocation, true, nil
}

// lockedFacts takes the debtor's lock, then asks whether r was booked
// before and reads the debtor's facts, all in one round trip: a pipeline
// runs its statements in order, each with a snapshot taken after the lock,
// so a booking that committed while this one waited is seen. seen is true
// when r's source key is already in the ledger (f is then not read).
func lockedFacts(ctx context.Context, tx pgx.Tx, r Receipt) (f collect.Facts, seen bool, err error) {
	if !validUUID(r.DebtorID) {
		// facts answers a malformed id as not found, without the pipeline.
		if err := lockDebtor(ctx, tx, r.DebtorID); err != nil {
			return f, false, err
		}
		f, err := facts(ctx, tx, r.CreditorID, r.DebtorID)
		return f, false, err
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "debtor:"+r.DebtorID)
	b.Queue(`SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE source_key = $1)`, r.SourceKey)
	queueFacts(b, r.CreditorID, r.DebtorID)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return f, false, dbErr(err, "lock debtor")
	}
	if err := br.QueryRow().Scan(&seen); err != nil {
		return f, false, dbErr(err, "check receipt")
	}
	if seen {
		return f, true, nil
	}
	if f, err = readFacts(br); err != nil {
		return f, false, err
	}
	return f, false, dbErr(br.Close(), "facts")
}

// received is what collect.Book needs of r.
func (r Receipt) received() collect.Received {
	return collect.Received{Amount: r.Amount, InvoiceID: r.InvoiceID, On: r.On, SourceKey: r.SourceKey, PaymentID: r.PaymentID, Memo: r.Memo}
}

// bookAccruals books the costs and interest that are due on day on but not yet
// in the ledger, so that a payment can be applied to them.
func bookAccruals(ctx context.Context, tx pgx.Tx, creditorID, debtorID string, on time.Time) error {
	f, err := facts(ctx, tx, creditorID, debtorID)
	if err != nil {
		return err
	}
	st, err := collect.BuildStatement(f, on)
	if err != nil {
		return err
	}
	return insertPostings(ctx, tx, creditorID, debtorID, collect.AccrualPostings(st))
}

// insertPostings writes a booking's postings in order, in one statement
// (ids follow the order given).
func insertPostings(ctx context.Context, tx pgx.Tx, creditorID, debtorID string, ps []collect.Posting) error {
	switch len(ps) {
	case 0:
		return nil
	case 1:
		return insertEntry(ctx, tx, creditorID, debtorID, ps[0].Entry, ps[0].SourceKey)
	}
	n := len(ps)
	invoice, account, kind, memo := make([]*string, n), make([]string, n), make([]string, n), make([]string, n)
	sourceKey, payment, notice := make([]*string, n), make([]*string, n), make([]*string, n)
	amount, bookedOn := make([]int64, n), make([]time.Time, n)
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	for i, p := range ps {
		e := p.Entry
		invoice[i], account[i], kind[i], amount[i], bookedOn[i] = opt(e.InvoiceID), string(e.Account), string(e.Kind), e.Amount, e.BookedOn
		sourceKey[i], memo[i], payment[i], notice[i] = opt(p.SourceKey), e.Memo, opt(e.PaymentID), opt(e.NoticeID)
	}
	_, err := tx.Exec(ctx, `INSERT INTO ledger_entries (creditor_id, debtor_id, invoice_id, account, kind, amount_cents, booked_on, source_key, memo, payment_id, notice_id)
		SELECT $1, $2, invoice_id::uuid, account, kind, amount_cents, booked_on, source_key, memo, payment_id::uuid, notice_id::uuid
		FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::date[], $8::text[], $9::text[], $10::text[], $11::text[])
			WITH ORDINALITY AS p (invoice_id, account, kind, amount_cents, booked_on, source_key, memo, payment_id, notice_id, ord)
		ORDER BY ord`,
		creditorID, debtorID, invoice, account, kind, amount, bookedOn, sourceKey, memo, payment, notice)
	return dbErr(err, "ledger entries")
}
