package casework_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/postgres"
)

// lettersBundle is one test's database and clock with a creditor that has
// everything a letter needs, one with nothing but a name, and a debtor of
// the first who owes 245,50 on two invoices.
type lettersBundle struct {
	caseDB
	signer   *access.Signer
	bare     collect.Creditor
	debtor   string
	invoices []string
}

const linkBase = "https://settle.example"

// setupLetters starts on Thursday 30 April 2026, 10:00 in Amsterdam: the
// worked example of docs/domain.md.
func setupLetters(t *testing.T) *lettersBundle {
	t.Helper()
	b := &lettersBundle{caseDB: newCaseDB(t, time.Date(2026, 4, 30, 8, 0, 0, 0, time.UTC), collect.Creditor{Name: "Zonnestroom Energie",
		Phone: "020 123 45 67", PhoneHours: "op werkdagen van 9:00 tot 17:00", Email: "klant@zonnestroom.example", IBAN: "NL91ABNA0417164300", BIC: "ABNANL2A",
		Address: collect.Address{Street: "Keizersgracht", HouseNumber: "100", Postcode: "1015 AA", City: "Amsterdam"}})}
	db := b.db
	b.signer = access.NewSigner([]byte("letters-test-signing-key-32-bytes!!"), b.clk.Now)
	b.bare, _ = newCreditor(t, db, collect.Creditor{Name: "Kaal B.V."})
	d := newDebtor(t, db, collect.Debtor{CreditorID: b.cr.ID, ExternalRef: "K-1", Kind: collect.Consumer, Name: "Fatma Yılmaz",
		Language: "nl", Address: collect.Address{Street: "Dorpsstraat", HouseNumber: "12 B", Postcode: "7411 AB", City: "Deventer"}})
	b.debtor = d.ID
	for i, amount := range []int64{12550, 12000} {
		inv := newInvoice(t, db, collect.Invoice{CreditorID: b.cr.ID, DebtorID: d.ID, Number: fmt.Sprintf("2026-010%d", i+1),
			IssueDate: collect.Day(2026, 3, 1), DueDate: collect.Day(2026, 3, 31), Amount: amount, Currency: "EUR"})
		b.invoices = append(b.invoices, inv.ID)
	}
	return b
}

func (b *lettersBundle) post(t *testing.T) casework.RecordedNotice {
	t.Helper()
	n, err := casework.RecordNotice(b.ctx, b.db, b.cr, casework.NoticeRequest{DebtorID: b.debtor, InvoiceIDs: b.invoices,
		SentOn: collect.Day(2026, 4, 30), Channel: "post", LinkBase: linkBase})
	if err != nil {
		t.Fatalf("RecordNotice: %v", err)
	}
	if n.LetterProblem != "" {
		t.Fatalf("no letter: %s", n.LetterProblem)
	}
	return n
}

// A posted notice keeps its letter: the amount, the costs and the last day
// to pay in the text, the short link and a valid EPC payload in its QR
// codes; the short link opens the second factor of the letter's link.
func TestPostedNoticeKeepsItsLetter(t *testing.T) {
	t.Parallel()
	b := setupLetters(t)
	n := b.post(t)
	l, err := casework.NoticeLetter(b.ctx, b.db, b.cr.ID, n.ID)
	if err != nil {
		t.Fatalf("NoticeLetter: %v", err)
	}
	if !regexp.MustCompile(`^2026-0430-\d{6}$`).MatchString(l.Number) {
		t.Errorf("letter number %q", l.Number)
	}
	text, link, epc := apptest.ReadLetter(t, l.PDF)
	// Open on the letter's date is 245,50 principal and 0,80 statutory
	// interest (4% since 1 April): € 246,30. The letter asks what it comes to
	// on the deadline, 18 May, 48 days of interest: 125,50 x 0,04 x 48/365 =
	// 0,6602 -> 0,66 and 120,00 -> 0,6312 -> 0,63, so 245,50 + 1,29 = 246,79.
	// On 19 May, the day after, interest is 49 days: 0,6739 -> 0,67 and
	// 0,6444 -> 0,64, so 245,50 + 1,31 + 40,00 costs = 286,81.
	for _, w := range []string{"Betaal € 246,79 uiterlijk op maandag 18 mei 2026. Daar is de rente tot die dag al bij opgeteld.",
		"Dan komen er € 40,00 extra kosten bij. U moet dan € 286,81 betalen.", "U kunt ook zelf € 246,79 overmaken",
		"2026-0101", "2026-0102", "Fatma Yılmaz", "Keizersgracht 100"} {
		if !strings.Contains(text, w) {
			t.Errorf("letter text lacks %q\n%s", w, text)
		}
	}
	if link == "" || strings.HasPrefix(link, "BCD\n") || !strings.HasPrefix(epc, "BCD\n") {
		t.Fatalf("QR codes %q and %q: want the link and an EPC payload", link, epc)
	}
	if !regexp.MustCompile(`^https://settle\.example/b/[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$`).MatchString(link) || len(link) > 40 {
		t.Errorf("short link %q", link)
	}
	if !strings.Contains(text, link) {
		t.Errorf("the letter does not print its short link %q", link)
	}
	f := strings.Split(epc, "\n")
	if len(f) < 10 || f[4] != "ABNANL2A" || f[5] != "Zonnestroom Energie" || f[6] != "NL91ABNA0417164300" || f[7] != "EUR246.79" || !collect.ValidRF(f[9]) {
		t.Errorf("EPC payload %q", f)
	}

	// The code opens the letter's link, typed in any case and without the dash.
	code := strings.TrimPrefix(link, linkBase+"/b/")
	for _, typed := range []string{code, strings.ToLower(strings.ReplaceAll(code, "-", ""))} {
		tok, v, err := casework.OpenShortLink(b.ctx, b.db, b.signer, typed)
		if err != nil || tok == "" || v.Link.DebtorID != b.debtor || v.Creditor.ID != b.cr.ID {
			t.Fatalf("OpenShortLink(%q) = %q, %+v, %v", typed, tok, v.Link, err)
		}
		res, err := casework.SignIn(b.ctx, b.db, v, access.Answer{Postcode: "7411ab", HouseNumber: "12 B"}, "nl")
		if err != nil || res.Session == "" {
			t.Fatalf("SignIn after the short link: %+v, %v", res, err)
		}
	}

	// A retry of the same notice draws no second letter.
	again, err := casework.RecordNotice(b.ctx, b.db, b.cr, casework.NoticeRequest{DebtorID: b.debtor, InvoiceIDs: b.invoices,
		SentOn: collect.Day(2026, 4, 30), Channel: "post", LinkBase: linkBase})
	if err != nil || again.Created || again.ID != n.ID {
		t.Fatalf("retry: %+v, %v", again, err)
	}
	if l2, _ := casework.NoticeLetter(b.ctx, b.db, b.cr.ID, n.ID); !bytes.Equal(l2.PDF, l.PDF) {
		t.Error("the retry changed the kept PDF")
	}
	if _, _, err := casework.OpenShortLink(b.ctx, b.db, b.signer, code); err != nil {
		t.Errorf("the retry ended the letter's short link: %v", err)
	}

	// The link lives 60 days; after that the code is expired, with the creditor known.
	b.clk.Add(61 * 24 * time.Hour)
	if _, v, err := casework.OpenShortLink(b.ctx, b.db, b.signer, code); !errors.Is(err, casework.ErrLinkExpired) || v.Creditor.ID != b.cr.ID {
		t.Errorf("OpenShortLink after 61 days: %v (creditor %q), want expired", err, v.Creditor.ID)
	}
}

// TestPayingTheLettersAmountOnTheDeadline: whoever pays exactly what the
// letter asks, on its last day, owes nothing more and pays no costs, also
// after the deadline has passed (the 6:44 BW order takes interest first,
// so the letter's amount must include the interest up to that day).
func TestPayingTheLettersAmountOnTheDeadline(t *testing.T) {
	t.Parallel()
	b := setupLetters(t)
	n := b.post(t)
	l, err := casework.NoticeLetter(b.ctx, b.db, b.cr.ID, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, _, epc := apptest.ReadLetter(t, l.PDF)
	f := strings.Split(epc, "\n")
	if len(f) < 8 || !strings.HasPrefix(f[7], "EUR") {
		t.Fatalf("EPC payload %q", f)
	}
	asked, err := money.ParseDecimal(strings.TrimPrefix(f[7], "EUR"))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Date(2026, 5, 18, 12, 0, 0, 0, time.UTC)
	b.clk.Set(deadline)
	if _, _, err := b.db.ApplyPayment(b.ctx, postgres.Receipt{CreditorID: b.cr.ID, DebtorID: b.debtor, Amount: asked,
		On: collect.DutchDate(deadline), SourceKey: "bank:deadline-transfer", Memo: "transfer with the letter's QR code"}); err != nil {
		t.Fatal(err)
	}
	b.clk.Set(deadline.AddDate(0, 0, 10))
	_, st, err := b.db.Statement(b.ctx, b.cr.ID, b.debtor, b.db.Today())
	if err != nil {
		t.Fatal(err)
	}
	if st.Total() != 0 {
		t.Errorf("after paying the letter's %d cents on the deadline, %d cents are open ten days later", asked, st.Total())
	}
}

func TestUnknownShortCodes(t *testing.T) {
	t.Parallel()
	b := setupLetters(t)
	for _, typed := range []string{"7KQ4-M9XD", "not a code", "", "7KQ0-M9XD"} {
		if _, _, err := casework.OpenShortLink(b.ctx, b.db, b.signer, typed); !errors.Is(err, casework.ErrLinkUnknown) {
			t.Errorf("OpenShortLink(%q): %v, want unknown", typed, err)
		}
	}
}

// Another creditor's notice has no letter for the asking creditor, and a
// creditor without bank details gets its notice recorded without a letter.
func TestLetterOwnershipAndMissingDetails(t *testing.T) {
	t.Parallel()
	b := setupLetters(t)
	n := b.post(t)
	if _, err := casework.NoticeLetter(b.ctx, b.db, b.bare.ID, n.ID); !collect.IsNotFound(err) {
		t.Errorf("another creditor's letter: %v, want not found", err)
	}
	if _, err := casework.DebtorLetters(b.ctx, b.db, b.bare.ID, b.debtor); !collect.IsNotFound(err) {
		t.Errorf("another creditor's debtor's letters: %v, want not found", err)
	}
	d, _, err := b.db.UpsertDebtor(b.ctx, collect.Debtor{CreditorID: b.bare.ID, ExternalRef: "B-1", Kind: collect.Consumer, Name: "Jan Kaal",
		Language: "nl", Address: collect.Address{Postcode: "1234 AB", City: "Utrecht"}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := b.db.CreateInvoice(b.ctx, collect.Invoice{CreditorID: b.bare.ID, DebtorID: d.ID, Number: "K-1",
		IssueDate: collect.Day(2026, 3, 1), DueDate: collect.Day(2026, 3, 31), Amount: 5000, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	bn, err := casework.RecordNotice(b.ctx, b.db, b.bare, casework.NoticeRequest{DebtorID: d.ID, InvoiceIDs: []string{inv.ID},
		SentOn: collect.Day(2026, 4, 30), Channel: "post", LinkBase: linkBase})
	if err != nil || !bn.Created || bn.LetterProblem == "" {
		t.Fatalf("notice of a creditor without bank details: %+v, %v", bn, err)
	}
	if _, err := casework.NoticeLetter(b.ctx, b.db, b.bare.ID, bn.ID); !collect.IsNotFound(err) {
		t.Errorf("letter of a notice without one: %v, want not found", err)
	}
}

// The day's batch holds every posted letter, in parts of the size asked,
// with one manifest.
func TestDayBatch(t *testing.T) {
	t.Parallel()
	b := setupLetters(t)
	first := b.post(t)
	second, err := casework.RecordNotice(b.ctx, b.db, b.cr, casework.NoticeRequest{DebtorID: b.debtor, InvoiceIDs: b.invoices[:1],
		SentOn: collect.Day(2026, 4, 30), Channel: "email"})
	if err != nil || second.LetterProblem != "" {
		t.Fatalf("email notice: %+v, %v", second, err)
	}
	var parts []*bytes.Buffer
	var manifest bytes.Buffer
	count, err := casework.DayBatch(b.ctx, b.db, "", collect.Day(2026, 4, 30), 10, func(int) (io.WriteCloser, error) {
		parts = append(parts, &bytes.Buffer{})
		return nopCloser{parts[len(parts)-1]}, nil
	}, &manifest)
	if err != nil || count != 1 || len(parts) != 1 {
		t.Fatalf("DayBatch: %d letters in %d parts, %v", count, len(parts), err)
	}
	rows, err := csv.NewReader(&manifest).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][1] != "Fatma Yılmaz" {
		t.Fatalf("manifest %q, %v", rows, err)
	}
	kept, err := casework.NoticeLetter(b.ctx, b.db, b.cr.ID, first.ID)
	if err != nil || rows[1][0] != kept.Number {
		t.Fatalf("manifest row %q, kept letter %q, %v", rows[1], kept.Number, err)
	}
	text, _, _ := apptest.ReadLetter(t, parts[0].Bytes())
	if !strings.Contains(text, "Briefnummer: "+kept.Number) {
		t.Errorf("batch text lacks the letter number %s", kept.Number)
	}
	if _, err := casework.DayBatch(b.ctx, b.db, b.bare.ID, collect.Day(2026, 4, 30), 10, nil, io.Discard); !errors.Is(err, casework.ErrNoLetters) {
		t.Errorf("batch of a creditor without letters: %v, want ErrNoLetters", err)
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
