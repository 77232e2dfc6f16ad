package camt053

import (
	"bytes"
	"errors"
	"strings"
)

// Limits on a single buffered element (one <Ntry>, one statement header
// child). They bound memory for hostile or broken input; real entries, even
// large batch bookings with thousands of TxDtls, stay far below them.
const (
	maxTreeNodes = 1 << 20
	maxTreeText  = 32 << 20
)

var errTextTooLarge = errors.New("element text too large")

// node is one element of a buffered subtree. Children are linked by index
// rather than pointers so the whole tree lives in one reusable slice and
// decoding the next entry allocates (almost) nothing for the structure.
type node struct {
	name       string
	line       int
	ccy        string // Ccy attribute; Amt is the only element whose attributes are read
	hasCcy     bool
	textOff    int
	textLen    int
	parent     int
	firstChild int
	lastChild  int
	next       int
}

// tree holds one buffered element with all its descendants. Element text is
// kept in a shared byte arena and only turned into strings for the fields
// the parser actually uses.
type tree struct {
	prefix string // path of the root's parent, for error messages ("Stmt/")
	nodes  []node
	text   []byte
	stack  []int
}

// collect reads the content of the start tag the scanner is on (which
// began on line) up to and including its end tag, replacing the tree's
// previous content. The root is node 0.
func (t *tree) collect(p *parser, line int, prefix string) error {
	t.prefix = prefix
	t.nodes = t.nodes[:0]
	t.text = t.text[:0]
	t.stack = t.stack[:0]
	t.add(p.s, line, -1)
	t.stack = append(t.stack, 0)
	for len(t.stack) > 0 {
		cur := t.stack[len(t.stack)-1]
		tokLine, err := p.token()
		if err != nil {
			return p.wrapXMLError(err, t.path(cur))
		}
		switch p.s.kind {
		case tokStart:
			if len(t.nodes) >= maxTreeNodes {
				return &ParseError{Line: tokLine, Element: t.path(0), Msg: "element has too many descendants"}
			}
			t.stack = append(t.stack, t.add(p.s, tokLine, cur))
		case tokEnd:
			t.stack = t.stack[:len(t.stack)-1]
		case tokText:
			if err := t.addText(cur, p.s.text); err != nil {
				return &ParseError{Line: tokLine, Element: t.path(0), Msg: err.Error()}
			}
		}
	}
	return nil
}

// add appends the start tag s is on as a child of parent.
func (t *tree) add(s *scanner, line, parent int) int {
	n := node{name: s.intern(s.local), line: line, parent: parent, firstChild: -1, lastChild: -1, next: -1}
	if s.hasCcy {
		n.ccy, n.hasCcy = s.intern(s.ccy), true
	}
	idx := len(t.nodes)
	t.nodes = append(t.nodes, n)
	if parent >= 0 {
		p := &t.nodes[parent]
		if p.lastChild >= 0 {
			t.nodes[p.lastChild].next = idx
		} else {
			p.firstChild = idx
		}
		p.lastChild = idx
	}
	return idx
}

func (t *tree) addText(n int, data []byte) error {
	nd := &t.nodes[n]
	// Indentation between child elements is by far the most common text;
	// dropping it keeps the arena small. It is only dropped before real text
	// starts so "a<!---->  <!---->b" keeps its inner space.
	if nd.textLen == 0 && len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if len(t.text)+nd.textLen+len(data) > maxTreeText {
		return errTextTooLarge
	}
	switch {
	case nd.textLen == 0:
		nd.textOff = len(t.text)
	case nd.textOff+nd.textLen != len(t.text):
		// Text interrupted by a child element that itself had text: move
		// this node's text to the end of the arena so it stays contiguous.
		// Rare in practice (mixed content does not occur in camt.053).
		t.text = append(t.text, t.text[nd.textOff:nd.textOff+nd.textLen]...)
		nd.textOff = len(t.text) - nd.textLen
	}
	t.text = append(t.text, data...)
	nd.textLen += len(data)
	return nil
}

// child returns the first child of n named name, or -1. A negative n yields
// -1 so lookups can be chained without checks.
func (t *tree) child(n int, name string) int {
	if n < 0 {
		return -1
	}
	for c := t.nodes[n].firstChild; c >= 0; c = t.nodes[c].next {
		if t.nodes[c].name == name {
			return c
		}
	}
	return -1
}

// find follows a path of child names from n, returning -1 if any step is
// missing.
func (t *tree) find(n int, names ...string) int {
	for _, name := range names {
		n = t.child(n, name)
	}
	return n
}

// nextNamed returns the next sibling of c with the same name, or -1; it is
// used to iterate over repeated elements such as TxDtls and Ustrd.
func (t *tree) nextNamed(c int) int {
	if c < 0 {
		return -1
	}
	name := t.nodes[c].name
	for c = t.nodes[c].next; c >= 0; c = t.nodes[c].next {
		if t.nodes[c].name == name {
			return c
		}
	}
	return -1
}

// raw returns n's text with surrounding whitespace removed, without copying.
// The slice is only valid until the next collect.
func (t *tree) raw(n int) []byte {
	if n < 0 {
		return nil
	}
	nd := &t.nodes[n]
	return bytes.TrimSpace(t.text[nd.textOff : nd.textOff+nd.textLen])
}

// str returns n's trimmed text as a string ("" when n is -1).
func (t *tree) str(n int) string {
	b := t.raw(n)
	if len(b) == 0 {
		return ""
	}
	return string(b)
}

// path returns the element path of n for error messages, e.g.
// "Ntry/NtryDtls/TxDtls/Amt".
func (t *tree) path(n int) string {
	if n < 0 {
		return strings.TrimSuffix(t.prefix, "/")
	}
	depth := 0
	for c := n; c >= 0; c = t.nodes[c].parent {
		depth++
	}
	parts := make([]string, depth)
	for c := n; c >= 0; c = t.nodes[c].parent {
		depth--
		parts[depth] = t.nodes[c].name
	}
	return t.prefix + strings.Join(parts, "/")
}
