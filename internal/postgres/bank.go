package postgres

import (
	"context"
	"fmt"
	"time"

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
// matched, BankNotHandled (with Reason) for what we never book, or
// BankReversal for a reversal still to be undone. InvoiceID/DebtorID (state
// BankBooked) and PayoutID (state BankPayout) are set by ResolveBankLines.
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
	InvoiceID   string
	DebtorID    string
	PayoutID    string
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

// BankImport is one import in progress: a single transaction that holds the
// whole file. Nothing is visible to others until Commit.
type BankImport struct {
	db         *DB
	tx         pgx.Tx
	by         string
	now        time.Time
	statements []string
	accounts   map[string]int // statements per account in this file
	creditors  map[string]bool
	copied     int
}

// BeginBankImport starts an import transaction with its staging table.
func (db *DB) BeginBankImport(ctx context.Context, importedBy string) (*BankImport, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin import: %w", err)
	}
	bi := &BankImport{db: db, tx: tx, by: importedBy, now: db.Now(), accounts: map[string]int{}, creditors: map[string]bool{}}
	// The staging table lives as long as the transaction. It is filled with
	// COPY, then matched and booked with set-based statements.
	_, err = tx.Exec(ctx, `CREATE TEMP TABLE bank_import (
		seq bigint NOT NULL, statement_id uuid NOT NULL, creditor_id uuid NOT NULL, entry_key text NOT NULL,
		amount_cents bigint NOT NULL, currency text NOT NULL, credit boolean NOT NULL, reversal boolean NOT NULL,
		booking_date date NOT NULL, reference text NOT NULL, text text NOT NULL, cp_name text NOT NULL, cp_iban text NOT NULL,
		end_to_end_id text NOT NULL, state text NOT NULL, reason text NOT NULL,
		invoice_id uuid, debtor_id uuid, payout_id uuid,
		line_id uuid NOT NULL DEFAULT gen_random_uuid(), payment_id uuid NOT NULL DEFAULT gen_random_uuid()
	) ON COMMIT DROP`)
	if err != nil {
		_ = tx.Rollback(ctx)
		return nil, dbErr(err, "staging table")
	}
	return bi, nil
}

// Rollback abandons the import; it is safe after Commit.
func (bi *BankImport) Rollback(ctx context.Context) { _ = bi.tx.Rollback(ctx) }

// Commit makes the import visible.
func (bi *BankImport) Commit(ctx context.Context) error {
	return dbErr(bi.tx.Commit(ctx), "commit import")
}

// Statements are the ids of the statements this import stored (new ones only).
func (bi *BankImport) Statements() []string { return bi.statements }

// Statement registers a statement. The account must be a creditor's IBAN,
// or, for a statement that names no IBAN, an account number a creditor
// registered (onlyCreditor, when set, must be that creditor). A statement
// already imported (same account, Stmt/Id and sequence) is reported as a
// duplicate and its entries must be skipped.
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
	// Two imports of the same account wait for each other, so neither books
	// a line the other is booking.
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
		return "", creditorID, true, nil
	}
	if err != nil {
		return "", "", false, dbErr(err, "bank statement")
	}
	bi.statements = append(bi.statements, id)
	bi.accounts[account]++
	bi.creditors[creditorID] = true
	return id, creditorID, false, nil
}

// FlagStatement records why a statement's entries do not add up to its
// balances, for finance.
func (bi *BankImport) FlagStatement(ctx context.Context, id, problem string) error {
	_, err := bi.tx.Exec(ctx, `UPDATE bank_statements SET balance_problem = $2 WHERE id = $1`, id, problem)
	return dbErr(err, "flag bank statement")
}

// ResolveBankLines does the exact matches of a batch with one query each:
// (a) a valid payment reference that is an invoice's of the line's creditor
// makes the line booked on that invoice; (b) a payout reference whose
// payout (still expected, same amount) makes it a payout arrival.
func (bi *BankImport) ResolveBankLines(ctx context.Context, lines []BankLineIn) error {
	var refs, payoutRefs []string
	for i := range lines {
		l := &lines[i]
		if l.State != "" {
			continue
		}
		if l.RefNorm != "" {
			refs = append(refs, l.RefNorm)
		}
		payoutRefs = append(payoutRefs, l.PayoutRefs...)
	}
	type inv struct{ id, debtor, creditor string }
	invoices := map[string]inv{}
	if len(refs) > 0 {
		rows, err := bi.tx.Query(ctx, `SELECT payment_reference, id::text, debtor_id::text, creditor_id::text FROM invoices WHERE payment_reference = ANY($1)`, refs)
		if err != nil {
			return dbErr(err, "invoices by reference")
		}
		for rows.Next() {
			var ref string
			var x inv
			if err := rows.Scan(&ref, &x.id, &x.debtor, &x.creditor); err != nil {
				rows.Close()
				return dbErr(err, "invoices by reference")
			}
			invoices[ref] = x
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return dbErr(err, "invoices by reference")
		}
	}
	type payout struct {
		id        string
		amount    int64
		creditors []string
	}
	payouts := map[string][]payout{}
	if len(payoutRefs) > 0 {
		rows, err := bi.tx.Query(ctx, `SELECT r.ref, p.id::text, p.amount_cents,
				array(SELECT DISTINCT pl.creditor_id::text FROM payout_lines pl WHERE pl.payout_id = p.id AND pl.creditor_id IS NOT NULL)
			FROM unnest($1::text[]) AS r(ref)
			JOIN payouts p ON (p.reference = r.ref OR (p.provider = 'stripe' AND p.provider_id = r.ref))
			WHERE p.status = 'expected' AND p.currency = 'EUR'`, payoutRefs)
		if err != nil {
			return dbErr(err, "payouts by reference")
		}
		for rows.Next() {
			var ref string
			var p payout
			if err := rows.Scan(&ref, &p.id, &p.amount, &p.creditors); err != nil {
				rows.Close()
				return dbErr(err, "payouts by reference")
			}
			payouts[ref] = append(payouts[ref], p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return dbErr(err, "payouts by reference")
		}
	}
	for i := range lines {
		l := &lines[i]
		if l.State != "" {
			continue
		}
		if x, ok := invoices[l.RefNorm]; ok && l.RefNorm != "" && x.creditor == l.CreditorID {
			l.State, l.InvoiceID, l.DebtorID = collect.BankBooked, x.id, x.debtor
			continue
		}
	payoutLoop:
		for _, ref := range l.PayoutRefs {
			for _, p := range payouts[ref] {
				if p.amount != l.Amount {
					continue
				}
				// A payout whose lines are another creditor's is not this account's money.
				for _, c := range p.creditors {
					if c != l.CreditorID {
						continue payoutLoop
					}
				}
				l.State, l.PayoutID = collect.BankPayout, p.id
				break payoutLoop
			}
		}
	}
	return nil
}

// AddBankLines copies a batch of lines into the staging table.
func (bi *BankImport) AddBankLines(ctx context.Context, lines []BankLineIn) error {
	i := 0
	n, err := bi.tx.CopyFrom(ctx, pgx.Identifier{"bank_import"},
		[]string{"seq", "statement_id", "creditor_id", "entry_key", "amount_cents", "currency", "credit", "reversal", "booking_date",
			"reference", "text", "cp_name", "cp_iban", "end_to_end_id", "state", "reason", "invoice_id", "debtor_id", "payout_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(lines) {
				return nil, nil
			}
			l := &lines[i]
			i++
			return []any{l.Seq, l.StatementID, l.CreditorID, l.Key, l.Amount, l.Currency, l.Credit, l.Reversal, l.BookingDate,
				l.Reference, l.Text, l.CPName, l.CPIBAN, l.EndToEndID, l.State, l.Reason,
				nullable(l.InvoiceID), nullable(l.DebtorID), nullable(l.PayoutID)}, nil
		}))
	bi.copied += int(n)
	return dbErr(err, "copy bank lines")
}

// Finish matches and books everything staged, stores the lines and their
// suggestions (ranked by scores), undoes reversals and writes the audit
// record. progress, when not nil, is told what is happening.
func (bi *BankImport) Finish(ctx context.Context, scores collect.BankScores, progress func(stage string)) (BankCounts, error) {
	var c BankCounts
	tx := bi.tx
	say := func(s string) {
		if progress != nil {
			progress(s)
		}
	}
	if bi.copied == 0 {
		return c, bi.audit(ctx, c)
	}
	say("removing lines imported before")
	// Entries already stored (an overlapping statement imported before).
	tag, err := tx.Exec(ctx, `DELETE FROM bank_import t USING bank_lines b WHERE b.entry_key = t.entry_key`)
	if err != nil {
		return c, dbErr(err, "skip known lines")
	}
	c.Duplicates += int(tag.RowsAffected())
	// Overlapping statements of one account inside this file.
	overlap := false
	for _, n := range bi.accounts {
		overlap = overlap || n > 1
	}
	if overlap {
		tag, err := tx.Exec(ctx, `DELETE FROM bank_import a USING bank_import b WHERE a.entry_key = b.entry_key AND a.seq > b.seq`)
		if err != nil {
			return c, dbErr(err, "skip repeated lines")
		}
		c.Duplicates += int(tag.RowsAffected())
	}
	// One arrival per payout: a second line naming the same payout is matched like any other.
	if _, err := tx.Exec(ctx, `UPDATE bank_import t SET state = '', payout_id = NULL
		WHERE t.state = 'payout' AND EXISTS (SELECT 1 FROM bank_import o WHERE o.state = 'payout' AND o.payout_id = t.payout_id AND o.seq < t.seq)`); err != nil {
		return c, dbErr(err, "payouts")
	}

	say("booking payments")
	if err := bi.bookTransfers(ctx); err != nil {
		return c, err
	}
	say("looking for suggestions")
	if err := bi.suggest(ctx, scores); err != nil {
		return c, err
	}
	say("storing lines")
	_, err = tx.Exec(ctx, `INSERT INTO bank_lines (id, statement_id, creditor_id, entry_key, amount_cents, currency, credit, reversal, booking_date,
			reference, text, cp_name, cp_iban, end_to_end_id, seq, state, reason, invoice_id, debtor_id, payment_id, payout_id, created_at, updated_at)
		SELECT t.line_id, t.statement_id, t.creditor_id, t.entry_key, t.amount_cents, t.currency, t.credit, t.reversal, t.booking_date,
			t.reference, t.text, t.cp_name, t.cp_iban, t.end_to_end_id, t.seq,
			CASE WHEN t.state <> '' THEN t.state WHEN s.seq IS NOT NULL THEN 'suggested' ELSE 'unmatched' END,
			CASE WHEN t.state = '' AND s.seq IS NULL THEN 'no invoice reference, payout or likely debtor found' ELSE t.reason END,
			t.invoice_id, t.debtor_id, CASE WHEN t.state = 'booked' THEN t.payment_id END, t.payout_id, $1, $1
		FROM bank_import t LEFT JOIN (SELECT DISTINCT seq FROM bank_suggest) s ON s.seq = t.seq`, bi.now)
	if err != nil {
		return c, dbErr(err, "store bank lines")
	}
	if _, err := tx.Exec(ctx, `INSERT INTO bank_suggestions (line_id, debtor_id, invoice_id, score, evidence)
		SELECT t.line_id, s.debtor_id, s.invoice_id, s.score, s.evidence FROM bank_suggest s JOIN bank_import t ON t.seq = s.seq
		ORDER BY s.seq, s.score DESC`); err != nil {
		return c, dbErr(err, "store suggestions")
	}
	say("payouts and reversals")
	if err := bi.arrivals(ctx); err != nil {
		return c, err
	}
	if err := bi.reversals(ctx); err != nil {
		return c, err
	}
	rows, err := tx.Query(ctx, `SELECT b.state, count(*) FROM bank_import t JOIN bank_lines b ON b.id = t.line_id GROUP BY b.state`)
	if err != nil {
		return c, dbErr(err, "count lines")
	}
	tally := map[collect.BankLineState]*int{
		collect.BankBooked: &c.Booked, collect.BankPayout: &c.Payouts, collect.BankSuggested: &c.Suggested,
		collect.BankUnmatched: &c.Unmatched, collect.BankNotHandled: &c.NotHandled, collect.BankReversal: &c.Reversals,
		collect.BankHeld: &c.Held, collect.BankPending: &c.Pending,
	}
	for rows.Next() {
		var state collect.BankLineState
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			rows.Close()
			return c, dbErr(err, "count lines")
		}
		c.Lines += n
		// A reversed line (booked or matched first, undone by a reversal in
		// the same file) counts only in Lines.
		if count := tally[state]; count != nil {
			*count += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, dbErr(err, "count lines")
	}
	return c, bi.audit(ctx, c)
}

func (bi *BankImport) audit(ctx context.Context, c BankCounts) error {
	if err := bi.bankEvents(ctx); err != nil {
		return err
	}
	for _, id := range bi.statements {
		var creditor string
		if err := bi.tx.QueryRow(ctx, `SELECT creditor_id::text FROM bank_statements WHERE id = $1`, id).Scan(&creditor); err != nil {
			return dbErr(err, "bank statement")
		}
		if err := Audit(ctx, bi.tx, bi.by, "bank_statement.imported", creditor, "", "bank_statement:"+id, nil, c); err != nil {
			return err
		}
	}
	return nil
}

// bookTransfers creates the bank-transfer payments of the lines that named
// an invoice's reference and books them, a thousand at a time.
func (bi *BankImport) bookTransfers(ctx context.Context) error {
	tx := bi.tx
	if _, err := tx.Exec(ctx, `INSERT INTO payments (id, creditor_id, debtor_id, invoice_id, amount_cents, provider, method, provider_id, status, payer_iban, created_at, updated_at, paid_at)
		SELECT payment_id, creditor_id, debtor_id, invoice_id, amount_cents, 'bank', 'transfer', entry_key, 'paid', cp_iban, $1, $1, $1
		FROM bank_import WHERE state = 'booked'`, bi.now); err != nil {
		return dbErr(err, "bank payments")
	}
	if _, err := tx.Exec(ctx, `INSERT INTO payment_status_history (payment_id, from_status, to_status, source, at)
		SELECT payment_id, NULL, 'paid', 'bank statement', $1 FROM bank_import WHERE state = 'booked'`, bi.now); err != nil {
		return dbErr(err, "bank payment history")
	}
	if _, err := tx.Exec(ctx, `DECLARE bank_booked NO SCROLL CURSOR FOR
		SELECT creditor_id::text, debtor_id::text, invoice_id::text, amount_cents, booking_date, line_id::text, payment_id::text, entry_key
		FROM bank_import WHERE state = 'booked' ORDER BY seq`); err != nil {
		return dbErr(err, "bank payments")
	}
	var debtors int
	if err := tx.QueryRow(ctx, `SELECT count(DISTINCT debtor_id) FROM bank_import WHERE state = 'booked'`).Scan(&debtors); err != nil {
		return dbErr(err, "bank payments")
	}
	lock := debtors <= maxLockedDebtors
	batch := make([]Receipt, 0, 1000)
	for {
		rows, err := tx.Query(ctx, `FETCH 1000 FROM bank_booked`)
		if err != nil {
			return dbErr(err, "bank payments")
		}
		batch = batch[:0]
		for rows.Next() {
			var r Receipt
			var line, key string
			if err := rows.Scan(&r.CreditorID, &r.DebtorID, &r.InvoiceID, &r.Amount, &r.On, &line, &r.PaymentID, &key); err != nil {
				rows.Close()
				return dbErr(err, "bank payments")
			}
			r.On = collect.DateOf(r.On)
			r.SourceKey = "bank:" + line
			r.Memo = "bank transfer"
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return dbErr(err, "bank payments")
		}
		if len(batch) == 0 {
			break
		}
		if _, err := bookReceipts(ctx, tx, batch, lock); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `CLOSE bank_booked`)
	return dbErr(err, "bank payments")
}

// suggest finds candidates for the lines that matched nothing exactly, all
// set-based, into bank_suggest (seq, debtor_id, invoice_id, score, evidence),
// each piece of evidence weighing what scores say.
func (bi *BankImport) suggest(ctx context.Context, scores collect.BankScores) error {
	creditors := make([]string, 0, len(bi.creditors))
	for c := range bi.creditors {
		creditors = append(creditors, c)
	}
	stmts := []struct {
		what, sql string
		args      []any
	}{
		{"candidates", `CREATE TEMP TABLE bank_cand (seq bigint NOT NULL, debtor_id uuid NOT NULL, invoice_id uuid, score int NOT NULL, evidence text NOT NULL) ON COMMIT DROP`, nil},
		// An invoice number named in the text or the reference field.
		{"invoice numbers", `INSERT INTO bank_cand
			SELECT DISTINCT t.seq, i.debtor_id, i.id, $1::int, 'invoice ' || i.number || ' is named in the text'
			FROM bank_import t
			CROSS JOIN LATERAL string_to_table(upper(t.text || ' ' || t.reference), ' ') AS w
			JOIN invoices i ON i.creditor_id = t.creditor_id AND upper(i.number) = btrim(w, '.,;:-/_()#')
			WHERE t.state = ''`, []any{scores.InvoiceNumber}},
		// An IBAN this debtor paid from before.
		{"payer ibans", `INSERT INTO bank_cand
			SELECT DISTINCT t.seq, p.debtor_id, NULL::uuid, $1::int, 'paid from ' || t.cp_iban || ' before'
			FROM bank_import t JOIN payments p ON p.payer_iban = t.cp_iban AND p.creditor_id = t.creditor_id
			WHERE t.state = '' AND t.cp_iban <> '' AND p.status IN ('paid', 'refunded', 'charged_back')`, []any{scores.PayerIBAN}},
		// The amount is a debtor's open total as booked (principal, costs and interest).
		{"open totals", `INSERT INTO bank_cand
			SELECT t.seq, o.debtor_id, NULL::uuid, $2::int, 'the amount is the open total'
			FROM bank_import t JOIN (
				SELECT creditor_id, debtor_id, total, count(*) OVER (PARTITION BY creditor_id, total) AS n FROM (
					SELECT creditor_id, debtor_id, sum(amount_cents) AS total FROM ledger_entries
					WHERE creditor_id = ANY($1::uuid[]) AND account <> 'credit' GROUP BY creditor_id, debtor_id
				) s WHERE total > 0
			) o ON o.creditor_id = t.creditor_id AND o.total = t.amount_cents AND o.n <= $3::int
			WHERE t.state = ''`, []any{creditors, scores.OpenTotal, scores.MaxSameAmount}},
		// The amount is an instalment of an approved plan.
		{"instalments", `INSERT INTO bank_cand
			SELECT t.seq, x.debtor_id, NULL::uuid, $2::int, 'the amount is an instalment of the payment plan'
			FROM bank_import t JOIN (
				SELECT creditor_id, debtor_id, amount_cents, count(*) OVER (PARTITION BY creditor_id, amount_cents) AS n FROM (
					SELECT DISTINCT p.creditor_id, p.debtor_id, i.amount_cents FROM plans p JOIN plan_instalments i ON i.plan_id = p.id
					WHERE p.status = 'approved' AND p.creditor_id = ANY($1::uuid[])
				) s
			) x ON x.creditor_id = t.creditor_id AND x.amount_cents = t.amount_cents AND x.n <= $3::int
			WHERE t.state = ''`, []any{creditors, scores.Instalment, scores.MaxSameAmount}},
		// The payer's name is the debtor's.
		{"payer names", `INSERT INTO bank_cand
			SELECT t.seq, d.id, NULL::uuid, $2::int, 'the payer''s name is the debtor''s'
			FROM bank_import t JOIN (
				SELECT id, creditor_id, lower(name) AS name, count(*) OVER (PARTITION BY creditor_id, lower(name)) AS n FROM debtors
				WHERE creditor_id = ANY($1::uuid[])
			) d ON d.creditor_id = t.creditor_id AND d.name = lower(t.cp_name) AND d.n <= $3::int
			WHERE t.state = '' AND t.cp_name <> ''`, []any{creditors, scores.PayerName, scores.MaxSameAmount}},
		// The debtor's name in the free text: only checked for candidates
		// found otherwise, since searching every name in every text does not scale.
		{"names in text", `INSERT INTO bank_cand
			SELECT DISTINCT c.seq, c.debtor_id, NULL::uuid, $1::int, 'the debtor''s name is in the text'
			FROM bank_cand c JOIN bank_import t ON t.seq = c.seq JOIN debtors d ON d.id = c.debtor_id
			WHERE length(d.name) >= 4 AND strpos(lower(t.text), lower(d.name)) > 0`, []any{scores.NameInText}},
		{"ranking", `CREATE TEMP TABLE bank_suggest ON COMMIT DROP AS
			SELECT seq, debtor_id, invoice_id, score, evidence FROM (
				SELECT seq, debtor_id, invoice_id, score, evidence, row_number() OVER (PARTITION BY seq ORDER BY score DESC, debtor_id) AS rank FROM (
					SELECT seq, debtor_id, (array_agg(invoice_id ORDER BY invoice_id) FILTER (WHERE invoice_id IS NOT NULL))[1] AS invoice_id,
						sum(score)::int AS score, string_agg(evidence, '; ' ORDER BY score DESC, evidence) AS evidence
					FROM bank_cand GROUP BY seq, debtor_id
				) g
			) r WHERE rank <= 3`, nil},
	}
	for _, s := range stmts {
		if _, err := bi.tx.Exec(ctx, s.sql, s.args...); err != nil {
			return dbErr(err, "suggestions: "+s.what)
		}
	}
	return nil
}

// arrivals marks the payouts whose money arrived.
func (bi *BankImport) arrivals(ctx context.Context) error {
	rows, err := bi.tx.Query(ctx, `SELECT line_id::text, payout_id::text, booking_date FROM bank_import WHERE state = 'payout' ORDER BY seq`)
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
		if err := MarkPayoutArrivedTx(ctx, bi.tx, a.payout, a.line, a.on); err != nil {
			return err
		}
	}
	return nil
}

// reversals undoes, for every reversal in the file, what its original line
// did: a booked payment is reversed in the ledger and the original is
// marked reversed. An arrived payout's reversal is left for a person, since
// the creditor's books are append-only. A reversal whose
// original cannot be found stays unmatched, with that reason.
func (bi *BankImport) reversals(ctx context.Context) error {
	rows, err := bi.tx.Query(ctx, `SELECT line_id::text FROM bank_import WHERE state = 'reversal' ORDER BY seq`)
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
		if err := reverseLineTx(ctx, bi.tx, id, bi.by, bi.now); err != nil {
			return err
		}
	}
	return nil
}
