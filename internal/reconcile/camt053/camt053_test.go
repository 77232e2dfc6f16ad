package camt053

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// result collects everything Parse delivers, in order.
type result struct {
	stmts   []Statement
	entries []Entry
	// stmtOf records which statement each entry was delivered with.
	stmtOf []string
}

func parseAll(r io.Reader) (*result, error) {
	res := &result{}
	err := Parse(r,
		func(s Statement) error { res.stmts = append(res.stmts, s); return nil },
		func(s Statement, e Entry) error {
			res.entries = append(res.entries, e)
			res.stmtOf = append(res.stmtOf, s.ID)
			return nil
		})
	return res, err
}

func parseFile(t *testing.T, name string) (*result, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return parseAll(f)
}

func mustParseFile(t *testing.T, name string) *result {
	t.Helper()
	res, err := parseFile(t, name)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return res
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// checkEntry compares the fields that tests spell out; Hash, Line and
// Transactions are checked separately.
func checkEntry(t *testing.T, got Entry, want Entry) {
	t.Helper()
	if got.Index != want.Index || got.AcctSvcrRef != want.AcctSvcrRef || got.AmountCents != want.AmountCents ||
		got.Currency != want.Currency || got.Credit != want.Credit || got.Reversal != want.Reversal ||
		got.Status != want.Status || !got.BookingDate.Equal(want.BookingDate) || !got.ValueDate.Equal(want.ValueDate) ||
		got.Mismatch != want.Mismatch {
		t.Errorf("entry %d:\n got  %+v\n want %+v", want.Index, stripEntry(got), stripEntry(want))
	}
	if len(got.Hash) != 64 {
		t.Errorf("entry %d: hash %q is not sha256 hex", want.Index, got.Hash)
	}
	if len(got.Transactions) != len(want.Transactions) {
		t.Fatalf("entry %d: %d transactions, want %d: %+v", want.Index, len(got.Transactions), len(want.Transactions), got.Transactions)
	}
	for i := range want.Transactions {
		if got.Transactions[i] != want.Transactions[i] {
			t.Errorf("entry %d tx %d:\n got  %+v\n want %+v", want.Index, i, got.Transactions[i], want.Transactions[i])
		}
	}
}

// stated is a transaction whose TxDtls states the amount it was booked
// with.
func stated(tr Transaction) Transaction {
	tr.StatedCents, tr.StatedCurrency, tr.StatedCredit = tr.AmountCents, tr.Currency, tr.Credit
	return tr
}

// unstated is a transaction whose TxDtls states no amount (or that was
// built from the entry).
func unstated(tr Transaction) Transaction {
	tr.StatedCredit = tr.Credit
	return tr
}

func stripEntry(e Entry) Entry {
	e.Transactions, e.Hash, e.Line = nil, "", 0
	return e
}

func TestParseV02(t *testing.T) {
	res := mustParseFile(t, "statement_v02.xml")
	if len(res.stmts) != 1 {
		t.Fatalf("got %d statements, want 1", len(res.stmts))
	}
	wantStmt := Statement{
		ID:             "STMT-2024-03-11-0417164300",
		SequenceNumber: "71",
		AccountIBAN:    "NL91ABNA0417164300",
		Currency:       "EUR",
		CreatedAt:      time.Date(2024, 3, 12, 5, 14, 3, 123e6, time.UTC),
		Version:        "001.02",
	}
	if got := res.stmts[0]; got.ID != wantStmt.ID || got.SequenceNumber != wantStmt.SequenceNumber ||
		got.AccountIBAN != wantStmt.AccountIBAN || got.Currency != wantStmt.Currency ||
		!got.CreatedAt.Equal(wantStmt.CreatedAt) || got.Version != wantStmt.Version {
		t.Errorf("statement:\n got  %+v\n want %+v", got, wantStmt)
	}
	if len(res.entries) != 5 {
		t.Fatalf("got %d entries, want 5", len(res.entries))
	}
	wantLines := []int{48, 158, 203, 249, 281}
	for i, e := range res.entries {
		if e.Line != wantLines[i] {
			t.Errorf("entry %d: Line %d, want %d", i+1, e.Line, wantLines[i])
		}
	}
	d := date(2024, 3, 11)

	// One entry with several transactions (a batch), diacritics, an RF
	// reference and a 16-digit betalingskenmerk.
	checkEntry(t, res.entries[0], Entry{
		Index: 1, AcctSvcrRef: "ABN-0311-000001", AmountCents: 15000, Currency: "EUR", Credit: true,
		Status: "BOOK", BookingDate: d, ValueDate: d,
		Transactions: []Transaction{
			stated(Transaction{AmountCents: 5000, Currency: "EUR", Credit: true, EndToEndID: "E2E-CELIK-1", Reference: "RF18539007547034",
				CounterpartyName: "Çelik Güneş", CounterpartyIBAN: "NL02RABO0123456789"}),
			stated(Transaction{AmountCents: 7000, Currency: "EUR", Credit: true, EndToEndID: "", Reference: "1234567890123456",
				CounterpartyName: "José Müller", CounterpartyIBAN: "DE89370400440532013000"}),
			stated(Transaction{AmountCents: 3000, Currency: "EUR", Credit: true, EndToEndID: "E2E-3", Text: "Bestelling 42 dank je wel",
				CounterpartyName: "Jansen & Zn."}),
		},
	})
	// A debit: the counterparty is the creditor.
	checkEntry(t, res.entries[1], Entry{
		Index: 2, AcctSvcrRef: "ABN-0311-000002", AmountCents: 2550, Currency: "EUR", Credit: false,
		Status: "BOOK", BookingDate: d, ValueDate: date(2024, 3, 12),
		Transactions: []Transaction{stated(Transaction{AmountCents: 2550, Currency: "EUR", EndToEndID: "SETTLE-PAYOUT-778",
			Text: "Termijn maart", CounterpartyName: "Energie Noord B.V.", CounterpartyIBAN: "NL44INGB0001234567"})},
	})
	// The reversal of that debit is a credit, but the counterparty is still
	// the original creditor, not ourselves.
	checkEntry(t, res.entries[2], Entry{
		Index: 3, AcctSvcrRef: "ABN-0311-000003", AmountCents: 2550, Currency: "EUR", Credit: true, Reversal: true,
		Status: "BOOK", BookingDate: d, ValueDate: d,
		Transactions: []Transaction{stated(Transaction{AmountCents: 2550, Currency: "EUR", Credit: true, EndToEndID: "SETTLE-PAYOUT-778",
			Text: "Terugboeking: rekening opgeheven", CounterpartyName: "Energie Noord B.V.", CounterpartyIBAN: "NL44INGB0001234567"})},
	})
	// Non-EUR: returned as is, never converted.
	checkEntry(t, res.entries[3], Entry{
		Index: 4, AcctSvcrRef: "ABN-0311-000004", AmountCents: 10000, Currency: "USD", Credit: true,
		Status: "BOOK", BookingDate: d, ValueDate: date(2024, 3, 13),
		Transactions: []Transaction{stated(Transaction{AmountCents: 10000, Currency: "USD", Credit: true, Text: "INV 2024-17", CounterpartyName: "Acme Corp."})},
	})
	// No references at all and no details: the transaction is synthesised
	// from the entry, AddtlNtryInf becomes the text.
	checkEntry(t, res.entries[4], Entry{
		Index: 5, AmountCents: 375, Currency: "EUR", Credit: false, Status: "BOOK",
		BookingDate:  time.Date(2024, 3, 11, 23, 59, 59, 0, time.UTC),
		Transactions: []Transaction{unstated(Transaction{AmountCents: 375, Currency: "EUR", Text: "Kosten betalingsverkeer"})},
	})
}

func TestParseV08(t *testing.T) {
	res := mustParseFile(t, "statement_v08.xml")
	if len(res.stmts) != 2 {
		t.Fatalf("got %d statements, want 2", len(res.stmts))
	}
	s1, s2 := res.stmts[0], res.stmts[1]
	if s1.ID != "INGB-2024-04-01-0001234567" || s1.SequenceNumber != "92" || s1.AccountIBAN != "NL44INGB0001234567" ||
		s1.Currency != "EUR" || s1.Version != "001.08" || !s1.CreatedAt.Equal(time.Date(2024, 4, 1, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("statement 1: %+v", s1)
	}
	if s2.ID != "INGB-2024-04-01-SAVINGS" || s2.SequenceNumber != "5" || s2.AccountIBAN != "NL69INGB0123456789" {
		t.Errorf("statement 2: %+v", s2)
	}
	if len(res.entries) != 6 {
		t.Fatalf("got %d entries, want 6", len(res.entries))
	}
	wantLines := []int{33, 115, 152, 194, 220, 263}
	for i, e := range res.entries {
		if e.Line != wantLines[i] {
			t.Errorf("entry %d: Line %d, want %d", i, e.Line, wantLines[i])
		}
	}
	d := date(2024, 3, 31)
	checkEntry(t, res.entries[0], Entry{
		Index: 1, AcctSvcrRef: "INGB-1", AmountCents: 123456, Currency: "EUR", Credit: true, Status: "BOOK",
		BookingDate: d, ValueDate: d,
		Transactions: []Transaction{
			stated(Transaction{AmountCents: 100000, Currency: "EUR", Credit: true, EndToEndID: "ORDER-1001", Reference: "RF18539007547034",
				Text: "Order 1001", CounterpartyName: "Çelik Güneş", CounterpartyIBAN: "NL02RABO0123456789"}),
			stated(Transaction{AmountCents: 23456, Currency: "EUR", Credit: true, EndToEndID: "ORDER-1002", Reference: "5000056789012345",
				CounterpartyName: "José Müller", CounterpartyIBAN: "DE89370400440532013000"}),
		},
	})
	checkEntry(t, res.entries[1], Entry{
		Index: 2, AcctSvcrRef: "INGB-2", AmountCents: 9999, Currency: "EUR", Status: "BOOK",
		BookingDate: time.Date(2024, 3, 31, 12, 30, 0, 0, time.UTC), ValueDate: d,
		Transactions: []Transaction{stated(Transaction{AmountCents: 9999, Currency: "EUR", EndToEndID: "REFUND-77", Text: "Terugbetaling order 1002",
			CounterpartyName: "José Müller", CounterpartyIBAN: "DE89370400440532013000"})},
	})
	// Reversal (storno) of an incoming payment: booked as a debit, the
	// counterparty is the original debtor.
	checkEntry(t, res.entries[2], Entry{
		Index: 3, AmountCents: 100000, Currency: "EUR", Reversal: true, Status: "BOOK", BookingDate: d, ValueDate: d,
		Transactions: []Transaction{stated(Transaction{AmountCents: 100000, Currency: "EUR", EndToEndID: "ORDER-1001", Text: "Storno Order 1001",
			CounterpartyName: "Çelik Güneş", CounterpartyIBAN: "NL02RABO0123456789"})},
	})
	checkEntry(t, res.entries[3], Entry{
		Index: 4, AcctSvcrRef: "INGB-4", AmountCents: 2000, Currency: "GBP", Status: "BOOK", BookingDate: d, ValueDate: d,
		Transactions: []Transaction{stated(Transaction{AmountCents: 2000, Currency: "GBP", CounterpartyName: "London Supplies Ltd"})},
	})
	// A single TxDtls without an amount or any reference takes the entry's
	// amount.
	checkEntry(t, res.entries[4], Entry{
		Index: 5, AmountCents: 1230, Currency: "EUR", Credit: true, Status: "BOOK", BookingDate: d,
		Transactions: []Transaction{unstated(Transaction{AmountCents: 1230, Currency: "EUR", Credit: true, CounterpartyName: "Anoniem"})},
	})
	// Index restarts per statement; the entry is delivered with its own
	// statement.
	checkEntry(t, res.entries[5], Entry{
		Index: 1, AmountCents: 123, Currency: "EUR", Credit: true, Status: "BOOK", BookingDate: d,
		Transactions: []Transaction{unstated(Transaction{AmountCents: 123, Currency: "EUR", Credit: true, Text: "Rente"})},
	})
	if res.stmtOf[4] != s1.ID || res.stmtOf[5] != s2.ID {
		t.Errorf("entries delivered with statements %v", res.stmtOf)
	}
}

func TestStatementBeforeEntries(t *testing.T) {
	var events []string
	f, err := os.Open("testdata/statement_v08.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = Parse(f,
		func(s Statement) error { events = append(events, "S:"+s.ID); return nil },
		func(s Statement, e Entry) error { events = append(events, "E:"+s.ID); return nil })
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(events, " ")
	want := "S:INGB-2024-04-01-0001234567" + strings.Repeat(" E:INGB-2024-04-01-0001234567", 5) +
		" S:INGB-2024-04-01-SAVINGS E:INGB-2024-04-01-SAVINGS"
	if got != want {
		t.Errorf("events:\n got  %s\n want %s", got, want)
	}
	// nil callbacks are allowed.
	if err := Parse(strings.NewReader(minimalDoc("02", entryXML)), nil, nil); err != nil {
		t.Errorf("nil callbacks: %v", err)
	}
}

func TestMalformedFiles(t *testing.T) {
	tests := []struct {
		file        string
		wantLine    int
		wantElement string
		wantMsg     string
		wantEntries int
	}{
		{"malformed_truncated.xml", 99, "Ntry/NtryDtls/TxDtls/RmtInf/Strd/CdtrRefInf/Ref", "unexpected EOF", 0},
		{"malformed_amount.xml", 28, "Ntry/Amt", `amount "12,3x" is not a decimal`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, err := parseFile(t, tt.file)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want *ParseError", err, err)
			}
			if pe.Line != tt.wantLine || pe.Element != tt.wantElement || pe.Msg != tt.wantMsg {
				t.Errorf("got line %d, element %q, msg %q; want %d, %q, %q", pe.Line, pe.Element, pe.Msg, tt.wantLine, tt.wantElement, tt.wantMsg)
			}
			if len(res.entries) != tt.wantEntries {
				t.Errorf("%d entries delivered before the error, want %d", len(res.entries), tt.wantEntries)
			}
		})
	}
	_, err := parseFile(t, "malformed_amount.xml")
	if want := `camt053: line 28, Ntry/Amt: amount "12,3x" is not a decimal`; err == nil || err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

// entryXML is a valid entry used as the building block for inline tests.
const entryXML = `<Ntry>
<Amt Ccy="EUR">1.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd>
<BookgDt><Dt>2024-01-02</Dt></BookgDt>
</Ntry>
`

// minimalDoc wraps entries in a camt.053.001.<minor> document. The Stmt
// starts on line 3 and the entries on line 5.
func minimalDoc(minor, entries string) string {
	return `<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.` + minor + `"><BkToCstmrStmt>
<Stmt>
<Id>S1</Id>
` + entries + `</Stmt>
</BkToCstmrStmt></Document>
`
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name        string
		doc         string
		wantLine    int
		wantElement string
		wantMsg     string // substring
	}{
		{"empty", "", 1, "", "no Document element"},
		{"not xml", "hello", 1, "", "text before the Document element"},
		{"camt.054", strings.Replace(minimalDoc("02", ""), "camt.053", "camt.054", 1), 2, "Document", "not a camt.053 document"},
		{"camt.053.001.01", minimalDoc("01", ""), 2, "Document", "NN >= 02"},
		{"version not numeric", minimalDoc("0x", ""), 2, "Document", "not a camt.053 document"},
		{"no namespace", "<Document><BkToCstmrStmt/></Document>", 1, "Document", "not a camt.053 document"},
		{"wrong root", `<Foo xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>`, 1, "Foo", "want Document"},
		{"no statements", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt></BkToCstmrStmt></Document>`, 1, "BkToCstmrStmt/Stmt", "missing required"},
		{"no BkToCstmrStmt", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"></Document>`, 1, "Document/BkToCstmrStmt", "missing required"},
		{"missing Stmt/Id", strings.Replace(minimalDoc("02", entryXML), "<Id>S1</Id>", "", 1), 3, "Stmt/Id", "missing required element"},
		{"missing Amt", minimalDoc("02", strings.Replace(entryXML, `<Amt Ccy="EUR">1.00</Amt>`, "", 1)), 5, "Ntry/Amt", "missing required element"},
		{"missing CdtDbtInd", minimalDoc("02", strings.Replace(entryXML, "<CdtDbtInd>CRDT</CdtDbtInd>", "", 1)), 5, "Ntry/CdtDbtInd", "missing required element"},
		{"missing BookgDt", minimalDoc("02", strings.Replace(entryXML, "<BookgDt><Dt>2024-01-02</Dt></BookgDt>", "", 1)), 5, "Ntry/BookgDt", "missing required element"},
		{"empty BookgDt", minimalDoc("02", strings.Replace(entryXML, "<Dt>2024-01-02</Dt>", "", 1)), 8, "Ntry/BookgDt/Dt", "missing required element"},
		{"bad date", minimalDoc("02", strings.Replace(entryXML, "2024-01-02", "02-01-2024", 1)), 8, "Ntry/BookgDt/Dt", `date "02-01-2024"`},
		{"unknown CdtDbtInd", minimalDoc("02", strings.Replace(entryXML, "CRDT", "CREDIT", 1)), 7, "Ntry/CdtDbtInd", `"CREDIT" is not CRDT or DBIT`},
		{"bad RvslInd", minimalDoc("02", strings.Replace(entryXML, "<BookgDt>", "<RvslInd>yes</RvslInd><BookgDt>", 1)), 8, "Ntry/RvslInd", "not a boolean"},
		{"missing Ccy", minimalDoc("02", strings.Replace(entryXML, ` Ccy="EUR"`, "", 1)), 6, "Ntry/Amt", "missing Ccy"},
		{"bad Ccy", minimalDoc("02", strings.Replace(entryXML, `Ccy="EUR"`, `Ccy="euro"`, 1)), 6, "Ntry/Amt", "not an ISO 4217"},
		{"negative amount", minimalDoc("02", strings.Replace(entryXML, "1.00", "-1.00", 1)), 6, "Ntry/Amt", "is not a decimal"},
		{"sub-cent amount", minimalDoc("02", strings.Replace(entryXML, "1.00", "1.005", 1)), 6, "Ntry/Amt", "more than 2"},
		{"bad balance amount", strings.Replace(minimalDoc("02", ""), "<Id>S1</Id>", "<Id>S1</Id>\n<Bal><Amt Ccy=\"EUR\">1,00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>", 1), 5, "Stmt/Bal/Amt", "is not a decimal"},
		{"balance without direction", strings.Replace(minimalDoc("02", ""), "<Id>S1</Id>", "<Id>S1</Id>\n<Bal><Amt Ccy=\"EUR\">1.00</Amt></Bal>", 1), 5, "Stmt/Bal/CdtDbtInd", "missing required element"},
		{"bad tx amount", minimalDoc("08", strings.Replace(entryXML, "</BookgDt>",
			"</BookgDt>\n<NtryDtls>\n<TxDtls>\n<AmtDtls><TxAmt><Amt Ccy=\"EUR\">1e2</Amt></TxAmt></AmtDtls></TxDtls>\n</NtryDtls>", 1)), 11, "Ntry/NtryDtls/TxDtls/AmtDtls/TxAmt/Amt", `"1e2" is not a decimal`},
		{"mismatched tag", minimalDoc("02", strings.Replace(entryXML, "</CdtDbtInd>", "</CdtDbt>", 1)), 7, "Ntry/CdtDbtInd", "closed by </CdtDbt>"},
		{"truncated in header", minimalDoc("02", "")[:120], 4, "Stmt/Id", "unexpected EOF"},
		{"trailing document", minimalDoc("02", entryXML) + minimalDoc("02", entryXML), 13, "Document", "after the Document element"},
		{"latin1 declared", strings.Replace(minimalDoc("02", entryXML), `version="1.0"`, `version="1.0" encoding="ISO-8859-1"`, 1), 1, "", "ISO-8859-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseAll(strings.NewReader(tt.doc))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want *ParseError", err, err)
			}
			if pe.Line != tt.wantLine || pe.Element != tt.wantElement || !strings.Contains(pe.Msg, tt.wantMsg) {
				t.Errorf("got %q (line %d, element %q); want line %d, element %q, msg containing %q",
					err, pe.Line, pe.Element, tt.wantLine, tt.wantElement, tt.wantMsg)
			}
		})
	}
}

func TestAcceptedVariants(t *testing.T) {
	// A BOM, comments, a newer version than we know and a CDATA amount are
	// all legal.
	doc := "\ufeff<!-- exported -->\n" + strings.Replace(minimalDoc("13", entryXML), "1.00", "<![CDATA[ 1.00 ]]>", 1)
	res, err := parseAll(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.entries) != 1 || res.entries[0].AmountCents != 100 || res.stmts[0].Version != "001.13" {
		t.Errorf("got %+v", res)
	}
	// A statement without entries is still reported.
	res, err = parseAll(strings.NewReader(minimalDoc("04", "")))
	if err != nil || len(res.stmts) != 1 || len(res.entries) != 0 {
		t.Errorf("empty statement: %v, %+v", err, res)
	}
}

func TestCallbackErrorStops(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	f, err := os.Open("testdata/statement_v02.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = Parse(f, nil, func(Statement, Entry) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Errorf("Parse returned %v, want the callback's error unchanged", err)
	}
	if calls != 2 {
		t.Errorf("onEntry called %d times after returning an error", calls-2)
	}

	calls = 0
	err = Parse(strings.NewReader(minimalDoc("02", entryXML)), func(Statement) error { return stop },
		func(Statement, Entry) error { calls++; return nil })
	if err != stop || calls != 0 {
		t.Errorf("onStatement error: got %v and %d entries", err, calls)
	}
}

// errReader fails after its data, like a dropped connection.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

func TestReaderError(t *testing.T) {
	boom := errors.New("connection reset")
	doc := minimalDoc("02", entryXML)
	err := Parse(&errReader{strings.NewReader(doc[:len(doc)/2]), boom}, nil, nil)
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, boom) {
		t.Errorf("got %v, want *ParseError wrapping the reader error", err)
	}
}

func TestParseAmount(t *testing.T) {
	ok := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"0.00", 0},
		{"1", 100},
		{"1234.5", 123450},
		{"12.30", 1230},
		{"0.29", 29},
		{"0.01", 1},
		{"007.10", 710},
		{"1.2300", 123},
		{"1.00000", 100},
		{".5", 50},
		{"5.", 500},
		{"99999999999999.99", 9999999999999999},
		{"92233720368547758.07", 9223372036854775807},
	}
	for _, tt := range ok {
		got, err := ParseAmount(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"", ".", "-1.00", "+1.00", "1,00", "12,3x", "1.2.3", "1e2", "1E2", " 1.00", "1.00 ", "1.001",
		"1.0001", "0x10", "١٢", "NaN", "Inf", "92233720368547758.08", "99999999999999999.99", "100000000000000000000",
	}
	for _, in := range bad {
		if got, err := ParseAmount(in); err == nil {
			t.Errorf("ParseAmount(%q) = %d, want error", in, got)
		}
	}
}

func TestHash(t *testing.T) {
	a := mustParseFile(t, "statement_v02.xml")
	b := mustParseFile(t, "statement_v02.xml")
	seen := map[string]int{}
	for i := range a.entries {
		if a.entries[i].Hash != b.entries[i].Hash {
			t.Errorf("entry %d: hash differs across re-parse", i+1)
		}
		if j, dup := seen[a.entries[i].Hash]; dup {
			t.Errorf("entries %d and %d share a hash", j, i+1)
		}
		seen[a.entries[i].Hash] = i + 1
	}

	// Changing only the amount changes the hash.
	doc := minimalDoc("02", entryXML)
	base := hashes(t, doc)
	if other := hashes(t, strings.Replace(doc, "1.00", "1.01", 1)); other[0] == base[0] {
		t.Error("hash unchanged when the amount changed")
	}
	// Position, indentation and statement identity do not matter: the same
	// entry as the second one in another statement hashes the same.
	moved := strings.Replace(minimalDoc("02", strings.Replace(entryXML, "2.00", "", 1)+
		strings.ReplaceAll(strings.Replace(entryXML, "1.00", "7.00", 1), "\n", "\n   ")+entryXML), "<Id>S1</Id>", "<Id>S2</Id>", 1)
	if h := hashes(t, moved); h[2] != base[0] {
		t.Error("hash depends on position or statement")
	}
	// The statement account is part of the hash.
	withIBAN := strings.Replace(doc, "<Id>S1</Id>", "<Id>S1</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>", 1)
	if h := hashes(t, withIBAN); h[0] == base[0] {
		t.Error("hash ignores the account IBAN")
	}
	// The same entries rendered as .02 and as .08 hash the same.
	var v02, v08 bytes.Buffer
	if err := Generate(&v02, 20, GenOptions{Version: "001.02"}); err != nil {
		t.Fatal(err)
	}
	if err := Generate(&v08, 20, GenOptions{Version: "001.08"}); err != nil {
		t.Fatal(err)
	}
	h02, h08 := hashes(t, v02.String()), hashes(t, v08.String())
	for i := range h02 {
		if h02[i] != h08[i] {
			t.Errorf("generated entry %d: .02 and .08 hashes differ", i)
		}
	}
}

func hashes(t *testing.T, doc string) []string {
	t.Helper()
	res, err := parseAll(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var hs []string
	for _, e := range res.entries {
		hs = append(hs, e.Hash)
	}
	return hs
}

func TestGenerate(t *testing.T) {
	if got := rfReference("539007547034"); got != "RF18539007547034" {
		t.Errorf("rfReference = %q, want RF18539007547034", got)
	}
	for _, version := range []string{"001.02", "001.04", "001.08"} {
		t.Run(version, func(t *testing.T) {
			opts := GenOptions{Version: version, Entry: func(i int) (string, int64) {
				if i == 3 {
					return "", -4200 // a debit without reference
				}
				return "RF18539007547034<&>", int64(i) * 101
			}}
			r, err := NewReader(7, opts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := parseAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.stmts) != 1 || res.stmts[0].Version != version || len(res.entries) != 7 {
				t.Fatalf("got %d statements (%+v), %d entries", len(res.stmts), res.stmts, len(res.entries))
			}
			for i, e := range res.entries {
				tx := e.Transactions[0]
				wantRef, wantAmt, wantCredit := "RF18539007547034<&>", int64(i)*101, true
				if i == 3 {
					wantRef, wantAmt, wantCredit = "", 4200, false
				}
				if e.AmountCents != wantAmt || e.Credit != wantCredit || tx.AmountCents != wantAmt || tx.Reference != wantRef ||
					tx.CounterpartyName == "" || tx.CounterpartyIBAN == "" || e.Index != i+1 {
					t.Errorf("entry %d: %+v", i, e)
				}
			}
		})
	}
	// Generate and NewReader produce the same bytes.
	var buf bytes.Buffer
	if err := Generate(&buf, 3000, GenOptions{}); err != nil {
		t.Fatal(err)
	}
	r, _ := NewReader(3000, GenOptions{})
	viaRead, err := io.ReadAll(struct{ io.Reader }{r}) // hide WriteTo to exercise Read
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), viaRead) {
		t.Error("Generate and NewReader output differ")
	}
	if _, err := NewReader(1, GenOptions{Version: "001.1"}); err == nil {
		t.Error("bad version accepted")
	}
}

// addSeeds seeds a fuzzer with every testdata statement, the extras and a
// generated statement of three entries.
func addSeeds(f *testing.F, extras ...[]byte) {
	f.Helper()
	files, err := filepath.Glob("testdata/*.xml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, e := range extras {
		f.Add(e)
	}
	var gen bytes.Buffer
	if err := Generate(&gen, 3, GenOptions{Version: "001.08"}); err != nil {
		f.Fatal(err)
	}
	f.Add(gen.Bytes())
}

func FuzzParse(f *testing.F) {
	addSeeds(f, []byte(minimalDoc("08", entryXML)))

	f.Fuzz(func(t *testing.T, data []byte) {
		failAt := len(data) % 4 // sometimes make a callback fail
		stop := errors.New("stop")
		calls, stopped := 0, false
		cb := func() error {
			if stopped {
				t.Fatal("callback invoked after it returned an error")
			}
			calls++
			if calls == failAt {
				stopped = true
				return stop
			}
			return nil
		}
		err := Parse(bytes.NewReader(data),
			func(s Statement) error {
				if s.ID == "" {
					t.Fatal("statement without ID delivered")
				}
				return cb()
			},
			func(s Statement, e Entry) error {
				if len(e.Transactions) == 0 || e.AmountCents < 0 || len(e.Hash) != 64 || e.Index < 1 || e.Line < 1 {
					t.Fatalf("invalid entry delivered: %+v", e)
				}
				for _, tx := range e.Transactions {
					if tx.AmountCents < 0 || len(tx.Currency) != 3 {
						t.Fatalf("invalid transaction delivered: %+v", tx)
					}
				}
				return cb()
			})
		if stopped && err != stop {
			t.Fatalf("callback error replaced by %v", err)
		}
		if err != nil && err != stop {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.Line < 1 {
				t.Fatalf("error without line: %v", err)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) { benchParse(b, Parse) }

// benchParse runs parse over a generated statement of 10,000 entries and
// reports bytes per second and the time per entry.
func benchParse(b *testing.B, parse func(io.Reader, func(Statement) error, func(Statement, Entry) error) error) {
	const n = 10_000
	b.ReportAllocs()
	var bytesRead int64
	for b.Loop() {
		r, err := NewReader(n, GenOptions{Version: "001.08"})
		if err != nil {
			b.Fatal(err)
		}
		cr := &countingReader{r: r}
		entries := 0
		if err := parse(cr, nil, func(Statement, Entry) error { entries++; return nil }); err != nil {
			b.Fatal(err)
		}
		if entries != n {
			b.Fatalf("parsed %d entries, want %d", entries, n)
		}
		bytesRead = cr.n
	}
	b.SetBytes(bytesRead)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*n), "ns/entry")
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// The genkgo/camt samples (testdata/README.md): the entry says EUR 8.85
// and its lone transaction 105.750 EUR (.03) or 0 SEK (.04, .08). What
// the bank moved is the entry; the transaction's amount is kept as stated.
func TestLoneTransactionTakesTheEntrysAmount(t *testing.T) {
	for _, c := range []struct {
		file        string
		statedCents int64
		statedCcy   string
	}{
		{"genkgo_camt053.v3.xml", 10575, "EUR"},
		{"genkgo_camt053.v4.xml", 0, "SEK"},
		{"genkgo_camt053.v8.xml", 0, "SEK"},
	} {
		t.Run(c.file, func(t *testing.T) {
			res := mustParseFile(t, c.file)
			if len(res.stmts) != 1 || len(res.entries) != 1 {
				t.Fatalf("%d statements, %d entries; want 1 and 1", len(res.stmts), len(res.entries))
			}
			st := res.stmts[0]
			if st.AccountIBAN != "" || st.AccountOther != "NL26VAYB8060476890" {
				t.Errorf("account IBAN %q, other %q; want no IBAN and NL26VAYB8060476890", st.AccountIBAN, st.AccountOther)
			}
			wantBal := []Balance{{Type: "OPBD", AmountCents: 1815, Currency: "EUR"}, {Type: "CLBD", AmountCents: -2700, Currency: "SEK"}}
			if len(st.Balances) != 2 || st.Balances[0] != wantBal[0] || st.Balances[1] != wantBal[1] {
				t.Errorf("balances %+v, want %+v", st.Balances, wantBal)
			}
			e := res.entries[0]
			if e.AmountCents != 885 || e.Currency != "EUR" || !e.Credit || e.Mismatch != "" || len(e.Transactions) != 1 {
				t.Fatalf("entry %+v, want a credit of EUR 8.85 with one transaction", stripEntry(e))
			}
			tr := e.Transactions[0]
			if tr.AmountCents != 885 || tr.Currency != "EUR" || !tr.Credit {
				t.Errorf("transaction books %s (credit %v), want EUR 8.85, the entry's", FormatCents(tr.AmountCents, tr.Currency), tr.Credit)
			}
			if tr.StatedCents != c.statedCents || tr.StatedCurrency != c.statedCcy || tr.Reference != "4654654654654654" {
				t.Errorf("stated %s, reference %q; want %s and the sample's reference",
					FormatCents(tr.StatedCents, tr.StatedCurrency), tr.Reference, FormatCents(c.statedCents, c.statedCcy))
			}
		})
	}
	// Amount details in another currency (instructed in USD, booked in EUR).
	doc := minimalDoc("04", strings.Replace(entryXML, "</BookgDt>", `</BookgDt><NtryDtls><TxDtls><AmtDtls>
<InstdAmt><Amt Ccy="USD">1.20</Amt></InstdAmt><TxAmt><Amt Ccy="USD">1.20</Amt></TxAmt>
<CntrValAmt><Amt Ccy="EUR">1.02</Amt></CntrValAmt></AmtDtls></TxDtls></NtryDtls>`, 1))
	res, err := parseAll(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if tr := res.entries[0].Transactions[0]; tr.AmountCents != 100 || tr.Currency != "EUR" || tr.StatedCurrency != "USD" {
		t.Errorf("amount details in USD: books %s, stated %s; want EUR 1.00 stated as USD 1.20",
			FormatCents(tr.AmountCents, tr.Currency), FormatCents(tr.StatedCents, tr.StatedCurrency))
	}
}

// A batch's transactions must account for the entry (credits minus debits);
// otherwise Mismatch says why.
func TestBatchMismatch(t *testing.T) {
	batch := func(entry string, txs ...string) string {
		e := strings.Replace(entryXML, "1.00", entry, 1)
		return minimalDoc("08", strings.Replace(e, "</BookgDt>", "</BookgDt><NtryDtls><TxDtls>"+strings.Join(txs, "</TxDtls><TxDtls>")+"</TxDtls></NtryDtls>", 1))
	}
	amt := func(ccy, v string) string { return `<Amt Ccy="` + ccy + `">` + v + `</Amt>` }
	for _, c := range []struct {
		name, doc, want string
	}{
		{"adds up", batch("3.00", amt("EUR", "1.00"), amt("EUR", "2.00")), ""},
		{"adds up with a debit", batch("3.00", amt("EUR", "4.00"), amt("EUR", "1.00")+"<CdtDbtInd>DBIT</CdtDbtInd>"), ""},
		{"amount details", batch("3.00", "<AmtDtls><TxAmt>"+amt("EUR", "1.00")+"</TxAmt></AmtDtls>", amt("EUR", "2.00")), ""},
		{"too little", batch("3.00", amt("EUR", "1.00"), amt("EUR", "1.50")), "the 2 transactions add up to EUR 2.50, the entry is EUR 3.00"},
		{"debit counted as credit", batch("5.00", amt("EUR", "4.00"), amt("EUR", "1.00")+"<CdtDbtInd>DBIT</CdtDbtInd>"), "the 2 transactions add up to EUR 3.00, the entry is EUR 5.00"},
		{"other currency", batch("3.00", amt("EUR", "1.00"), amt("SEK", "2.00")), "transaction 2 of 2 is SEK 2.00, the entry EUR 3.00"},
		{"no amount", batch("3.00", amt("EUR", "3.00"), "<Refs><EndToEndId>X</EndToEndId></Refs>"), "transaction 2 of 2 states no amount"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := parseAll(strings.NewReader(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			e := res.entries[0]
			if c.want == "" && e.Mismatch != "" || c.want != "" && !strings.Contains(e.Mismatch, c.want) {
				t.Errorf("Mismatch %q, want %q", e.Mismatch, c.want)
			}
			if len(e.Transactions) != 2 {
				t.Fatalf("%d transactions, want 2", len(e.Transactions))
			}
		})
	}
}
