package apptest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ReadLetter reads a PDF letter back as a person and a phone would: its
// text on one line (pdftotext) and its two QR codes (pdftoppm at 150 dpi,
// zbarimg), the link code in the left half of the first page and the EPC
// code in the right; raw codes come out of zbar without a separator, so
// each half is read apart. Without the tools it skips the test, or fails it
// under SETTLE_REQUIRE_BROWSER=1.
func ReadLetter(t testing.TB, pdf []byte) (text, link, epc string) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("SETTLE_REQUIRE_BROWSER") == "1" {
				t.Fatalf("%s is not installed: apt-get install poppler-utils zbar-tools", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "letter.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	code := func(x string) string {
		if err := exec.Command("pdftoppm", "-png", "-singlefile", "-r", "150", "-f", "1", "-l", "1", "-x", x, "-y", "0", "-W", "620", "-H", "1754",
			file, filepath.Join(dir, "half"+x)).Run(); err != nil {
			t.Fatalf("pdftoppm: %v", err)
		}
		c, err := exec.Command("zbarimg", "-q", "--raw", "-Sbinary", "-Sqrcode.enable", filepath.Join(dir, "half"+x+".png")).Output()
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		return string(c)
	}
	return strings.Join(strings.Fields(string(out)), " "), code("0"), code("620")
}
