package camt053

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// This file is a byte-level streaming XML scanner for what camt.053 files
// use: a prolog, elements with namespace prefixes, attributes, character
// data with the five predefined entities and numeric character references,
// CDATA sections, comments, processing instructions and DOCTYPE-like
// directives (skipped). Only UTF-8 is read; a declaration of any other
// encoding is refused.
//
// It accepts and rejects exactly what encoding/xml's Decoder (Strict, no
// CharsetReader, no Entity map) accepts and rejects, which the differential
// fuzz test (FuzzScannerVsEncodingXML) checks; it is several times faster
// because it works on a reusable input buffer, decodes text into reusable
// byte slices and allocates nothing per token.

type tokKind uint8

const (
	tokStart tokKind = iota + 1
	tokEnd
	tokText
)

// syntaxError is malformed XML at a line.
type syntaxError struct {
	Line int
	Msg  string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("XML syntax error on line %d: %s", e.Line, e.Msg)
}

// scanBufSize is the size of the input buffer; it only grows for a token
// that must be looked at as a whole and is larger (never in practice).
const scanBufSize = 64 << 10

// maxInterned bounds the table of element and currency names, so hostile
// input with millions of distinct names cannot grow it without limit.
const maxInterned = 4096

type stackEntry struct{ off, spaceLen, localLen int }

type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	rerr     error // io.EOF or the reader's error, once seen
	line     int

	// The current token.
	kind    tokKind
	tokLine int    // line the token starts on
	space   []byte // raw namespace prefix of a start or end tag
	local   []byte // local name of a start or end tag
	text    []byte // decoded character data of a text token
	ccy     []byte // the Ccy attribute of a start tag
	hasCcy  bool
	// rootSpace is the namespace of a start tag at depth 0 (the root),
	// resolved with the xmlns attributes of that tag.
	rootSpace string

	pendingEnd bool // a self-closing tag's end is still to be reported
	stack      []stackEntry
	stackNames []byte
	nameBuf    []byte
	textBuf    []byte
	interned   map[string]string
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: make([]byte, scanBufSize), line: 1, interned: make(map[string]string, 64)}
}

// intern returns b as a string, sharing one copy per distinct name.
func (s *scanner) intern(b []byte) string {
	if v, ok := s.interned[string(b)]; ok {
		return v
	}
	v := string(b)
	if len(s.interned) < maxInterned {
		s.interned[v] = v
	}
	return v
}

func (s *scanner) syntax(msg string) error { return &syntaxError{Line: s.line, Msg: msg} }

// fill reads more input, keeping the unread bytes and the one before them
// (for unget). It reports whether there is unread input.
func (s *scanner) fill() bool {
	if s.rerr != nil {
		return s.pos < s.end
	}
	keep := 0
	if s.pos > 0 {
		keep = 1
	}
	n := copy(s.buf, s.buf[s.pos-keep:s.end])
	s.pos, s.end = keep, n
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; ; tries++ {
		m, err := s.r.Read(s.buf[s.end:])
		s.end += m
		if err != nil {
			s.rerr = err
			return s.pos < s.end
		}
		if m > 0 {
			return true
		}
		if tries > 100 {
			s.rerr = io.ErrNoProgress
			return s.pos < s.end
		}
	}
}

func (s *scanner) getc() (byte, bool) {
	if s.pos >= s.end && !s.fill() {
		return 0, false
	}
	b := s.buf[s.pos]
	s.pos++
	if b == '\n' {
		s.line++
	}
	return b, true
}

func (s *scanner) ungetc(b byte) {
	s.pos--
	if b == '\n' {
		s.line--
	}
}

// eofErr is the error for input ending (or failing) inside a token.
func (s *scanner) eofErr() error {
	if s.rerr == io.EOF || s.rerr == nil {
		return s.syntax("unexpected EOF")
	}
	return s.rerr
}

func (s *scanner) mustgetc() (byte, error) {
	b, ok := s.getc()
	if !ok {
		return 0, s.eofErr()
	}
	return b, nil
}

// skipSpace skips XML white space.
func (s *scanner) skipSpace() {
	for {
		if s.pos >= s.end && !s.fill() {
			return
		}
		switch b := s.buf[s.pos]; b {
		case '\n':
			s.line++
			s.pos++
		case ' ', '\r', '\t':
			s.pos++
		default:
			return
		}
	}
}

// nameByte are the bytes encoding/xml reads as part of a name; non-ASCII
// bytes are checked afterwards as runes (see isName).
var nameByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '_' || c == ':' || c == '.' || c == '-' || c >= utf8.RuneSelf
	}
	return t
}()

// readName appends a name to dst. ok is false (with a nil error) when the
// next byte cannot start a name; the byte is left unread.
func (s *scanner) readName(dst []byte) (out []byte, ok bool, err error) {
	start := len(dst)
	for {
		if s.pos >= s.end && !s.fill() {
			return dst, false, s.eofErr()
		}
		i := s.pos
		for i < s.end && nameByte[s.buf[i]] {
			i++
		}
		dst = append(dst, s.buf[s.pos:i]...)
		s.pos = i
		if i < s.end {
			break
		}
	}
	if len(dst) == start {
		return dst, false, nil
	}
	if !isName(dst[start:]) {
		return dst, false, s.syntax("invalid XML name: " + string(dst[start:]))
	}
	return dst, true, nil
}

type runeRange struct{ lo, hi rune }

func inRanges(r rune, t []runeRange) bool {
	i := sort.Search(len(t), func(i int) bool { return t[i].hi >= r })
	return i < len(t) && t[i].lo <= r
}

// isName is encoding/xml's name check: a letter, '_' or ':' first, then
// also digits, '.', '-' and the XML 1.0 combining characters and extenders.
func isName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		c := b[0]
		return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':'
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return false
		}
		var ok bool
		switch {
		case r < utf8.RuneSelf && i == 0:
			ok = 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || r == '_' || r == ':'
		case r < utf8.RuneSelf:
			ok = true // nameByte already
		case i == 0:
			ok = inRanges(r, nameStartRanges)
		default:
			ok = inRanges(r, nameStartRanges) || inRanges(r, nameRanges)
		}
		if !ok {
			return false
		}
		i += n
	}
	return true
}

// splitName splits a name into prefix and local part like encoding/xml:
// more than one colon is no valid name; a leading or trailing colon belongs
// to the local part.
func splitName(b []byte) (space, local []byte, ok bool) {
	i := bytes.IndexByte(b, ':')
	if i < 0 {
		return nil, b, true
	}
	if bytes.IndexByte(b[i+1:], ':') >= 0 {
		return nil, nil, false
	}
	if i == 0 || i == len(b)-1 {
		return nil, b, true
	}
	return b[:i], b[i+1:], true
}

// next reads the next start tag, end tag or run of character data;
// comments, processing instructions and directives are skipped. At the end
// of the input after the last element it returns io.EOF.
func (s *scanner) next() error {
	if s.pendingEnd {
		s.pendingEnd = false
		s.tokLine = s.line
		return s.pop(s.space, s.local)
	}
	for {
		s.tokLine = s.line
		b, ok := s.getc()
		if !ok {
			if s.rerr != io.EOF {
				return s.rerr
			}
			if len(s.stack) > 0 {
				return s.syntax("unexpected EOF")
			}
			return io.EOF
		}
		if b != '<' {
			s.ungetc(b)
			return s.charData()
		}
		if b, err := s.mustgetc(); err != nil {
			return err
		} else {
			switch b {
			case '/':
				return s.endTag()
			case '?':
				if err := s.procInst(); err != nil {
					return err
				}
				continue
			case '!':
				b, err := s.mustgetc()
				if err != nil {
					return err
				}
				switch b {
				case '-':
					if err := s.comment(); err != nil {
						return err
					}
				case '[':
					for i := 0; i < 6; i++ {
						c, err := s.mustgetc()
						if err != nil {
							return err
						}
						if c != "CDATA["[i] {
							return s.syntax("invalid <![ sequence")
						}
					}
					text, err := s.readText(-1, true)
					if err != nil {
						return err
					}
					s.text, s.kind = text, tokText
					return nil
				default:
					if err := s.directive(b); err != nil {
						return err
					}
				}
				continue
			default:
				s.ungetc(b)
				return s.startTag()
			}
		}
	}
}

func (s *scanner) charData() error {
	text, err := s.readText(-1, false)
	if err != nil {
		return err
	}
	s.text, s.kind = text, tokText
	return nil
}

// prefixedName reads a name into s.nameBuf after its first keep bytes
// (which stay: an element's name while its attributes are read) and splits
// it at the prefix; syntax is the error when no valid name stands there.
func (s *scanner) prefixedName(keep int, syntax string) (space, local []byte, err error) {
	nb, ok, err := s.readName(s.nameBuf[:keep])
	s.nameBuf = nb
	if err != nil {
		return nil, nil, err
	}
	space, local, ok2 := splitName(nb[keep:])
	if !ok || !ok2 {
		return nil, nil, s.syntax(syntax)
	}
	return space, local, nil
}

func (s *scanner) startTag() error {
	space, local, err := s.prefixedName(0, "expected element name after <")
	if err != nil {
		return err
	}
	root := len(s.stack) == 0
	// Push the raw name; the token's slices point into the stack arena.
	off := len(s.stackNames)
	s.stackNames = append(s.stackNames, space...)
	s.stackNames = append(s.stackNames, local...)
	s.stack = append(s.stack, stackEntry{off: off, spaceLen: len(space), localLen: len(local)})
	nameEnd := len(s.nameBuf)
	s.hasCcy = false
	s.ccy = s.ccy[:0]
	var rootNS map[string]string
	empty := false
	for {
		s.skipSpace()
		b, err := s.mustgetc()
		if err != nil {
			return err
		}
		if b == '/' {
			if b, err = s.mustgetc(); err != nil {
				return err
			}
			if b != '>' {
				return s.syntax("expected /> in element")
			}
			empty = true
			break
		}
		if b == '>' {
			break
		}
		s.ungetc(b)
		aSpace, aLocal, err := s.prefixedName(nameEnd, "expected attribute name in element")
		if err != nil {
			return err
		}
		s.skipSpace()
		if b, err = s.mustgetc(); err != nil {
			return err
		}
		if b != '=' {
			return s.syntax("attribute name without = in element")
		}
		s.skipSpace()
		if b, err = s.mustgetc(); err != nil {
			return err
		}
		if b != '"' && b != '\'' {
			return s.syntax("unquoted or missing attribute value in element")
		}
		val, err := s.readText(int(b), false)
		if err != nil {
			return err
		}
		if string(aLocal) == "Ccy" {
			s.ccy, s.hasCcy = append(s.ccy[:0], val...), true
		}
		if root {
			if rootNS == nil {
				rootNS = map[string]string{}
			}
			switch {
			case string(aSpace) == "xmlns":
				rootNS[string(aLocal)] = string(val)
			case len(aSpace) == 0 && string(aLocal) == "xmlns":
				rootNS[""] = string(val)
			}
		}
	}
	e := s.stack[len(s.stack)-1]
	s.space = s.stackNames[e.off : e.off+e.spaceLen]
	s.local = s.stackNames[e.off+e.spaceLen : e.off+e.spaceLen+e.localLen]
	if root {
		s.rootSpace = translate(string(s.space), string(s.local), rootNS)
	}
	s.pendingEnd = empty
	s.kind = tokStart
	return nil
}

// translate resolves an element's prefix like encoding/xml: an unknown
// prefix stays as it is.
func translate(space, local string, ns map[string]string) string {
	switch {
	case space == "xmlns":
		return space
	case space == "xml":
		space = "http://www.w3.org/XML/1998/namespace"
	case space == "" && local == "xmlns":
		return space
	}
	if v, ok := ns[space]; ok {
		return v
	}
	return space
}

func (s *scanner) endTag() error {
	space, local, err := s.prefixedName(0, "expected element name after </")
	if err != nil {
		return err
	}
	s.skipSpace()
	b, err := s.mustgetc()
	if err != nil {
		return err
	}
	if b != '>' {
		return s.syntax("invalid characters between </" + string(local) + " and >")
	}
	return s.pop(space, local)
}

// pop closes the innermost element, which must be space:local.
func (s *scanner) pop(space, local []byte) error {
	if len(s.stack) == 0 {
		return s.syntax("unexpected end element </" + string(local) + ">")
	}
	e := s.stack[len(s.stack)-1]
	tSpace := s.stackNames[e.off : e.off+e.spaceLen]
	tLocal := s.stackNames[e.off+e.spaceLen : e.off+e.spaceLen+e.localLen]
	if !bytes.Equal(tLocal, local) {
		return s.syntax("element <" + string(tLocal) + "> closed by </" + string(local) + ">")
	}
	if !bytes.Equal(tSpace, space) {
		ns := string(space)
		if ns == "" {
			ns = `""`
		}
		return s.syntax("element <" + string(tLocal) + "> in space " + string(tSpace) + " closed by </" + string(local) + "> in space " + ns)
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.stackNames = s.stackNames[:e.off]
	// The arena keeps its bytes until overwritten by the next push.
	s.space, s.local = tSpace, tLocal
	s.kind = tokEnd
	return nil
}

// procInst skips <?target ...?>, checking the XML declaration's version
// and encoding.
func (s *scanner) procInst() error {
	nb, ok, err := s.readName(s.nameBuf[:0])
	s.nameBuf = nb
	if err != nil {
		return err
	}
	if !ok {
		return s.syntax("expected target name after <?")
	}
	isXML := string(nb) == "xml"
	s.skipSpace()
	data := s.textBuf[:0]
	var b0 byte
	for {
		b, err := s.mustgetc()
		if err != nil {
			return err
		}
		if isXML {
			data = append(data, b)
		}
		if b0 == '?' && b == '>' {
			break
		}
		b0 = b
	}
	s.textBuf = data
	if isXML {
		content := string(data[:len(data)-2])
		if ver := procInstParam("version", content); ver != "" && ver != "1.0" {
			return s.syntax(fmt.Sprintf("unsupported XML version %q; only version 1.0 is supported", ver))
		}
		if enc := procInstParam("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return s.syntax(fmt.Sprintf("encoding %q is not supported: only UTF-8 files can be read (convert the file to UTF-8)", enc))
		}
	}
	return nil
}

// procInstParam finds param="value" in a processing instruction the way
// encoding/xml does.
func procInstParam(param, s string) string {
	param += "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// comment skips a comment whose "<!-" has been read.
func (s *scanner) comment() error {
	b, err := s.mustgetc()
	if err != nil {
		return err
	}
	if b != '-' {
		return s.syntax("invalid sequence <!- not part of <!--")
	}
	var b0, b1 byte
	for {
		b, err := s.mustgetc()
		if err != nil {
			return err
		}
		if b0 == '-' && b1 == '-' {
			if b != '>' {
				return s.syntax(`invalid sequence "--" not allowed in comments`)
			}
			return nil
		}
		b0, b1 = b1, b
	}
}

// directive skips <!DOCTYPE ...> and the like, whose first byte after "<!"
// is b, with encoding/xml's rules for nesting, quotes and comments.
func (s *scanner) directive(byte) error {
	var inquote byte
	depth := 0
	for {
		b, err := s.mustgetc()
		if err != nil {
			return err
		}
		if inquote == 0 && b == '>' && depth == 0 {
			return nil
		}
	handle:
		switch {
		case b == inquote:
			inquote = 0
		case inquote != 0:
		case b == '\'' || b == '"':
			inquote = b
		case b == '>':
			depth--
		case b == '<':
			const open = "!--"
			for i := 0; i < len(open); i++ {
				if b, err = s.mustgetc(); err != nil {
					return err
				}
				if b != open[i] {
					depth++
					goto handle
				}
			}
			var b0, b1 byte
			for {
				if b, err = s.mustgetc(); err != nil {
					return err
				}
				if b0 == '-' && b1 == '-' && b == '>' {
					break
				}
				b0, b1 = b1, b
			}
		}
	}
}

// textSpecial marks the bytes readText must look at one by one; all others
// are printable ASCII copied as they are.
var textSpecial = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c < 0x20 || c >= utf8.RuneSelf
	}
	for _, c := range []byte{'<', '&', ']', '>', '"', '\''} {
		t[c] = true
	}
	t['\t'] = false
	return t
}()

func inCharRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

var errEntity = errors.New("entity")

// readText reads character data (quote < 0: up to '<'), an attribute
// value (up to the closing quote) or a CDATA section (up to "]]>"), with
// entities decoded and line ends normalised, into s.textBuf. The result is
// valid until the next call.
func (s *scanner) readText(quote int, cdata bool) ([]byte, error) {
	out := s.textBuf[:0]
	defer func() { s.textBuf = out[:0] }()
	brackets := 0   // ']' immediately before, for "]]>"
	prevCR := false // the byte before was '\r'
	for {
		if s.pos >= s.end && !s.fill() {
			if s.rerr != io.EOF {
				return nil, s.rerr
			}
			if cdata {
				return nil, s.syntax("unexpected EOF in CDATA section")
			}
			if quote >= 0 {
				return nil, s.syntax("unexpected EOF")
			}
			return out, nil
		}
		buf := s.buf[:s.end]
		i := s.pos
		for i < len(buf) && !textSpecial[buf[i]] {
			i++
		}
		if i > s.pos {
			out = append(out, buf[s.pos:i]...)
			s.pos = i
			brackets, prevCR = 0, false
			if i == len(buf) {
				continue
			}
		}
		b := buf[i]
		switch {
		case b == '>' && brackets >= 2 && quote < 0:
			s.pos++
			if cdata {
				return out[:len(out)-2], nil
			}
			return nil, s.syntax("unescaped ]]> not in CDATA section")
		case b == '<' && !cdata:
			if quote >= 0 {
				return nil, s.syntax("unescaped < inside quoted string")
			}
			return out, nil
		case quote >= 0 && int(b) == quote:
			s.pos++
			return out, nil
		case b == '&' && !cdata:
			s.pos++
			var err error
			if out, err = s.entity(out); err != nil {
				return nil, err
			}
			brackets, prevCR = 0, false
			continue
		case b == '\r':
			s.pos++
			out = append(out, '\n')
			brackets, prevCR = 0, true
			continue
		case b == '\n':
			s.pos++
			s.line++
			if !prevCR {
				out = append(out, '\n')
			}
			brackets, prevCR = 0, false
			continue
		case b == ']':
			s.pos++
			out = append(out, b)
			brackets++
			prevCR = false
			continue
		case b < utf8.RuneSelf:
			s.pos++
			if b < 0x20 && b != '\t' {
				return nil, s.syntax(fmt.Sprintf("illegal character code %U", rune(b)))
			}
			out = append(out, b)
			brackets, prevCR = 0, false
			continue
		}
		// A multi-byte rune: make sure all of it is in the buffer.
		if s.end-s.pos < utf8.UTFMax && !utf8.FullRune(s.buf[s.pos:s.end]) && s.rerr == nil {
			s.fill()
			continue
		}
		r, n := utf8.DecodeRune(s.buf[s.pos:s.end])
		if r == utf8.RuneError && n == 1 {
			return nil, s.syntax("invalid UTF-8")
		}
		if !inCharRange(r) {
			return nil, s.syntax(fmt.Sprintf("illegal character code %U", r))
		}
		out = append(out, s.buf[s.pos:s.pos+n]...)
		s.pos += n
		brackets, prevCR = 0, false
	}
}

// entity decodes a character or entity reference whose '&' has been read,
// appending it to out. Only the five predefined entities exist.
func (s *scanner) entity(out []byte) ([]byte, error) {
	b, err := s.mustgetc()
	if err != nil {
		return nil, err
	}
	if b == '#' {
		if b, err = s.mustgetc(); err != nil {
			return nil, err
		}
		base := rune(10)
		if b == 'x' {
			base = 16
			if b, err = s.mustgetc(); err != nil {
				return nil, err
			}
		}
		var n rune
		digits := 0
		for {
			var d rune
			switch {
			case '0' <= b && b <= '9':
				d = rune(b - '0')
			case base == 16 && 'a' <= b && b <= 'f':
				d = rune(b-'a') + 10
			case base == 16 && 'A' <= b && b <= 'F':
				d = rune(b-'A') + 10
			default:
				d = -1
			}
			if d < 0 {
				break
			}
			digits++
			if n <= utf8.MaxRune {
				n = n*base + d
			}
			if b, err = s.mustgetc(); err != nil {
				return nil, err
			}
		}
		if b != ';' || digits == 0 || n > utf8.MaxRune {
			return nil, s.syntax("invalid character entity &#...")
		}
		// string(rune(n)) in encoding/xml: surrogates become U+FFFD, which
		// is allowed; anything else must be a legal XML character.
		if n >= 0xD800 && n <= 0xDFFF {
			n = utf8.RuneError
		}
		if !inCharRange(n) {
			return nil, s.syntax(fmt.Sprintf("illegal character code %U", n))
		}
		return utf8.AppendRune(out, n), nil
	}
	var name [8]byte
	k := 0
	for {
		if b == ';' {
			break
		}
		if k == len(name) || !nameByte[b] {
			return nil, s.syntax("invalid character entity &" + string(name[:k]) + " (no semicolon)")
		}
		name[k] = b
		k++
		if b, err = s.mustgetc(); err != nil {
			return nil, err
		}
	}
	switch string(name[:k]) {
	case "lt":
		return append(out, '<'), nil
	case "gt":
		return append(out, '>'), nil
	case "amp":
		return append(out, '&'), nil
	case "apos":
		return append(out, '\''), nil
	case "quot":
		return append(out, '"'), nil
	}
	return nil, s.syntax("invalid character entity &" + string(name[:k]) + ";")
}
