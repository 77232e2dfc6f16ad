package camt053

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// GenOptions controls Generate and NewReader. The zero value produces a
// valid camt.053.001.02 statement with deterministic contents.
type GenOptions struct {
	// Version is the message version, e.g. "001.02" (default) or "001.08".
	// From 001.08 on the .08 shapes (Sts/Cd, RltdPties/Dbtr/Pty/Nm,
	// TxDtls/Amt) are written, before that the .02 shapes.
	Version string
	// AccountIBAN is the statement account (default NL91ABNA0417164300).
	AccountIBAN string
	// StatementID is Stmt/Id (default "GEN-STMT-1").
	StatementID string
	// Start is the booking date of the first entry; later entries move one
	// day per 1000 entries. Default 2024-01-01.
	Start time.Time
	// Entry returns the creditor reference and amount for entry i
	// (0-based). A negative amount produces a debit of the absolute value;
	// an empty reference omits RmtInf/Strd. When nil, entries get valid RF
	// references and varied amounts, every fifth one a debit.
	Entry func(i int) (reference string, amountCents int64)
}

// Generate writes a camt.053 document with one statement of n entries to w.
// It produces the XML incrementally, so n may be in the millions without
// holding the document in memory; it is meant for benchmarks and load tests.
func Generate(w io.Writer, n int, opts GenOptions) error {
	r, err := NewReader(n, opts)
	if err != nil {
		return err
	}
	_, err = r.(io.WriterTo).WriteTo(w)
	return err
}

// NewReader returns a reader that yields the same document as Generate,
// producing it lazily entry by entry as it is read.
func NewReader(n int, opts GenOptions) (io.Reader, error) {
	if n < 0 {
		return nil, errors.New("camt053: Generate: negative entry count")
	}
	if opts.Version == "" {
		opts.Version = "001.02"
	}
	minor, ok := strings.CutPrefix(opts.Version, "001.")
	v, err := strconv.Atoi(minor)
	if !ok || err != nil || v < 2 || len(minor) < 2 {
		return nil, fmt.Errorf("camt053: Generate: unsupported version %q", opts.Version)
	}
	if opts.AccountIBAN == "" {
		opts.AccountIBAN = "NL91ABNA0417164300"
	}
	if opts.StatementID == "" {
		opts.StatementID = "GEN-STMT-1"
	}
	if opts.Start.IsZero() {
		opts.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if opts.Entry == nil {
		opts.Entry = defaultGenEntry
	}
	return &genReader{opts: opts, n: n, v08: v >= 8}, nil
}

func defaultGenEntry(i int) (string, int64) {
	amount := int64(100 + (i*7919)%1_000_000)
	if i%5 == 4 {
		amount = -amount
	}
	return rfReference(strconv.Itoa(i + 1)), amount
}

// rfReference builds an ISO 11649 creditor reference ("RF" + two check
// digits + body) so generated data looks like what Dutch banks deliver.
func rfReference(body string) string {
	// Check digits: 98 - mod97(body + "RF00") with letters as 10..35.
	rem := 0
	for _, c := range body + "RF00" {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		}
	}
	return fmt.Sprintf("RF%02d%s", 98-rem, body)
}

// genReader renders the document in chunks: the header, then batches of
// entries, then the footer. Only the current chunk is held in memory.
type genReader struct {
	opts  GenOptions
	n     int
	v08   bool
	i     int // next entry to render
	stage int // 0 header, 1 entries, 2 footer, 3 done
	buf   []byte
	off   int
}

// chunkSize is how much XML is rendered per refill; large enough to amortise
// the per-call overhead, small enough to stay cache-friendly.
const chunkSize = 64 << 10

func (g *genReader) fill() bool {
	g.buf, g.off = g.buf[:0], 0
	for len(g.buf) < chunkSize {
		switch g.stage {
		case 0:
			g.header()
			g.stage = 1
		case 1:
			if g.i >= g.n {
				g.stage = 2
				continue
			}
			g.entry(g.i)
			g.i++
		case 2:
			g.buf = append(g.buf, "  </Stmt>\n </BkToCstmrStmt>\n</Document>\n"...)
			g.stage = 3
		default:
			return len(g.buf) > 0
		}
	}
	return true
}

// Read implements io.Reader.
func (g *genReader) Read(p []byte) (int, error) {
	if g.off == len(g.buf) && !g.fill() {
		return 0, io.EOF
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	return n, nil
}

// WriteTo implements io.WriterTo so io.Copy and Generate skip the extra
// copy through an intermediate buffer.
func (g *genReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if g.off == len(g.buf) && !g.fill() {
			return total, nil
		}
		n, err := w.Write(g.buf[g.off:])
		total += int64(n)
		g.off += n
		if err != nil {
			return total, err
		}
	}
}

func (g *genReader) header() {
	b := g.buf
	created := g.opts.Start.Format("2006-01-02T15:04:05Z07:00")
	b = append(b, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.`...)
	b = append(b, g.opts.Version...)
	b = append(b, "\">\n <BkToCstmrStmt>\n  <GrpHdr>\n   <MsgId>"...)
	b = appendEscaped(b, g.opts.StatementID)
	b = append(b, "</MsgId>\n   <CreDtTm>"...)
	b = append(b, created...)
	b = append(b, "</CreDtTm>\n  </GrpHdr>\n  <Stmt>\n   <Id>"...)
	b = appendEscaped(b, g.opts.StatementID)
	b = append(b, "</Id>\n   <ElctrncSeqNb>1</ElctrncSeqNb>\n   <CreDtTm>"...)
	b = append(b, created...)
	b = append(b, "</CreDtTm>\n   <Acct>\n    <Id>\n     <IBAN>"...)
	b = appendEscaped(b, g.opts.AccountIBAN)
	b = append(b, "</IBAN>\n    </Id>\n    <Ccy>EUR</Ccy>\n   </Acct>\n"...)
	g.buf = b
}

func (g *genReader) entry(i int) {
	ref, amount := g.opts.Entry(i)
	credit := amount >= 0
	if !credit {
		amount = -amount
	}
	date := g.opts.Start.AddDate(0, 0, i/1000).Format(time.DateOnly)
	// Other party: debtor on credits, creditor on debits.
	role := "Cdtr"
	if credit {
		role = "Dbtr"
	}

	b := g.buf
	b = append(b, "   <Ntry>\n    <Amt Ccy=\"EUR\">"...)
	b = appendAmount(b, amount)
	b = append(b, "</Amt>\n    <CdtDbtInd>"...)
	if credit {
		b = append(b, "CRDT"...)
	} else {
		b = append(b, "DBIT"...)
	}
	b = append(b, "</CdtDbtInd>\n"...)
	if g.v08 {
		b = append(b, "    <Sts>\n     <Cd>BOOK</Cd>\n    </Sts>\n"...)
	} else {
		b = append(b, "    <Sts>BOOK</Sts>\n"...)
	}
	b = append(b, "    <BookgDt>\n     <Dt>"...)
	b = append(b, date...)
	b = append(b, "</Dt>\n    </BookgDt>\n    <ValDt>\n     <Dt>"...)
	b = append(b, date...)
	b = append(b, "</Dt>\n    </ValDt>\n    <AcctSvcrRef>GEN-"...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "</AcctSvcrRef>\n    <BkTxCd>\n     <Domn>\n      <Cd>PMNT</Cd>\n      <Fmly>\n       <Cd>RCDT</Cd>\n       <SubFmlyCd>ESCT</SubFmlyCd>\n      </Fmly>\n     </Domn>\n    </BkTxCd>\n"...)
	b = append(b, "    <NtryDtls>\n     <TxDtls>\n      <Refs>\n       <EndToEndId>E2E-"...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "</EndToEndId>\n      </Refs>\n"...)
	if g.v08 {
		b = append(b, "      <Amt Ccy=\"EUR\">"...)
		b = appendAmount(b, amount)
		b = append(b, "</Amt>\n"...)
	} else {
		b = append(b, "      <AmtDtls>\n       <TxAmt>\n        <Amt Ccy=\"EUR\">"...)
		b = appendAmount(b, amount)
		b = append(b, "</Amt>\n       </TxAmt>\n      </AmtDtls>\n"...)
	}
	b = append(b, "      <RltdPties>\n       <"...)
	b = append(b, role...)
	b = append(b, ">\n"...)
	if g.v08 {
		b = append(b, "        <Pty>\n         <Nm>Klant "...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, "</Nm>\n        </Pty>\n"...)
	} else {
		b = append(b, "        <Nm>Klant "...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, "</Nm>\n"...)
	}
	b = append(b, "       </"...)
	b = append(b, role...)
	b = append(b, ">\n       <"...)
	b = append(b, role...)
	b = append(b, "Acct>\n        <Id>\n         <IBAN>NL02RABO"...)
	b = appendPadded(b, int64(i%10_000_000_000), 10)
	b = append(b, "</IBAN>\n        </Id>\n       </"...)
	b = append(b, role...)
	b = append(b, "Acct>\n      </RltdPties>\n      <RmtInf>\n       <Ustrd>Factuur "...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "</Ustrd>\n"...)
	if ref != "" {
		b = append(b, "       <Strd>\n        <CdtrRefInf>\n         <Tp>\n          <CdOrPrtry>\n           <Cd>SCOR</Cd>\n          </CdOrPrtry>\n         </Tp>\n         <Ref>"...)
		b = appendEscaped(b, ref)
		b = append(b, "</Ref>\n        </CdtrRefInf>\n       </Strd>\n"...)
	}
	b = append(b, "      </RmtInf>\n     </TxDtls>\n    </NtryDtls>\n   </Ntry>\n"...)
	g.buf = b
}

func appendAmount(b []byte, cents int64) []byte {
	b = strconv.AppendInt(b, cents/100, 10)
	b = append(b, '.')
	return appendPadded(b, cents%100, 2)
}

// appendPadded appends v zero-padded to width digits.
func appendPadded(b []byte, v int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// appendEscaped appends s with the XML special characters escaped, since
// caller-supplied references may contain anything.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '"':
			b = append(b, "&quot;"...)
		case '\'':
			b = append(b, "&apos;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}
