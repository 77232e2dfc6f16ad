package portal

import (
	"testing"

	"github.com/settle/settle/internal/collect"
)

// TestTelHref: a tel: address holds digits and one leading + only; a number
// without digits gives no link at all.
func TestTelHref(t *testing.T) {
	for _, tc := range []struct{ phone, want string }{
		{"020 123 45 67", "tel:0201234567"},
		{"+31 (0)20 123 45 67", "tel:+31201234567"},
		{"+31-6-1234 5678", "tel:+31612345678"},
		{" 0800-1234 ", "tel:08001234"},
		{"06 12+34", "tel:061234"},
		{"bel ons", ""},
		{"+", ""},
		{"", ""},
	} {
		if got := telHref(tc.phone); got != tc.want {
			t.Errorf("telHref(%q) = %q, want %q", tc.phone, got, tc.want)
		}
	}
}

// TestLinkedEscapes: the sentence around the links stays escaped, and an
// address that would break out of the attribute is not linked.
func TestLinkedEscapes(t *testing.T) {
	cr := collect.Creditor{Phone: "020 123 45 67", Email: `a"b@example.nl`}
	got := string(linked(`<b>Bel 020 123 45 67</b> of mail a"b@example.nl`, cr))
	want := `&lt;b&gt;Bel <a href="tel:0201234567">020 123 45 67</a>&lt;/b&gt; of mail a&#34;b@example.nl`
	if got != want {
		t.Errorf("linked = %s, want %s", got, want)
	}
}
