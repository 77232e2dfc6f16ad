package qr

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPNGScans: zbar reads the PNG back as the very text, UTF-8 included,
// and the image is whole modules of module pixels with the quiet zone.
func TestPNGScans(t *testing.T) {
	const content = "BCD\n002\n1\nSCT\n\nÉén Energie B.V.\nNL91ABNA0417164300\nEUR237.48\n\nRF18539007547034"
	b, err := PNG(content, 6)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bits, err := Bitmap(content)
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w != (len(bits)+8)*6 {
		t.Errorf("image %d pixels wide, want (%d modules + 8 quiet) × 6", w, len(bits))
	}
	file := filepath.Join(t.TempDir(), "code.png")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// -Sbinary: zbar would otherwise guess a text encoding and garble "Één".
	out, err := exec.Command("zbarimg", "-q", "--raw", "-Sbinary", "-Sqrcode.enable", file).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if string(out) != content {
		t.Errorf("zbar read %q, want %q", out, content)
	}
}
