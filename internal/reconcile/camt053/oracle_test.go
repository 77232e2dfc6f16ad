package camt053

// The camt053 parser as it was before scanner.go, on encoding/xml's
// Decoder: kept only as the oracle of FuzzScannerVsEncodingXML.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// xmlParse is Parse on encoding/xml.
func xmlParse(r io.Reader, onStatement func(Statement) error, onEntry func(Statement, Entry) error) error {
	p := &xmlParser{d: xml.NewDecoder(r), onStatement: onStatement, onEntry: onEntry}
	return p.document()
}

type xmlParser struct {
	d           *xml.Decoder
	onStatement func(Statement) error
	onEntry     func(Statement, Entry) error

	version    string
	grpCreated time.Time
	t          xmlTree
	txs        []int  // reused list of TxDtls nodes of the current entry
	hashBuf    []byte // reused hash input
}

// token returns the next token and the line it starts on. The decoder's
// position before reading is the start of the next token, because every
// token (including whitespace CharData) ends right before the next one.
func (p *xmlParser) token() (xml.Token, int, error) {
	line, _ := p.d.InputPos()
	tok, err := p.d.Token()
	return tok, line, err
}

// wrapXMLError turns a decoder error into a *ParseError at the current
// position inside element path.
func (p *xmlParser) wrapXMLError(err error, path string) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &ParseError{Line: se.Line, Element: path, Msg: se.Msg, Err: err}
	}
	line, _ := p.d.InputPos()
	if err == io.EOF {
		return &ParseError{Line: line, Element: path, Msg: "unexpected end of input", Err: io.ErrUnexpectedEOF}
	}
	return &ParseError{Line: line, Element: path, Msg: err.Error(), Err: err}
}

func (p *xmlParser) document() error {
	// Prolog: find the root element.
	var root xml.StartElement
	var rootLine int
	for {
		tok, line, err := p.token()
		if err == io.EOF {
			return &ParseError{Line: line, Msg: "no Document element (empty input?)"}
		}
		if err != nil {
			return p.wrapXMLError(err, "")
		}
		if cd, ok := tok.(xml.CharData); ok && !isBlank(cd) {
			return &ParseError{Line: line, Msg: "text before the Document element"}
		}
		if se, ok := tok.(xml.StartElement); ok {
			root, rootLine = se, line
			break
		}
	}
	if err := p.checkRoot(root, rootLine); err != nil {
		return err
	}

	seenBank := false
	for {
		tok, line, err := p.token()
		if err != nil {
			return p.wrapXMLError(err, "Document")
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local != "BkToCstmrStmt" {
				if err := p.skip("Document/" + tok.Name.Local); err != nil {
					return err
				}
				continue
			}
			seenBank = true
			if err := p.bankToCustomer(line); err != nil {
				return err
			}
		case xml.EndElement:
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
func (p *xmlParser) checkRoot(root xml.StartElement, line int) error {
	if root.Name.Local != "Document" {
		return &ParseError{Line: line, Element: root.Name.Local, Msg: "not a camt.053 document: root element is " + root.Name.Local + ", want Document"}
	}
	ns := root.Name.Space
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
func (p *xmlParser) epilog() error {
	for {
		tok, line, err := p.token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.wrapXMLError(err, "")
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			return &ParseError{Line: line, Element: tok.Name.Local, Msg: "content after the Document element"}
		case xml.CharData:
			if !isBlank(tok) {
				return &ParseError{Line: line, Msg: "text after the Document element"}
			}
		}
	}
}

// skip consumes an element we do not interpret, whose start tag has just
// been read.
func (p *xmlParser) skip(path string) error {
	for depth := 1; depth > 0; {
		tok, _, err := p.token()
		if err != nil {
			return p.wrapXMLError(err, path)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

func (p *xmlParser) bankToCustomer(line int) error {
	stmts := 0
	for {
		tok, tokLine, err := p.token()
		if err != nil {
			return p.wrapXMLError(err, "BkToCstmrStmt")
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			switch tok.Name.Local {
			case "GrpHdr":
				if err := p.t.collect(p, tok, tokLine, ""); err != nil {
					return err
				}
				if n := p.t.child(0, "CreDtTm"); n >= 0 {
					ts, err := p.dateTime(n)
					if err != nil {
						return err
					}
					p.grpCreated = ts
				}
			case "Stmt":
				stmts++
				if err := p.statement(tokLine); err != nil {
					return err
				}
			default:
				if err := p.skip("BkToCstmrStmt/" + tok.Name.Local); err != nil {
					return err
				}
			}
		case xml.EndElement:
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
func (p *xmlParser) statement(line int) error {
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
		tok, tokLine, err := p.token()
		if err != nil {
			return p.wrapXMLError(err, "Stmt")
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			if !emitted {
				return emit()
			}
			return nil
		case xml.StartElement:
			if tok.Name.Local == "Ntry" {
				if !emitted {
					if err := emit(); err != nil {
						return err
					}
				}
				if err := p.t.collect(p, tok, tokLine, ""); err != nil {
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
			switch tok.Name.Local {
			case "Id", "ElctrncSeqNb", "LglSeqNb", "CreDtTm", "Acct", "Bal":
			default:
				if err := p.skip("Stmt/" + tok.Name.Local); err != nil {
					return err
				}
				continue
			}
			if err := p.t.collect(p, tok, tokLine, "Stmt/"); err != nil {
				return err
			}
			t := &p.t
			switch tok.Name.Local {
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
			}
		}
	}
}

// entry builds an Entry from the buffered <Ntry> xmlTree.
func (p *xmlParser) entry(st *Statement, index, line int) (Entry, error) {
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
			AmountCents: e.AmountCents,
			Currency:    e.Currency,
			Credit:      e.Credit,
			Text:        t.str(t.child(0, "AddtlNtryInf")),
		}}
	} else {
		e.Transactions = make([]Transaction, len(p.txs))
		for i, tx := range p.txs {
			if err := p.transaction(&e.Transactions[i], tx, &e, st.AccountIBAN, len(p.txs) == 1); err != nil {
				return e, err
			}
		}
	}
	e.Hash = p.hash(st.AccountIBAN, &e)
	return e, nil
}

func (p *xmlParser) transaction(tr *Transaction, tx int, e *Entry, ownIBAN string, single bool) error {
	t := &p.t
	amt := t.child(tx, "Amt")
	if amt < 0 {
		amt = t.find(tx, "AmtDtls", "TxAmt", "Amt")
	}
	switch {
	case amt >= 0:
		var err error
		if tr.AmountCents, tr.Currency, err = p.amount(amt); err != nil {
			return err
		}
	case single:
		// A lone TxDtls without an amount describes the whole entry.
		tr.AmountCents, tr.Currency = e.AmountCents, e.Currency
	default:
		return p.missing(tx, "Amt")
	}
	tr.Credit = e.Credit
	if n := t.child(tx, "CdtDbtInd"); n >= 0 {
		var err error
		if tr.Credit, err = p.creditDebit(n); err != nil {
			return err
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
		dName, dIBAN := xmlPartyName(t, rp, "Dbtr"), normIBAN(t.str(t.find(rp, "DbtrAcct", "Id", "IBAN")))
		cName, cIBAN := xmlPartyName(t, rp, "Cdtr"), normIBAN(t.str(t.find(rp, "CdtrAcct", "Id", "IBAN")))
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

// xmlPartyName returns RltdPties/<role>/Nm (up to .07) or
// RltdPties/<role>/Pty/Nm (.08 and later, where the party became a choice
// between a party and an agent).
func xmlPartyName(t *xmlTree, rp int, role string) string {
	if n := t.find(rp, role, "Nm"); n >= 0 {
		return t.str(n)
	}
	return t.str(t.find(rp, role, "Pty", "Nm"))
}

func (p *xmlParser) errAt(n int, msg string) error {
	return &ParseError{Line: p.t.nodes[n].line, Element: p.t.path(n), Msg: msg}
}

// missing reports a required child that is absent, at the parent's line
// since the child has no line of its own.
func (p *xmlParser) missing(parent int, child string) error {
	return &ParseError{Line: p.t.nodes[parent].line, Element: p.t.path(parent) + "/" + child, Msg: "missing required element"}
}

func (p *xmlParser) amount(n int) (int64, string, error) {
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

func (p *xmlParser) creditDebit(n int) (bool, error) {
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
func (p *xmlParser) dateChoice(n int) (time.Time, error) {
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
func (p *xmlParser) dateTime(n int) (time.Time, error) {
	s := p.t.str(n)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05"} {
		if ts, err := time.Parse(layout, s); err == nil {
			return ts, nil
		}
	}
	return time.Time{}, p.errAt(n, fmt.Sprintf("date-time %q is not ISO 8601", s))
}

// hash computes Entry.Hash. Every field is length-prefixed, so no choice of
// field contents can make two different entries encode identically.
func (p *xmlParser) hash(accountIBAN string, e *Entry) string {
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
		num(tr.AmountCents)
		str(tr.Currency)
		flag(tr.Credit)
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

// xmlNode is one element of a buffered subtree. Children are linked by index
// rather than pointers so the whole xmlTree lives in one reusable slice and
// decoding the next entry allocates (almost) nothing for the structure.
type xmlNode struct {
	name       string
	line       int
	ccy        string // Ccy attribute; Amt is the only element whose attributes are read
	hasCcy     bool
	textOff    int
	textLen    int
	parent     int
	firstChild int
	lastChild  int
	next       int
}

// xmlTree holds one buffered element with all its descendants. Element text is
// kept in a shared byte arena and only turned into strings for the fields
// the xmlParser actually uses.
type xmlTree struct {
	prefix string // path of the root's parent, for error messages ("Stmt/")
	nodes  []xmlNode
	text   []byte
	stack  []int
}

// collect reads the content of start (whose start tag has already been
// consumed and began on line) up to and including its end tag, replacing the
// xmlTree's previous content. The root is xmlNode 0.
func (t *xmlTree) collect(p *xmlParser, start xml.StartElement, line int, prefix string) error {
	t.prefix = prefix
	t.nodes = t.nodes[:0]
	t.text = t.text[:0]
	t.stack = t.stack[:0]
	t.add(start, line, -1)
	t.stack = append(t.stack, 0)
	for len(t.stack) > 0 {
		cur := t.stack[len(t.stack)-1]
		tok, tokLine, err := p.token()
		if err != nil {
			return p.wrapXMLError(err, t.path(cur))
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(t.nodes) >= maxTreeNodes {
				return &ParseError{Line: tokLine, Element: t.path(0), Msg: "element has too many descendants"}
			}
			t.stack = append(t.stack, t.add(tok, tokLine, cur))
		case xml.EndElement:
			t.stack = t.stack[:len(t.stack)-1]
		case xml.CharData:
			if err := t.addText(cur, tok); err != nil {
				return &ParseError{Line: tokLine, Element: t.path(0), Msg: err.Error()}
			}
		}
	}
	return nil
}

func (t *xmlTree) add(se xml.StartElement, line, parent int) int {
	n := xmlNode{name: se.Name.Local, line: line, parent: parent, firstChild: -1, lastChild: -1, next: -1}
	for _, a := range se.Attr {
		if a.Name.Local == "Ccy" {
			n.ccy, n.hasCcy = a.Value, true
		}
	}
	idx := len(t.nodes)
	t.nodes = append(t.nodes, n)
	if parent >= 0 {
		p := &t.nodes[parent]
		if p.lastChild >= 0 {
			t.nodes[p.lastChild].next = idx
		} else {
			p.firstChild = idx
		}
		p.lastChild = idx
	}
	return idx
}

func (t *xmlTree) addText(n int, data []byte) error {
	nd := &t.nodes[n]
	// Indentation between child elements is by far the most common text;
	// dropping it keeps the arena small. It is only dropped before real text
	// starts so "a<!---->  <!---->b" keeps its inner space.
	if nd.textLen == 0 && len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if len(t.text)+nd.textLen+len(data) > maxTreeText {
		return errTextTooLarge
	}
	switch {
	case nd.textLen == 0:
		nd.textOff = len(t.text)
	case nd.textOff+nd.textLen != len(t.text):
		// Text interrupted by a child element that itself had text: move
		// this xmlNode's text to the end of the arena so it stays contiguous.
		// Rare in practice (mixed content does not occur in camt.053).
		t.text = append(t.text, t.text[nd.textOff:nd.textOff+nd.textLen]...)
		nd.textOff = len(t.text) - nd.textLen
	}
	t.text = append(t.text, data...)
	nd.textLen += len(data)
	return nil
}

// child returns the first child of n named name, or -1. A negative n yields
// -1 so lookups can be chained without checks.
func (t *xmlTree) child(n int, name string) int {
	if n < 0 {
		return -1
	}
	for c := t.nodes[n].firstChild; c >= 0; c = t.nodes[c].next {
		if t.nodes[c].name == name {
			return c
		}
	}
	return -1
}

// find follows a path of child names from n, returning -1 if any step is
// missing.
func (t *xmlTree) find(n int, names ...string) int {
	for _, name := range names {
		n = t.child(n, name)
	}
	return n
}

// nextNamed returns the next sibling of c with the same name, or -1; it is
// used to iterate over repeated elements such as TxDtls and Ustrd.
func (t *xmlTree) nextNamed(c int) int {
	if c < 0 {
		return -1
	}
	name := t.nodes[c].name
	for c = t.nodes[c].next; c >= 0; c = t.nodes[c].next {
		if t.nodes[c].name == name {
			return c
		}
	}
	return -1
}

// raw returns n's text with surrounding whitespace removed, without copying.
// The slice is only valid until the next collect.
func (t *xmlTree) raw(n int) []byte {
	if n < 0 {
		return nil
	}
	nd := &t.nodes[n]
	return bytes.TrimSpace(t.text[nd.textOff : nd.textOff+nd.textLen])
}

// str returns n's trimmed text as a string ("" when n is -1).
func (t *xmlTree) str(n int) string {
	b := t.raw(n)
	if len(b) == 0 {
		return ""
	}
	return string(b)
}

// path returns the element path of n for error messages, e.g.
// "Ntry/NtryDtls/TxDtls/Amt".
func (t *xmlTree) path(n int) string {
	if n < 0 {
		return strings.TrimSuffix(t.prefix, "/")
	}
	depth := 0
	for c := n; c >= 0; c = t.nodes[c].parent {
		depth++
	}
	parts := make([]string, depth)
	for c := n; c >= 0; c = t.nodes[c].parent {
		depth--
		parts[depth] = t.nodes[c].name
	}
	return t.prefix + strings.Join(parts, "/")
}
