// Package pain001 writes SEPA credit transfer files (ISO 20022
// pain.001.001.03, the version every Dutch bank accepts for upload): the
// credit Settle could not pay back through a payment provider, for finance
// to upload in the creditor's online banking.
package pain001

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Namespace is the pain.001.001.03 document namespace.
const Namespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"

// Transfer is one payment to make: Amount cents to Name's IBAN.
type Transfer struct {
	EndToEndID string // at most 35 characters, unique in the file
	Name       string
	IBAN       string
	Amount     int64
	Remittance string // what the receiver sees, at most 140 characters
}

// File is a batch of transfers from one account, executed on one day.
type File struct {
	MessageID  string // at most 35 characters, unique per upload
	CreatedAt  time.Time
	Debtor     string // the account holder (the creditor)
	DebtorIBAN string
	DebtorBIC  string // "" when unknown
	ExecuteOn  time.Time
	Transfers  []Transfer
}

var (
	ibanPattern = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$`)
	bicPattern  = regexp.MustCompile(`^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$`)
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9/\-?:().,'+ ]{1,35}$`)
)

// Check refuses a file a bank would reject: no transfers, an amount that
// is not positive, an IBAN or BIC that is not one, an id too long.
func (f File) Check() error {
	if len(f.Transfers) == 0 {
		return errors.New("no transfers")
	}
	if !idPattern.MatchString(f.MessageID) {
		return fmt.Errorf("message id %q", f.MessageID)
	}
	if !ibanPattern.MatchString(f.DebtorIBAN) {
		return fmt.Errorf("the account's IBAN %q", f.DebtorIBAN)
	}
	if f.DebtorBIC != "" && !bicPattern.MatchString(f.DebtorBIC) {
		return fmt.Errorf("the account's BIC %q", f.DebtorBIC)
	}
	seen := map[string]bool{}
	for i, t := range f.Transfers {
		switch {
		case t.Amount <= 0:
			return fmt.Errorf("transfer %d: amount %d cents", i+1, t.Amount)
		case !ibanPattern.MatchString(t.IBAN):
			return fmt.Errorf("transfer %d: IBAN %q", i+1, t.IBAN)
		case strings.TrimSpace(t.Name) == "":
			return fmt.Errorf("transfer %d: no name", i+1)
		case !idPattern.MatchString(t.EndToEndID) || seen[t.EndToEndID]:
			return fmt.Errorf("transfer %d: end-to-end id %q", i+1, t.EndToEndID)
		}
		seen[t.EndToEndID] = true
	}
	return nil
}

// Total is the sum of the transfers in cents.
func (f File) Total() int64 {
	var n int64
	for _, t := range f.Transfers {
		n += t.Amount
	}
	return n
}

type document struct {
	XMLName xml.Name   `xml:"Document"`
	Xmlns   string     `xml:"xmlns,attr"`
	Init    initiation `xml:"CstmrCdtTrfInitn"`
}

type initiation struct {
	GrpHdr groupHeader `xml:"GrpHdr"`
	PmtInf paymentInfo `xml:"PmtInf"`
}

type groupHeader struct {
	MsgID    string `xml:"MsgId"`
	CreDtTm  string `xml:"CreDtTm"`
	NbOfTxs  int    `xml:"NbOfTxs"`
	CtrlSum  string `xml:"CtrlSum"`
	InitgPty party  `xml:"InitgPty"`
}

type party struct {
	Nm string `xml:"Nm"`
}

type account struct {
	IBAN string `xml:"Id>IBAN"`
}

type agent struct {
	BIC   string `xml:"FinInstnId>BIC,omitempty"`
	Other string `xml:"FinInstnId>Othr>Id,omitempty"`
}

type paymentInfo struct {
	PmtInfID    string        `xml:"PmtInfId"`
	PmtMtd      string        `xml:"PmtMtd"`
	BtchBookg   bool          `xml:"BtchBookg"`
	NbOfTxs     int           `xml:"NbOfTxs"`
	CtrlSum     string        `xml:"CtrlSum"`
	SvcLvl      string        `xml:"PmtTpInf>SvcLvl>Cd"`
	ReqdExctnDt string        `xml:"ReqdExctnDt"`
	Dbtr        party         `xml:"Dbtr"`
	DbtrAcct    account       `xml:"DbtrAcct"`
	DbtrAgt     agent         `xml:"DbtrAgt"`
	ChrgBr      string        `xml:"ChrgBr"`
	Txs         []transaction `xml:"CdtTrfTxInf"`
}

type amount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

type transaction struct {
	EndToEndID string      `xml:"PmtId>EndToEndId"`
	Amt        amount      `xml:"Amt>InstdAmt"`
	Cdtr       party       `xml:"Cdtr"`
	CdtrAcct   account     `xml:"CdtrAcct"`
	RmtInf     *remittance `xml:"RmtInf,omitempty"`
}

type remittance struct {
	Ustrd string `xml:"Ustrd"`
}

// Write checks f and writes it as a pain.001.001.03 document.
func Write(w io.Writer, f File) error {
	if err := f.Check(); err != nil {
		return fmt.Errorf("transfer file: %w", err)
	}
	p := paymentInfo{PmtInfID: f.MessageID, PmtMtd: "TRF", BtchBookg: true, NbOfTxs: len(f.Transfers), CtrlSum: Euro(f.Total()),
		SvcLvl: "SEPA", ReqdExctnDt: f.ExecuteOn.Format(time.DateOnly), Dbtr: party{Nm: clip(f.Debtor, 70)},
		DbtrAcct: account{IBAN: f.DebtorIBAN}, ChrgBr: "SLEV"}
	if f.DebtorBIC != "" {
		p.DbtrAgt.BIC = f.DebtorBIC
	} else {
		p.DbtrAgt.Other = "NOTPROVIDED"
	}
	for _, t := range f.Transfers {
		tx := transaction{EndToEndID: t.EndToEndID, Amt: amount{Ccy: "EUR", Value: Euro(t.Amount)},
			Cdtr: party{Nm: clip(t.Name, 70)}, CdtrAcct: account{IBAN: t.IBAN}}
		if r := clip(t.Remittance, 140); r != "" {
			tx.RmtInf = &remittance{Ustrd: r}
		}
		p.Txs = append(p.Txs, tx)
	}
	doc := document{Xmlns: Namespace, Init: initiation{
		GrpHdr: groupHeader{MsgID: f.MessageID, CreDtTm: f.CreatedAt.UTC().Format("2006-01-02T15:04:05"), NbOfTxs: len(f.Transfers),
			CtrlSum: Euro(f.Total()), InitgPty: party{Nm: clip(f.Debtor, 70)}},
		PmtInf: p}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("transfer file: %w", err)
	}
	return enc.Close()
}

// Euro writes cents as the file's decimal amount: 1234 is "12.34".
func Euro(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// clip shortens s to n characters (runes), as the schema's length limits ask.
func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
