package portal

import (
	"encoding/base64"
	"html/template"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/qr"
)

// transferView is the bank transfer block of the invoice and overview
// pages: what to transfer to whom with which reference, and the EPC QR code
// that fills it all in in a banking app, the same code as on the letter.
type transferView struct {
	Amount    int64
	IBAN      string // in groups of four, as on a bank card
	Name      string
	Reference string
	// QR is the EPC code as a PNG data address (the CSP allows data: images
	// and no script); empty when the facts make no valid code, and then the
	// block still tells how to transfer by hand.
	QR template.URL
}

// qrModule is the pixels per module of the page's code: about 300 pixels for
// a typical payload, which the page shows at 200 (sharp on a phone's screen).
const qrModule = 6

// transferOf is the transfer block for paying cents to cr with reference
// ref; nil when there is nothing to pay or the creditor has no account.
func transferOf(cr collect.Creditor, cents int64, ref string) *transferView {
	if cents <= 0 || !collect.ValidIBAN(cr.IBAN) {
		return nil
	}
	t := &transferView{Amount: cents, IBAN: collect.GroupIBAN(cr.IBAN), Name: cr.Name, Reference: ref}
	payload, err := collect.EPCPayload(collect.EPCTransfer{Name: cr.Name, IBAN: cr.IBAN, BIC: cr.BIC, Cents: cents, Reference: ref})
	if err != nil {
		return t
	}
	png, err := qr.PNG(payload, qrModule)
	if err != nil {
		return t
	}
	// A typed URL: html/template would otherwise refuse a data: address.
	t.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	return t
}

// overviewReference is the reference for paying everything at once: the
// first invoice's, as on the letter. The bank booking applies the rest of
// the money to the debtor's other invoices (art. 6:43 BW).
func overviewReference(open []collect.Line) string {
	if len(open) == 0 {
		return ""
	}
	return open[0].Invoice.PaymentReference
}
