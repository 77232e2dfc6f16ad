package access_test

import (
	"strings"
	"testing"

	"github.com/settle/settle/internal/access"
)

func TestCheckNewPasswordRefusesWeakOnes(t *testing.T) {
	const email = "jan.jansen@example.nl"
	for _, tc := range []struct{ pw, why string }{
		{strings.Repeat(" ", 12), "only spaces"},
		{"password1234", "too common"},
		{"aaaaaaaaaaaa", "too common"},
		{"qwertyuiop12", "too common"},
		{"short pw", "at least 12 characters"},
		{"jan.jansen@example.nl", "email address"},
		{"JAN.JANSEN@EXAMPLE.NL!", "email address"},
		{"Jan.Jansen2024!", "email address"},
		{"janjansen1234", "email address"},
		{strings.Repeat("x", access.MaxPasswordLength+1), "at most"},
	} {
		err := access.CheckNewPassword(email, tc.pw)
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("CheckNewPassword(%q) = %v, want an error saying %q", tc.pw, err, tc.why)
		}
	}
}

func TestCheckNewPasswordAcceptsStrongOnes(t *testing.T) {
	for _, pw := range []string{"correct horse battery staple", "Vijf grijze ezels dansen op het ijs", "tR7#pq!Lm2&xZ9"} {
		if err := access.CheckNewPassword("jan.jansen@example.nl", pw); err != nil {
			t.Errorf("CheckNewPassword(%q) = %v, want nil", pw, err)
		}
	}
	for range 20 {
		if pw := access.NewPassword(); access.CheckNewPassword("someone@example.nl", pw) != nil {
			t.Errorf("NewPassword made %q, which CheckNewPassword refuses", pw)
		}
	}
}
