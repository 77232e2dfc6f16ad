package collect

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSearch(t *testing.T) {
	tests := []struct {
		in   string
		want SearchTerms
	}{
		{"  Jan   de Vries ", SearchTerms{Text: "Jan de Vries", NamePattern: "%jan de vries%", Number: "JAN DE VRIES", CustomerRef: "Jan de Vries"}},
		{"1234 ab", SearchTerms{Text: "1234 ab", NamePattern: "%1234 ab%", Postcode: "1234AB", Number: "1234 AB", CustomerRef: "1234 ab"}},
		{"1234", SearchTerms{Text: "1234", NamePattern: "%1234%", Postcode: "1234", Number: "1234", CustomerRef: "1234"}},
		{"12345", SearchTerms{Text: "12345", NamePattern: "%12345%", Number: "12345", CustomerRef: "12345"}},
		{"Jan@Example.NL", SearchTerms{Text: "Jan@Example.NL", NamePattern: "%jan@example.nl%", Email: "jan@example.nl", Number: "JAN@EXAMPLE.NL", CustomerRef: "Jan@Example.NL"}},
		{"06 12 34 56 78", SearchTerms{Text: "06 12 34 56 78", NamePattern: "%06 12 34 56 78%", Phone: "612345678", Number: "06 12 34 56 78", CustomerRef: "06 12 34 56 78"}},
		{"+31 6 1234-5678", SearchTerms{Text: "+31 6 1234-5678", NamePattern: "%+31 6 1234-5678%", Phone: "612345678", Number: "+31 6 1234-5678", CustomerRef: "+31 6 1234-5678"}},
		{"rf18 5390 0754 7034", SearchTerms{Text: "rf18 5390 0754 7034", NamePattern: "%rf18 5390 0754 7034%", Reference: "RF18539007547034", Number: "RF18 5390 0754 7034", CustomerRef: "rf18 5390 0754 7034"}},
		{"F-2026_1%", SearchTerms{Text: "F-2026_1%", NamePattern: `%f-2026\_1\%%`, Number: "F-2026_1%", CustomerRef: "F-2026_1%"}},
	}
	for _, tt := range tests {
		got, err := ParseSearch(tt.in)
		if err != nil {
			t.Errorf("ParseSearch(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseSearch(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseSearchRefuses(t *testing.T) {
	for _, in := range []string{"", " ", "a", " j ", strings.Repeat("x", 101)} {
		_, err := ParseSearch(in)
		var e *Error
		if !errors.As(err, &e) || e.Field != "q" || e.Code != EINVALID {
			t.Errorf("ParseSearch(%q) = %v, want an error on q", in, err)
		}
	}
}
