package casework_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

func bankDay(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// bankFixture is a creditor with four debtors and their invoices:
//
//	Jan de Vries  F-1001 €100 (due 1 Dec 2023, a notice so costs are due), F-1002 €50
//	Ayşe Yılmaz   F-2001 €75, F-2002 €30 (not yet due)
//	Kees Bakker   F-3001 €80 (not yet due)
//	Piet Puk      F-4001 €20 (not yet due)
type bankFixture struct {
	ctx      context.Context
	db       *postgres.DB
	creditor collect.Creditor
	debtors  map[string]collect.Debtor  // by name
	invoices map[string]collect.Invoice // by number
}

func newBankFixture(t testing.TB) *bankFixture {
	t.Helper()
	ctx := context.Background()
	today := time.Date(2024, 4, 2, 12, 0, 0, 0, amsterdam)
	db, _ := apptest.NewDB(t, func() time.Time { return today })
	cr, _ := newCreditor(t, db, collect.Creditor{Name: "Energie Noord B.V.", IBAN: "nl91 abna 0417 1643 00"})
	f := &bankFixture{ctx: ctx, db: db, creditor: cr, debtors: map[string]collect.Debtor{}, invoices: map[string]collect.Invoice{}}
	type bankInvoice struct {
		number   string
		amount   int64
		due      string
		issuedOn string
	}
	for _, d := range []struct {
		name     string
		invoices []bankInvoice
	}{
		{"Jan de Vries", []bankInvoice{{"F-1001", 10000, "2023-12-01", "2023-11-01"}, {"F-1002", 5000, "2024-04-30", "2024-03-20"}}},
		{"Ayşe Yılmaz", []bankInvoice{{"F-2001", 7500, "2024-04-30", "2024-03-20"}, {"F-2002", 3000, "2024-04-30", "2024-03-20"}}},
		{"Kees Bakker", []bankInvoice{{"F-3001", 8000, "2024-04-30", "2024-03-20"}}},
		{"Piet Puk", []bankInvoice{{"F-4001", 2000, "2024-04-30", "2024-03-20"}}},
	} {
		debtor := newDebtor(t, db, collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-" + d.name, Name: d.name, Kind: collect.Consumer, Language: "nl"})
		f.debtors[d.name] = debtor
		for _, i := range d.invoices {
			f.invoices[i.number] = newInvoice(t, db, collect.Invoice{CreditorID: cr.ID, DebtorID: debtor.ID, Number: i.number,
				IssueDate: bankDay(i.issuedOn), DueDate: bankDay(i.due), Amount: i.amount, Currency: "EUR"})
		}
	}
	if _, err := db.CreateNotice(ctx, cr, f.debtors["Jan de Vries"].ID, []string{f.invoices["F-1001"].ID},
		collect.Notice{Channel: "email", SentOn: bankDay("2024-01-02")}); err != nil {
		t.Fatal(err)
	}
	// An expected Mollie settlement.
	if _, err := db.PoolForTests().Exec(ctx, `INSERT INTO payouts (provider, provider_id, reference, amount_cents) VALUES ('mollie', 'stl_jsk3RhZ2', '1234567.2403.07', 12345)`); err != nil {
		t.Fatal(err)
	}
	return f
}

// file reads a testdata statement and fills in the fixture's IBAN and references.
func (f *bankFixture) file(t testing.TB, name string) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	spaced := func(s string) string {
		var b strings.Builder
		for i, r := range s {
			if i > 0 && i%4 == 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	return strings.NewReplacer(
		"{{IBAN}}", "NL91ABNA0417164300",
		"{{REF_F1001}}", f.invoices["F-1001"].PaymentReference,
		"{{REF_F3001}}", strings.ToLower(f.invoices["F-3001"].PaymentReference),
		"{{REF_F2002_SPACED}}", spaced(f.invoices["F-2002"].PaymentReference),
	).Replace(string(raw))
}

// importedBankFixture is the fixture after the import of bank_v02.xml.
func importedBankFixture(t testing.TB) *bankFixture {
	t.Helper()
	f := newBankFixture(t)
	if _, err := f.importString(t, f.file(t, "bank_v02.xml")); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *bankFixture) importString(t testing.TB, xml string) (casework.ImportResult, error) {
	t.Helper()
	return casework.ImportCAMT(context.Background(), f.db, strings.NewReader(xml), casework.ImportOptions{ImportedBy: "test"})
}

// importCutAt imports the test file name and cancels the import as its
// stage begins, as a crash or a cancelled request would cut it off.
func (f *bankFixture) importCutAt(t testing.TB, name, stage string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := casework.ImportCAMT(ctx, f.db, strings.NewReader(f.file(t, name)), casework.ImportOptions{ImportedBy: "test",
		Progress: func(_ int, s string) {
			if s == stage {
				cancel()
			}
		}})
	return err
}

// open is what a debtor still owes (principal, costs, interest) as of the fixture's today.
func (f *bankFixture) open(t testing.TB, name string) int64 {
	t.Helper()
	_, st, err := f.db.Statement(context.Background(), f.creditor.ID, f.debtors[name].ID, f.db.Today())
	if err != nil {
		t.Fatal(err)
	}
	return st.Total()
}

func (f *bankFixture) invoiceOpen(t testing.TB, number string) int64 {
	t.Helper()
	inv := f.invoices[number]
	_, st, err := f.db.Statement(context.Background(), f.creditor.ID, inv.DebtorID, f.db.Today())
	if err != nil {
		t.Fatal(err)
	}
	l, _ := st.Line(inv.ID)
	return l.Total()
}

// lines returns the stored lines of all statements, in file order, by end-to-end id or text.
func (f *bankFixture) lines(t testing.TB) []collect.BankLine {
	t.Helper()
	rows, err := f.db.PoolForTests().Query(context.Background(), `SELECT id::text FROM bank_lines ORDER BY created_at, seq`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []collect.BankLine
	for _, id := range ids {
		l, err := f.db.BankLine(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func lineWith(t testing.TB, lines []collect.BankLine, pred func(collect.BankLine) bool) collect.BankLine {
	t.Helper()
	for _, l := range lines {
		if pred(l) {
			return l
		}
	}
	t.Fatal("no such bank line")
	return collect.BankLine{}
}

func (f *bankFixture) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := f.db.PoolForTests().QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportTwiceBooksOnce(t *testing.T) {
	t.Parallel()
	f := newBankFixture(t)
	xml := f.file(t, "bank_v02.xml")
	res, err := f.importString(t, xml)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Summary())
	want := postgres.BankCounts{Lines: 8, Booked: 3, Payouts: 1, Suggested: 2, NotHandled: 2}
	if res.BankCounts != want || res.Entries != 7 || len(res.Statements) != 1 || res.Statements[0].Duplicate {
		t.Fatalf("first import: %+v, want %+v and 7 entries in one new statement", res, want)
	}
	ledger, payments := f.count(t, "ledger_entries"), f.count(t, "payments")

	again, err := f.importString(t, xml)
	if err != nil {
		t.Fatal(err)
	}
	if again.Lines != 0 || again.Booked != 0 || again.Duplicates != 8 || !again.Statements[0].Duplicate {
		t.Errorf("second import: %+v, want nothing new and 8 duplicates", again)
	}
	// The same entries in another statement (an overlapping download): known by AcctSvcrRef.
	overlap, err := f.importString(t, strings.Replace(xml, "<Id>ABNA-2024-03-31</Id>", "<Id>ABNA-2024-03-31-INTRADAY</Id>", 1))
	if err != nil {
		t.Fatal(err)
	}
	if overlap.Lines != 0 || overlap.Booked != 0 || overlap.Duplicates != 8 || overlap.Statements[0].Duplicate {
		t.Errorf("overlapping statement: %+v, want a new statement with 8 duplicate lines", overlap)
	}
	if n := f.count(t, "ledger_entries"); n != ledger {
		t.Errorf("ledger entries %d after importing again, want %d", n, ledger)
	}
	if n := f.count(t, "payments"); n != payments {
		t.Errorf("payments %d after importing again, want %d", n, payments)
	}
	if n := f.count(t, "bank_lines"); n != 8 {
		t.Errorf("%d bank lines, want 8", n)
	}

	lines := f.lines(t)
	debit := lineWith(t, lines, func(l collect.BankLine) bool { return !l.Credit })
	usd := lineWith(t, lines, func(l collect.BankLine) bool { return l.Currency == "USD" })
	for _, l := range []collect.BankLine{debit, usd} {
		if l.State != collect.BankNotHandled || l.Reason == "" {
			t.Errorf("line %s %d: %s (%q), want not_handled with a reason", l.Currency, l.Amount, l.State, l.Reason)
		}
	}
	if !strings.Contains(usd.Reason, "USD") || !strings.Contains(debit.Reason, "debit") {
		t.Errorf("reasons %q and %q should name the currency and the debit", usd.Reason, debit.Reason)
	}
}

func TestReferenceMatchBooksWithArticle644(t *testing.T) {
	t.Parallel()
	f := importedBankFixture(t)
	lines := f.lines(t)
	l := lineWith(t, lines, func(l collect.BankLine) bool { return l.EndToEndID == "E2E-A1" })
	if l.State != collect.BankBooked || l.InvoiceID != f.invoices["F-1001"].ID || l.PaymentID == "" {
		t.Fatalf("RF line: %+v, want booked on F-1001 with a payment", l)
	}
	p, err := f.db.PaymentByID(f.ctx, l.PaymentID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Provider != "bank" || p.Method != "transfer" || p.Status != "paid" || p.Amount != 6000 || p.InvoiceID != f.invoices["F-1001"].ID {
		t.Errorf("payment %+v, want a paid bank transfer of 6000 on F-1001", p)
	}
	var iban string
	if err := f.db.PoolForTests().QueryRow(f.ctx, `SELECT payer_iban FROM payments WHERE id = $1`, p.ID).Scan(&iban); err != nil || iban != "NL02RABO0123456789" {
		t.Errorf("payer_iban %q (%v)", iban, err)
	}
	// The costs of the notice and the interest were booked on the day and
	// paid first, then the principal (art. 6:44 BW).
	entries, err := f.db.Entries(f.ctx, f.creditor.ID, f.debtors["Jan de Vries"].ID)
	if err != nil {
		t.Fatal(err)
	}
	paid := map[collect.Account]int64{}
	charged := map[collect.Account]int64{}
	for _, e := range entries {
		if e.PaymentID == p.ID && e.Kind == collect.KindPayment {
			paid[e.Account] -= e.Amount
		}
		if e.Kind == collect.KindCharge && e.InvoiceID == f.invoices["F-1001"].ID {
			charged[e.Account] += e.Amount
		}
	}
	if charged[collect.AccountCosts] == 0 || charged[collect.AccountInterest] == 0 {
		t.Fatalf("no costs or interest were booked before the payment: %+v", charged)
	}
	if paid[collect.AccountCosts] != charged[collect.AccountCosts] || paid[collect.AccountInterest] != charged[collect.AccountInterest] ||
		paid[collect.AccountPrincipal] != 6000-charged[collect.AccountCosts]-charged[collect.AccountInterest] {
		t.Errorf("allocation %+v of 6000 against charges %+v: want costs, then interest, then principal", paid, charged)
	}
	// A reference typed in groups in the free text books too, on that invoice.
	b := lineWith(t, lines, func(l collect.BankLine) bool { return l.EndToEndID == "E2E-B2" })
	if b.State != collect.BankBooked || b.InvoiceID != f.invoices["F-2002"].ID {
		t.Errorf("typed reference: %+v, want booked on F-2002", b)
	}
	if n := f.invoiceOpen(t, "F-2002"); n != 0 {
		t.Errorf("F-2002 still has %d open", n)
	}
	// Lower-case structured reference.
	if n := f.invoiceOpen(t, "F-3001"); n != 0 {
		t.Errorf("F-3001 still has %d open", n)
	}
}

func TestSuggestionConfirmedAndRejected(t *testing.T) {
	t.Parallel()
	f := importedBankFixture(t)
	lines := f.lines(t)
	byText := lineWith(t, lines, func(l collect.BankLine) bool { return strings.Contains(l.Text, "F-1002") })
	if byText.State != collect.BankSuggested || len(byText.Suggestions) == 0 {
		t.Fatalf("free-text line: %+v, want suggested", byText)
	}
	s := byText.Suggestions[0]
	if s.DebtorID != f.debtors["Jan de Vries"].ID || s.InvoiceID != f.invoices["F-1002"].ID || s.Score < collect.ScoreInvoiceNumber || !strings.Contains(s.Evidence, "F-1002") {
		t.Fatalf("best suggestion %+v, want Jan de Vries on F-1002 because of the invoice number", s)
	}
	before := f.invoiceOpen(t, "F-1002")
	booked, err := casework.ConfirmBankSuggestion(f.ctx, f.db, byText.ID, itoa(s.ID), "finance@energie-noord.test")
	if err != nil {
		t.Fatal(err)
	}
	if booked.State != collect.BankBooked || booked.PaymentID == "" || booked.DecidedBy != "finance@energie-noord.test" {
		t.Errorf("confirmed line %+v", booked)
	}
	if before != 5000 || f.invoiceOpen(t, "F-1002") != 0 {
		t.Errorf("F-1002 open %d before and %d after, want 5000 and 0", before, f.invoiceOpen(t, "F-1002"))
	}
	if _, err := casework.ConfirmBankSuggestion(f.ctx, f.db, byText.ID, itoa(s.ID), "x"); collect.ErrorCode(err) != collect.ECONFLICT {
		t.Errorf("confirming twice: %v, want a conflict", err)
	}

	// The amount equals Ayşe Yılmaz's open total: suggested; finance rejects it.
	byAmount := lineWith(t, lines, func(l collect.BankLine) bool { return l.Amount == 7500 })
	if byAmount.State != collect.BankSuggested || len(byAmount.Suggestions) == 0 || byAmount.Suggestions[0].DebtorID != f.debtors["Ayşe Yılmaz"].ID {
		t.Fatalf("amount line: %+v, want a suggestion of Ayşe Yılmaz", byAmount)
	}
	if _, err := casework.RejectBankLine(f.ctx, f.db, byAmount.ID, " ", "finance"); collect.ErrorCode(err) != collect.EINVALID {
		t.Errorf("rejecting without a reason: %v", err)
	}
	rejected, err := casework.RejectBankLine(f.ctx, f.db, byAmount.ID, "a donation, not a payment", "finance")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.db.BankLine(f.ctx, rejected.ID)
	if got.State != collect.BankRejected || got.Reason != "a donation, not a payment" || got.DecidedBy != "finance" {
		t.Errorf("rejected line %+v", got)
	}
	// A rejected line waits no more: not among the open lines, not to be
	// decided again, but listed with the rejected ones.
	open, _, err := casework.OpenBankLines(f.ctx, f.db, got.CreditorID, 100)
	if err != nil || slices.ContainsFunc(open, func(l postgres.OpenBankLine) bool { return l.ID == got.ID }) {
		t.Errorf("open lines after the rejection (%v): %+v", err, open)
	}
	if _, err := casework.ConfirmBankSuggestion(f.ctx, f.db, got.ID, itoa(byAmount.Suggestions[0].ID), "finance"); collect.ErrorCode(err) != collect.ECONFLICT {
		t.Errorf("confirming a rejected line: %v, want a conflict", err)
	}
	if rej, n, err := casework.RejectedBankLines(f.ctx, f.db, got.CreditorID, 10); err != nil || n != 1 || len(rej) != 1 || rej[0].ID != got.ID {
		t.Errorf("rejected lines: %d %+v (%v), want this one", n, rej, err)
	}
	if n := f.open(t, "Ayşe Yılmaz"); n != 7500 {
		t.Errorf("Ayşe Yılmaz owes %d after the rejection, want 7500", n)
	}
	var audits int
	if err := f.db.PoolForTests().QueryRow(f.ctx, `SELECT count(*) FROM audit_log WHERE action IN ('bank_line.confirmed', 'bank_line.rejected')`).Scan(&audits); err != nil || audits != 2 {
		t.Errorf("%d audit records (%v), want 2", audits, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestReversalUndoesItsOriginal(t *testing.T) {
	t.Parallel()
	f := importedBankFixture(t)
	if n := f.open(t, "Kees Bakker"); n != 0 {
		t.Fatalf("Kees Bakker owes %d after paying, want 0", n)
	}
	res, err := f.importString(t, f.file(t, "bank_v08.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Reversals != 1 || res.Suggested != 1 || res.Lines != 2 {
		t.Errorf(".08 import: %+v, want a reversal and a suggestion", res)
	}
	if n := f.open(t, "Kees Bakker"); n != 8000 {
		t.Errorf("Kees Bakker owes %d after the reversal, want 8000 again", n)
	}
	lines := f.lines(t)
	orig := lineWith(t, lines, func(l collect.BankLine) bool { return l.EndToEndID == "E2E-C1" && !l.Reversal })
	rev := lineWith(t, lines, func(l collect.BankLine) bool { return l.Reversal })
	if orig.State != collect.BankReversed || rev.State != collect.BankReversal || rev.Reverses != orig.ID {
		t.Errorf("original %s, reversal %s reverses %q: want reversed, reversal, linked", orig.State, rev.State, rev.Reverses)
	}
	p, err := f.db.PaymentByID(f.ctx, orig.PaymentID)
	if err != nil || p.Status != "charged_back" || p.ChargedBack != 8000 {
		t.Errorf("payment after reversal: %+v %v", p, err)
	}
	// The €5 from the IBAN Jan de Vries paid from before is suggested as his.
	five := lineWith(t, lines, func(l collect.BankLine) bool { return l.Amount == 500 })
	if five.State != collect.BankSuggested || five.Suggestions[0].DebtorID != f.debtors["Jan de Vries"].ID || !strings.Contains(five.Suggestions[0].Evidence, "NL02RABO0123456789") {
		t.Errorf("€5 line %+v, want suggested as Jan de Vries's for the IBAN", five)
	}
}

func TestMalformedFileBooksNothing(t *testing.T) {
	t.Parallel()
	f := newBankFixture(t)
	xml := f.file(t, "bank_v02.xml")
	bad := strings.Replace(xml, `<Amt Ccy="EUR">75.00</Amt>`, `<Amt Ccy="EUR">75,00</Amt>`, 1)
	wantLine := strings.Count(bad[:strings.Index(bad, "75,00")], "\n") + 1
	tables := []string{"bank_statements", "bank_lines", "bank_suggestions", "payments", "ledger_entries", "audit_log"}
	before := map[string]int{}
	for _, tb := range tables {
		before[tb] = f.count(t, tb)
	}
	_, err := f.importString(t, bad)
	var ie *casework.ImportError
	if !errors.As(err, &ie) || ie.Parse == nil {
		t.Fatalf("error %v, want an ImportError with the parse error", err)
	}
	if ie.Parse.Line != wantLine || ie.Parse.Element != "Ntry/Amt" || !strings.Contains(err.Error(), "nothing was booked") {
		t.Errorf("error %q at line %d element %q, want line %d, Ntry/Amt", err, ie.Parse.Line, ie.Parse.Element, wantLine)
	}
	for _, tb := range tables {
		if n := f.count(t, tb); n != before[tb] {
			t.Errorf("%s: %d rows after a malformed file, want %d", tb, n, before[tb])
		}
	}
	// The same goes for an account that is no creditor's.
	_, err = f.importString(t, strings.ReplaceAll(xml, "NL91ABNA0417164300", "NL69INGB0123456789"))
	if collect.ErrorCode(err) != collect.EINVALID || !strings.Contains(err.Error(), "NL69INGB0123456789") {
		t.Errorf("unknown account: %v", err)
	}
	if n := f.count(t, "bank_lines"); n != 0 {
		t.Errorf("%d bank lines after refused imports", n)
	}
}

func TestPayoutArrives(t *testing.T) {
	t.Parallel()
	f := importedBankFixture(t)
	l := lineWith(t, f.lines(t), func(l collect.BankLine) bool { return l.Amount == 12345 })
	var status, line string
	if err := f.db.PoolForTests().QueryRow(f.ctx, `SELECT status, coalesce(bank_line_id::text, '') FROM payouts WHERE reference = '1234567.2403.07'`).Scan(&status, &line); err != nil {
		t.Fatal(err)
	}
	if l.State != collect.BankPayout || l.PayoutID == "" || status != "arrived" || line != l.ID {
		t.Errorf("payout line %s, payout %s with line %q: want payout, arrived, linked", l.State, status, line)
	}
}

func TestOnlyTheCallersAccount(t *testing.T) {
	t.Parallel()
	f := newBankFixture(t)
	other, _, err := f.db.CreateCreditor(context.Background(), collect.Creditor{Name: "Other B.V.", IBAN: "NL69INGB0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = casework.ImportCAMT(context.Background(), f.db, strings.NewReader(f.file(t, "bank_v02.xml")), casework.ImportOptions{ImportedBy: "api", CreditorID: other.ID})
	if collect.ErrorCode(err) != collect.EINVALID || !strings.Contains(err.Error(), "not your account") {
		t.Errorf("another creditor's statement: %v", err)
	}
}

// TestBatchBookingEqualsApplyPayment holds the import's set-based booking
// (postgres.BookReceiptsTx) to the rules of postgres.ApplyPayment: two
// identical debtors, the same receipts, the same ledger.
func TestBatchBookingEqualsApplyPayment(t *testing.T) {
	t.Parallel()
	f := newBankFixture(t)
	ctx := context.Background()
	type twin struct {
		debtor   collect.Debtor
		invoices []collect.Invoice
	}
	var twins [2]twin
	for k := range twins {
		d, _, err := f.db.UpsertDebtor(ctx, collect.Debtor{CreditorID: f.creditor.ID, ExternalRef: "twin-" + itoa(int64(k)), Name: "Twin", Kind: collect.Consumer, Language: "nl"})
		if err != nil {
			t.Fatal(err)
		}
		twins[k].debtor = d
		for i, amount := range []int64{12000, 4000, 9000} {
			inv, err := f.db.CreateInvoice(ctx, collect.Invoice{CreditorID: f.creditor.ID, DebtorID: d.ID, Number: "T" + itoa(int64(k)) + "-" + itoa(int64(i)),
				IssueDate: bankDay("2023-10-01"), DueDate: bankDay("2023-11-0" + itoa(int64(i+1))), Amount: amount, Currency: "EUR"})
			if err != nil {
				t.Fatal(err)
			}
			twins[k].invoices = append(twins[k].invoices, inv)
		}
		if _, err := f.db.CreateNotice(ctx, f.creditor, d.ID, []string{twins[k].invoices[0].ID, twins[k].invoices[1].ID},
			collect.Notice{Channel: "post", SentOn: bankDay("2023-12-04")}); err != nil {
			t.Fatal(err)
		}
	}
	receipts := func(k int) []postgres.Receipt {
		tw := twins[k]
		r := func(amount int64, inv int, on, key string) postgres.Receipt {
			x := postgres.Receipt{CreditorID: f.creditor.ID, DebtorID: tw.debtor.ID, Amount: amount, On: bankDay(on), SourceKey: "twin:" + itoa(int64(k)) + ":" + key, Memo: "m"}
			if inv >= 0 {
				x.InvoiceID = tw.invoices[inv].ID
			}
			return x
		}
		return []postgres.Receipt{r(5000, 1, "2024-02-01", "a"), r(3000, -1, "2024-02-01", "b"), r(50000, 2, "2024-03-15", "c"), r(100, -1, "2024-03-15", "a")}
	}
	for _, r := range receipts(0) {
		if _, _, err := f.db.ApplyPayment(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.db.WithTx(ctx, func(tx pgx.Tx) error {
		n, err := postgres.BookReceiptsTx(ctx, tx, receipts(1))
		if n != 3 {
			t.Errorf("batch booked %d receipts, want 3 (one key twice)", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ledger := func(k int) []string {
		es, err := f.db.Entries(ctx, f.creditor.ID, twins[k].debtor.ID)
		if err != nil {
			t.Fatal(err)
		}
		idx := map[string]string{"": "-"}
		for i, inv := range twins[k].invoices {
			idx[inv.ID] = itoa(int64(i))
		}
		var out []string
		for _, e := range es {
			out = append(out, strings.Join([]string{e.BookedOn.Format("2006-01-02"), idx[e.InvoiceID], string(e.Account), string(e.Kind), itoa(e.Amount)}, " "))
		}
		return out
	}
	// The same entries in any order within a day are the same booking: the
	// two paths may insert a notice's cost accruals in a different order.
	a, b := ledger(0), ledger(1)
	sort.Strings(a)
	sort.Strings(b)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("ApplyPayment booked\n%s\nBookReceiptsTx booked\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// TestBankLineBookedOnSearchedDebtor: finance finds a debtor by search and
// books a waiting line on one of their invoices, with the booking rules of
// every payment, exactly once; a debtor of another creditor is refused.
func TestBankLineBookedOnSearchedDebtor(t *testing.T) {
	t.Parallel()
	f := importedBankFixture(t)
	line := lineWith(t, f.lines(t), func(l collect.BankLine) bool { return l.Amount == 7500 })
	matches, err := casework.DebtorsForLine(f.ctx, f.db, f.creditor.ID, "yılmaz", 20)
	if err != nil {
		t.Fatal(err)
	}
	var onF2001 postgres.DebtorMatch
	for _, m := range matches {
		if m.DebtorID != f.debtors["Ayşe Yılmaz"].ID {
			t.Errorf("search for yılmaz found %+v", m)
		}
		if m.InvoiceNumber == "F-2001" {
			onF2001 = m
		}
	}
	if len(matches) != 3 || onF2001.InvoiceID != f.invoices["F-2001"].ID {
		t.Fatalf("search for yılmaz: %+v, want Ayşe without an invoice and with F-2001 and F-2002", matches)
	}
	if m, _ := casework.DebtorsForLine(f.ctx, f.db, f.creditor.ID, "F-3001", 20); len(m) != 2 || m[0].DebtorID != f.debtors["Kees Bakker"].ID {
		t.Errorf("search by invoice number: %+v, want Kees Bakker", m)
	}
	if m, _ := casework.DebtorsForLine(f.ctx, f.db, f.creditor.ID, "%", 20); len(m) != 0 {
		t.Errorf("a search for %% found %+v, want nothing (no wildcard)", m)
	}
	other, _ := newCreditor(t, f.db, collect.Creditor{Name: "Ander B.V."})
	stranger := newDebtor(t, f.db, collect.Debtor{CreditorID: other.ID, ExternalRef: "X-1", Name: "Ayşe Yılmaz", Kind: collect.Consumer, Language: "nl"})
	if _, err := casework.BookBankLineOn(f.ctx, f.db, line.ID, stranger.ID, "", "agent:fin"); collect.ErrorCode(err) != collect.ENOTFOUND {
		t.Errorf("booking on another creditor's debtor: %v, want not found", err)
	}
	if _, err := casework.BookBankLineOn(f.ctx, f.db, line.ID, onF2001.DebtorID, f.invoices["F-3001"].ID, "agent:fin"); collect.ErrorCode(err) != collect.ENOTFOUND {
		t.Errorf("booking on another debtor's invoice: %v, want not found", err)
	}
	if n := f.invoiceOpen(t, "F-2001"); n != 7500 {
		t.Fatalf("F-2001 has %d open before the booking, want 7500", n)
	}
	booked, err := casework.BookBankLineOn(f.ctx, f.db, line.ID, onF2001.DebtorID, onF2001.InvoiceID, "agent:fin")
	if err != nil {
		t.Fatal(err)
	}
	if booked.State != collect.BankBooked || booked.DebtorID != onF2001.DebtorID || booked.PaymentID == "" || booked.DecidedBy != "agent:fin" {
		t.Errorf("booked line %+v", booked)
	}
	if n := f.invoiceOpen(t, "F-2001"); n != 0 {
		t.Errorf("F-2001 still has %d open", n)
	}
	if n := f.open(t, "Ayşe Yılmaz"); n != 0 {
		t.Errorf("Ayşe Yılmaz owes %d after the booking, want 0", n)
	}
	if _, err := casework.BookBankLineOn(f.ctx, f.db, line.ID, onF2001.DebtorID, onF2001.InvoiceID, "agent:fin"); collect.ErrorCode(err) != collect.ECONFLICT {
		t.Errorf("booking twice: %v, want a conflict", err)
	}
	var payments, received int64
	if err := f.db.PoolForTests().QueryRow(f.ctx, `SELECT (SELECT count(*) FROM payments WHERE provider_id = $1),
		(SELECT -sum(amount_cents) FROM ledger_entries WHERE source_key = $2 AND kind = 'payment')`, line.EntryKey, "bank:"+line.ID).Scan(&payments, &received); err != nil {
		t.Fatal(err)
	}
	if payments != 1 || received != 7500 {
		t.Errorf("%d payments and %d cents booked for the line, want 1 and 7500", payments, received)
	}
}

// A reversal whose original line was stored by an import cut off before it
// booked (bank_statements.completed_at still NULL) undoes a booking, not
// money that was never booked: the original is booked first, so the
// debtor owes what they owed before paying, and completing the cut-off
// import afterwards books nothing more.
func TestReversalOfALineNotBookedYet(t *testing.T) {
	t.Parallel()
	f := newBankFixture(t)
	err := f.importCutAt(t, "bank_v02.xml", "booking payments")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cut-off import: %v, want context.Canceled", err)
	}
	if n := f.open(t, "Kees Bakker"); n != 8000 {
		t.Fatalf("Kees Bakker owes %d before his payment is booked, want 8000", n)
	}
	res, err := f.importString(t, f.file(t, "bank_v08.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Reversals != 1 {
		t.Errorf(".08 import: %+v, want a reversal", res)
	}
	if n := f.open(t, "Kees Bakker"); n != 8000 {
		t.Errorf("Kees Bakker owes %d after the reversal of his unbooked payment, want 8000", n)
	}
	if _, err := f.importString(t, f.file(t, "bank_v02.xml")); err != nil {
		t.Fatal(err)
	}
	if n := f.open(t, "Kees Bakker"); n != 8000 {
		t.Errorf("Kees Bakker owes %d once the cut-off import is completed, want 8000", n)
	}
	var entries int
	if err := f.db.PoolForTests().QueryRow(f.ctx, `SELECT count(*) FROM ledger_entries WHERE debtor_id = $1 AND account = 'credit'`,
		f.debtors["Kees Bakker"].ID).Scan(&entries); err != nil || entries != 0 {
		t.Errorf("%d credit entries for Kees Bakker (%v), want none", entries, err)
	}
}
