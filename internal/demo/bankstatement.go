package demo

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"text/template"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/postgres"
)

// BankStatementFile is the demo bank statement, written next to demo.json.
const BankStatementFile = "demo-bank-statement.xml"

// The demo's bank account and its Mollie payout.
const (
	demoAccount      = "NL91ABNA0417164300" // Zonnestroom Energie
	molliePrefix     = "1234567"
	mollieIDEALFee   = 35   // € 0,29 + 21% VAT = € 0,3509, in whole cents
	mollieIDEALBips  = 3509 // the same fee at Mollie's precision
	idealPaidCents   = 5000
	idealInvoiceNo   = "2026-1003"
	idealSituation   = "partly paid by iDEAL, Mollie payout expected"
	statementVersion = "001.02"
)

// idealDebtor is the demo debtor who paid part of an invoice by iDEAL
// through Mollie, so the demo has a Mollie settlement waiting for the bank.
var idealDebtor = debtorSpec{situation: idealSituation,
	debtor: collect.Debtor{ExternalRef: "ZE-1006", Name: "Fatima Ouali", Email: "fatima@example.nl", Language: "nl",
		Address: collect.Address{Street: "Vondelstraat", HouseNumber: "44", Postcode: "2513 AB", City: "Den Haag"}},
	invoices: []invoiceSpec{{idealInvoiceNo, "Energie oktober", 9120, -12, 0}}}

// seedMolliePayout books the iDEAL payment of the ideal debtor as Mollie
// reported it and stores the Mollie settlement that pays it out (less the
// iDEAL fee), still expected at the bank. The settlement is stored as
// casework.Payouts.Sync would store it from Mollie's Settlements API: the
// demo's Mollie fake holds no payment of the seed, so it is not synced from
// there.
func seedMolliePayout(ctx context.Context, db *postgres.DB, cred collect.Creditor, debtorID string) error {
	f, err := db.Facts(ctx, cred.ID, debtorID)
	if err != nil {
		return err
	}
	var invoiceID string
	for _, inv := range f.Invoices {
		if inv.Number == idealInvoiceNo {
			invoiceID = inv.ID
		}
	}
	p, err := db.CreatePayment(ctx, collect.Payment{CreditorID: cred.ID, DebtorID: debtorID, InvoiceID: invoiceID, Amount: idealPaidCents, Provider: "mollie", Method: "ideal"})
	if err != nil {
		return err
	}
	trID := "tr_demo" + p.ID[:8]
	if err := db.StartCheckout(ctx, p.ID, pay.Checkout{ProviderID: trID}); err != nil {
		return err
	}
	if _, err := db.ApplyProviderState(ctx, p.ID, pay.State{ProviderID: trID, Status: pay.StatusPaid, Amount: idealPaidCents}, "demo"); err != nil {
		return err
	}
	now := db.Now()
	_, err = db.SavePayout(ctx, collect.Payout{
		Provider: "mollie", ProviderID: "stl_demo" + p.ID[:8], Reference: MolliePayoutReference(db.Today()),
		Amount: idealPaidCents - mollieIDEALFee, Currency: "EUR", Reconciled: true, SettledAt: &now,
		Lines: []collect.PayoutLine{
			{Kind: "payment", ProviderRef: trID, Method: "ideal", Amount: idealPaidCents, PaymentID: p.ID, CreditorID: cred.ID, Matched: true},
			{Kind: "fee", ProviderRef: "ideal:" + db.Today().Format("2006-01"), Method: "ideal", Amount: -mollieIDEALFee, FeeBips: -mollieIDEALBips, CreditorID: cred.ID, Matched: true},
		}})
	return err
}

// MolliePayoutReference is the demo settlement's reference, as it appears
// on the bank statement.
func MolliePayoutReference(today time.Time) string {
	return fmt.Sprintf("%s.%s.01", molliePrefix, today.Format("0601"))
}

// statementLine is one entry of the demo statement.
type statementLine struct {
	Ref       string // the bank's AcctSvcrRef
	Cents     int64
	Credit    bool
	Name      string
	IBAN      string
	Text      string
	Structure string // a structured creditor reference (RF), or ""
}

func (l statementLine) Amount() string { return fmt.Sprintf("%d.%02d", l.Cents/100, l.Cents%100) }

// BankStatement builds the demo bank statement of Zonnestroom Energie's
// account for today, from the invoices in the database (their payment
// references are made when they are created): two transfers with the
// invoice's reference (booked at once), the Mollie payout (arrives), a
// transfer naming an invoice number but no reference (suggested), a gift
// nobody owes (unmatched) and the bank's own costs (a debit, not handled).
func BankStatement(ctx context.Context, db *postgres.DB) ([]byte, error) {
	refs, err := db.PaymentReferencesOfAccount(ctx, demoAccount)
	if err != nil {
		return nil, fmt.Errorf("demo statement: %w", err)
	}
	for _, n := range []string{"2026-0901", "2026-0701"} {
		if refs[n] == "" {
			return nil, fmt.Errorf("demo statement: invoice %s is not in the database", n)
		}
	}
	today := db.Today()
	lines := []statementLine{
		{Ref: "DEMO-1", Cents: 12475, Credit: true, Name: "M. El Amrani", IBAN: "NL02RABO0123456789", Text: "Energie september", Structure: refs["2026-0901"]},
		{Ref: "DEMO-2", Cents: 10000, Credit: true, Name: "S. Jansen", IBAN: "NL39INGB0007654321", Text: "Deel betaling " + refs["2026-0701"]},
		{Ref: "DEMO-3", Cents: idealPaidCents - mollieIDEALFee, Credit: true, Name: "Stichting Mollie Payments", IBAN: "NL55ABNA0555555555", Text: "Mollie uitbetaling " + MolliePayoutReference(today)},
		{Ref: "DEMO-4", Cents: 9800, Credit: true, Name: "J Smith", IBAN: "GB33BUKB20201555555555", Text: "Invoice 2026-0802 energy August"},
		{Ref: "DEMO-5", Cents: 2500, Credit: true, Name: "P. de Boer", IBAN: "NL86INGB0002445588", Text: "Gift voor de buurtvereniging"},
		{Ref: "DEMO-6", Cents: 450, Credit: false, Name: "ABN AMRO Bank N.V.", IBAN: "NL12ABNA0000000001", Text: "Kosten zakelijk betalingsverkeer"},
	}
	var b bytes.Buffer
	err = statementTemplate.Execute(&b, map[string]any{
		"Version": statementVersion, "ID": "DEMO-" + today.Format("20060102"), "Created": db.Now().UTC().Format("2006-01-02T15:04:05"),
		"IBAN": demoAccount, "Date": today.Format(time.DateOnly), "Lines": lines,
	})
	return b.Bytes(), err
}

// writeBankStatement writes the demo statement next to demo.json.
func writeBankStatement(ctx context.Context, db *postgres.DB, jsonPath string) error {
	xml, err := BankStatement(ctx, db)
	if err != nil {
		return err
	}
	path := filepath.Join(filepath.Dir(jsonPath), BankStatementFile)
	if err := os.WriteFile(path, xml, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

var statementTemplate = template.Must(template.New("camt").Funcs(template.FuncMap{"x": html.EscapeString}).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.{{.Version}}">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>{{.ID}}</MsgId>
      <CreDtTm>{{.Created}}</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>{{.ID}}</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>{{.Created}}</CreDtTm>
      <Acct>
        <Id><IBAN>{{.IBAN}}</IBAN></Id>
        <Ccy>EUR</Ccy>
      </Acct>
{{- range .Lines}}
      <Ntry>
        <Amt Ccy="EUR">{{.Amount}}</Amt>
        <CdtDbtInd>{{if .Credit}}CRDT{{else}}DBIT{{end}}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{{$.Date}}</Dt></BookgDt>
        <ValDt><Dt>{{$.Date}}</Dt></ValDt>
        <AcctSvcrRef>{{$.ID}}-{{.Ref}}</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>E2E-{{$.ID}}-{{.Ref}}</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">{{.Amount}}</Amt></TxAmt></AmtDtls>
            <RltdPties>
              {{if .Credit}}<Dbtr><Nm>{{x .Name}}</Nm></Dbtr>
              <DbtrAcct><Id><IBAN>{{.IBAN}}</IBAN></Id></DbtrAcct>{{else}}<Cdtr><Nm>{{x .Name}}</Nm></Cdtr>
              <CdtrAcct><Id><IBAN>{{.IBAN}}</IBAN></Id></CdtrAcct>{{end}}
            </RltdPties>
            <RmtInf>
              <Ustrd>{{x .Text}}</Ustrd>{{if .Structure}}
              <Strd>
                <CdtrRefInf>
                  <Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>
                  <Ref>{{x .Structure}}</Ref>
                </CdtrRefInf>
              </Strd>{{end}}
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
{{- end}}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`))
