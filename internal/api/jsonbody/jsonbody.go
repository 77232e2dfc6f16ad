// Package jsonbody is the creditor API's strict JSON body decoder. It lives
// apart from package api so that its fuzz target runs without the API
// tests' PostgreSQL (a fuzz worker re-runs the package's TestMain).
package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Error is a refused body: Status is 400 (malformed: not exactly one JSON
// object) or 422 (invalid: Field names the field, e.g. "address.city").
type Error struct {
	Status  int
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Decode is the API's one strict JSON decoder: it reads body into v. A body that is not exactly
// one JSON object is 400 (malformed): two objects, trailing data and syntax
// errors are refused rather than half read. Inside it, every string (keys
// too) must be valid UTF-8 without lone surrogate escapes or control
// characters other than tab and newlines, unknown fields are refused, and a
// value of the wrong type is refused: each of these is 422 naming the field.
// encoding/json alone would replace bad UTF-8 and lone surrogates with
// U+FFFD and drop unknown fields, storing something the creditor never sent.
func Decode(body []byte, v any) error {
	// Only JSON's own whitespace (RFC 8259: space, tab, CR, LF) may surround
	// the value; bytes.TrimSpace would also drop a form feed or a vertical
	// tab, which no JSON parser accepts.
	body = bytes.Trim(body, " \t\r\n")
	if len(body) == 0 || body[0] != '{' {
		return malformed("the body must be a JSON object")
	}
	if !json.Valid(body) {
		// Tell "two values" apart from broken syntax: both are 400, but
		// the message should say which.
		dec := json.NewDecoder(bytes.NewReader(body))
		var first json.RawMessage
		if dec.Decode(&first) == nil {
			return malformed("the body must hold exactly one JSON object, with nothing after it")
		}
		return malformed("the body is not valid JSON")
	}
	keys, err := checkStrings(body)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return invalid(te.Field, "%s must be a %s", te.Field, jsonType(te.Type.Kind().String()))
		}
		// encoding/json reports unknown fields only in its message, without
		// their path: name the first key of that name in the body.
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name, _ = strconv.Unquote(name)
			for _, k := range keys {
				if k == name || strings.HasSuffix(k, "."+name) {
					name = k
					break
				}
			}
			return invalid(name, "%s is not a field of this request", name)
		}
		return malformed("the body is not valid JSON")
	}
	return nil
}

func malformed(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "malformed", Message: msg}
}

func invalid(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: field, Message: fmt.Sprintf(format, args...)}
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "int64", "int", "int32":
		return "whole number"
	case "bool":
		return "boolean"
	case "slice":
		return "list"
	}
	return "object"
}

// checkStrings walks a body that json.Valid accepted and checks every string
// in it, naming the field ("address.city", "invoice_ids[2]") of the first bad
// one. It returns the path of every key, in the order of the body.
func checkStrings(body []byte) ([]string, error) {
	w := walker{b: body}
	err := w.value("")
	return w.keys, err
}

// walker is a cursor over syntactically valid JSON.
type walker struct {
	b    []byte
	i    int
	keys []string
}

func (w *walker) space() {
	for w.i < len(w.b) && strings.IndexByte(" \t\r\n", w.b[w.i]) >= 0 {
		w.i++
	}
}

func (w *walker) value(path string) error {
	w.space()
	switch w.b[w.i] {
	case '{':
		w.i++
		for {
			w.space()
			if w.b[w.i] == '}' {
				w.i++
				return nil
			}
			if w.b[w.i] == ',' {
				w.i++
				w.space()
			}
			key, err := w.str(path)
			if err != nil {
				return err
			}
			w.space()
			w.i++ // the colon
			field := key
			if path != "" {
				field = path + "." + key
			}
			w.keys = append(w.keys, field)
			if err := w.value(field); err != nil {
				return err
			}
		}
	case '[':
		w.i++
		for n := 0; ; n++ {
			w.space()
			if w.b[w.i] == ']' {
				w.i++
				return nil
			}
			if w.b[w.i] == ',' {
				w.i++
			}
			if err := w.value(fmt.Sprintf("%s[%d]", path, n)); err != nil {
				return err
			}
		}
	case '"':
		_, err := w.str(path)
		return err
	default: // number, true, false, null
		for w.i < len(w.b) && strings.IndexByte(",]} \t\r\n", w.b[w.i]) < 0 {
			w.i++
		}
		return nil
	}
}

// str reads the string at the cursor, decoding escapes, and refuses invalid
// UTF-8, lone surrogates and control characters; errors name field.
func (w *walker) str(field string) (string, error) {
	w.i++ // the opening quote
	var out strings.Builder
	for {
		c := w.b[w.i]
		switch {
		case c == '"':
			w.i++
			return out.String(), nil
		case c == '\\':
			r, err := w.escape(field)
			if err != nil {
				return "", err
			}
			if err := checkRune(r, field); err != nil {
				return "", err
			}
			out.WriteRune(r)
		default:
			r, size := utf8.DecodeRune(w.b[w.i:])
			if r == utf8.RuneError && size == 1 {
				return "", invalid(field, "%s is not valid UTF-8 text", fieldName(field))
			}
			if err := checkRune(r, field); err != nil {
				return "", err
			}
			out.WriteRune(r)
			w.i += size
		}
	}
}

// escape decodes the escape at the cursor; a \u escape of half a surrogate
// pair must be followed by the other half.
func (w *walker) escape(field string) (rune, error) {
	w.i++ // the backslash
	c := w.b[w.i]
	w.i++
	if c != 'u' {
		return map[byte]rune{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}[c], nil
	}
	r := w.hex4()
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if r < 0xDC00 && w.i+6 <= len(w.b) && w.b[w.i] == '\\' && w.b[w.i+1] == 'u' {
		w.i += 2
		if pair := utf16.DecodeRune(r, w.hex4()); pair != utf8.RuneError {
			return pair, nil
		}
	}
	return 0, invalid(field, "%s holds half of a UTF-16 surrogate pair (a lone \\ud800-\\udfff escape)", fieldName(field))
}

func (w *walker) hex4() rune {
	n, _ := strconv.ParseUint(string(w.b[w.i:w.i+4]), 16, 32) // json.Valid checked the digits
	w.i += 4
	return rune(n)
}

// checkRune refuses control characters: a NUL or an escape sequence in a
// name ends up in letters, PDFs and SQL. Tab and line breaks are left for
// the handlers to allow in multi-line fields only.
func checkRune(r rune, field string) error {
	if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
		return invalid(field, "%s must not contain control characters (found U+%04X)", fieldName(field), r)
	}
	return nil
}

// fieldName is how a message names a field; a key itself has no path yet.
func fieldName(field string) string {
	if field == "" {
		return "a field name"
	}
	return field
}
