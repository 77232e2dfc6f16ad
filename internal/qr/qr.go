// Package qr encodes the QR codes Settle prints and shows: the letter's
// link code and the EPC code for a bank transfer (collect.EPCPayload), on
// paper (package letters) and on the debtor's pages (package portal), so
// that both encode the same text the same way.
package qr

import (
	"fmt"

	"github.com/skip2/go-qrcode"
)

// encode is content as a QR code at error correction level M: what
// EPC069-12 prescribes, and the link code uses it too, which survives a
// crease or a coffee ring.
func encode(content string) (*qrcode.QRCode, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("encode qr code: %w", err)
	}
	return q, nil
}

// Bitmap is content's code, one row of modules after the other (true is
// dark), without the quiet zone of four modules a scanner needs: a layout
// keeps that white itself.
func Bitmap(content string) ([][]bool, error) {
	q, err := encode(content)
	if err != nil {
		return nil, err
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}

// PNG is content's code as a PNG image, black on white with the quiet
// zone, of module pixels per module: whole pixels keep every edge sharp
// for a phone's camera when a page scales the image.
func PNG(content string, module int) ([]byte, error) {
	q, err := encode(content)
	if err != nil {
		return nil, err
	}
	return q.PNG(-module) // a negative size is pixels per module
}
