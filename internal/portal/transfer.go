package portal

import (
	"encoding/base64"
	"html/template"
	"sync"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
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
	// Block is the block as the page shows it (html), written when the page
	// is rendered.
	Block template.HTML
}

// html writes the block in pr's language: the amount, account, name and
// reference as copyable outputs, why the reference matters, and the code.
// It is written in Go for the reason html.go gives.
func (t *transferView) html(pr i18n.Printer) template.HTML {
	var w htmlWriter
	w.Grow(1500 + len(t.QR))
	w.raw(`<section aria-labelledby="transfer" class="transfer" data-copy-button="`)
	w.text(pr.T("transfer.copy.button"))
	w.raw(`" data-copy-done="`)
	w.text(pr.T("transfer.copy.done"))
	w.raw(`" data-copy-failed="`)
	w.text(pr.T("transfer.copy.failed"))
	w.raw("\">\n  <h2 id=\"transfer\">")
	w.text(pr.T("invoice.transfer"))
	w.raw("</h2>\n  <p>")
	w.text(pr.T("transfer.intro"))
	w.raw("</p>\n  <dl class=\"transfer-facts\">\n    <dt>")
	amount := pr.Money(t.Amount)
	w.text(pr.T("transfer.amount"))
	w.raw(`</dt><dd><output class="copy" id="transfer-amount">`)
	w.text(amount)
	w.raw("</output></dd>\n    <dt>")
	w.text(pr.T("transfer.iban"))
	w.raw(`</dt><dd><output class="copy" id="transfer-iban" dir="ltr">`)
	w.text(t.IBAN)
	w.raw("</output></dd>\n    <dt>")
	w.text(pr.T("transfer.name"))
	w.raw(`</dt><dd><output class="copy" id="transfer-name">`)
	w.text(t.Name)
	w.raw("</output></dd>\n    ")
	if t.Reference != "" {
		w.raw("<dt>")
		w.text(pr.T("transfer.reference"))
		w.raw(`</dt><dd><output class="copy" id="transfer-reference" dir="ltr">`)
		w.text(t.Reference)
		w.raw("</output></dd>")
	}
	w.raw("\n  </dl>\n  <p class=\"hint\">")
	w.text(pr.T("transfer.copy"))
	w.raw("</p>\n  <p class=\"copied\" id=\"transfer-copied\" role=\"status\"></p>\n  ")
	if t.Reference != "" {
		w.raw("<p>")
		w.text(pr.T("transfer.reference.why"))
		w.raw("</p>")
	}
	w.raw("\n  ")
	if t.QR != "" {
		w.raw("<figure class=\"epc\">\n    <img id=\"transfer-qr\" src=\"")
		w.urlPart(string(t.QR))
		w.raw(`" width="200" height="200" alt="`)
		w.text(pr.T("transfer.qr.alt", amount, t.Name))
		w.raw("\">\n    <figcaption>")
		w.text(pr.T("transfer.qr"))
		w.raw("</figcaption>\n  </figure>")
	}
	w.raw("\n</section>")
	return w.html()
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
