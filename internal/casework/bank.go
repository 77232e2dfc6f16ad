package casework

// Bank statement import (CAMT.053) and the decisions on its lines.
//
// Stages (postgres.BankImport). The file is read as a stream: a goroutine
// parses it (reconcile/camt053) and hands over batches of lines,
// classified by reconcile's rules, which are copied into a staging table.
// Then, in the same transaction, the store matches them exactly in SQL
// (payment references, payout references) and stores the new lines and
// their payments; a malformed file, an account that is no creditor's, or
// any failure until here stores and books nothing. Next the payments are
// booked by collect's rules, in parallel per debtor (ImportOptions.Workers
// connections, each owning a disjoint set of debtors, a batch of receipts
// per transaction). Last, in one transaction, suggestions weighed by
// collect.SuggestionScores, payout arrivals, reversals, events and the
// audit record, which completes the statements. An import cut off after
// the first stage (a crash, a cancelled request) is completed by importing
// the same file again, which stores no line twice and books nothing twice.
// Memory does not grow with the size of the file.
//
// Identity. A statement is (account, Stmt/Id, sequence number): one imported
// before is skipped whole. A line is reconcile.LineKey.
//
// Matching (see reconcile): an invoice's payment reference books a
// bank-transfer payment at once (costs, interest, principal by art. 6:44 BW
// inside the invoice, the rest by art. 6:43 BW, the rest as credit), source
// key bank:<line id>; a payout reference of an expected payout of the same
// amount marks the payout arrived; otherwise candidates are suggested for a
// finance user to confirm (booked like a reference match) or reject.
// Debits and other currencies are not handled, with the reason. A reversal
// undoes its original (found by end-to-end id, reference or payer IBAN with
// the same amount).
//
// Amounts. An entry's Amt (with its currency and direction) is what the
// bank moved. An entry with one transaction is booked with the entry's
// amount; what the transaction states (AmtDtls, another currency, the
// instructed amount) is information. An entry with several transactions is
// booked per transaction only when they add up to the entry; otherwise all
// its lines are held for finance with the reason and none is booked.
//
// Balances. For each statement, the opening booked balance (OPBD, else
// PRCD) plus the booked entries' credits minus debits must be the closing
// booked balance (CLBD). A statement that does not add up is flagged (in
// the result, on bank_statements.balance_problem, on the console) but still
// imported line by line: each line is checked on its own as above, and a
// missing or extra entry elsewhere in the file does not make the entries
// that are there less real. Finance compares the file with the bank.
//
// Accounts. A statement names its account by IBAN or, at some banks, by
// their own account number (Acct/Id/Othr/Id); the latter must be registered
// for the creditor (settle creditor add-account).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile"
	"github.com/settle/settle/internal/reconcile/camt053"
)

// ImportOptions say who imports a statement and for whom.
type ImportOptions struct {
	// ImportedBy is recorded on the statements and in the audit log.
	ImportedBy string
	// CreditorID, when set, refuses statements of any other creditor's account.
	CreditorID string
	// Progress, when set, is called with the number of entries read so far,
	// about every ProgressEvery entries, and with the stage once reading is done.
	Progress func(entries int, stage string)
	// Workers is how many connections book payments at once (0: DefaultWorkers).
	Workers int
}

// DefaultWorkers is how many connections book an import's payments at
// once when ImportOptions.Workers is 0: each worker waits for the database
// about half its time (the booking rules run in Go, the ledger is written
// by PostgreSQL), so two per core keep both busy.
var DefaultWorkers = max(4, 2*runtime.GOMAXPROCS(0))

// ProgressEvery is how often Progress hears about entries read.
const ProgressEvery = 10_000

// batchSize is how many lines are matched and copied at a time.
const batchSize = 2000

// StatementResult is one statement of the file.
type StatementResult struct {
	ID string `json:"id"` // empty for a statement imported before
	// AccountIBAN is the IBAN, or the account number (Acct/Id/Othr/Id) of a
	// statement that names no IBAN.
	AccountIBAN string `json:"account_iban"`
	StmtID      string `json:"statement_id"`
	Sequence    string `json:"sequence"`
	Duplicate   bool   `json:"duplicate"`
	// BalanceProblem says why the entries do not add up to the statement's
	// balances; "" when they do or when the statement gives no opening and
	// closing booked balance. The statement is imported all the same.
	BalanceProblem string `json:"balance_problem"`
}

// ImportResult is what an import did.
type ImportResult struct {
	Statements []StatementResult `json:"statements"`
	// Entries is the number of Ntry elements read; a line is one transaction.
	Entries int `json:"entries"`
	postgres.BankCounts
}

// ErrImportStopped is in the error of an import that stopped after storing
// its lines (a database failure, a cancelled request): importing the same
// file again completes it, and housekeeping does so by itself once the
// import is BankResumeAfter old (CompleteBankImports).
var ErrImportStopped = errors.New("the import stopped after storing its lines; import the same file again to complete it, or Settle completes it by itself within the hour")

// ImportError is an import refused as a whole: nothing was stored or
// booked. An error after the lines were stored is not an ImportError but
// ErrImportStopped.
type ImportError struct {
	// Parse is the parser's error (line and element) for a malformed file.
	Parse *camt053.ParseError
	Err   error
}

func (e *ImportError) Error() string {
	return "bank statement not imported, nothing was booked: " + e.Err.Error()
}

func (e *ImportError) Unwrap() error { return e.Err }

// item is what the parser hands to the database side: a statement header
// or a batch of its lines.
type item struct {
	stmt    *camt053.Statement
	lines   []postgres.BankLineIn
	entries int // entries read so far
	// end marks the end of the current statement, with balanceProblem.
	end            bool
	balanceProblem string
}

// ImportCAMT imports a CAMT.053 file from r: every statement of a
// creditor's account, each line booked, matched to a payout, suggested or
// left for finance, with the audit record (see the stages above).
func ImportCAMT(ctx context.Context, db *postgres.DB, r io.Reader, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	bi, err := db.BeginBankImport(ctx, opts.ImportedBy)
	if err != nil {
		return res, err
	}
	defer bi.Rollback(ctx)

	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	items := make(chan item, 4)
	free := make(chan []postgres.BankLineIn, 6)
	var parseErr error
	go func() {
		defer close(items)
		parseErr = parseLines(pctx, r, items, free)
	}()
	fail := func(err error) (ImportResult, error) {
		cancel()
		for range items {
		}
		return ImportResult{}, &ImportError{Err: err}
	}

	var cur struct {
		id, creditor string
		dup          bool
	}
	nextReport := ProgressEvery
	for it := range items {
		if it.stmt != nil {
			st := it.stmt
			id, creditor, dup, err := bi.Statement(ctx, postgres.BankStatementIn{AccountIBAN: st.AccountIBAN, AccountOther: st.AccountOther, StmtID: st.ID,
				Sequence: st.SequenceNumber, Version: st.Version, CreatedAt: st.CreatedAt}, opts.CreditorID)
			if err != nil {
				return fail(err)
			}
			cur.id, cur.creditor, cur.dup = id, creditor, dup
			res.Statements = append(res.Statements, StatementResult{ID: id, AccountIBAN: reconcile.AccountOf(*st), StmtID: st.ID, Sequence: st.SequenceNumber, Duplicate: dup})
			continue
		}
		if it.end {
			if it.balanceProblem != "" {
				res.Statements[len(res.Statements)-1].BalanceProblem = it.balanceProblem
				if !cur.dup {
					if err := bi.FlagStatement(ctx, cur.id, it.balanceProblem); err != nil {
						return fail(err)
					}
				}
			}
			continue
		}
		res.Entries = it.entries
		if cur.dup {
			res.Duplicates += len(it.lines)
		} else {
			for i := range it.lines {
				it.lines[i].StatementID, it.lines[i].CreditorID = cur.id, cur.creditor
			}
			if err := bi.AddBankLines(ctx, it.lines); err != nil {
				return fail(err)
			}
		}
		select {
		case free <- it.lines[:0]:
		default:
		}
		if opts.Progress != nil && it.entries >= nextReport {
			opts.Progress(it.entries, "reading")
			nextReport = (it.entries/ProgressEvery + 1) * ProgressEvery
		}
	}
	// The channel is closed: parseErr is set.
	if parseErr != nil {
		ie := &ImportError{Err: parseErr}
		errors.As(parseErr, &ie.Parse)
		return ImportResult{}, ie
	}
	stage := func(s string) {
		if opts.Progress != nil {
			opts.Progress(res.Entries, s)
		}
	}
	stage("storing lines")
	dups, err := bi.Store(ctx)
	if err != nil {
		return ImportResult{}, &ImportError{Err: err}
	}
	if err := bi.Commit(ctx); err != nil {
		return ImportResult{}, &ImportError{Err: err}
	}
	halfway := func(err error) (ImportResult, error) {
		return ImportResult{}, fmt.Errorf("bank statement import: %w: %w", ErrImportStopped, err)
	}
	stage("booking payments")
	workers := opts.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	if _, err := bi.Book(ctx, workers); err != nil {
		return halfway(err)
	}
	counts, err := bi.Finish(ctx, collect.SuggestionScores(), stage)
	if err != nil {
		return halfway(err)
	}
	dups += res.Duplicates
	res.BankCounts = counts
	res.Duplicates = dups
	return res, nil
}

// BankResumeAfter is how long after its start an import that stored its
// lines but did not complete its statements is taken to be cut off (a
// crash, a closed connection): housekeeping then completes it, so nobody
// has to import the file again. A 1,000,000-entry import takes minutes.
const BankResumeAfter = 30 * time.Minute

// CompleteBankImports completes the imports cut off after storing their
// lines, started at least BankResumeAfter ago: their receipts booked and
// their statements finished, as importing the file again would. It
// returns how many statements it completed.
func CompleteBankImports(ctx context.Context, db *postgres.DB) (int, error) {
	bi, err := db.IncompleteBankImport(ctx, db.Now().Add(-BankResumeAfter))
	if err != nil || len(bi.Statements()) == 0 {
		return 0, err
	}
	if _, err := bi.Book(ctx, DefaultWorkers); err != nil {
		return 0, fmt.Errorf("complete a cut-off bank import: %w", err)
	}
	if _, err := bi.Finish(ctx, collect.SuggestionScores(), nil); err != nil {
		return 0, fmt.Errorf("complete a cut-off bank import: %w", err)
	}
	return len(bi.Statements()), nil
}

// parseLines parses r and sends statements and batches of lines to items.
func parseLines(ctx context.Context, r io.Reader, items chan<- item, free <-chan []postgres.BankLineIn) error {
	send := func(it item) error {
		select {
		case items <- it:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	newBatch := func() []postgres.BankLineIn {
		select {
		case b := <-free:
			return b
		default:
			return make([]postgres.BankLineIn, 0, batchSize)
		}
	}
	batch := newBatch()
	var seq int64
	entries := 0
	var hashes map[string]int // per statement: entries without AcctSvcrRef by hash
	var cur *camt053.Statement
	var tally reconcile.BalanceTally
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := send(item{lines: batch, entries: entries})
		batch = newBatch()
		return err
	}
	// endStatement flushes the current statement's lines and then reports
	// whether its entries add up to its balances.
	endStatement := func() error {
		if err := flush(); err != nil || cur == nil {
			return err
		}
		return send(item{end: true, entries: entries, balanceProblem: tally.Problem(cur.Balances)})
	}
	onStatement := func(st camt053.Statement) error {
		if err := endStatement(); err != nil {
			return err
		}
		hashes = nil
		cur, tally = &st, reconcile.BalanceTally{}
		return send(item{stmt: &st, entries: entries})
	}
	onEntry := func(st camt053.Statement, e camt053.Entry) error {
		entries++
		tally.Add(e)
		occurrence := 0
		if e.AcctSvcrRef == "" {
			if hashes == nil {
				hashes = map[string]int{}
			}
			hashes[e.Hash]++
			occurrence = hashes[e.Hash]
		}
		for ti, tx := range e.Transactions {
			seq++
			batch = append(batch, lineOf(st, e, ti, tx, occurrence, seq))
		}
		if len(batch) >= batchSize {
			return flush()
		}
		return nil
	}
	if err := camt053.Parse(r, onStatement, onEntry); err != nil {
		return err
	}
	return endStatement()
}

// lineOf turns one transaction into a line to store, with what reconcile's
// rules decide without the database.
func lineOf(st camt053.Statement, e camt053.Entry, ti int, tx camt053.Transaction, occurrence int, seq int64) postgres.BankLineIn {
	l := postgres.BankLineIn{
		Seq: seq, Key: reconcile.LineKey(st, e, ti, occurrence), Amount: tx.AmountCents, Currency: tx.Currency, Credit: tx.Credit, Reversal: e.Reversal,
		BookingDate: collect.Day(e.BookingDate.Date()), Reference: tx.Reference, Text: tx.Text,
		CPName: tx.CounterpartyName, CPIBAN: tx.CounterpartyIBAN, EndToEndID: tx.EndToEndID,
	}
	l.State, l.Reason = reconcile.ClassifyLine(e, tx)
	if l.State == "" {
		l.RefNorm = reconcile.PaymentReference(tx.Reference, tx.Text)
		l.PayoutRefs = reconcile.PayoutReferences(tx.Reference + " " + tx.Text)
	}
	return l
}

// Summary is the one-line account of an import, for people.
func (r ImportResult) Summary() string {
	flagged := 0
	for _, s := range r.Statements {
		if s.BalanceProblem != "" {
			flagged++
		}
	}
	return fmt.Sprintf("statements %d (%d not adding up to their balances), entries %d, lines %d: booked %d, payouts arrived %d, suggested %d, unmatched %d, not handled %d, held %d, pending %d, reversals %d, duplicates %d",
		len(r.Statements), flagged, r.Entries, r.Lines, r.Booked, r.Payouts, r.Suggested, r.Unmatched, r.NotHandled, r.Held, r.Pending, r.Reversals, r.Duplicates)
}

// ImportedLines are the lines an import stored, statement by statement, at
// most max of them; more says there are others.
func ImportedLines(ctx context.Context, db *postgres.DB, res ImportResult, max int) (lines []collect.BankLine, more bool, err error) {
	for _, st := range res.Statements {
		if st.ID == "" || len(lines) >= max {
			continue
		}
		got, err := db.BankLines(ctx, st.ID, 0, max-len(lines)+1)
		if err != nil {
			return nil, false, err
		}
		if len(lines)+len(got) > max {
			got, more = got[:max-len(lines)], true
		}
		lines = append(lines, got...)
	}
	return lines, more, nil
}

// StatementPage is one page of a creditor's imported statement.
type StatementPage struct {
	Statement collect.BankStatement
	Lines     []collect.BankLine
	// NextAfter is the sequence number the next page starts after, or nil
	// on the last page.
	NextAfter *int64
}

// BankStatementPage reads the creditor's statement id with at most limit
// of its lines after the sequence number after; another creditor's
// statement is not found.
func BankStatementPage(ctx context.Context, db *postgres.DB, creditorID, id string, after int64, limit int) (StatementPage, error) {
	st, err := db.BankStatementOf(ctx, creditorID, id)
	if err != nil {
		return StatementPage{}, err
	}
	lines, err := db.BankLines(ctx, st.ID, after, limit+1)
	if err != nil {
		return StatementPage{}, err
	}
	p := StatementPage{Statement: st, Lines: lines}
	if len(lines) > limit {
		p.Lines = lines[:limit]
		next := p.Lines[len(p.Lines)-1].Seq
		p.NextAfter = &next
	}
	return p, nil
}

// OpenBankLines lists the creditor's lines waiting for a decision, oldest
// first, at most limit, with their named candidates; and how many wait in all.
func OpenBankLines(ctx context.Context, db *postgres.DB, creditorID string, limit int) ([]postgres.OpenBankLine, int, error) {
	return db.OpenBankLines(ctx, creditorID, limit)
}

// BankLineCreditor is the creditor whose account a bank line is on.
func BankLineCreditor(ctx context.Context, db *postgres.DB, lineID string) (string, error) {
	l, err := db.BankLine(ctx, lineID)
	if err != nil {
		return "", err
	}
	return l.CreditorID, nil
}

// ConfirmBankSuggestion books a suggested line on the suggestion's debtor
// and invoice (like an exact reference match), with an audit record, in
// one transaction.
func ConfirmBankSuggestion(ctx context.Context, db *postgres.DB, lineID, suggestionID, by string) (collect.BankLine, error) {
	return db.ConfirmBankSuggestion(ctx, lineID, suggestionID, by)
}

// BookBankLineOn books a waiting line as a payment of a debtor finance
// chose by search (on invoiceID, or "" for the legal order), once, with the
// rules of every booking and an audit record, in one transaction.
func BookBankLineOn(ctx context.Context, db *postgres.DB, lineID, debtorID, invoiceID, by string) (collect.BankLine, error) {
	return db.BookBankLineOn(ctx, lineID, debtorID, invoiceID, by)
}

// DebtorsForLine searches a creditor's debtors to book a bank line on.
func DebtorsForLine(ctx context.Context, db *postgres.DB, creditorID, query string, limit int) ([]postgres.DebtorMatch, error) {
	return db.SearchDebtorsForLine(ctx, creditorID, query, limit)
}

// RejectedBankLines lists the creditor's rejected lines, newest first, at
// most limit, and how many there are in all.
func RejectedBankLines(ctx context.Context, db *postgres.DB, creditorID string, limit int) ([]collect.BankLine, int, error) {
	return db.RejectedBankLines(ctx, creditorID, limit)
}

// RejectBankLine marks a waiting line rejected with the reason, with an
// audit record: it waits no more and is offered for no match.
func RejectBankLine(ctx context.Context, db *postgres.DB, lineID, reason, by string) (collect.BankLine, error) {
	return db.RejectBankLine(ctx, lineID, reason, by)
}
