package api

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/api/jsonbody"
)

// decode reads a POST body into v with the strict jsonbody.Decode; every
// JSON handler uses it, so every route refuses the same bad input the same way.
func decode(c *fiber.Ctx, v any) error {
	err := jsonbody.Decode(c.Body(), v)
	var je *jsonbody.Error
	if errors.As(err, &je) {
		return &Problem{Status: je.Status, Code: je.Code, Field: je.Field, Message: je.Message}
	}
	return err
}

// text trims s and checks it as a single-line text field of at most max
// characters; required refuses an empty value.
func text(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", invalid(field, "%s is required", field)
	}
	if strings.ContainsAny(s, "\t\r\n") {
		return "", invalid(field, "%s must be one line, without tabs or line breaks", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", invalid(field, "%s is %d characters long; at most %d are allowed", field, n, max)
	}
	return s, nil
}
