package portal_test

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
)

// qrSrc finds the transfer block's EPC code in a page.
var qrSrc = regexp.MustCompile(`<img id="transfer-qr" src="data:image/png;base64,([A-Za-z0-9+/=]+)"`)

// scanTransferQR takes the EPC code out of a page and reads it with zbar,
// as a banking app would read it from the screen.
func scanTransferQR(t *testing.T, what, body string) []string {
	t.Helper()
	m := qrSrc.FindStringSubmatch(html.UnescapeString(body)) // the template writes + as &#43;
	if m == nil {
		t.Fatalf("%s: no EPC code in the page:\n%s", what, body)
	}
	png, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatalf("%s: the code's data address: %v", what, err)
	}
	file := filepath.Join(t.TempDir(), "epc.png")
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Fatal(err)
	}
	// -Sbinary: zbar would otherwise guess a text encoding and garble UTF-8 names.
	out, err := exec.Command("zbarimg", "-q", "--raw", "-Sbinary", "-Sqrcode.enable", file).Output()
	if err != nil {
		t.Fatalf("%s: zbarimg: %v", what, err)
	}
	return strings.Split(string(out), "\n")
}

// TestTransferBlock: the invoice and overview pages show the IBAN in groups
// of four, the name, the RF reference and today's amount as selectable
// text, and an EPC code that a banking app reads as exactly that: the
// invoice's amount with its reference, or everything with the first
// invoice's reference on the overview (the rest of the money goes to the
// other invoices, art. 6:43 BW).
func TestTransferBlock(t *testing.T) {
	t.Parallel()
	e, cr, d := newJan(t)
	a := e.invoice(cr, d, "F-1", "Stroom oktober", collect.Day(2026, 10, 1), collect.Day(2026, 12, 1), 12345)
	b := e.invoice(cr, d, "F-2", "Stroom november", collect.Day(2026, 11, 1), collect.Day(2026, 12, 15), 11403)
	c := e.signIn(cr, d)
	epc := func(cents int64, ref string) []string {
		return []string{"BCD", "002", "1", "SCT", "", creditorName, "NL91ABNA0417164300", fmt.Sprintf("EUR%d.%02d", cents/100, cents%100), "", ref}
	}
	st := e.statement(cr, d)
	lineA, _ := st.Line(a.ID)
	for _, tc := range []struct {
		what, path string
		cents      int64
		ref        string
	}{
		{"invoice", "/invoices/" + a.ID, lineA.Total(), a.PaymentReference},
		{"overview", "/overview", st.PayAll(), a.PaymentReference},
	} {
		if tc.cents != 12345 && tc.cents != 12345+11403 {
			t.Fatalf("%s: amount %d: the invoices are not yet due and should not move", tc.what, tc.cents)
		}
		r := c.Get(tc.path)
		apptest.WantStatus(t, tc.what, r, http.StatusOK)
		body := html.UnescapeString(r.Body)
		apptest.WantContains(t, tc.what, body,
			`<output class="copy" id="transfer-iban" dir="ltr">NL91 ABNA 0417 1643 00</output>`,
			`<output class="copy" id="transfer-reference" dir="ltr">`+tc.ref+`</output>`,
			`<output class="copy" id="transfer-amount">`+nl.Money(tc.cents)+`</output>`,
			`<output class="copy" id="transfer-name">`+creditorName+`</output>`,
			nl.T("transfer.qr.alt", nl.Money(tc.cents), creditorName))
		if got, want := scanTransferQR(t, tc.what, r.Body), epc(tc.cents, tc.ref); !slices.Equal(got, want) {
			t.Errorf("%s: the EPC code reads %q, want %q", tc.what, got, want)
		}
		if !collect.ValidRF(tc.ref) {
			t.Errorf("%s: reference %q is not an RF reference", tc.what, tc.ref)
		}
	}
	// A paid invoice has no transfer block.
	e.pay(cr, d, 12345, collect.Day(2026, 11, 20), "paid-a")
	r := c.Get("/invoices/" + a.ID)
	apptest.WantStatus(t, "paid invoice", r, http.StatusOK)
	apptest.WantNotContains(t, "paid invoice", r.Body, `id="transfer-qr"`, nl.T("transfer.intro"))
	// ... and the overview asks the rest, with the open invoice's reference.
	r = c.Get("/overview")
	if got, want := scanTransferQR(t, "overview after paying F-1", r.Body), epc(11403, b.PaymentReference); !slices.Equal(got, want) {
		t.Errorf("overview after paying F-1: the EPC code reads %q, want %q", got, want)
	}
}
