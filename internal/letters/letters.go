// Package letters renders the letters Settle sends by post as PDF: the
// 14-day notice (art. 6:96 lid 6 BW) with a QR code of the debtor's short
// link and an EPC QR code for a bank transfer, one letter at a time or as a
// daily batch for a print-and-mail partner. It takes plain facts and never
// touches the database, so a use case can render inside or outside a
// transaction and the notice record can keep the exact bytes that were sent.
//
// Libraries, and why:
//   - github.com/go-pdf/fpdf (v0.9.0) writes the PDF. It is the maintained
//     fork of jung-kurt/gofpdf, pure Go without cgo, embeds and subsets
//     TrueType fonts with UTF-8 text (€, ó, ë), and draws the vector
//     rectangles the QR codes are made of, so they stay sharp on any printer.
//   - github.com/skip2/go-qrcode encodes the QR codes. It has no dependencies
//     and hands out the module matrix, which is all a vector drawing needs;
//     yeqown/go-qrcode/v2 is more active but splits its output into writer
//     modules with image libraries we would not use. QR (ISO/IEC 18004) is a
//     finished standard and skip2 has not needed changes since 2020; the
//     tests read every code back with zbar, so a broken encoder cannot pass.
//   - The Go fonts (golang.org/x/image/font/gofont, BSD licence) are the
//     typeface: clear, with distinct l, 1 and I for people who type the link
//     over, shipped as Go byte slices, so there is no font file to keep.
package letters

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// MaxShortLink is the longest link a letter prints: anything longer is too
// much to type over from paper.
const MaxShortLink = 40

// Creditor is who writes the letter and is paid.
type Creditor struct {
	Name       string
	Address    collect.Address
	Phone      string
	PhoneHours string // when the phone is answered, in the letter's language: "op werkdagen van 9 tot 17 uur"
	Email      string
	IBAN       string
	BIC        string // optional
}

// Debtor is who receives the letter.
type Debtor struct {
	Name    string
	Address collect.Address
}

// Invoice is one open invoice the letter lists.
type Invoice struct {
	Number string
	Open   int64 // cents still to pay
}

// Notice holds every fact the 14-day letter states; the caller computes
// them (amounts, costs, deadline) and the letter only words and draws them.
type Notice struct {
	Number   string // letter number, printed on every page and in the batch manifest
	Lang     string // "nl" or "en"
	Date     time.Time
	Creditor Creditor
	Debtor   Debtor
	Invoices []Invoice
	Open     int64 // cents open in all, the sum of Invoices
	Costs    int64 // cents of collection costs added when the debtor pays after Deadline; 0 when waived
	// AfterDeadline is what the invoices come to on the day after Deadline
	// if nothing is paid: Open, the costs and the interest up to that day.
	// Letters drawn before it existed have 0 and say Open + Costs.
	AfterDeadline int64
	// PayBy is what the invoices come to on Deadline itself: Open and the
	// statutory interest up to that day, without costs. The letter asks for
	// it and its EPC code carries it, because a payment goes to interest
	// before principal (art. 6:44 BW): paying only Open on the deadline
	// would leave a little principal open, and with it the costs. Letters
	// drawn before it existed have 0 and ask for Open.
	PayBy     int64
	Deadline  time.Time // last day to pay without costs
	ShortLink string    // the debtor's link, at most MaxShortLink characters
	Reference string    // RF reference for a bank transfer
	HelpPhone string    // free debt help, as the creditor's policy words it
	HelpSite  string
}

// afterDeadline is what the letter says the debtor must pay after the
// deadline: the amount worked out for that day, or on an older letter's
// facts Open + Costs.
func (n Notice) afterDeadline() int64 {
	if n.AfterDeadline != 0 {
		return n.AfterDeadline
	}
	return n.Open + n.Costs
}

// payBy is what the letter asks to be paid by the deadline.
func (n Notice) payBy() int64 {
	if n.PayBy != 0 {
		return n.PayBy
	}
	return n.Open
}

// Render returns the PDF of one 14-day letter.
func Render(n Notice) ([]byte, error) {
	epc, err := n.check()
	if err != nil {
		return nil, err
	}
	pdf := newDocument(n.Date)
	if _, err := write(pdf, n, epc); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("write letter %s: %w", n.Number, err)
	}
	return buf.Bytes(), nil
}

// Batch writes many letters into one PDF for a print-and-mail partner, each
// starting on a new page, and a CSV manifest with one row per letter in the
// same order: letter number, debtor name, postcode, pages. The whole PDF is
// built in memory before it is written, so the caller splits a large day
// into batches of the size the partner accepts. No letter is written when
// one of them is invalid: a partial batch would be printed and posted.
func Batch(notices []Notice, day time.Time, pdfOut, manifest io.Writer) error {
	epcs := make([]string, len(notices))
	for i, n := range notices {
		epc, err := n.check()
		if err != nil {
			return fmt.Errorf("letter %d (%s): %w", i+1, n.Number, err)
		}
		epcs[i] = epc
	}
	pdf := newDocument(day)
	rows := make([][]string, 0, len(notices)+1)
	rows = append(rows, []string{"letter", "debtor", "postcode", "pages"})
	for i, n := range notices {
		pages, err := write(pdf, n, epcs[i])
		if err != nil {
			return err
		}
		rows = append(rows, []string{n.Number, n.Debtor.Name, n.Debtor.Address.Postcode, strconv.Itoa(pages)})
	}
	if err := pdf.Output(pdfOut); err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	w := csv.NewWriter(manifest)
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("write batch manifest: %w", err)
	}
	return nil
}

// check refuses a notice the letter could not state correctly and returns
// its EPC payload.
func (n Notice) check() (string, error) {
	if !i18n.Supported(n.Lang) {
		return "", collect.Errorf(collect.EINVALID, "lang", "no letter text in language %q: want one of %s", n.Lang, strings.Join(i18n.Codes(), ", "))
	}
	required := []struct{ field, value string }{
		{"number", n.Number}, {"creditor.name", n.Creditor.Name}, {"creditor.phone", n.Creditor.Phone},
		{"debtor.name", n.Debtor.Name}, {"debtor.postcode", n.Debtor.Address.Postcode},
		{"debtor.city", n.Debtor.Address.City}, {"short_link", n.ShortLink},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			return "", collect.Errorf(collect.EINVALID, r.field, "is empty")
		}
	}
	if l := utf8.RuneCountInString(n.ShortLink); l > MaxShortLink {
		return "", collect.Errorf(collect.EINVALID, "short_link", "has %d characters, at most %d fit", l, MaxShortLink)
	}
	if n.Date.IsZero() || collect.DateOf(n.Deadline).Before(collect.DateOf(n.Date)) {
		return "", collect.Errorf(collect.EINVALID, "deadline", "the last day to pay (%s) is before the letter date (%s)",
			n.Deadline.Format(time.DateOnly), n.Date.Format(time.DateOnly))
	}
	if len(n.Invoices) == 0 {
		return "", collect.Errorf(collect.EINVALID, "invoices", "a notice lists at least one invoice")
	}
	var sum int64
	for _, inv := range n.Invoices {
		if inv.Open <= 0 {
			return "", collect.Errorf(collect.EINVALID, "invoices", "invoice %s has nothing open", inv.Number)
		}
		sum += inv.Open
	}
	if sum != n.Open {
		return "", collect.Errorf(collect.EINVALID, "open", "the invoices add up to %d cents, not %d", sum, n.Open)
	}
	if n.Costs < 0 {
		return "", collect.Errorf(collect.EINVALID, "costs", "costs of %d cents are negative", n.Costs)
	}
	if n.PayBy != 0 && n.PayBy < n.Open {
		return "", collect.Errorf(collect.EINVALID, "pay_by", "%d cents to pay by the deadline is less than the %d open", n.PayBy, n.Open)
	}
	return collect.EPCPayload(collect.EPCTransfer{
		Name: n.Creditor.Name, IBAN: n.Creditor.IBAN, BIC: n.Creditor.BIC, Cents: n.payBy(), Reference: n.Reference,
	})
}

// fontFamily names the embedded Go fonts inside the PDF.
const fontFamily = "Go"

// newDocument starts an A4 document with the Go fonts embedded. Its dates
// are the letter's own, so the same facts always give the same bytes.
func newDocument(date time.Time) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(marginLeft, marginTop, marginRight)
	pdf.SetAutoPageBreak(true, marginBottom)
	pdf.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	return pdf
}
