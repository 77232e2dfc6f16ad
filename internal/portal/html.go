package portal

import (
	"html/template"
	"strings"

	"github.com/settle/settle/internal/i18n"
)

// Parts of the pages are written in Go rather than by html/template: the
// overview's invoice cards (invoiceCards), buttons (actionsNav) and next
// steps (nextSection), and the transfer block (transferView.html), language
// switch and footer of every page that has them (view.frame).
// html/template evaluates each value through reflection and then calls its
// escapers through reflection too, a few microseconds per value; these parts
// print about 200 values on an overview with ten invoices, which made
// template execution 41 % of the server's CPU (docs/performance.md). They
// escape exactly as html/template does in text, quoted attributes and URL
// attributes, so the page is byte for byte what the template printed; the
// tests render both and compare (html_internal_test.go).

// htmlWriter builds a part of a page.
type htmlWriter struct{ strings.Builder }

// raw writes markup as it is.
func (w *htmlWriter) raw(s string) { w.WriteString(s) }

// text writes a value escaped for HTML text or a quoted attribute, with
// html/template's replacements (its htmlEscaper and attrEscaper): NUL, the
// two quotes, &, <, > and +. All of them are ASCII, so a byte loop sees them
// wherever they are and passes every other byte, valid UTF-8 or not, as the
// template does.
func (w *htmlWriter) text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(r)
		last = i + 1
	}
	w.WriteString(s[last:])
}

// urlPart writes a value inside a quoted URL attribute after its fixed
// start ("/invoices/" + id), as html/template does there: normalized
// (bytes outside RFC 3986's reserved and unreserved sets percent-encoded,
// valid escapes kept), then escaped as an attribute.
func (w *htmlWriter) urlPart(s string) {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		b.WriteString(s[last:i])
		b.WriteByte('%')
		b.WriteByte("0123456789abcdef"[c>>4])
		b.WriteByte("0123456789abcdef"[c&15])
		last = i + 1
	}
	if last == 0 {
		w.text(s)
		return
	}
	b.WriteString(s[last:])
	w.text(b.String())
}

// url writes a whole URL attribute value as html/template does: an address
// with a scheme other than http, https or mailto becomes "#ZgotmplZ" (its
// urlFilter), then it is normalized and escaped as urlPart.
func (w *htmlWriter) url(s string) {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		s = "#ZgotmplZ"
	}
	w.urlPart(s)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func (w *htmlWriter) html() template.HTML { return template.HTML(w.String()) }

// languageSwitch is the header's list of languages: the current one as a
// word, each other one as a form that posts it with the CSRF token and the
// page to go back to.
func languageSwitch(current, csrf, back string) template.HTML {
	var w htmlWriter
	w.Grow(1400)
	for _, l := range i18n.Languages {
		if l.Code == current {
			w.raw(`<span class="lang current" lang="`)
			w.text(l.Code)
			w.raw(`" aria-current="true">`)
			w.text(l.Name)
			w.raw("</span>\n    ")
			continue
		}
		w.raw("<form method=\"post\" action=\"/language\" class=\"inline\">\n      <input type=\"hidden\" name=\"_csrf\" value=\"")
		w.text(csrf)
		w.raw(`"><input type="hidden" name="lang" value="`)
		w.text(l.Code)
		w.raw(`"><input type="hidden" name="back" value="`)
		w.text(back)
		w.raw("\">\n      <button type=\"submit\" class=\"link\" lang=\"")
		w.text(l.Code)
		w.raw(`">`)
		w.text(l.Name)
		w.raw("</button></form>\n    ")
	}
	return w.html()
}
