package portal

import (
	"html/template"
	"strings"

	"github.com/settle/settle/internal/collect"
)

// pageFuncs are the template functions every portal page may use.
var pageFuncs = template.FuncMap{"linked": linked}

// linked escapes a translated sentence and turns the creditor's phone number
// and email address in it into tap-to-call and tap-to-mail links, so the
// translations keep one sentence each and the number is still tappable.
func linked(s string, cr collect.Creditor) template.HTML {
	out := template.HTMLEscapeString(s)
	if href := telHref(cr.Phone); href != "" {
		out = linkFirst(out, cr.Phone, href)
	}
	if cr.Email != "" && !strings.ContainsAny(cr.Email, " \"'<>") {
		out = linkFirst(out, cr.Email, "mailto:"+cr.Email)
	}
	return template.HTML(out)
}

// linkFirst wraps the first escaped occurrence of text in out in a link.
func linkFirst(out, text, href string) string {
	esc := template.HTMLEscapeString(text)
	i := strings.Index(out, esc)
	if i < 0 {
		return out
	}
	a := `<a href="` + template.HTMLEscapeString(href) + `">` + esc + `</a>`
	return out[:i] + a + out[i+len(esc):]
}

// telHref is a tel: address with digits and a leading + only: "+31 (0)20 123
// 45 67" dials as +31201234567, the "(0)" being for callers inside the country.
func telHref(phone string) string {
	phone = strings.ReplaceAll(phone, "(0)", "")
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		}
	}
	if strings.Trim(b.String(), "+") == "" {
		return ""
	}
	return "tel:" + b.String()
}
