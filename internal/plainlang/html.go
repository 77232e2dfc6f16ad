package plainlang

import (
	"bytes"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// blockElements end a sentence where they open and where they close. Besides
// the usual text blocks this covers labels, buttons and options: each is read
// (and spoken by a screen reader) as a separate unit, so it must count as its
// own short sentence and not lengthen the sentence around it. Container
// elements are listed too; boundaries collapse, so nesting adds nothing.
var blockElements = map[string]bool{
	"p": true, "li": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "td": true, "th": true, "label": true,
	"button": true, "div": true, "br": true, "option": true, "legend": true,
	"dt": true, "dd": true, "summary": true,
	"title": true, "tr": true, "ul": true, "ol": true, "dl": true,
	"table": true, "caption": true, "figcaption": true, "section": true,
	"article": true, "header": true, "footer": true, "main": true,
	"nav": true, "aside": true, "form": true, "fieldset": true,
	"blockquote": true, "details": true, "hr": true, "address": true,
	"pre": true, "select": true, "textarea": true,
}

// textAttributes hold text that people read or hear even though it is not
// element content: image descriptions, screen-reader labels, tooltips and
// input hints.
var textAttributes = map[string]bool{
	"alt": true, "aria-label": true, "title": true, "placeholder": true,
}

// TextOfHTML extracts the human-readable text of an HTML page or html/template
// source so it can be scored with FleschDouma and checked with Banned.
//
// It drops tags, comments, the contents of <script> and <style>, and Go
// template actions {{...}} (their output is data such as names and amounts,
// which Words would not count anyway). It keeps text content, entities
// decoded, and the values of alt, aria-label, title and placeholder
// attributes, plus the value of submit/button/reset inputs, which is the
// visible button label. Each attribute value becomes a sentence of its own,
// as it is read on its own. Both branches of a template {{if}} are kept: each
// may be shown, so each must be plain.
//
// Block elements (p, li, h1-h6, td, th, label, button, div, br, option,
// legend, dt, dd, summary, and containers such as ul or section) become
// sentence boundaries: ". " is appended unless the text already ends in
// '.', '!', '?' or ':'. Headings and buttons thus count as short sentences,
// and a label ending in ':' runs on into the value it introduces. The end of
// the input is a boundary as well.
//
// White space is collapsed to single spaces, so the result is one line and
// HTML source line breaks never look like paragraph breaks to Sentences.
//
// This is a small tolerant scanner, not a full HTML parser; it is meant for
// the project's own templates.
func TextOfHTML(src string) string {
	src = stripActions(src)
	var w textWriter
	for i := 0; i < len(src); {
		if src[i] != '<' {
			j := strings.IndexByte(src[i:], '<')
			if j < 0 {
				j = len(src) - i
			}
			w.text(src[i : i+j])
			i += j
			if i >= len(src) {
				break
			}
		}
		// src[i] == '<'
		rest := src[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			i = skipPast(src, i+4, "-->")
		case strings.HasPrefix(rest, "<!"), strings.HasPrefix(rest, "<?"):
			i = skipPast(src, i+2, ">")
		case len(rest) > 2 && rest[1] == '/' && isASCIILetter(rest[2]):
			name, end := tagName(src, i+2)
			i = skipPast(src, end, ">")
			if blockElements[name] {
				w.boundary()
			}
		case len(rest) > 1 && isASCIILetter(rest[1]):
			i = w.startTag(src, i+1)
		default:
			// A '<' that opens no tag ("a < b") is text.
			w.text("<")
			i++
		}
	}
	// The end of the page ends its last sentence too, also where an end
	// tag was left out, as HTML allows for p, li, option and td.
	w.boundary()
	return tidy(string(w.buf))
}

// textWriter accumulates extracted text.
type textWriter struct {
	buf []byte
}

// text appends raw HTML text, decoding entities such as &euro; and &nbsp;.
func (w *textWriter) text(s string) {
	w.buf = append(w.buf, html.UnescapeString(s)...)
}

// boundary ends the current sentence, if there is one and it has no
// terminator yet.
func (w *textWriter) boundary() {
	w.buf = bytes.TrimRightFunc(w.buf, unicode.IsSpace)
	if len(w.buf) == 0 {
		return
	}
	if r, _ := utf8.DecodeLastRune(w.buf); !strings.ContainsRune(".!?:", r) {
		w.buf = append(w.buf, '.')
	}
	w.buf = append(w.buf, ' ')
}

// attr is one attribute of a start tag.
type attr struct{ name, value string }

// startTag handles the start tag whose name begins at src[i] and returns the
// index just past it (or past the element, for script and style).
func (w *textWriter) startTag(src string, i int) int {
	name, i := tagName(src, i)
	attrs, selfClosing, i := parseAttrs(src, i)
	if blockElements[name] {
		w.boundary()
	}
	isButtonInput := false
	if name == "input" {
		for _, a := range attrs {
			if a.name == "type" {
				switch strings.ToLower(strings.TrimSpace(a.value)) {
				case "submit", "button", "reset":
					isButtonInput = true
				}
			}
		}
	}
	for _, a := range attrs {
		if textAttributes[a.name] || (isButtonInput && a.name == "value") {
			w.boundary()
			w.text(a.value)
			w.boundary()
		}
	}
	if (name == "script" || name == "style") && !selfClosing {
		// Their contents are code, never shown as text. Skip to the end
		// tag without looking at tags inside ("if (a < b)").
		end := indexFold(src[i:], "</"+name)
		if end < 0 {
			return len(src)
		}
		return skipPast(src, i+end, ">")
	}
	return i
}

// tagName reads a tag name starting at src[i], lower-cased, and returns it
// with the index after it.
func tagName(src string, i int) (string, int) {
	j := i
	for j < len(src) && (isASCIILetter(src[j]) || src[j] >= '0' && src[j] <= '9' || src[j] == '-' || src[j] == ':') {
		j++
	}
	return strings.ToLower(src[i:j]), j
}

// parseAttrs reads attributes from src[i] to the closing '>' of a start tag.
// It returns them with lower-cased names and entity-encoded values, whether
// the tag ended in "/>", and the index after the '>'.
func parseAttrs(src string, i int) (attrs []attr, selfClosing bool, next int) {
	for i < len(src) {
		c := src[i]
		switch {
		case c == '>':
			return attrs, selfClosing, i + 1
		case c == '/':
			selfClosing = true
			i++
			continue
		case isSpaceByte(c):
			i++
			continue
		}
		selfClosing = false
		start := i
		for i < len(src) && !isSpaceByte(src[i]) && src[i] != '=' && src[i] != '>' && src[i] != '/' {
			i++
		}
		if i == start { // a stray '=': skip it so the loop always advances
			i++
			continue
		}
		a := attr{name: strings.ToLower(src[start:i])}
		for i < len(src) && isSpaceByte(src[i]) {
			i++
		}
		if i < len(src) && src[i] == '=' {
			i++
			for i < len(src) && isSpaceByte(src[i]) {
				i++
			}
			if i < len(src) && (src[i] == '"' || src[i] == '\'') {
				q := src[i]
				end := strings.IndexByte(src[i+1:], q)
				if end < 0 {
					end = len(src) - i - 1
				}
				a.value = src[i+1 : i+1+end]
				i = min(i+end+2, len(src))
			} else {
				start := i
				for i < len(src) && !isSpaceByte(src[i]) && src[i] != '>' {
					i++
				}
				a.value = src[start:i]
			}
		}
		attrs = append(attrs, a)
	}
	return attrs, selfClosing, len(src)
}

// stripActions replaces every Go template action, including comments
// {{/* ... */}} and trim markers {{- ... -}}, with a space, so that text on
// either side does not fuse into one word. An unterminated action drops the
// rest of the input: it is not a valid template, and guessing would score
// template code as prose.
func stripActions(src string) string {
	var b strings.Builder
	for {
		i := strings.Index(src, "{{")
		if i < 0 {
			b.WriteString(src)
			return b.String()
		}
		b.WriteString(src[:i])
		b.WriteByte(' ')
		rest := src[i+2:]
		// A comment may contain "}}", so it ends only at "*/" + "}}".
		inner := strings.TrimLeft(strings.TrimPrefix(rest, "-"), " \t\r\n")
		if strings.HasPrefix(inner, "/*") {
			skipped := len(rest) - len(inner)
			end := strings.Index(inner, "*/")
			if end < 0 {
				return b.String()
			}
			rest = rest[skipped+end+2:]
		}
		end := strings.Index(rest, "}}")
		if end < 0 {
			return b.String()
		}
		src = rest[end+2:]
	}
}

// tidy collapses white space to single spaces and attaches punctuation left
// stranded by removed actions ("van {{.Bedrag}}." becomes "van.").
func tidy(s string) string {
	fields := strings.Fields(s)
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		if len(out) > 0 && strings.Trim(f, ".,;:!?") == "" {
			out[len(out)-1] += f
			continue
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// skipPast returns the index just after the first sub at or after i, or
// len(s) if there is none.
func skipPast(s string, i int, sub string) int {
	if i > len(s) {
		return len(s)
	}
	j := strings.Index(s[i:], sub)
	if j < 0 {
		return len(s)
	}
	return i + j + len(sub)
}

// indexFold is strings.Index with ASCII case folding. It compares bytes in
// place, unlike lower-casing s first, whose byte offsets may shift for
// non-ASCII text.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}
