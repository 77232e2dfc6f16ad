package mollie

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is an error answer from the Mollie API: an HTTP status of 400 or more,
// with the fields of Mollie's error body when it sent one.
type Error struct {
	// Status is the HTTP status code (Mollie repeats it in the body).
	Status int
	// Title is the HTTP reason phrase, e.g. "Unprocessable Entity". For a
	// body that is not Mollie's JSON (a proxy's HTML page) it is the
	// standard status text.
	Title string
	// Detail is Mollie's human-readable explanation, if any.
	Detail string
	// Field names the request field that caused the error, if any
	// (e.g. "amount.value" or "description").
	Field string
	// DocumentationURL is _links.documentation.href, if present.
	DocumentationURL string
}

// Error formats the error without any request headers, so the API key can
// never end up in a log line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mollie: %d %s", e.Status, e.Title)
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " (field %s)", e.Field)
	}
	return b.String()
}

// Temporary reports whether repeating the same request later may succeed:
// server errors (5xx) and rate limiting (429). Client errors such as 401 or
// 422 will fail the same way again until something is changed.
func (e *Error) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// transportError wraps a failure to get any HTTP answer at all (DNS,
// connection refused, reset, TLS, timeout). It is deliberately not an *Error:
// there is no status, and the request may or may not have reached Mollie,
// which is why creating payments carries an Idempotency-Key.
type transportError struct {
	op  string
	err error
}

func (e *transportError) Error() string { return "mollie: " + e.op + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// IsTemporary reports whether err is worth retrying later: a Mollie 5xx or
// 429, a network failure or a timeout. A context cancelled by the caller is
// not temporary: the caller chose to stop.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var me *Error
	if errors.As(err, &me) {
		return me.Temporary()
	}
	var te *transportError
	if errors.As(err, &te) {
		return !errors.Is(err, context.Canceled)
	}
	return false
}

// IsNotFound reports whether err is Mollie's 404, e.g. an unknown payment id.
func IsNotFound(err error) bool {
	var me *Error
	return errors.As(err, &me) && me.Status == http.StatusNotFound
}
