package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/collect"
)

// BankStatementIn is the header of one statement being imported.
type BankStatementIn struct {
	AccountIBAN string // upper case, no spaces
	// AccountOther is the account number (Acct/Id/Othr/Id, upper case, no
	// spaces) of a statement that names no IBAN; it must be registered
	// (creditor_accounts).
	AccountOther string
	StmtID       string
	Sequence     string
	Version      string
	CreatedAt    time.Time
}

// BankLineIn is one transaction of a statement entry, ready to store. The
// importer fills what the file says; State is "" for a line still to be
// matched (BankImport.Store matches it in SQL), BankNotHandled (with
// Reason) for what we never book, or BankReversal for a reversal still to
// be undone.
type BankLineIn struct {
	Seq         int64
	StatementID string
	CreditorID  string
	Key         string
	Amount      int64
	Currency    string
	Credit      bool
	Reversal    bool
	BookingDate time.Time
	Reference   string
	RefNorm     string   // a valid RF reference or betalingskenmerk, normalised; or ""
	PayoutRefs  []string // Mollie settlement references or Stripe payout ids found in the texts
	Text        string
	CPName      string
	CPIBAN      string
	EndToEndID  string
	State       collect.BankLineState
	Reason      string
}

// BankCounts are what an import did.
type BankCounts struct {
	Lines      int `json:"lines"`
	Duplicates int `json:"duplicates"`
	Booked     int `json:"booked"`
	Payouts    int `json:"payouts_arrived"`
	Suggested  int `json:"suggested"`
	Unmatched  int `json:"unmatched"`
	NotHandled int `json:"not_handled"`
	Reversals  int `json:"reversals"`
	Held       int `json:"held"`
	// Pending are lines of entries the bank has not booked yet (Sts PDNG):
	// kept for finance to see, nothing booked.
	Pending int `json:"pending"`
}

// BankImport is one import in progress. It runs in three stages, each
// committed on its own so that a large file is booked by several
// connections at once, and each safe to run again:
//
//  1. Store (the transaction BeginBankImport opens, holding the accounts'
//     locks): the statements, and the file's lines streamed with COPY into a
//     staging table, matched in SQL (payment reference, payout reference),
//     rid of the lines stored before, and stored by one INSERT ... SELECT.
//     A line matched to an invoice is stored as matched, without a payment:
//     nothing is booked yet, and the statements are not complete
//     (bank_statements.completed_at is NULL).
//  2. Book: the receipts of the matched lines, in file order, booked by
//     workers that each own a disjoint set of debtors, a batch per
//     transaction, with the rules of every booking (BookReceiptsTx). In the
//     same transaction the batch's lines become booked and get their paid
//     payments (bookedLinesSQL), so no reader ever sees a paid payment or a
//     booked line whose money is not in the ledger. A receipt whose source
//     key is in the ledger already books nothing.
//  3. Finish (one transaction): suggestions for the lines that matched
//     nothing, payout arrivals, reversals, the payment.booked events, the
//     audit record and completed_at.
//
// A run cut off in stage 1 leaves nothing behind. One cut off later leaves
// its statements incomplete: importing the same file again stores no line
// twice (entry keys are unique), books what was not booked, and finishes.
type BankImport struct {
	db         *DB
	tx         pgx.Tx
	by         string
	now        time.Time
	statements []string
	accounts   map[string]int // statements per account in this file
	copied     int
	duplicates int // staged lines stored before (stage 1)
}

// BeginBankImport starts an import's first stage: its transaction and the
// staging table.
func (db *DB) BeginBankImport(ctx context.Context, importedBy string) (*BankImport, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin import: %w", err)
	}
	bi := &BankImport{db: db, tx: tx, by: importedBy, now: db.Now(), accounts: map[string]int{}}
	// The staging table lives as long as the transaction and is not
	// WAL-logged. It is filled with COPY, then matched and stored with
	// set-based statements. Its ids come from Go: gen_random_uuid() as a
	// column default made the COPY four times slower.
	_, err = tx.Exec(ctx, `CREATE TEMP TABLE bank_import (
		seq bigint NOT NULL, statement_id uuid NOT NULL, creditor_id uuid NOT NULL, entry_key text NOT NULL,
		amount_cents bigint NOT NULL, currency text NOT NULL, credit boolean NOT NULL, reversal boolean NOT NULL,
		booking_date date NOT NULL, reference text NOT NULL, text text NOT NULL, cp_name text NOT NULL, cp_iban text NOT NULL,
		end_to_end_id text NOT NULL, state text NOT NULL, reason text NOT NULL, ref_norm text NOT NULL, payout_refs text[],
		invoice_id uuid, debtor_id uuid, payout_id uuid,
		line_id uuid NOT NULL
	) ON COMMIT DROP`)
	if err != nil {
		_ = tx.Rollback(ctx)
		return nil, dbErr(err, "staging table")
	}
	return bi, nil
}

// IncompleteBankImport takes up, for stages 2 and 3, the statements whose
// import stored their lines but did not complete them, imported at or
// before cutoff: imports cut off by a crash or a closed connection. Booking
// and finishing are safe to run next to an import that is still going
// (a receipt books once; Finish skips a statement completed meanwhile).
func (db *DB) IncompleteBankImport(ctx context.Context, cutoff time.Time) (*BankImport, error) {
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM bank_statements WHERE completed_at IS NULL AND imported_at <= $1 ORDER BY imported_at, id`, cutoff)
	if err != nil {
		return nil, dbErr(err, "incomplete bank statements")
	}
	ids, err := collectRows(rows, func(r pgx.Row) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, "incomplete bank statements")
	if err != nil {
		return nil, err
	}
	return &BankImport{db: db, by: "system:bank-import", now: db.Now(), statements: ids, accounts: map[string]int{}}, nil
}

// Rollback abandons the first stage; it is safe after Commit.
func (bi *BankImport) Rollback(ctx context.Context) { _ = bi.tx.Rollback(ctx) }

// Commit ends the first stage: the lines are stored, nothing is booked
// yet.
func (bi *BankImport) Commit(ctx context.Context) error {
	return dbErr(bi.tx.Commit(ctx), "commit import")
}

// Statements are the ids of the statements this import stores or completes.
func (bi *BankImport) Statements() []string { return bi.statements }

// Statement registers a statement. The account must be a creditor's IBAN,
// or, for a statement that names no IBAN, an account number a creditor
// registered (onlyCreditor, when set, must be that creditor). A statement
// imported before (same account, Stmt/Id and sequence) is reported as a
// duplicate and its entries must be skipped, unless that import was cut off
// before it completed: then this import completes it.
func (bi *BankImport) Statement(ctx context.Context, st BankStatementIn, onlyCreditor string) (id, creditorID string, duplicate bool, err error) {
	account, field, what, register := st.AccountIBAN, "Stmt/Acct/Id/IBAN", "IBAN", "set your IBAN first"
	query := `SELECT id::text FROM creditors WHERE upper(replace(iban, ' ', '')) = $1 ORDER BY id`
	if account == "" {
		account, field, what, register = st.AccountOther, "Stmt/Acct/Id/Othr/Id", "registered account number", "register the account number first"
		query = `SELECT creditor_id::text FROM creditor_accounts WHERE account = $1 ORDER BY creditor_id`
	}
	unknown := func(format string, args ...any) error {
		return collect.Errorf(collect.EINVALID, field, format, args...)
	}
	if account == "" {
		return "", "", false, unknown("statement %s names its account by neither an IBAN nor an account number (Acct/Id/Othr/Id)", st.StmtID)
	}
	rows, err := bi.tx.Query(ctx, query, account)
	if err != nil {
		return "", "", false, dbErr(err, "creditor by account")
	}
	ids, err := collectRows(rows, func(r pgx.Row) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, "creditor by account")
	if err != nil {
		return "", "", false, err
	}
	switch {
	case onlyCreditor != "":
		for _, c := range ids {
			if c == onlyCreditor {
				creditorID = c
			}
		}
		if creditorID == "" {
			return "", "", false, unknown("statement %s is for account %s, which is not your account (%s)", st.StmtID, account, register)
		}
	case len(ids) == 0:
		return "", "", false, unknown("statement %s is for account %s, which is no creditor's %s", st.StmtID, account, what)
	case len(ids) > 1:
		return "", "", false, unknown("statement %s is for account %s, which more than one creditor has as %s", st.StmtID, account, what)
	default:
		creditorID = ids[0]
	}
	// Two imports of the same account wait for each other, so neither
	// stores a line the other is storing.
	if _, err := bi.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "bank-account:"+account); err != nil {
		return "", "", false, dbErr(err, "lock account")
	}
	var created *time.Time
	if !st.CreatedAt.IsZero() {
		created = &st.CreatedAt
	}
	err = bi.tx.QueryRow(ctx, `INSERT INTO bank_statements (creditor_id, account_iban, stmt_id, sequence, version, created_at, imported_at, imported_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (account_iban, stmt_id, sequence) DO NOTHING RETURNING id::text`,
		creditorID, account, st.StmtID, st.Sequence, st.Version, created, bi.now, bi.by).Scan(&id)
	if err == pgx.ErrNoRows {
		var complete bool
		err = bi.tx.QueryRow(ctx, `SELECT id::text, completed_at IS NOT NULL FROM bank_statements WHERE account_iban = $1 AND stmt_id = $2 AND sequence = $3`,
			account, st.StmtID, st.Sequence).Scan(&id, &complete)
		if err != nil {
			return "", "", false, dbErr(err, "bank statement")
		}
		if complete {
			return "", creditorID, true, nil
		}
	} else if err != nil {
		return "", "", false, dbErr(err, "bank statement")
	}
	bi.statements = append(bi.statements, id)
	bi.accounts[account]++
	return id, creditorID, false, nil
}

// FlagStatement records why a statement's entries do not add up to its
// balances, for finance.
func (bi *BankImport) FlagStatement(ctx context.Context, id, problem string) error {
	_, err := bi.tx.Exec(ctx, `UPDATE bank_statements SET balance_problem = $2 WHERE id = $1`, id, problem)
	return dbErr(err, "flag bank statement")
}

// AddBankLines copies a batch of lines into the staging table.
func (bi *BankImport) AddBankLines(ctx context.Context, lines []BankLineIn) error {
	i := 0
	n, err := bi.tx.CopyFrom(ctx, pgx.Identifier{"bank_import"},
		[]string{"seq", "statement_id", "creditor_id", "entry_key", "amount_cents", "currency", "credit", "reversal", "booking_date",
			"reference", "text", "cp_name", "cp_iban", "end_to_end_id", "state", "reason", "ref_norm", "payout_refs", "line_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(lines) {
				return nil, nil
			}
			l := &lines[i]
			i++
			var refs []string
			if len(l.PayoutRefs) > 0 {
				refs = l.PayoutRefs
			}
			return []any{l.Seq, l.StatementID, l.CreditorID, l.Key, l.Amount, l.Currency, l.Credit, l.Reversal, l.BookingDate,
				l.Reference, l.Text, l.CPName, l.CPIBAN, l.EndToEndID, string(l.State), l.Reason, l.RefNorm, refs, uuid.New()}, nil
		}))
	bi.copied += int(n)
	return dbErr(err, "copy bank lines")
}

// unmatchedReason is the reason of a line that nothing matched; a line
// for which stage 3 finds candidates becomes suggested instead.
const unmatchedReason = "no invoice reference, payout or likely debtor found"

// Store matches the staged lines in SQL and stores the new ones, those
// matched to an invoice as matched (stage 1; nothing is booked, no payment
// is made).
// It reports how many staged lines were stored before.
func (bi *BankImport) Store(ctx context.Context) (duplicates int, err error) {
	if bi.copied == 0 {
		return 0, nil
	}
	tx := bi.tx
	stmts := []struct {
		what, sql string
		dups      bool
		args      []any
	}{
		// A temporary table has no statistics until analysed; without them
		// the planner joins it by nested loops, which took minutes.
		{"analyse", `ANALYZE bank_import`, false, nil},
		// Entries already stored (an overlapping statement imported before,
		// or this file's own lines, stored by a run that was cut off).
		{"skip known lines", `DELETE FROM bank_import t USING bank_lines b WHERE b.entry_key = t.entry_key`, true, nil},
		// A valid payment reference of an invoice of the line's creditor.
		{"references", `UPDATE bank_import t SET state = 'matched', invoice_id = i.id, debtor_id = i.debtor_id
			FROM invoices i WHERE t.state = '' AND t.ref_norm <> '' AND i.payment_reference = t.ref_norm AND i.creditor_id = t.creditor_id`, false, nil},
		// A payout reference of an expected euro payout of the same amount
		// whose lines are no other creditor's (that is not this account's
		// money); the first reference in the text that has one.
		{"payouts", `UPDATE bank_import t SET state = 'payout', payout_id = m.payout_id FROM (
				SELECT DISTINCT ON (t.seq) t.seq, p.id AS payout_id
				FROM bank_import t CROSS JOIN LATERAL unnest(t.payout_refs) WITH ORDINALITY AS r(ref, n)
				JOIN payouts p ON (p.reference = r.ref OR (p.provider = 'stripe' AND p.provider_id = r.ref))
				WHERE t.state = '' AND p.status = 'expected' AND p.currency = 'EUR' AND p.amount_cents = t.amount_cents
					AND NOT EXISTS (SELECT 1 FROM payout_lines pl WHERE pl.payout_id = p.id AND pl.creditor_id <> t.creditor_id)
				ORDER BY t.seq, r.n, p.id
			) m WHERE m.seq = t.seq`, false, nil},
		// One arrival per payout: a second line naming the same payout is matched like any other.
		{"one arrival per payout", `UPDATE bank_import t SET state = '', payout_id = NULL
			WHERE t.state = 'payout' AND EXISTS (SELECT 1 FROM bank_import o WHERE o.state = 'payout' AND o.payout_id = t.payout_id AND o.seq < t.seq)`, false, nil},
		// ON CONFLICT: an import of the same account waits for this one's
		// lock, so no other line with these keys can have come in since.
		{"store lines", `INSERT INTO bank_lines (id, statement_id, creditor_id, entry_key, amount_cents, currency, credit, reversal, booking_date,
				reference, text, cp_name, cp_iban, end_to_end_id, seq, state, reason, invoice_id, debtor_id, payout_id, created_at, updated_at)
			SELECT line_id, statement_id, creditor_id, entry_key, amount_cents, currency, credit, reversal, booking_date,
				reference, text, cp_name, cp_iban, end_to_end_id, seq,
				CASE WHEN state = '' THEN 'unmatched' ELSE state END, CASE WHEN state = '' THEN $2 ELSE reason END,
				invoice_id, debtor_id, payout_id, $1, $1
			FROM bank_import ON CONFLICT (entry_key) DO NOTHING`, false, []any{bi.now, unmatchedReason}},
	}
	overlap := false
	for _, n := range bi.accounts {
		overlap = overlap || n > 1
	}
	if overlap {
		// Overlapping statements of one account inside this file: the first wins.
		stmts = slices.Insert(stmts, 2, struct {
			what, sql string
			dups      bool
			args      []any
		}{"skip repeated lines", `DELETE FROM bank_import a USING bank_import b WHERE a.entry_key = b.entry_key AND a.seq > b.seq`, true, nil})
	}
	for _, s := range stmts {
		if s.what == "store lines" {
			// Not :=, which would declare an err of this block for the
			// deferred rebuild to set instead of Store's result.
			var rebuild []string
			if rebuild, err = bi.dropLineIndexes(ctx); err != nil {
				return duplicates, err
			}
			defer func() {
				for _, def := range rebuild {
					if err == nil {
						_, err = tx.Exec(ctx, def)
						err = dbErr(err, "bank lines: rebuild index")
					}
				}
			}()
		}
		tag, err := tx.Exec(ctx, s.sql, s.args...)
		if err != nil {
			return duplicates, dbErr(err, "bank lines: "+s.what)
		}
		if s.dups {
			duplicates += int(tag.RowsAffected())
		}
	}
	return duplicates, nil
}

// bulkLines is how many staged lines make a bulk load: see dropLineIndexes.
var bulkLines = 100_000

// dropLineIndexes drops bank_lines' secondary indexes when the file brings
// at least bulkLines lines and more than the table holds, and returns the
// statements that build them again (run after the insert, in the same
// transaction). Building an index once from all rows is a sort; inserting
// a million lines into seven indexes one by one cost more than the rest
// of storing them. The unique indexes stay: the insert needs them. The
// price is that readers of bank_lines wait for this stage's commit.
func (bi *BankImport) dropLineIndexes(ctx context.Context) ([]string, error) {
	var stored float64
	if err := bi.tx.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = 'bank_lines'::regclass`).Scan(&stored); err != nil {
		return nil, dbErr(err, "bank lines size")
	}
	if bi.copied < bulkLines || float64(bi.copied) <= stored {
		return nil, nil
	}
	rows, err := bi.tx.Query(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
		WHERE i.indrelid = 'bank_lines'::regclass AND NOT i.indisunique ORDER BY 1`)
	if err != nil {
		return nil, dbErr(err, "bank lines indexes")
	}
	type index struct{ name, def string }
	idx, err := collectRows(rows, func(r pgx.Row) (index, error) {
		var x index
		return x, r.Scan(&x.name, &x.def)
	}, "bank lines indexes")
	if err != nil {
		return nil, err
	}
	var rebuild []string
	for _, x := range idx {
		if _, err := bi.tx.Exec(ctx, `DROP INDEX `+x.name); err != nil {
			return nil, dbErr(err, "bank lines: drop index")
		}
		rebuild = append(rebuild, x.def)
	}
	// Room to sort in memory, for this transaction only.
	if _, err := bi.tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
		return nil, dbErr(err, "bank lines: sort memory")
	}
	return rebuild, nil
}

// bookBatch is how many receipts one booking transaction holds at most,
// and bookLocks how many debtor locks all workers together may hold: the
// shared lock table has max_locks_per_transaction × max_connections
// entries (6,400 by default), so more workers book smaller batches.
const (
	bookBatch = 500
	bookLocks = 2000
)

// Book is the second stage: it books the receipts of this import's lines
// matched to an invoice, in file order, with workers connections at once.
// Worker w owns the debtors whose id hashes to w, so a debtor's receipts
// are booked one after the other, in order, by one transaction at a time,
// and no two workers wait for each other's debtor locks. It reports how
// many receipts were booked (a receipt booked before is skipped).
func (bi *BankImport) Book(ctx context.Context, workers int) (int, error) {
	if len(bi.statements) == 0 {
		return 0, nil
	}
	// Half the pool at most: the reader needs a connection, and so does the rest of the app.
	workers = max(min(workers, bi.db.MaxConns()/2), 1)
	perTx := max(min(bookBatch, bookLocks/workers), 50)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu     sync.Mutex
		booked int
		first  error
		wg     sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		cancel()
	}
	queues := make([]chan []Receipt, workers)
	for w := range queues {
		queues[w] = make(chan []Receipt, 2)
		wg.Add(1)
		go func(q <-chan []Receipt) {
			defer wg.Done()
			for batch := range q {
				if ctx.Err() != nil {
					continue // drain after a failure
				}
				var n int
				err := bi.db.WithTx(ctx, func(tx pgx.Tx) error {
					lines, payments := make([]string, len(batch)), make([]string, len(batch))
					for i, r := range batch {
						lines[i], payments[i] = strings.TrimPrefix(r.SourceKey, "bank:"), r.PaymentID
					}
					// The lines and their new payments first, under the
					// lines' row locks, then the debtors' locks (in
					// BookReceiptsTx): the order of every transaction that
					// books a bank line (reverseLineTx, ConfirmBankSuggestion).
					if _, err := tx.Exec(ctx, bookedLinesSQL, lines, bi.db.Now(), payments); err != nil {
						return dbErr(err, "bank lines: booked")
					}
					var err error
					n, err = BookReceiptsTx(ctx, tx, batch)
					return err
				})
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				booked += n
				mu.Unlock()
			}
		}(queues[w])
	}
	pending := make([][]Receipt, workers)
	send := func(w int) {
		if len(pending[w]) > 0 {
			select {
			case queues[w] <- pending[w]:
			case <-ctx.Done():
			}
			pending[w] = make([]Receipt, 0, perTx)
		}
	}
	err := bi.streamReceipts(ctx, func(r Receipt) {
		h := fnv.New32a()
		h.Write([]byte(r.DebtorID))
		w := int(h.Sum32() % uint32(workers))
		pending[w] = append(pending[w], r)
		if len(pending[w]) == perTx {
			send(w)
		}
	})
	if err == nil {
		for w := range pending {
			send(w)
		}
	} else {
		fail(err)
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return booked, first
}

// bookedLinesSQL makes the matched lines $1 booked, each with its paid
// payment ($3, the same position) and the payment's history, in the
// transaction that books their receipts: one statement per batch. The
// lines are locked in id order, each found by its key (joined with the
// batch, the planner scanned every matched line of the import per batch),
// and must still be matched, so a line
// another run booked or a reversal undid meanwhile is left alone (and its
// receipt, in the ledger already, books nothing). A line stored matched by
// a run before migration 00037 keeps the payment it has (the receipt
// carries that one). The new payments exist when the lines' foreign key
// is checked, at the end of the statement.
const bookedLinesSQL = `WITH l AS (
		UPDATE bank_lines b SET state = 'booked', payment_id = m.payment, updated_at = $2
		FROM (SELECT b.id, b.payment_id AS had, coalesce(b.payment_id, x.payment) AS payment
			FROM (SELECT line, payment FROM unnest($1::uuid[], $3::uuid[]) AS u(line, payment) ORDER BY line) x
			CROSS JOIN LATERAL (SELECT id, payment_id FROM bank_lines WHERE id = x.line AND state = 'matched' FOR UPDATE) b) m
		WHERE b.id = m.id
		RETURNING b.payment_id, m.had, b.creditor_id, b.debtor_id, b.invoice_id, b.amount_cents, b.entry_key, b.cp_iban
	), p AS (
		INSERT INTO payments (id, creditor_id, debtor_id, invoice_id, amount_cents, provider, method, provider_id, status, payer_iban, created_at, updated_at, paid_at)
		SELECT payment_id, creditor_id, debtor_id, invoice_id, amount_cents, 'bank', 'transfer', entry_key, 'paid', cp_iban, $2, $2, $2
		FROM l WHERE had IS NULL
		RETURNING id, creditor_id
	)
	-- creditor_id given, so the row trigger of migration 00033 has nothing to look up.
	INSERT INTO payment_status_history (payment_id, creditor_id, from_status, to_status, source, at)
	SELECT id, creditor_id, NULL, 'paid', 'bank statement', $2 FROM p`

// streamReceipts reads the receipts of this import's matched lines, in
// file order, on a connection of its own.
func (bi *BankImport) streamReceipts(ctx context.Context, each func(Receipt)) error {
	rows, err := bi.db.pool.Query(ctx, `SELECT creditor_id::text, debtor_id::text, coalesce(invoice_id::text, ''), amount_cents, booking_date, id::text, coalesce(payment_id::text, '')
		FROM bank_lines WHERE statement_id = ANY($1::uuid[]) AND state = 'matched' ORDER BY seq`, bi.statements)
	if err != nil {
		return dbErr(err, "bank payments")
	}
	defer rows.Close()
	for rows.Next() {
		var r Receipt
		var line string
		if err := rows.Scan(&r.CreditorID, &r.DebtorID, &r.InvoiceID, &r.Amount, &r.On, &line, &r.PaymentID); err != nil {
			return dbErr(err, "bank payments")
		}
		r.On = collect.DateOf(r.On)
		if r.PaymentID == "" {
			// The payment the batch's transaction makes (bookedLinesSQL).
			r.PaymentID = uuid.NewString()
		}
		r.SourceKey = "bank:" + line
		r.Memo = "bank transfer"
		each(r)
	}
	return dbErr(rows.Err(), "bank payments")
}

// Finish is the third stage, in one transaction: suggestions (ranked by
// scores) for the lines that matched nothing, payout arrivals, reversals,
// the payment.booked events, the audit record, and the statements marked
// complete. A statement another run completed meanwhile is left alone.
// progress, when not nil, is told what is happening. The counts are those
// of the statements' lines.
func (bi *BankImport) Finish(ctx context.Context, scores collect.BankScores, progress func(stage string)) (BankCounts, error) {
	var c BankCounts
	say := func(s string) {
		if progress != nil {
			progress(s)
		}
	}
	if len(bi.statements) == 0 {
		return c, nil
	}
	say("reversals")
	if err := bi.reversals(ctx); err != nil {
		return c, err
	}
	err := bi.db.WithTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id::text, creditor_id::text FROM bank_statements
			WHERE id = ANY($1::uuid[]) AND completed_at IS NULL ORDER BY id FOR UPDATE`, bi.statements)
		if err != nil {
			return dbErr(err, "bank statements")
		}
		type stmt struct{ id, creditor string }
		open, err := collectRows(rows, func(r pgx.Row) (stmt, error) {
			var s stmt
			return s, r.Scan(&s.id, &s.creditor)
		}, "bank statements")
		if err != nil || len(open) == 0 {
			return err
		}
		ids := make([]string, 0, len(open))
		var creditors []string
		for _, s := range open {
			ids = append(ids, s.id)
			if !slices.Contains(creditors, s.creditor) {
				creditors = append(creditors, s.creditor)
			}
		}
		say("looking for suggestions")
		if err := bi.suggest(ctx, tx, ids, creditors, scores); err != nil {
			return err
		}
		say("payouts and events")
		if err := bi.arrivals(ctx, tx, ids); err != nil {
			return err
		}
		if err := bi.events(ctx, tx, ids, creditors); err != nil {
			return err
		}
		if c, err = countLines(ctx, tx, ids); err != nil {
			return err
		}
		for _, s := range open {
			if err := Audit(ctx, tx, bi.by, "bank_statement.imported", s.creditor, "", "bank_statement:"+s.id, nil, c); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE bank_statements SET completed_at = $2 WHERE id = ANY($1::uuid[])`, ids, bi.db.Now())
		return dbErr(err, "complete bank statements")
	})
	return c, err
}

// countLines counts the statements' lines by state.
func countLines(ctx context.Context, tx pgx.Tx, statements []string) (BankCounts, error) {
	var c BankCounts
	rows, err := tx.Query(ctx, `SELECT state, count(*) FROM bank_lines WHERE statement_id = ANY($1::uuid[]) GROUP BY state`, statements)
	if err != nil {
		return c, dbErr(err, "count lines")
	}
	defer rows.Close()
	tally := map[collect.BankLineState]*int{
		collect.BankBooked: &c.Booked, collect.BankPayout: &c.Payouts, collect.BankSuggested: &c.Suggested,
		collect.BankUnmatched: &c.Unmatched, collect.BankNotHandled: &c.NotHandled, collect.BankReversal: &c.Reversals,
		collect.BankHeld: &c.Held, collect.BankPending: &c.Pending,
	}
	for rows.Next() {
		var state collect.BankLineState
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return c, dbErr(err, "count lines")
		}
		c.Lines += n
		// A reversed line (booked or matched first, undone by a reversal in
		// the same file) counts only in Lines.
		if count := tally[state]; count != nil {
			*count += n
		}
	}
	return c, dbErr(rows.Err(), "count lines")
}

// suggest finds candidates for the statements' lines that matched nothing,
// all set-based, and makes those lines suggested with their best three
// candidates, each piece of evidence weighing what scores say.
func (bi *BankImport) suggest(ctx context.Context, tx pgx.Tx, statements, creditors []string, scores collect.BankScores) error {
	stmts := []struct {
		what, sql string
		args      []any
	}{
		{"open lines", `CREATE TEMP TABLE bank_open ON COMMIT DROP AS
			SELECT id AS line_id, seq, creditor_id, amount_cents, text, reference, cp_name, cp_iban FROM bank_lines
			WHERE statement_id = ANY($1::uuid[]) AND state = 'unmatched' AND decided_by = '' AND NOT reversal`, []any{statements}},
		{"analyse", `ANALYZE bank_open`, nil},
		{"candidates", `CREATE TEMP TABLE bank_cand (line_id uuid NOT NULL, debtor_id uuid NOT NULL, invoice_id uuid, score int NOT NULL, evidence text NOT NULL) ON COMMIT DROP`, nil},
		// An invoice number named in the text or the reference field. The
		// words get a table of their own with statistics: joined straight
		// from the lines, the planner hashed the creditor's invoices once
		// per line (minutes for 100,000 lines).
		{"words", `CREATE TEMP TABLE bank_words ON COMMIT DROP AS
			SELECT t.line_id, t.creditor_id, btrim(w, '.,;:-/_()#') AS word
			FROM bank_open t CROSS JOIN LATERAL string_to_table(upper(t.text || ' ' || t.reference), ' ') AS w`, nil},
		{"analyse words", `ANALYZE bank_words`, nil},
		{"invoice numbers", `INSERT INTO bank_cand
			SELECT DISTINCT w.line_id, i.debtor_id, i.id, $1::int, 'invoice ' || i.number || ' is named in the text'
			FROM bank_words w JOIN invoices i ON upper(i.number) = w.word AND i.creditor_id = w.creditor_id
			WHERE i.creditor_id = ANY($2::uuid[])`, []any{scores.InvoiceNumber, creditors}},
		// An IBAN this debtor paid from before.
		{"payer ibans", `INSERT INTO bank_cand
			SELECT DISTINCT t.line_id, p.debtor_id, NULL::uuid, $1::int, 'paid from ' || t.cp_iban || ' before'
			FROM bank_open t JOIN payments p ON p.payer_iban = t.cp_iban AND p.creditor_id = t.creditor_id
			WHERE t.cp_iban <> '' AND p.status IN ('paid', 'refunded', 'charged_back')`, []any{scores.PayerIBAN}},
		// The amount is a debtor's open total as booked (principal, costs and interest).
		{"open totals", `INSERT INTO bank_cand
			SELECT t.line_id, o.debtor_id, NULL::uuid, $2::int, 'the amount is the open total'
			FROM bank_open t JOIN (
				SELECT creditor_id, debtor_id, total, count(*) OVER (PARTITION BY creditor_id, total) AS n FROM (
					SELECT creditor_id, debtor_id, sum(amount_cents) AS total FROM ledger_entries
					WHERE creditor_id = ANY($1::uuid[]) AND account <> 'credit' GROUP BY creditor_id, debtor_id
				) s WHERE total > 0
			) o ON o.creditor_id = t.creditor_id AND o.total = t.amount_cents AND o.n <= $3::int`, []any{creditors, scores.OpenTotal, scores.MaxSameAmount}},
		// The amount is an instalment of an approved plan.
		{"instalments", `INSERT INTO bank_cand
			SELECT t.line_id, x.debtor_id, NULL::uuid, $2::int, 'the amount is an instalment of the payment plan'
			FROM bank_open t JOIN (
				SELECT creditor_id, debtor_id, amount_cents, count(*) OVER (PARTITION BY creditor_id, amount_cents) AS n FROM (
					SELECT DISTINCT p.creditor_id, p.debtor_id, i.amount_cents FROM plans p JOIN plan_instalments i ON i.plan_id = p.id
					WHERE p.status = 'approved' AND p.creditor_id = ANY($1::uuid[])
				) s
			) x ON x.creditor_id = t.creditor_id AND x.amount_cents = t.amount_cents AND x.n <= $3::int`, []any{creditors, scores.Instalment, scores.MaxSameAmount}},
		// The payer's name is the debtor's.
		{"payer names", `INSERT INTO bank_cand
			SELECT t.line_id, d.id, NULL::uuid, $2::int, 'the payer''s name is the debtor''s'
			FROM bank_open t JOIN (
				SELECT id, creditor_id, lower(name) AS name, count(*) OVER (PARTITION BY creditor_id, lower(name)) AS n FROM debtors
				WHERE creditor_id = ANY($1::uuid[])
			) d ON d.creditor_id = t.creditor_id AND d.name = lower(t.cp_name) AND d.n <= $3::int
			WHERE t.cp_name <> ''`, []any{creditors, scores.PayerName, scores.MaxSameAmount}},
		// The debtor's name in the free text: only checked for candidates
		// found otherwise, since searching every name in every text does not scale.
		{"names in text", `INSERT INTO bank_cand
			SELECT DISTINCT c.line_id, c.debtor_id, NULL::uuid, $1::int, 'the debtor''s name is in the text'
			FROM bank_cand c JOIN bank_open t ON t.line_id = c.line_id JOIN debtors d ON d.id = c.debtor_id
			WHERE length(d.name) >= 4 AND strpos(lower(t.text), lower(d.name)) > 0`, []any{scores.NameInText}},
		{"ranking", `CREATE TEMP TABLE bank_suggest ON COMMIT DROP AS
			SELECT line_id, debtor_id, invoice_id, score, evidence FROM (
				SELECT line_id, debtor_id, invoice_id, score, evidence, row_number() OVER (PARTITION BY line_id ORDER BY score DESC, debtor_id) AS rank FROM (
					SELECT line_id, debtor_id, (array_agg(invoice_id ORDER BY invoice_id) FILTER (WHERE invoice_id IS NOT NULL))[1] AS invoice_id,
						sum(score)::int AS score, string_agg(evidence, '; ' ORDER BY score DESC, evidence) AS evidence
					FROM bank_cand GROUP BY line_id, debtor_id
				) g
			) r WHERE rank <= 3`, nil},
		{"suggested lines", `UPDATE bank_lines b SET state = 'suggested', reason = '', updated_at = $1
			WHERE b.id IN (SELECT DISTINCT line_id FROM bank_suggest)`, []any{bi.db.Now()}},
		// creditor_id given, so the row trigger of migration 00033 has nothing to look up.
		{"store suggestions", `INSERT INTO bank_suggestions (line_id, creditor_id, debtor_id, invoice_id, score, evidence)
			SELECT s.line_id, t.creditor_id, s.debtor_id, s.invoice_id, s.score, s.evidence FROM bank_suggest s JOIN bank_open t ON t.line_id = s.line_id
			ORDER BY t.seq, s.score DESC`, nil},
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
			return dbErr(err, "suggestions: "+s.what)
		}
	}
	return nil
}

// arrivals marks the payouts whose money arrived.
func (bi *BankImport) arrivals(ctx context.Context, tx pgx.Tx, statements []string) error {
	rows, err := tx.Query(ctx, `SELECT id::text, payout_id::text, booking_date FROM bank_lines
		WHERE statement_id = ANY($1::uuid[]) AND state = 'payout' ORDER BY seq`, statements)
	if err != nil {
		return dbErr(err, "payouts")
	}
	type arrival struct {
		line, payout string
		on           time.Time
	}
	as, err := collectRows(rows, func(r pgx.Row) (arrival, error) {
		var a arrival
		return a, r.Scan(&a.line, &a.payout, &a.on)
	}, "payouts")
	if err != nil {
		return err
	}
	for _, a := range as {
		if err := MarkPayoutArrivedTx(ctx, tx, a.payout, a.line, a.on); err != nil {
			return err
		}
	}
	return nil
}

// reversals undoes, for every reversal in the statements not yet complete,
// what its original line did: a booked payment is reversed in the ledger
// and the original is marked reversed. An arrived payout's reversal is left
// for a person, since the creditor's books are append-only. A reversal
// whose original cannot be found stays unmatched, with that reason.
//
// Each reversal is a transaction of its own, before the one that finishes
// the statements: it takes the lines' row locks, the payment's and then
// one debtor's lock, the order of every booking, and holds no other
// debtor's. Inside one transaction, a reversal would take a debtor's lock
// while holding the one of the reversal before, in file order, not in
// the sorted order a booking batch takes them (BookReceiptsTx): a batch
// of another import holding the second and waiting for the first would
// deadlock with it. A run cut off between reversals leaves the rest to
// the next run (a handled reversal is skipped).
func (bi *BankImport) reversals(ctx context.Context) error {
	rows, err := bi.db.pool.Query(ctx, `SELECT b.id::text FROM bank_lines b JOIN bank_statements s ON s.id = b.statement_id
		WHERE b.statement_id = ANY($1::uuid[]) AND s.completed_at IS NULL AND b.state = 'reversal' AND b.reverses IS NULL ORDER BY b.seq`, bi.statements)
	if err != nil {
		return dbErr(err, "reversals")
	}
	ids, err := collectRows(rows, func(r pgx.Row) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, "reversals")
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := bi.db.WithTx(ctx, func(tx pgx.Tx) error {
			return reverseLineTx(ctx, tx, id, bi.by, bi.now)
		}); err != nil {
			return err
		}
	}
	return nil
}

// events inserts payment.booked for each line of the statements the import
// booked to a debtor (their audit record is the statement's): the import
// books them set-based, without a record per line. A line a finance user
// booked by hand meanwhile had its own event.
func (bi *BankImport) events(ctx context.Context, tx pgx.Tx, statements, creditors []string) error {
	if err := lockEvents(ctx, tx, creditors...); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO events (creditor_id, debtor_id, type, data, created_at)
		SELECT b.creditor_id, b.debtor_id, $1, jsonb_strip_nulls(jsonb_build_object('status', $2::text, 'amount', b.amount_cents,
			'payment_id', b.payment_id, 'invoice_id', b.invoice_id, 'bank_line_id', b.id, 'debtor_id', b.debtor_id, 'booking_date', b.booking_date)), $3
		FROM bank_lines b WHERE b.statement_id = ANY($4::uuid[]) AND b.state = 'booked' AND b.debtor_id IS NOT NULL AND b.decided_by = ''
		ORDER BY b.seq`, collect.EventPaymentBooked, collect.PaymentPaid, bi.now, statements)
	return dbErr(err, "bank events")
}
