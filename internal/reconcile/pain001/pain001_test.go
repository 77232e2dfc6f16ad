package pain001_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/reconcile/pain001"
)

func file() pain001.File {
	return pain001.File{MessageID: "SETTLE-TRF-0001", CreatedAt: time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC),
		Debtor: "Zonnestroom Energie B.V.", DebtorIBAN: "NL91ABNA0417164300", DebtorBIC: "ABNANL2A", ExecuteOn: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
		Transfers: []pain001.Transfer{
			{EndToEndID: "credit-refund-1", Name: "Ayşe Yılmaz", IBAN: "NL02RABO0123456789", Amount: 4235, Remittance: "Uw tegoed terug, klantnummer K-1"},
			{EndToEndID: "credit-refund-2", Name: "Jan de Vries", IBAN: "DE89370400440532013000", Amount: 1},
		}}
}

// parsed is the document read back by element path, independent of the
// writer's own types.
type parsed struct {
	XMLName xml.Name
	MsgID   string `xml:"CstmrCdtTrfInitn>GrpHdr>MsgId"`
	NbOfTxs int    `xml:"CstmrCdtTrfInitn>GrpHdr>NbOfTxs"`
	CtrlSum string `xml:"CstmrCdtTrfInitn>GrpHdr>CtrlSum"`
	Initg   string `xml:"CstmrCdtTrfInitn>GrpHdr>InitgPty>Nm"`
	PmtInf  struct {
		PmtMtd   string `xml:"PmtMtd"`
		NbOfTxs  int    `xml:"NbOfTxs"`
		CtrlSum  string `xml:"CtrlSum"`
		SvcLvl   string `xml:"PmtTpInf>SvcLvl>Cd"`
		Exec     string `xml:"ReqdExctnDt"`
		Dbtr     string `xml:"Dbtr>Nm"`
		DbtrIBAN string `xml:"DbtrAcct>Id>IBAN"`
		BIC      string `xml:"DbtrAgt>FinInstnId>BIC"`
		ChrgBr   string `xml:"ChrgBr"`
		Txs      []struct {
			E2E string `xml:"PmtId>EndToEndId"`
			Amt struct {
				Value string `xml:",chardata"`
				Ccy   string `xml:"Ccy,attr"`
			} `xml:"Amt>InstdAmt"`
			Name  string `xml:"Cdtr>Nm"`
			IBAN  string `xml:"CdtrAcct>Id>IBAN"`
			Ustrd string `xml:"RmtInf>Ustrd"`
		} `xml:"CdtTrfTxInf"`
	} `xml:"CstmrCdtTrfInitn>PmtInf"`
}

func TestWriteTransferFile(t *testing.T) {
	var b bytes.Buffer
	if err := pain001.Write(&b, file()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration:\n%s", b.String())
	}
	var p parsed
	if err := xml.Unmarshal(b.Bytes(), &p); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if p.XMLName.Space != pain001.Namespace || p.XMLName.Local != "Document" {
		t.Errorf("root %v, want Document in %s", p.XMLName, pain001.Namespace)
	}
	if p.MsgID != "SETTLE-TRF-0001" || p.NbOfTxs != 2 || p.CtrlSum != "42.36" || p.Initg != "Zonnestroom Energie B.V." {
		t.Errorf("group header %+v", p)
	}
	pi := p.PmtInf
	if pi.PmtMtd != "TRF" || pi.NbOfTxs != 2 || pi.CtrlSum != "42.36" || pi.SvcLvl != "SEPA" || pi.Exec != "2026-11-24" || pi.Dbtr != "Zonnestroom Energie B.V." ||
		pi.DbtrIBAN != "NL91ABNA0417164300" || pi.BIC != "ABNANL2A" || pi.ChrgBr != "SLEV" || len(pi.Txs) != 2 {
		t.Fatalf("payment information %+v", pi)
	}
	tx := pi.Txs[0]
	if tx.E2E != "credit-refund-1" || tx.Amt.Value != "42.35" || tx.Amt.Ccy != "EUR" || tx.Name != "Ayşe Yılmaz" || tx.IBAN != "NL02RABO0123456789" || tx.Ustrd != "Uw tegoed terug, klantnummer K-1" {
		t.Errorf("first transfer %+v", tx)
	}
	if pi.Txs[1].Amt.Value != "0.01" || pi.Txs[1].Ustrd != "" {
		t.Errorf("second transfer %+v", pi.Txs[1])
	}
	// Without a BIC the agent is NOTPROVIDED, as the EPC rules allow.
	f := file()
	f.DebtorBIC = ""
	b.Reset()
	if err := pain001.Write(&b, f); err != nil || !strings.Contains(b.String(), "<Othr>\n            <Id>NOTPROVIDED</Id>") {
		t.Errorf("without a BIC (%v):\n%s", err, b.String())
	}
}

func TestTransferFileRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*pain001.File)
	}{
		{"no transfers", func(f *pain001.File) { f.Transfers = nil }},
		{"zero amount", func(f *pain001.File) { f.Transfers[0].Amount = 0 }},
		{"bad IBAN", func(f *pain001.File) { f.Transfers[1].IBAN = "NL02 RABO 0123 4567 89" }},
		{"no name", func(f *pain001.File) { f.Transfers[0].Name = " " }},
		{"same end-to-end id twice", func(f *pain001.File) { f.Transfers[1].EndToEndID = f.Transfers[0].EndToEndID }},
		{"id too long", func(f *pain001.File) { f.MessageID = strings.Repeat("X", 36) }},
		{"own IBAN", func(f *pain001.File) { f.DebtorIBAN = "" }},
		{"BIC", func(f *pain001.File) { f.DebtorBIC = "ABN" }},
	} {
		f := file()
		tc.edit(&f)
		var b bytes.Buffer
		if err := pain001.Write(&b, f); err == nil || b.Len() != 0 {
			t.Errorf("%s: written (%v)", tc.name, err)
		}
	}
}
