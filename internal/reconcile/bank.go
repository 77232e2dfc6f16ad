package reconcile

// Bank statement import (CAMT.053).
//
// The whole file is one database transaction: a malformed file, an account
// that is no creditor's, or any failure books nothing. The file is read as
// a stream: a goroutine parses it and hands over batches of lines, which are
// matched exactly (payment references and payout references, one query per
// batch) and copied into a staging table; everything else (booking,
// suggestions, storing the lines) runs set-based at the end. Memory does not
// grow with the size of the file.
//
// Identity. A statement is (account, Stmt/Id, sequence number): one imported
// before is skipped whole. A line is the bank's AcctSvcrRef (with the
// account) or camt053's hash of the entry, plus the transaction's index in
// the entry; entries without AcctSvcrRef that hash the same inside one
// statement (two identical payments on one day) are numbered, so both count.
//
// Matching, in this order, for each euro credit:
//
//	(a) a valid RF reference or 16-digit betalingskenmerk (structured, or
//	    else found in the free text) that is the payment reference of an
//	    invoice of the account's creditor: a bank-transfer payment on that
//	    invoice is created and booked at once (costs, interest, principal by
//	    art. 6:44 BW inside the invoice, the rest by art. 6:43 BW, the rest as
//	    credit), source key bank:<line id>;
//	(b) a Mollie settlement reference or Stripe payout id in the text or
//	    reference of an expected payout of the same amount: the payout
//	    arrived (postgres.MarkPayoutArrivedTx);
//	(c) otherwise candidates ranked by evidence (see postgres.Score*): a
//	    finance user confirms one (booked like (a)) or rejects the line.
//
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
	"regexp"
	"strconv"
	"strings"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/reconcile/camt053"
)

// ImportOptions tune ImportCAMTWith.
type ImportOptions struct {
	// ImportedBy is recorded on the statements and in the audit log.
	ImportedBy string
	// CreditorID, when set, refuses statements of any other creditor's account.
	CreditorID string
	// Progress, when set, is called with the number of entries read so far,
	// about every ProgressEvery entries, and with the stage once reading is done.
	Progress func(entries int, stage string)
}

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

// ImportError is an import refused as a whole: nothing was booked.
type ImportError struct {
	// Parse is the parser's error (line and element) for a malformed file.
	Parse *camt053.ParseError
	Err   error
}

func (e *ImportError) Error() string {
	return "bank statement not imported, nothing was booked: " + e.Err.Error()
}

func (e *ImportError) Unwrap() error { return e.Err }

// ImportCAMT imports a CAMT.053 file from r in one transaction.
func ImportCAMT(ctx context.Context, db *postgres.DB, r io.Reader, importedBy string) (ImportResult, error) {
	return ImportCAMTWith(ctx, db, r, ImportOptions{ImportedBy: importedBy})
}

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

// ImportCAMTWith is ImportCAMT with options.
func ImportCAMTWith(ctx context.Context, db *postgres.DB, r io.Reader, opts ImportOptions) (ImportResult, error) {
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
			res.Statements = append(res.Statements, StatementResult{ID: id, AccountIBAN: accountOf(*st), StmtID: st.ID, Sequence: st.SequenceNumber, Duplicate: dup})
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
			if err := bi.ResolveBankLines(ctx, it.lines); err != nil {
				return fail(err)
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
	counts, err := bi.Finish(ctx, stage)
	if err != nil {
		return ImportResult{}, &ImportError{Err: err}
	}
	dups := res.Duplicates
	res.BankCounts = counts
	res.Duplicates += dups
	if err := bi.Commit(ctx); err != nil {
		return ImportResult{}, &ImportError{Err: err}
	}
	return res, nil
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
	var tally balanceTally
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
		return send(item{end: true, entries: entries, balanceProblem: tally.problem(cur.Balances)})
	}
	onStatement := func(st camt053.Statement) error {
		if err := endStatement(); err != nil {
			return err
		}
		hashes = nil
		cur, tally = &st, balanceTally{}
		return send(item{stmt: &st, entries: entries})
	}
	onEntry := func(st camt053.Statement, e camt053.Entry) error {
		entries++
		tally.add(e)
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

// accountOf is how a statement names its account: the IBAN, else the bank's
// own account number.
func accountOf(st camt053.Statement) string {
	if st.AccountIBAN != "" {
		return st.AccountIBAN
	}
	return st.AccountOther
}

// statusPending is an entry's Sts (Sts/Cd) while the bank has not booked it.
const statusPending = "PDNG"

// lineOf turns one transaction into a line to store, deciding what can be
// decided without the database.
func lineOf(st camt053.Statement, e camt053.Entry, ti int, tx camt053.Transaction, occurrence int, seq int64) postgres.BankLineIn {
	var key string
	if e.AcctSvcrRef != "" {
		key = "r:" + accountOf(st) + ":" + e.AcctSvcrRef + ":" + strconv.Itoa(ti)
	} else {
		key = "h:" + e.Hash
		if occurrence > 1 {
			key += "#" + strconv.Itoa(occurrence)
		}
		key += ":" + strconv.Itoa(ti)
	}
	pending := e.Status == statusPending
	if pending {
		// Its own key, so that the entry, once booked in a later statement
		// (with the same reference or hash), is new and books, while the
		// same pending entry in a repeated statement is still a duplicate.
		key = "p:" + key
	}
	l := postgres.BankLineIn{
		Seq: seq, Key: key, Amount: tx.AmountCents, Currency: tx.Currency, Credit: tx.Credit, Reversal: e.Reversal,
		BookingDate: collect.Day(e.BookingDate.Date()), Reference: tx.Reference, Text: tx.Text,
		CPName: tx.CounterpartyName, CPIBAN: tx.CounterpartyIBAN, EndToEndID: tx.EndToEndID,
	}
	switch {
	case pending:
		l.State, l.Reason = collect.BankPending, "pending at the bank (status PDNG): the money has not arrived, nothing is booked until a statement brings the entry as booked"
	case e.Mismatch != "":
		// One line of a batch cannot be booked without knowing the others
		// are right, so the whole entry waits for finance.
		l.State, l.Reason = collect.BankHeld, "held for finance, nothing of this entry is booked: "+e.Mismatch
	case tx.Currency != "EUR":
		l.State, l.Reason = collect.BankNotHandled, "in "+tx.Currency+": only euro lines are handled, none is converted"
	case e.Reversal && tx.Credit:
		l.State, l.Reason = collect.BankNotHandled, "reverses money paid out: payments out are not booked here"
	case e.Reversal:
		l.State = collect.BankReversal
	case !tx.Credit:
		l.State, l.Reason = collect.BankNotHandled, "a debit: money paid out is not booked here"
	case tx.AmountCents <= 0:
		l.State, l.Reason = collect.BankNotHandled, "an amount of zero books nothing"
	default:
		l.RefNorm = PaymentReference(tx.Reference, tx.Text)
		l.PayoutRefs = PayoutReferences(tx.Reference + " " + tx.Text)
	}
	return l
}

// PaymentReference returns the valid RF reference or 16-digit
// betalingskenmerk in ref (the structured reference), or else the first one
// written in the free text (also when typed in groups with spaces),
// normalised as invoices store them; "" when there is none.
func PaymentReference(ref, text string) string {
	if n := normRef(ref); n != "" {
		return n
	}
	if text == "" {
		return ""
	}
	words := strings.FieldsFunc(strings.ToUpper(text), func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	for i := range words {
		joined := ""
		for j := i; j < len(words) && j < i+7; j++ {
			joined += words[j]
			if len(joined) > 25 {
				break
			}
			if n := normRef(joined); n != "" {
				return n
			}
		}
	}
	return ""
}

func normRef(s string) string {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if s == "" {
		return ""
	}
	if strings.HasPrefix(s, "RF") && collect.ValidRF(s) {
		return s
	}
	if len(s) == 16 && collect.ValidBetalingskenmerk(s) {
		return s
	}
	return ""
}

var (
	mollieRef = regexp.MustCompile(`\b\d{4,10}\.\d{4}\.\d{2}\b`)
	stripeRef = regexp.MustCompile(`\bpo_[A-Za-z0-9]{6,}\b`)
)

// PayoutReferences lists the Mollie settlement references (1234567.2404.03)
// and Stripe payout ids (po_...) written in s.
func PayoutReferences(s string) []string {
	var out []string
	if strings.Count(s, ".") >= 2 {
		out = append(out, mollieRef.FindAllString(s, 4)...)
	}
	if strings.Contains(s, "po_") {
		out = append(out, stripeRef.FindAllString(s, 4)...)
	}
	return out
}

// ConfirmSuggestion books a suggested line on the suggestion's debtor and
// invoice (like an exact reference match), with an audit record, in one
// transaction.
func ConfirmSuggestion(ctx context.Context, db *postgres.DB, lineID, suggestionID, by string) (collect.BankLine, error) {
	return db.ConfirmBankSuggestion(ctx, lineID, suggestionID, by)
}

// RejectLine leaves a line unmatched with the reason, with an audit record.
func RejectLine(ctx context.Context, db *postgres.DB, lineID, reason, by string) (collect.BankLine, error) {
	return db.RejectBankLine(ctx, lineID, reason, by)
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
