package portal

import (
	"encoding/base64"
	"html/template"
	"sync"

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

// transferCSP is the app's policy (internal/server) with one addition for
// the pages that show a transfer block: scripts from our own address, which
// is web/static/copy.js and its copy buttons. Only those pages get it, so a
// page without the block still runs no script at all; no inline code either.
const transferCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'"

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
	t.QR = transferQRs.get(payload)
	return t
}

// transferQRs keeps the codes drawn lately, by payload: encoding a QR code
// and compressing its PNG took more than half of the overview's CPU, and a
// payload (amount, reference, account) is the same on every page a debtor
// opens that day. The cache is bounded: when full it starts afresh, which
// costs one drawing per payload again and no bookkeeping per hit.
var transferQRs = &qrCache{m: map[string]template.URL{}}

// qrCacheMax bounds the cache at a few megabytes (a code is 2 to 4 KB).
const qrCacheMax = 2000

type qrCache struct {
	mu sync.Mutex
	m  map[string]template.URL
}

// get is the PNG data address of payload's code, "" when it cannot be drawn.
func (c *qrCache) get(payload string) template.URL {
	c.mu.Lock()
	u, ok := c.m[payload]
	c.mu.Unlock()
	if ok {
		return u
	}
	png, err := qr.PNG(payload, qrModule)
	if err != nil {
		return ""
	}
	// A typed URL: html/template would otherwise refuse a data: address.
	u = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	c.mu.Lock()
	if len(c.m) >= qrCacheMax {
		clear(c.m)
	}
	c.m[payload] = u
	c.mu.Unlock()
	return u
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
