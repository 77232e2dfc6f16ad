package letters

import (
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/settle/settle/internal/collect"
)

// Page geometry in millimetres. The address sits where the window of a
// Dutch window envelope (EA5/6, window on the left) shows it.
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginLeft   = 22.0
	marginRight  = 20.0
	marginTop    = 15.0
	marginBottom = 20.0
	bodyWidth    = pageWidth - marginLeft - marginRight

	addressTop   = 50.0
	addressWidth = 85.0
	sideLeft     = 120.0 // the creditor's column on the right
	bodyTop      = 95.0

	bodySize  = 11.0 // points: the minimum the issue sets for body text
	titleSize = 14.0
	smallSize = 10.0 // page footer only
	lineH     = 5.6  // 11 pt text at about 1.45 line spacing
	paraGap   = 3.0

	qrSize    = 34.0 // both codes; EPC advises at least 2 by 2 cm
	qrQuiet   = 6.0  // mm of white around each code: four modules of a 40-character link code (version 3, 29 modules) take 4.7
	qrBlock   = qrQuiet + qrSize + qrQuiet + lineH + paraGap
	keepLines = 4 // a heading is never the last line of a page
)

// write adds one letter to pdf, starting on a new page, and returns how
// many pages it took.
func write(pdf *fpdf.Fpdf, n Notice, epc string) (int, error) {
	w := wordsFor(n.Lang)
	pdf.AddPage()
	first := pdf.PageNo()
	// Set after AddPage: AddPage first closes the previous letter's last
	// page with that letter's own footer.
	pdf.SetFooterFunc(func() {
		pdf.SetY(-marginBottom + 6)
		pdf.SetFont(fontFamily, "", smallSize)
		pdf.CellFormat(bodyWidth, lineH, w.t("letter.page", n.Number, pdf.PageNo()-first+1), "", 0, "C", false, 0, "")
	})
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFillColor(0, 0, 0)

	// The creditor and the letter's own facts in the right-hand column.
	side := []string{n.Creditor.Name}
	side = append(side, addressLines(n.Creditor.Address)...)
	side = append(side, n.Creditor.Phone)
	if n.Creditor.Email != "" {
		side = append(side, n.Creditor.Email)
	}
	side = append(side, "", w.t("letter.date", w.date(n.Date)), w.t("letter.number", n.Number), w.t("letter.reference", n.Reference))
	lines(pdf, sideLeft, marginTop, pageWidth-marginRight-sideLeft, side, 0)

	// The debtor's address, in the envelope window.
	lines(pdf, marginLeft, addressTop, addressWidth, append([]string{n.Debtor.Name}, addressLines(n.Debtor.Address)...), -1)

	pdf.SetY(max(bodyTop, pdf.GetY()+paraGap))
	heading(pdf, titleSize, w.t("notice.title", w.money(n.Open), n.Creditor.Name))
	para(pdf, "", w.t("notice.hello", n.Debtor.Name))
	para(pdf, "", w.t("notice.open", len(n.Invoices), n.Creditor.Name, w.money(n.Open)))
	invoiceTable(pdf, w, n)

	deadline := w.t("notice.deadline", w.money(n.payBy()), w.day(n.Deadline))
	if n.payBy() > n.Open {
		deadline += " " + w.t("notice.interest")
	}
	para(pdf, "B", deadline+" "+w.t("notice.free"))
	if n.Costs > 0 {
		para(pdf, "", w.t("notice.costs", w.money(n.Costs), w.money(n.afterDeadline())))
	} else {
		para(pdf, "", w.t("notice.nocosts"))
	}

	heading(pdf, bodySize+1, w.t("notice.how"))
	para(pdf, "", w.t("notice.online", n.ShortLink))
	para(pdf, "", w.t("notice.bank"))
	if err := qrPair(pdf, w, n.ShortLink, epc); err != nil {
		return 0, err
	}
	para(pdf, "", w.t("notice.transfer", w.money(n.payBy()), groupIBAN(n.Creditor.IBAN), n.Creditor.Name, n.Reference))

	heading(pdf, bodySize+1, w.t("notice.stuck"))
	stuck := w.t("notice.stuck.text", n.ShortLink, n.Creditor.Phone)
	if n.Creditor.PhoneHours != "" {
		stuck += " " + w.t("notice.hours", n.Creditor.PhoneHours)
	}
	if n.Creditor.Email != "" {
		stuck += " " + w.t("notice.mail", n.Creditor.Email)
	}
	para(pdf, "", stuck)

	heading(pdf, bodySize+1, w.help("help.title"))
	help := w.help("help.town")
	if n.HelpPhone != "" {
		help += " " + w.help("help.call", n.HelpPhone)
	}
	if n.HelpSite != "" {
		help += " " + w.help("help.site") + " " + n.HelpSite
	}
	para(pdf, "", help)

	para(pdf, "", w.t("notice.bye")+"\n"+n.Creditor.Name)
	if err := pdf.Error(); err != nil {
		return 0, err
	}
	return pdf.PageNo() - first + 1, nil
}

// addressLines writes an address the Dutch way: street and number, then
// postcode and city.
func addressLines(a collect.Address) []string {
	var out []string
	if s := strings.TrimSpace(a.Street + " " + a.HouseNumber); s != "" {
		out = append(out, s)
	}
	if s := strings.TrimSpace(a.Postcode + "  " + a.City); s != "" {
		out = append(out, s)
	}
	return out
}

// lines writes a block of short lines at x, y; the first line is bold when
// bold is 0, none when it is negative.
func lines(pdf *fpdf.Fpdf, x, y, width float64, ls []string, bold int) {
	pdf.SetXY(x, y)
	for i, l := range ls {
		style := ""
		if i == bold {
			style = "B"
		}
		pdf.SetFont(fontFamily, style, bodySize)
		pdf.SetX(x)
		pdf.MultiCell(width, lineH, l, "", "L", false)
	}
}

// heading writes a bold line and keeps it on the same page as the text
// under it.
func heading(pdf *fpdf.Fpdf, size float64, text string) {
	if pdf.GetY()+keepLines*lineH > pageHeight-marginBottom {
		pdf.AddPage()
	}
	pdf.SetFont(fontFamily, "B", size)
	pdf.MultiCell(bodyWidth, size*0.5, text, "", "L", false)
	pdf.Ln(paraGap)
}

// para writes a paragraph of body text over the full width, all of it on
// one page: a sentence cut in two by a page break is easily lost.
func para(pdf *fpdf.Fpdf, style, text string) {
	pdf.SetFont(fontFamily, style, bodySize)
	if h := float64(len(pdf.SplitText(text, bodyWidth))) * lineH; pdf.GetY()+h > pageHeight-marginBottom {
		pdf.AddPage()
	}
	pdf.SetX(marginLeft)
	pdf.MultiCell(bodyWidth, lineH, text, "", "L", false)
	pdf.Ln(paraGap)
}

// invoiceTable lists the open invoices and their total, amounts aligned on
// the right so that they can be compared at a glance.
func invoiceTable(pdf *fpdf.Fpdf, w words, n Notice) {
	const numW, amountW = 70.0, 45.0
	row := func(style, number, amount, border string) {
		if pdf.GetY()+2*lineH > pageHeight-marginBottom {
			pdf.AddPage()
		}
		pdf.SetFont(fontFamily, style, bodySize)
		pdf.SetX(marginLeft)
		pdf.CellFormat(numW, lineH+1, number, border, 0, "L", false, 0, "")
		pdf.CellFormat(amountW, lineH+1, amount, border, 1, "R", false, 0, "")
	}
	row("B", w.t("notice.col.invoice"), w.t("notice.col.open"), "B")
	for _, inv := range n.Invoices {
		row("", inv.Number, w.money(inv.Open), "")
	}
	row("B", w.t("notice.col.total"), w.money(n.Open), "T")
	pdf.Ln(paraGap)
}

// qrPair draws the link code on the left and the EPC code on the right,
// each with a caption, on one page.
func qrPair(pdf *fpdf.Fpdf, w words, link, epc string) error {
	if pdf.GetY()+qrBlock > pageHeight-marginBottom {
		pdf.AddPage()
	}
	y := pdf.GetY() + qrQuiet
	right := marginLeft + bodyWidth/2
	if err := drawQR(pdf, link, marginLeft, y, qrSize); err != nil {
		return err
	}
	if err := drawQR(pdf, epc, right, y, qrSize); err != nil {
		return err
	}
	pdf.SetFont(fontFamily, "B", bodySize)
	pdf.SetXY(marginLeft, y+qrSize+qrQuiet)
	pdf.CellFormat(bodyWidth/2, lineH, w.t("notice.qr.link"), "", 0, "L", false, 0, "")
	pdf.CellFormat(bodyWidth/2, lineH, w.t("notice.qr.bank"), "", 1, "L", false, 0, "")
	pdf.Ln(paraGap)
	return nil
}

// groupIBAN prints an IBAN in groups of four, as bank statements do, so
// that it can be read over without losing one's place.
func groupIBAN(iban string) string {
	s := strings.ToUpper(strings.ReplaceAll(iban, " ", ""))
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}
