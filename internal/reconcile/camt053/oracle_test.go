package camt053

// encoding/xml as a second token reader for the parser: kept only as the
// oracle of the differential tests against scanner.go. Everything after
// tokenising (the tree, the entries, the errors' shape) is the parser's own,
// so the comparison is between the two readers of XML.

import (
	"encoding/xml"
	"errors"
	"io"
)

// xmlParse is Parse with encoding/xml reading the tokens.
func xmlParse(r io.Reader, onStatement func(Statement) error, onEntry func(Statement, Entry) error) error {
	s := newScanner(nil)
	p := &parser{s: s, onStatement: onStatement, onEntry: onEntry}
	p.next = xmlTokens(xml.NewDecoder(r), s)
	return p.document()
}

// xmlTokens returns a next func that fills s's current token from d, as
// scanner.next does: start and end tags with their local name (the root's
// namespace resolved), character data, and nothing else.
func xmlTokens(d *xml.Decoder, s *scanner) func() error {
	depth := 0
	return func() error {
		for {
			line, _ := d.InputPos()
			s.tokLine = line
			tok, err := d.Token()
			s.line, _ = d.InputPos()
			if err != nil {
				var se *xml.SyntaxError
				if errors.As(err, &se) {
					return &syntaxError{Line: se.Line, Msg: se.Msg}
				}
				return err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				s.kind, s.local, s.hasCcy, s.ccy = tokStart, []byte(t.Name.Local), false, nil
				for _, a := range t.Attr {
					if a.Name.Local == "Ccy" {
						s.ccy, s.hasCcy = []byte(a.Value), true
					}
				}
				if depth == 0 {
					s.rootSpace = t.Name.Space
				}
				depth++
				return nil
			case xml.EndElement:
				s.kind, s.local = tokEnd, []byte(t.Name.Local)
				depth--
				return nil
			case xml.CharData:
				s.kind, s.text = tokText, append(s.text[:0], t...)
				return nil
			}
		}
	}
}
