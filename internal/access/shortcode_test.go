package access

import (
	"errors"
	"strings"
	"testing"
)

func TestParseShortCode(t *testing.T) {
	tests := []struct {
		typed, want string
		err         error
	}{
		{"7KQ4-M9XD", "7KQ4M9XD", nil},
		{"7kq4-m9xd", "7KQ4M9XD", nil},
		{"7KQ4M9XD", "7KQ4M9XD", nil},
		{" 7kq4 m9xd ", "7KQ4M9XD", nil},
		{"7KQ4--M9XD", "7KQ4M9XD", nil},
		{"7KQ0-M9XD", "", ErrShortCodeInvalid}, // 0 is left out: it looks like O
		{"7KQO-M9XD", "", ErrShortCodeInvalid},
		{"7KQ1-M9XD", "", ErrShortCodeInvalid},
		{"7KQI-M9XD", "", ErrShortCodeInvalid},
		{"7KQL-M9XD", "", ErrShortCodeInvalid},
		{"7KQU-M9XD", "", ErrShortCodeInvalid},
		{"7KQ4-M9X", "", ErrShortCodeInvalid},
		{"7KQ4-M9XDD", "", ErrShortCodeInvalid},
		{"", "", ErrShortCodeInvalid},
		{"7KQ4-M9XÐ", "", ErrShortCodeInvalid},
	}
	for _, tt := range tests {
		got, err := ParseShortCode(tt.typed)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParseShortCode(%q) = %q, %v; want %q, %v", tt.typed, got, err, tt.want, tt.err)
		}
	}
}

func TestNewShortCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		code, err := NewShortCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != ShortCodeLen+1 || code[4] != '-' {
			t.Fatalf("code %q is not written XXXX-XXXX", code)
		}
		canonical, err := ParseShortCode(code)
		if err != nil {
			t.Fatalf("ParseShortCode(%q): %v", code, err)
		}
		if FormatShortCode(canonical) != code {
			t.Fatalf("FormatShortCode(%q) = %q, want %q", canonical, FormatShortCode(canonical), code)
		}
		if seen[code] {
			t.Fatalf("code %q came twice in 1000", code)
		}
		seen[code] = true
	}
}

func TestShortCodeAlphabetHasNoLookAlikes(t *testing.T) {
	if strings.ContainsAny(ShortCodeAlphabet, "0O1ILU") {
		t.Fatalf("alphabet %q holds a look-alike", ShortCodeAlphabet)
	}
	if len(ShortCodeAlphabet) != 30 {
		t.Fatalf("alphabet has %d characters, want 30", len(ShortCodeAlphabet))
	}
}

func TestShortLinkFitsOnPaper(t *testing.T) {
	link := "https://settle.example.com" + ShortPath + "7KQ4-M9XD"
	if len(link) > 40 {
		t.Fatalf("%s has %d characters, more than 40", link, len(link))
	}
}
