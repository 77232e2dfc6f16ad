package camt053

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The differential tests feed the same input to Parse (scanner.go) and to
// xmlParse, the previous implementation on encoding/xml (oracle_test.go),
// and require the same statements and entries, and that both fail or both
// succeed. Error texts may differ.

type parseFunc func(io.Reader, func(Statement) error, func(Statement, Entry) error) error

type outcome struct {
	stmts   []Statement
	entries []Entry
	err     error
}

func run(parse parseFunc, data []byte) outcome {
	var o outcome
	o.err = parse(bytes.NewReader(data),
		func(s Statement) error { o.stmts = append(o.stmts, s); return nil },
		func(_ Statement, e Entry) error { o.entries = append(o.entries, e); return nil })
	return o
}

// comparable replaces times (whose *Location differs between parses) by
// their text.
func comparable(o outcome) string {
	var b strings.Builder
	tm := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	for _, s := range o.stmts {
		c := tm(s.CreatedAt)
		s.CreatedAt = time.Time{}
		fmt.Fprintf(&b, "S %#v %s\n", s, c)
	}
	for _, e := range o.entries {
		bd, vd := tm(e.BookingDate), tm(e.ValueDate)
		e.BookingDate, e.ValueDate = time.Time{}, time.Time{}
		fmt.Fprintf(&b, "E %#v %s %s\n", e, bd, vd)
	}
	return b.String()
}

func differ(t *testing.T, data []byte) {
	t.Helper()
	got, want := run(Parse, data), run(xmlParse, data)
	if (got.err == nil) != (want.err == nil) {
		t.Fatalf("input %q:\nscanner error: %v\nencoding/xml error: %v", data, got.err, want.err)
	}
	if g, w := comparable(got), comparable(want); g != w {
		t.Fatalf("input %q:\nscanner:\n%s\nencoding/xml:\n%s", data, g, w)
	}
	if got.err != nil {
		var pe *ParseError
		if !errors.As(got.err, &pe) || pe.Line < 1 {
			t.Fatalf("input %q: error %v is not a *ParseError with a line", data, got.err)
		}
	}
}

// xmlCases are XML details the scanner must treat like encoding/xml, each
// placed inside a camt.053 document (in an entry's text, its attributes, or
// around the root).
var xmlCases = []string{
	"", "a&amp;b", "&lt;&gt;&apos;&quot;", "&#65;&#x42;&#x10FFFF;", "&#0;", "&#x1F;", "&#xD800;", "&#xFFFE;", "&#x110000;",
	"&#;", "&#x;", "&#X41;", "&nbsp;", "&amp", "& ", "&#65", "&lt ;", "&LT;", "&#99999999999999999999;",
	"<![CDATA[a<b&c]]>", "<![CDATA[]]>", "<![CDATA[x]]]>", "<![CDATA[x", "<![CDAT[x]]>", "]]>", "]]", "] ]>",
	"<!-- c -->x", "<!-- a -- b -->", "<!--->", "<!---->", "<!-x-->", "<?pi data?>", "<?pi?>", "<?1pi?>", "<? pi?>",
	"<?xml version=\"1.1\"?>", "<?xml encoding=\"latin1\"?>", "<?xml encoding='UTF-8'?>",
	"<!DOCTYPE x [<!ENTITY a 'b'>]>", "<!DOCTYPE x <!-- > --> >", "<!X \">\">", "<!>", "<!a<b>>",
	"a\r\nb\rc\n", "\t", "\x00", "\x01", "\x7f", "é", "\xc3", "\xff", "\xef\xbf\xbe", "\xef\xbb\xbf", "€", "😀", "\xed\xa0\x80",
	"<x/>", "<x></y>", "<x>", "</x>", "<p:x></p:x>", "<p:x></q:x>", "<p:x></x>", "<a:b:c/>", "<:x/>", "<x:/>", "<1x/>", "<x a='1'/>",
	"<x a=\"1\"b=\"2\"/>", "<x a/>", "<x a=1/>", "<x a='<'/>", "<x a='&amp;'/>", "<x a='\x01'/>", "<x a = \"1\" />", "<x / >",
	"<é/>", "<aé/>", "<a·/>", "<·/>", "<a\u0300/>", "<\u0300/>", "<a\u00b7b/>", "<\u4e00/>", "<a\xff/>", "< x/>", "<x\n/>",
}

// docWith builds documents that carry c in various places.
func docWith(c string) []string {
	entry := strings.Replace(entryXML, "</BookgDt>", "</BookgDt>\n<AddtlNtryInf>"+c+"</AddtlNtryInf>", 1)
	attr := strings.Replace(entryXML, `Ccy="EUR"`, `Ccy="EUR" x="`+c+`"`, 1)
	return []string{
		minimalDoc("02", entry),
		minimalDoc("02", attr),
		c + minimalDoc("08", entryXML),
		minimalDoc("08", entryXML) + c,
		strings.Replace(minimalDoc("02", entryXML), "<Id>S1</Id>", "<Id>S1"+c+"</Id>", 1),
		strings.Replace(minimalDoc("02", entryXML), "<CdtDbtInd>CRDT", "<CdtDbtInd>"+c+"CRDT", 1),
	}
}

func TestScannerMatchesEncodingXML(t *testing.T) {
	for _, c := range xmlCases {
		for i, doc := range docWith(c) {
			t.Run(fmt.Sprintf("%q/%d", c, i), func(t *testing.T) { differ(t, []byte(doc)) })
		}
	}
	// Namespaces and prefixes on the root.
	for _, doc := range []string{
		`<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><c:BkToCstmrStmt><c:Stmt><c:Id>S</c:Id></c:Stmt></c:BkToCstmrStmt></c:Document>`,
		`<c:Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>S</Id></Stmt></BkToCstmrStmt></c:Document>`,
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" xmlns="urn:x"><BkToCstmrStmt><Stmt><Id>S</Id></Stmt></BkToCstmrStmt></Document>`,
		`<Document xmlns="urn:x" xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>S</Id></Stmt></BkToCstmrStmt></Document>`,
		`<xml:Document><BkToCstmrStmt/></xml:Document>`,
		`<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt><Stmt><Id>S</Id><Ntry><Amt p:Ccy="EUR">1</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2024-02-29</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`,
		`<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt><Stmt><Id>S</Id><Ntry><Amt Ccy="USD" Ccy="EUR">1</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2023-02-29</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`,
	} {
		differ(t, []byte(doc))
	}
	// Every prefix of the test files, and random byte changes.
	files, _ := filepath.Glob("testdata/*.xml")
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n <= len(data); n += 7 {
			differ(t, data[:n])
		}
		for range 300 {
			m := bytes.Clone(data)
			for range 1 + rng.IntN(3) {
				m[rng.IntN(len(m))] = "<>/&;\"'=!?-[]x \n\x00\xc3é"[rng.IntN(20)]
			}
			differ(t, m)
		}
	}
}

// FuzzScannerVsEncodingXML compares Parse with the encoding/xml oracle.
func FuzzScannerVsEncodingXML(f *testing.F) {
	var docs [][]byte
	for _, c := range xmlCases {
		docs = append(docs, []byte(docWith(c)[0]))
	}
	addSeeds(f, docs...)
	f.Fuzz(func(t *testing.T, data []byte) { differ(t, data) })
}

// TestScannerSmallReads parses through a reader that returns one byte at a
// time, so every token straddles buffer refills.
func TestScannerSmallReads(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		want := run(Parse, data)
		var got outcome
		got.err = Parse(&oneByteReader{data: data},
			func(s Statement) error { got.stmts = append(got.stmts, s); return nil },
			func(_ Statement, e Entry) error { got.entries = append(got.entries, e); return nil })
		if comparable(got) != comparable(want) || fmt.Sprint(got.err) != fmt.Sprint(want.err) {
			t.Errorf("%s: one-byte reads differ:\n%s %v\n%s %v", name, comparable(got), got.err, comparable(want), want.err)
		}
	}
	// A large file in small reads matches the oracle too.
	var gen bytes.Buffer
	if err := Generate(&gen, 200, GenOptions{Version: "001.08"}); err != nil {
		t.Fatal(err)
	}
	a, b := run(Parse, gen.Bytes()), run(xmlParse, gen.Bytes())
	if a.err != nil || !reflect.DeepEqual(len(a.entries), 200) || comparable(a) != comparable(b) {
		t.Errorf("generated file: %v, %d entries; oracle agrees: %v", a.err, len(a.entries), comparable(a) == comparable(b))
	}
}

type oneByteReader struct {
	data []byte
	off  int
}

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.off == len(r.data) {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.data[r.off]
	r.off++
	return 1, nil
}

// BenchmarkParseEncodingXML is BenchmarkParse on the encoding/xml oracle,
// for comparing the two on the same machine in one run.
func BenchmarkParseEncodingXML(b *testing.B) { benchParse(b, xmlParse) }
