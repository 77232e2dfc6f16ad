package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Body limits. The server reads every request body as a stream (fiber.Config
// StreamRequestBody), and limitBodies checks it before any handler or
// middleware reads it, so an oversized body costs no memory: one whose
// Content-Length is too large is refused before a byte of it is read.
const (
	// FormLimit is the most a browser form, a provider webhook or any other
	// route without a limit of its own may send.
	FormLimit = 64 << 10
	// APILimit is the most a request of the creditor API may send (JSON).
	APILimit = 1 << 20
)

// Upload is a route whose handler reads a large body as a stream, up to Max
// bytes: the only routes allowed more than FormLimit or APILimit.
type Upload struct {
	Method string
	// Path is the route as Fiber writes it: /invoices/:id/dispute.
	Path string
	Max  int64
	// Hint tells what to do instead, after the 413's message.
	Hint string
	// Form says the upload is a multipart form; a post of another kind to
	// the route is a small form like any other, with FormLimit.
	Form bool
}

// matches tells whether path is the route's; a :name matches one segment.
// Like Fiber's router it ignores case and a trailing slash.
func (u Upload) matches(method, path string) bool {
	if method != u.Method {
		return false
	}
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	want, got := strings.Split(u.Path, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		if strings.HasPrefix(w, ":") && got[i] != "" || strings.EqualFold(w, got[i]) {
			continue
		}
		return false
	}
	return true
}

// ErrBodyTooLarge is what reading an upload's body gives past its limit.
var ErrBodyTooLarge = errors.New("request body too large")

// uploadKey is the context key of an upload's limited body stream.
const uploadKey = "server.upload"

// limitedBody fails, rather than stopping quietly, once more than n bytes are
// read, so a handler can tell "too large" from the end of the body.
type limitedBody struct {
	r     io.Reader
	n     int64
	parts *multipart.Reader
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, ErrBodyTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, ErrBodyTooLarge
	}
	return n, err
}

// limitBodies gives every route its body limit. An upload route's handler
// gets the body as a limited stream (UploadBody, UploadParts); any other
// route's body is read here, at most its limit, and then handed on as usual,
// so c.Body and c.FormValue never read more than the limit.
func limitBodies(uploads []Upload) fiber.Handler {
	return func(c *fiber.Ctx) error {
		stream := c.Context().RequestBodyStream()
		if stream == nil {
			return c.Next()
		}
		path := c.Path()
		limit, upload, hint := int64(FormLimit), false, ""
		if strings.HasPrefix(path, "/api/") {
			limit = APILimit
		}
		multipartBody := bytes.HasPrefix(c.Request().Header.ContentType(), []byte(fiber.MIMEMultipartForm))
		for _, u := range uploads {
			if u.matches(c.Method(), path) && (!u.Form || multipartBody) {
				limit, upload, hint = u.Max, true, u.Hint
				break
			}
		}
		if int64(c.Request().Header.ContentLength()) > limit {
			return tooLarge(c, limit, hint)
		}
		if upload {
			// The handler may stop reading halfway (a file too large, a
			// malformed statement); the rest of the body must not be taken
			// for the next request on this connection.
			c.Context().SetConnectionClose()
			c.Locals(uploadKey, &limitedBody{r: stream, n: limit})
			return c.Next()
		}
		body, err := io.ReadAll(io.LimitReader(stream, limit+1))
		if err != nil {
			c.Context().SetConnectionClose()
			return fiber.NewError(fiber.StatusBadRequest, "the request body could not be read")
		}
		if int64(len(body)) > limit {
			return tooLarge(c, limit, "")
		}
		c.Request().SetBody(body)
		return c.Next()
	}
}

// tooLarge refuses a body without reading the rest of it, and closes the
// connection, since what is left of the body cannot start the next request.
func tooLarge(c *fiber.Ctx, limit int64, hint string) error {
	c.Context().SetConnectionClose()
	msg := fmt.Sprintf("the request body is larger than %s, the most this address accepts", size(limit))
	if hint != "" {
		msg += ": " + hint
	}
	if strings.HasPrefix(c.Path(), "/api/") {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, msg)
	}
	// Plain text, not an error page: the page would have to say something
	// about forms, and most of what is refused here is no form at all.
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.Status(fiber.StatusRequestEntityTooLarge).SendString("Request body too large: " + msg + ".\n")
}

// size writes a byte count the way the limits are set: 64 KiB, 1 MiB, 51 MiB.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// UploadBody is the body of an Upload route as a stream that gives
// ErrBodyTooLarge past the route's limit; nil on any other route.
func UploadBody(c *fiber.Ctx) io.Reader {
	if b, ok := c.Locals(uploadKey).(*limitedBody); ok {
		return b
	}
	return nil
}

// uploadParts is UploadParts for the CSRF check, with false on a route that
// is no Upload.
func uploadParts(c *fiber.Ctx) (*multipart.Reader, bool, error) {
	if _, ok := c.Locals(uploadKey).(*limitedBody); !ok {
		return nil, false, nil
	}
	parts, err := UploadParts(c)
	return parts, true, err
}

// UploadParts reads the multipart form of an Upload route part by part, after
// the CSRF token (which the server has read and checked when it came first in
// the form). Reading past the route's limit gives ErrBodyTooLarge.
func UploadParts(c *fiber.Ctx) (*multipart.Reader, error) {
	b, ok := c.Locals(uploadKey).(*limitedBody)
	if !ok {
		return nil, fiber.NewError(fiber.StatusBadRequest, "this address takes no upload")
	}
	if b.parts == nil {
		boundary := string(c.Request().Header.MultipartFormBoundary())
		if boundary == "" {
			return nil, fiber.NewError(fiber.StatusBadRequest, "send the form as multipart/form-data")
		}
		b.parts = multipart.NewReader(b, boundary)
	}
	return b.parts, nil
}
