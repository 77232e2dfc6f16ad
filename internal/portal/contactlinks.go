package portal

import (
	"html/template"
	"strings"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// pageFuncs are the template functions every portal page may use.
var pageFuncs = template.FuncMap{"linked": linked}

// footer is whom to ask and how at the foot of every page with a
// creditor: the phone number and email address as links (linked).
func footer(pr i18n.Printer, cr collect.Creditor) template.HTML {
	if cr.Name == "" {
		return ""
	}
	var w htmlWriter
	w.raw("<footer>\n  <h2>")
	w.text(pr.T("contact.head"))
	w.raw("</h2>\n  ")
	if cr.Phone != "" {
		w.raw("<p>")
		w.raw(string(linked(pr.T("contact.call", cr.Phone, cr.PhoneHours), cr)))
		w.raw("</p>")
	}
	w.raw("\n  ")
	if cr.Email != "" {
		w.raw("<p>")
		w.raw(string(linked(pr.T("contact.mail", cr.Email), cr)))
		w.raw("</p>")
	}
	w.raw("\n  <p class=\"small\">")
	w.text(pr.T("footer", cr.Name))
	w.raw("</p>\n</footer>")
	return w.html()
}

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
