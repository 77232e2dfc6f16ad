package letters

import (
	"github.com/go-pdf/fpdf"

	"github.com/settle/settle/internal/qr"
)

// drawQR draws content as a QR code (package qr) of size by size
// millimetres at x, y, in vector rectangles, one for each run of dark
// modules in a row: sharp at any print resolution, and far fewer drawing
// operations than one per module. The quiet zone of four modules that a
// scanner needs is left to the layout, which keeps it white.
func drawQR(pdf *fpdf.Fpdf, content string, x, y, size float64) error {
	bits, err := qr.Bitmap(content)
	if err != nil {
		return err
	}
	m := size / float64(len(bits))
	for r, row := range bits {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			pdf.Rect(x+float64(start)*m, y+float64(r)*m, float64(c-start)*m, m, "F")
		}
	}
	return nil
}
