// Package camt053 parses ISO 20022 CAMT.053 bank-to-customer statements
// (BkToCstmrStmt), versions camt.053.001.02 and newer.
//
// The parser streams: it walks the document token by token with its own
// byte-level XML scanner (scanner.go, which accepts exactly what
// encoding/xml accepts) and buffers only one <Ntry> (or one statement header
// element) at a time, so memory use does not grow with the number of entries
// in a file. Results are delivered through callbacks in document order.
//
// Amounts are integer cents and are never converted between currencies;
// non-EUR entries are returned with their own Currency so the caller can
// decide what to do with them.
package camt053

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// nsPrefix is the namespace prefix shared by all camt.053 versions; the
// version suffix (001.NN) follows it.
const nsPrefix = "urn:iso:std:iso:20022:tech:xsd:camt.053."

// Statement is the header of one <Stmt>.
type Statement struct {
	// ID is Stmt/Id (required).
	ID string
	// SequenceNumber is Stmt/ElctrncSeqNb, or Stmt/LglSeqNb when the
	// electronic sequence number is absent.
	SequenceNumber string
	// AccountIBAN is Stmt/Acct/Id/IBAN, upper-cased without spaces; empty
	// for accounts identified otherwise.
	AccountIBAN string
	// AccountOther is Stmt/Acct/Id/Othr/Id, upper-cased without spaces, for
	// accounts a bank names by its own account number instead of an IBAN.
	AccountOther string
	// Currency is Stmt/Acct/Ccy, falling back to the currency of the first
	// balance because several banks omit Acct/Ccy.
	Currency string
	// CreatedAt is Stmt/CreDtTm, falling back to GrpHdr/CreDtTm. Times
	// without a zone offset are returned as UTC with the wall-clock value
	// as written.
	CreatedAt time.Time
	// Version is the message version from the namespace, e.g. "001.02".
	Version string
	// Balances are the statement's Bal elements in document order.
	Balances []Balance
}

// Balance is one Stmt/Bal.
type Balance struct {
	// Type is Tp/CdOrPrtry/Cd (OPBD, PRCD, CLBD, ...) or else its Prtry.
	Type string
	// AmountCents is signed: negative for a DBIT balance.
	AmountCents int64
	// Currency is the ISO 4217 code of AmountCents.
	Currency string
}

// Transaction is one underlying payment of an entry (one TxDtls).
type Transaction struct {
	// AmountCents is what the bank moved for this transaction, in cents,
	// always >= 0. For the only transaction of an entry it is the entry's
	// Amt, since the entry is what was booked on the account and a lone
	// TxDtls's own amount may be the instructed amount in another currency
	// or before charges (see Stated). For one of several transactions it is
	// the transaction's own amount, and Entry.Mismatch says when those do
	// not add up to the entry.
	AmountCents int64
	// Currency is the ISO 4217 code of AmountCents.
	Currency string
	// Credit is true for money received (CRDT) and false for money paid
	// (DBIT): the entry's for a lone transaction, else TxDtls/CdtDbtInd when
	// present.
	Credit bool
	// StatedCents and StatedCurrency are the amount the TxDtls itself gives
	// (TxDtls/Amt, else AmtDtls/TxAmt/Amt); StatedCurrency is "" when it
	// gives none. For a lone transaction this is information only.
	StatedCents    int64
	StatedCurrency string
	// StatedCredit is TxDtls/CdtDbtInd, or the entry's when absent.
	StatedCredit bool
	// EndToEndID is Refs/EndToEndId; the SEPA placeholder "NOTPROVIDED" is
	// returned as "" so callers never match unrelated payments on it.
	EndToEndID string
	// Reference is the first RmtInf/Strd/CdtrRefInf/Ref, e.g. an RF
	// creditor reference or a 16-digit betalingskenmerk.
	Reference string
	// Text is every RmtInf/Ustrd, trimmed and joined with " ".
	Text string
	// CounterpartyName and CounterpartyIBAN identify the other side: the
	// debtor (RltdPties/Dbtr/Nm, or Dbtr/Pty/Nm since .08, and
	// DbtrAcct/Id/IBAN) for credits and the creditor for debits. For
	// reversals the roles are those of the original payment, i.e. swapped.
	// If the chosen side is empty or is the statement's own account, the
	// other side is used.
	CounterpartyName, CounterpartyIBAN string
}

// Entry is one <Ntry> of a statement.
type Entry struct {
	// Index is the 1-based position of the entry within its statement.
	Index int
	// Line is the line number in the input where <Ntry> starts.
	Line int
	// AcctSvcrRef is the bank's own reference for the entry, if any.
	AcctSvcrRef string
	// AmountCents is the entry amount in cents, always >= 0.
	AmountCents int64
	// Currency is the ISO 4217 code of AmountCents.
	Currency string
	// Credit is true for CRDT, false for DBIT.
	Credit bool
	// Reversal reports RvslInd; a reversal's Credit is the direction of the
	// reversal booking itself, i.e. opposite to the original payment.
	Reversal bool
	// Status is Sts (or Sts/Cd since .08), e.g. "BOOK" or "PDNG". It is
	// not part of Hash, so a pending entry that later books hashes the same.
	Status string
	// BookingDate is BookgDt/Dt or BookgDt/DtTm (required).
	BookingDate time.Time
	// ValueDate is ValDt/Dt or ValDt/DtTm; zero when absent.
	ValueDate time.Time
	// Transactions holds one element per NtryDtls/TxDtls. Entries without
	// details get a single Transaction built from the entry itself, with
	// AddtlNtryInf as Text, so callers can always iterate Transactions.
	Transactions []Transaction
	// Mismatch, for an entry with several transactions, says why they do
	// not account for the entry: one in another currency or without an
	// amount, or amounts that do not add up (credits minus debits) to the
	// entry's Amt. Empty when they do, and for a lone transaction.
	Mismatch string
	// Hash is a hex SHA-256 over the normalised entry fields and the
	// statement's AccountIBAN, for de-duplicating entries across
	// overlapping statements when AcctSvcrRef is absent. It does not
	// depend on Index, Line, the statement ID or the message version.
	// Two genuinely identical payments booked on the same day (same
	// amount, parties and texts) do hash the same.
	Hash string
}

// ParseError describes why parsing stopped.
type ParseError struct {
	// Line is the 1-based input line the problem was found on.
	Line int
	// Element is the element path, relative to the innermost Ntry or Stmt
	// (e.g. "Ntry/Amt", "Stmt/Id"), or empty when not inside an element.
	Element string
	// Msg describes the problem.
	Msg string
	// Err is the underlying error (malformed XML, a reader error, ...)
	// when there is one, for errors.Is/As.
	Err error
}

// Error formats the error as `camt053: line 42, Ntry/Amt: message`.
func (e *ParseError) Error() string {
	if e.Element == "" {
		return fmt.Sprintf("camt053: line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("camt053: line %d, %s: %s", e.Line, e.Element, e.Msg)
}

// Unwrap returns the underlying error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads a camt.053 document from r. It calls onStatement once per
// <Stmt>, after the statement header and before its first entry, and
// onEntry for each <Ntry> in document order. Either callback may be nil.
//
// Parse stops at the first problem: malformed XML, a document that is not
// camt.053.001.02 or newer, a missing required element (Stmt/Id, Ntry/Amt,
// Ntry/CdtDbtInd, Ntry/BookgDt), or an invalid value. Such errors are
// *ParseError. An error returned by a callback stops parsing too and is
// returned unchanged. Callbacks are never invoked after Parse has decided to
// fail, but entries delivered before the failure have already been seen by
// the caller, who must discard them if the file is to be processed
// atomically.
func Parse(r io.Reader, onStatement func(Statement) error, onEntry func(Statement, Entry) error) error {
	p := &parser{s: newScanner(r), onStatement: onStatement, onEntry: onEntry}
	return p.document()
}

type parser struct {
	s *scanner
	// next reads the next token into s; nil uses the scanner itself. The
	// tests' encoding/xml oracle sets it, so both readers share everything
	// after tokenising and a differential test compares just the readers.
	next        func() error
	onStatement func(Statement) error
	onEntry     func(Statement, Entry) error

	version    string
	grpCreated time.Time
	t          tree
	txs        []int  // reused list of TxDtls nodes of the current entry
	hashBuf    []byte // reused hash input
}

// token reads the next token (see scanner.next) and returns the line it
// starts on.
func (p *parser) token() (int, error) {
	var err error
	if p.next != nil {
		err = p.next()
	} else {
		err = p.s.next()
	}
	return p.s.tokLine, err
}

// is reports whether the current start or end tag has the local name name.
func (p *parser) is(name string) bool { return string(p.s.local) == name }

// wrapXMLError turns a scanner error into a *ParseError at the current
// position inside element path.
func (p *parser) wrapXMLError(err error, path string) error {
	var se *syntaxError
	if errors.As(err, &se) {
		return &ParseError{Line: se.Line, Element: path, Msg: se.Msg, Err: err}
	}
	line := p.s.line
	if err == io.EOF {
		return &ParseError{Line: line, Element: path, Msg: "unexpected end of input", Err: io.ErrUnexpectedEOF}
	}
	return &ParseError{Line: line, Element: path, Msg: err.Error(), Err: err}
}

// isBlank reports whether text outside the root element may be ignored.
// A UTF-8 byte order mark reaches us as text, so it counts as blank.
func isBlank(b []byte) bool {
	return len(bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\ufeff")))) == 0
}

func (p *parser) document() error {
	// Prolog: find the root element.
	var rootLine int
	for {
		line, err := p.token()
		if err == io.EOF {
			return &ParseError{Line: line, Msg: "no Document element (empty input?)"}
		}
		if err != nil {
			return p.wrapXMLError(err, "")
		}
		if p.s.kind == tokText && !isBlank(p.s.text) {
			return &ParseError{Line: line, Msg: "text before the Document element"}
		}
		if p.s.kind == tokStart {
			rootLine = line
			break
		}
	}
	if err := p.checkRoot(string(p.s.local), p.s.rootSpace, rootLine); err != nil {
		return err
	}

	seenBank := false
	for {
		line, err := p.token()
		if err != nil {
			return p.wrapXMLError(err, "Document")
		}
		switch p.s.kind {
		case tokStart:
			if !p.is("BkToCstmrStmt") {
				if err := p.skip("Document/" + string(p.s.local)); err != nil {
					return err
				}
				continue
			}
			seenBank = true
			if err := p.bankToCustomer(line); err != nil {
				return err
			}
		case tokEnd:
			if !seenBank {
				return &ParseError{Line: line, Element: "Document/BkToCstmrStmt", Msg: "missing required element"}
			}
			return p.epilog()
		}
	}
}

// checkRoot accepts only <Document> in a camt.053.001.NN namespace with
// NN >= 02, so that other ISO 20022 messages (camt.052, camt.054, pain.001)
// handed to us by mistake are refused instead of yielding zero entries.
func (p *parser) checkRoot(local, ns string, line int) error {
	if local != "Document" {
		return &ParseError{Line: line, Element: local, Msg: "not a camt.053 document: root element is " + local + ", want Document"}
	}
	bad := &ParseError{Line: line, Element: "Document", Msg: fmt.Sprintf("not a camt.053 document: namespace %q, want %s001.NN with NN >= 02", ns, nsPrefix)}
	ver, ok := strings.CutPrefix(ns, nsPrefix)
	if !ok {
		return bad
	}
	minor, ok := strings.CutPrefix(ver, "001.")
	if !ok || len(minor) < 2 || !allDigits(minor) {
		return bad
	}
	if n, err := strconv.Atoi(minor); err != nil || n < 2 {
		return bad
	}
	p.version = ver
	return nil
}

// epilog makes sure nothing but comments and whitespace follows the root,
// which catches concatenated or doubled files.
func (p *parser) epilog() error {
	for {
		line, err := p.token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.wrapXMLError(err, "")
		}
		switch p.s.kind {
		case tokStart:
			return &ParseError{Line: line, Element: string(p.s.local), Msg: "content after the Document element"}
		case tokText:
			if !isBlank(p.s.text) {
				return &ParseError{Line: line, Msg: "text after the Document element"}
			}
		}
	}
}

// skip consumes an element we do not interpret, whose start tag has just
// been read.
func (p *parser) skip(path string) error {
	for depth := 1; depth > 0; {
		if _, err := p.token(); err != nil {
			return p.wrapXMLError(err, path)
		}
		switch p.s.kind {
		case tokStart:
			depth++
		case tokEnd:
			depth--
		}
	}
	return nil
}

func (p *parser) bankToCustomer(line int) error {
	stmts := 0
	for {
		tokLine, err := p.token()
		if err != nil {
			return p.wrapXMLError(err, "BkToCstmrStmt")
		}
		switch p.s.kind {
		case tokStart:
			switch {
			case p.is("GrpHdr"):
				if err := p.t.collect(p, tokLine, ""); err != nil {
					return err
				}
				if n := p.t.child(0, "CreDtTm"); n >= 0 {
					ts, err := p.dateTime(n)
					if err != nil {
						return err
					}
					p.grpCreated = ts
				}
			case p.is("Stmt"):
				stmts++
				if err := p.statement(tokLine); err != nil {
					return err
				}
			default:
				if err := p.skip("BkToCstmrStmt/" + string(p.s.local)); err != nil {
					return err
				}
			}
		case tokEnd:
			if stmts == 0 {
				return &ParseError{Line: line, Element: "BkToCstmrStmt/Stmt", Msg: "missing required element"}
			}
			return nil
		}
	}
}

// statement streams one <Stmt>. Header elements precede Ntry in every
// schema version, so the Statement is complete when the first Ntry (or the
// end of an entry-less statement) is reached.
func (p *parser) statement(line int) error {
	st := Statement{Version: p.version, CreatedAt: p.grpCreated}
	var balCcy string
	emitted := false
	emit := func() error {
		emitted = true
		if st.ID == "" {
			return &ParseError{Line: line, Element: "Stmt/Id", Msg: "missing required element"}
		}
		if st.Currency == "" {
			st.Currency = balCcy
		}
		if p.onStatement != nil {
			return p.onStatement(st)
		}
		return nil
	}
	index := 0
	for {
		tokLine, err := p.token()
		if err != nil {
			return p.wrapXMLError(err, "Stmt")
		}
		switch p.s.kind {
		case tokEnd:
			if !emitted {
				return emit()
			}
			return nil
		case tokStart:
			if p.is("Ntry") {
				if !emitted {
					if err := emit(); err != nil {
						return err
					}
				}
				if err := p.t.collect(p, tokLine, ""); err != nil {
					return err
				}
				index++
				e, err := p.entry(&st, index, tokLine)
				if err != nil {
					return err
				}
				if p.onEntry != nil {
					if err := p.onEntry(st, e); err != nil {
						return err
					}
				}
				continue
			}
			switch string(p.s.local) {
			case "Id", "ElctrncSeqNb", "LglSeqNb", "CreDtTm", "Acct", "Bal":
			default:
				if err := p.skip("Stmt/" + string(p.s.local)); err != nil {
					return err
				}
				continue
			}
			if err := p.t.collect(p, tokLine, "Stmt/"); err != nil {
				return err
			}
			t := &p.t
			switch t.nodes[0].name {
			case "Id":
				st.ID = t.str(0)
			case "ElctrncSeqNb":
				st.SequenceNumber = t.str(0)
			case "LglSeqNb":
				if st.SequenceNumber == "" {
					st.SequenceNumber = t.str(0)
				}
			case "CreDtTm":
				ts, err := p.dateTime(0)
				if err != nil {
					return err
				}
				st.CreatedAt = ts
			case "Acct":
				st.AccountIBAN = normIBAN(t.str(t.find(0, "Id", "IBAN")))
				st.AccountOther = normIBAN(t.str(t.find(0, "Id", "Othr", "Id")))
				if n := t.child(0, "Ccy"); n >= 0 {
					ccy := t.str(n)
					if !validCurrency(ccy) {
						return &ParseError{Line: t.nodes[n].line, Element: t.path(n), Msg: fmt.Sprintf("currency %q is not an ISO 4217 code", ccy)}
					}
					st.Currency = ccy
				}
			case "Bal":
				if n := t.child(0, "Amt"); n >= 0 && balCcy == "" && validCurrency(t.nodes[n].ccy) {
					balCcy = t.nodes[n].ccy
				}
				b, err := p.balance()
				if err != nil {
					return err
				}
				st.Balances = append(st.Balances, b)
			}
		}
	}
}

// balance reads the buffered <Bal>. Amt and CdtDbtInd are required by
// every schema version: the balances are what the entries are checked
// against, so a broken one is a broken file.
func (p *parser) balance() (Balance, error) {
	t := &p.t
	var b Balance
	tp := t.find(0, "Tp", "CdOrPrtry")
	if c := t.child(tp, "Cd"); c >= 0 {
		b.Type = t.str(c)
	} else {
		b.Type = t.str(t.child(tp, "Prtry"))
	}
	amt := t.child(0, "Amt")
	if amt < 0 {
		return b, p.missing(0, "Amt")
	}
	var err error
	if b.AmountCents, b.Currency, err = p.amount(amt); err != nil {
		return b, err
	}
	cdi := t.child(0, "CdtDbtInd")
	if cdi < 0 {
		return b, p.missing(0, "CdtDbtInd")
	}
	credit, err := p.creditDebit(cdi)
	if err != nil {
		return b, err
	}
	if !credit {
		b.AmountCents = -b.AmountCents
	}
	return b, nil
}

// entry builds an Entry from the buffered <Ntry> tree.
func (p *parser) entry(st *Statement, index, line int) (Entry, error) {
	t := &p.t
	e := Entry{Index: index, Line: line}
	var err error

	amt := t.child(0, "Amt")
	if amt < 0 {
		return e, p.missing(0, "Amt")
	}
	if e.AmountCents, e.Currency, err = p.amount(amt); err != nil {
		return e, err
	}
	cdi := t.child(0, "CdtDbtInd")
	if cdi < 0 {
		return e, p.missing(0, "CdtDbtInd")
	}
	if e.Credit, err = p.creditDebit(cdi); err != nil {
		return e, err
	}
	if n := t.child(0, "RvslInd"); n >= 0 {
		switch v := t.str(n); v {
		case "true", "1":
			e.Reversal = true
		case "false", "0":
		default:
			return e, p.errAt(n, fmt.Sprintf("value %q is not a boolean", v))
		}
	}
	if n := t.child(0, "Sts"); n >= 0 {
		e.Status = t.str(n)
		if c := t.child(n, "Cd"); c >= 0 {
			e.Status = t.str(c)
		} else if c := t.child(n, "Prtry"); c >= 0 {
			e.Status = t.str(c)
		}
	}
	bd := t.child(0, "BookgDt")
	if bd < 0 {
		return e, p.missing(0, "BookgDt")
	}
	if e.BookingDate, err = p.dateChoice(bd); err != nil {
		return e, err
	}
	if n := t.child(0, "ValDt"); n >= 0 {
		if e.ValueDate, err = p.dateChoice(n); err != nil {
			return e, err
		}
	}
	e.AcctSvcrRef = t.str(t.child(0, "AcctSvcrRef"))

	p.txs = p.txs[:0]
	for nd := t.child(0, "NtryDtls"); nd >= 0; nd = t.nextNamed(nd) {
		for tx := t.child(nd, "TxDtls"); tx >= 0; tx = t.nextNamed(tx) {
			p.txs = append(p.txs, tx)
		}
	}
	if len(p.txs) == 0 {
		e.Transactions = []Transaction{{
			AmountCents:  e.AmountCents,
			Currency:     e.Currency,
			Credit:       e.Credit,
			StatedCredit: e.Credit,
			Text:         t.str(t.child(0, "AddtlNtryInf")),
		}}
	} else {
		e.Transactions = make([]Transaction, len(p.txs))
		for i, tx := range p.txs {
			if err := p.transaction(&e.Transactions[i], tx, &e, st.AccountIBAN, len(p.txs) == 1); err != nil {
				return e, err
			}
		}
		if len(p.txs) > 1 {
			e.Mismatch = batchMismatch(&e)
		}
	}
	account := st.AccountIBAN
	if account == "" {
		account = st.AccountOther
	}
	e.Hash = p.hash(account, &e)
	return e, nil
}

// batchMismatch checks that an entry's transactions account for the
// entry: each in the entry's currency with an amount, together (those in
// the entry's direction minus those against it) the entry's Amt.
func batchMismatch(e *Entry) string {
	var sum int64
	for i := range e.Transactions {
		tr := &e.Transactions[i]
		switch {
		case tr.StatedCurrency == "":
			return fmt.Sprintf("transaction %d of %d states no amount, so the entry of %s cannot be divided", i+1, len(e.Transactions), FormatCents(e.AmountCents, e.Currency))
		case tr.Currency != e.Currency:
			return fmt.Sprintf("transaction %d of %d is %s, the entry %s", i+1, len(e.Transactions), FormatCents(tr.AmountCents, tr.Currency), FormatCents(e.AmountCents, e.Currency))
		case tr.Credit == e.Credit:
			sum += tr.AmountCents
		default:
			sum -= tr.AmountCents
		}
	}
	if sum != e.AmountCents {
		return fmt.Sprintf("the %d transactions add up to %s, the entry is %s", len(e.Transactions), FormatCents(sum, e.Currency), FormatCents(e.AmountCents, e.Currency))
	}
	return ""
}

func (p *parser) transaction(tr *Transaction, tx int, e *Entry, ownIBAN string, single bool) error {
	t := &p.t
	amt := t.child(tx, "Amt")
	if amt < 0 {
		amt = t.find(tx, "AmtDtls", "TxAmt", "Amt")
	}
	if amt >= 0 {
		var err error
		if tr.StatedCents, tr.StatedCurrency, err = p.amount(amt); err != nil {
			return err
		}
	}
	tr.StatedCredit = e.Credit
	if n := t.child(tx, "CdtDbtInd"); n >= 0 {
		var err error
		if tr.StatedCredit, err = p.creditDebit(n); err != nil {
			return err
		}
	}
	if single {
		// The entry is what moved on the account; a lone TxDtls's amount
		// may be another currency's or the instructed one (information).
		tr.AmountCents, tr.Currency, tr.Credit = e.AmountCents, e.Currency, e.Credit
	} else {
		tr.AmountCents, tr.Currency, tr.Credit = tr.StatedCents, tr.StatedCurrency, tr.StatedCredit
		if tr.Currency == "" {
			tr.Currency = e.Currency
		}
	}
	tr.EndToEndID = t.str(t.find(tx, "Refs", "EndToEndId"))
	if tr.EndToEndID == "NOTPROVIDED" {
		tr.EndToEndID = ""
	}

	var text []byte
	for ri := t.child(tx, "RmtInf"); ri >= 0; ri = t.nextNamed(ri) {
		for u := t.child(ri, "Ustrd"); u >= 0; u = t.nextNamed(u) {
			if b := t.raw(u); len(b) > 0 {
				if len(text) > 0 {
					text = append(text, ' ')
				}
				text = append(text, b...)
			}
		}
		for s := t.child(ri, "Strd"); s >= 0 && tr.Reference == ""; s = t.nextNamed(s) {
			for c := t.child(s, "CdtrRefInf"); c >= 0 && tr.Reference == ""; c = t.nextNamed(c) {
				tr.Reference = t.str(t.child(c, "Ref"))
			}
		}
	}
	tr.Text = string(text)

	if rp := t.child(tx, "RltdPties"); rp >= 0 {
		dName, dIBAN := partyName(t, rp, "Dbtr"), normIBAN(t.str(t.find(rp, "DbtrAcct", "Id", "IBAN")))
		cName, cIBAN := partyName(t, rp, "Cdtr"), normIBAN(t.str(t.find(rp, "CdtrAcct", "Id", "IBAN")))
		// The debtor paid us on a credit, we paid the creditor on a debit.
		// A reversal is booked opposite to the original payment while banks
		// keep the original parties, so the roles flip.
		name, iban, oName, oIBAN := cName, cIBAN, dName, dIBAN
		if tr.Credit != e.Reversal {
			name, iban, oName, oIBAN = dName, dIBAN, cName, cIBAN
		}
		// Banks are not consistent about which sides they fill in; never
		// report our own account as the counterparty if the other side has
		// something better.
		chosenUseless := (name == "" && iban == "") || (iban != "" && iban == ownIBAN)
		otherUseful := (oName != "" || oIBAN != "") && (oIBAN == "" || oIBAN != ownIBAN)
		if chosenUseless && otherUseful {
			name, iban = oName, oIBAN
		}
		tr.CounterpartyName, tr.CounterpartyIBAN = name, iban
	}
	return nil
}

// partyName returns RltdPties/<role>/Nm (up to .07) or
// RltdPties/<role>/Pty/Nm (.08 and later, where the party became a choice
// between a party and an agent).
func partyName(t *tree, rp int, role string) string {
	if n := t.find(rp, role, "Nm"); n >= 0 {
		return t.str(n)
	}
	return t.str(t.find(rp, role, "Pty", "Nm"))
}

func normIBAN(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(strings.ReplaceAll(s, " ", ""))
}

func validCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func (p *parser) errAt(n int, msg string) error {
	return &ParseError{Line: p.t.nodes[n].line, Element: p.t.path(n), Msg: msg}
}

// missing reports a required child that is absent, at the parent's line
// since the child has no line of its own.
func (p *parser) missing(parent int, child string) error {
	return &ParseError{Line: p.t.nodes[parent].line, Element: p.t.path(parent) + "/" + child, Msg: "missing required element"}
}

func (p *parser) amount(n int) (int64, string, error) {
	t := &p.t
	raw := t.raw(n)
	cents, err := ParseAmount(string(raw))
	if err != nil {
		return 0, "", p.errAt(n, fmt.Sprintf("amount %q %v", raw, err))
	}
	nd := &t.nodes[n]
	if !nd.hasCcy {
		return 0, "", p.errAt(n, "missing Ccy attribute")
	}
	if !validCurrency(nd.ccy) {
		return 0, "", p.errAt(n, fmt.Sprintf("currency %q is not an ISO 4217 code", nd.ccy))
	}
	return cents, nd.ccy, nil
}

func (p *parser) creditDebit(n int) (bool, error) {
	switch v := p.t.raw(n); string(v) {
	case "CRDT":
		return true, nil
	case "DBIT":
		return false, nil
	default:
		return false, p.errAt(n, fmt.Sprintf("value %q is not CRDT or DBIT", v))
	}
}

// dateChoice parses a DateAndDateTimeChoice (Dt or DtTm).
func (p *parser) dateChoice(n int) (time.Time, error) {
	t := &p.t
	if c := t.child(n, "Dt"); c >= 0 {
		s := t.str(c)
		for _, layout := range []string{time.DateOnly, "2006-01-02Z07:00"} {
			if ts, err := time.Parse(layout, s); err == nil {
				return ts, nil
			}
		}
		return time.Time{}, p.errAt(c, fmt.Sprintf("date %q is not YYYY-MM-DD", s))
	}
	if c := t.child(n, "DtTm"); c >= 0 {
		return p.dateTime(c)
	}
	return time.Time{}, p.missing(n, "Dt")
}

// dateTime parses an ISODateTime. Fractional seconds are accepted by
// time.Parse even though the layouts do not mention them.
func (p *parser) dateTime(n int) (time.Time, error) {
	s := p.t.str(n)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05"} {
		if ts, err := time.Parse(layout, s); err == nil {
			return ts, nil
		}
	}
	return time.Time{}, p.errAt(n, fmt.Sprintf("date-time %q is not ISO 8601", s))
}

// hashVersion is mixed into every hash so a future change of the hashed
// fields cannot collide with stored v1 hashes.
const hashVersion = "camt053-entry-v1"

// hash computes Entry.Hash over the entry and account (the IBAN, or the
// Othr id when there is none). Every field is length-prefixed, so no choice of
// field contents can make two different entries encode identically.
func (p *parser) hash(accountIBAN string, e *Entry) string {
	b := p.hashBuf[:0]
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	num := func(v int64) { b = binary.AppendVarint(b, v) }
	flag := func(v bool) {
		if v {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	// Times are hashed as an instant, so the same moment written with
	// different zone offsets hashes equally.
	tm := func(ts time.Time) {
		flag(!ts.IsZero())
		num(ts.Unix())
		num(int64(ts.Nanosecond()))
	}
	str(hashVersion)
	str(accountIBAN)
	str(e.AcctSvcrRef)
	num(e.AmountCents)
	str(e.Currency)
	flag(e.Credit)
	flag(e.Reversal)
	tm(e.BookingDate)
	tm(e.ValueDate)
	num(int64(len(e.Transactions)))
	for i := range e.Transactions {
		tr := &e.Transactions[i]
		// What the file states, so hashes stored before the entry's Amt
		// took precedence for a lone transaction stay the same.
		if tr.StatedCurrency != "" {
			num(tr.StatedCents)
			str(tr.StatedCurrency)
		} else {
			num(e.AmountCents)
			str(e.Currency)
		}
		flag(tr.StatedCredit)
		str(tr.EndToEndID)
		str(tr.Reference)
		str(tr.Text)
		str(tr.CounterpartyName)
		str(tr.CounterpartyIBAN)
	}
	p.hashBuf = b
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
