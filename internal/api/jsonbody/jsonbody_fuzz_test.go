package jsonbody

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// fuzzRequest has the shapes the API's requests have: text, a nested object,
// a list and a raw amount.
type fuzzRequest struct {
	Name    string                `json:"name"`
	Address struct{ City string } `json:"address"`
	IDs     []string              `json:"invoice_ids"`
	Amount  json.RawMessage       `json:"amount"`
}

// FuzzDecodeRequest checks the API's one JSON decoder: it never panics, it
// answers only 400 or 422, and what it accepts is one valid JSON object whose
// every string is valid UTF-8 without control characters other than tab and
// line breaks. The corpus is in testdata/fuzz/FuzzDecodeRequest.
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Jan","address":{"City":"Utrecht"},"invoice_ids":["a","b"],"amount":100}`,
		`{"name":"Els\u0000"}`,
		`{"name":"\ud83d\ude00"}`,
		`{"name":"\ud800"}`,
		`{"name":"x"}{"name":"y"}`,
		`{"nickname":"x"}`,
		"{\"name\":\"\xff\"}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req fuzzRequest
		err := Decode(body, &req)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Status != 400 && e.Status != 422) || e.Message == "" {
				t.Fatalf("Decode(%q) = %v, want a 400 or 422 Error", body, err)
			}
			return
		}
		if !json.Valid(body) || !utf8.Valid(body) {
			t.Fatalf("accepted %q, which is not one valid UTF-8 JSON value", body)
		}
		for _, s := range append([]string{req.Name, req.Address.City}, req.IDs...) {
			if !utf8.ValidString(s) {
				t.Fatalf("accepted invalid UTF-8 %q from %q", s, body)
			}
			if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && !strings.ContainsRune("\t\r\n", r) }) {
				t.Fatalf("accepted a control character in %q from %q", s, body)
			}
			// A lone surrogate would have come through as U+FFFD; one sent
			// as the character itself is fine, so only escapes are checked.
			if strings.ContainsRune(s, utf8.RuneError) && !strings.Contains(string(body), "\uFFFD") && !strings.Contains(strings.ToLower(string(body)), `\ufffd`) {
				t.Fatalf("accepted a replaced character in %q from %q", s, body)
			}
		}
	})
}
