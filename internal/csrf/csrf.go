// Package csrf guards every browser form: a double-submit token bound by an
// HMAC with a server key to a random nonce in an HttpOnly cookie and to the
// session. It keeps no state, so any number of server processes share it,
// and it needs no Referer (every page sends Referrer-Policy: no-referrer).
package csrf

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Cookie holds the browser's random nonce on http; on https the cookie is
// HostCookie.
const Cookie = "settle_csrf"

// HostCookie is the nonce cookie on https: the __Host- prefix makes the
// browser refuse it unless it is Secure, for Path=/ and set by this host
// itself, so a neighbouring subdomain cannot plant its own nonce.
const HostCookie = "__Host-" + Cookie

// Field is the form field every form carries.
const Field = "_csrf"

// Header may carry the token instead of the form field.
const Header = "X-CSRF-Token"

// localsKey is where New leaves the page's token for Token.
const localsKey = "csrf"

// SessionCookie names the cookie that holds the session under a path: the
// token of a page under Path is bound to the session in it.
type SessionCookie struct {
	Path string
	Name string
}

// Config is what the check needs.
type Config struct {
	// Key signs the tokens.
	Key []byte
	// HTTPS makes the nonce cookie Secure and __Host-.
	HTTPS bool
	// Skip tells the routes that take no browser forms.
	Skip func(path string) bool
	// Sessions are the session cookies a token is bound to.
	Sessions []SessionCookie
	// Upload gives the multipart form of a route whose body is read as a
	// stream, and false on any other route; the token must be its first
	// field, so it is checked before any file is read.
	Upload func(c *fiber.Ctx) (*multipart.Reader, bool, error)
}

func (k Config) cookieName() string {
	if k.HTTPS {
		return HostCookie
	}
	return Cookie
}

// mac is HMAC-SHA-256 under the server's key of the NUL-separated parts,
// shortened to 16 bytes.
func (k Config) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, k.Key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return m.Sum(nil)[:16]
}

// token is the two halves of a page's token: the first binds it to the
// browser's nonce, the second to the nonce and the session the page was
// rendered in ("" before sign-in).
func (k Config) token(nonce, session string) []byte {
	return append(k.mac("nonce", nonce), k.mac("session", nonce, session)...)
}

// session is the value of the session cookie that governs path: the one with
// the longest matching path.
func (k Config) session(c *fiber.Ctx) string {
	path, best, value := c.Path(), -1, ""
	for _, s := range k.Sessions {
		inside := s.Path == "/" || path == s.Path || strings.HasPrefix(path, s.Path+"/")
		if inside && len(s.Path) > best {
			best, value = len(s.Path), c.Cookies(s.Name)
		}
	}
	return value
}

// valid tells whether a posted token belongs to this browser. With a session,
// both halves must match, so a token from another browser (another nonce or
// another session) fails even with its own nonce cookie planted beside the
// victim's session. Without one (before sign-in, or the page right after
// signing out, rendered while the session still existed), the nonce half is
// enough: there is no session to protect, only the pre-session nonce.
func (k Config) valid(posted, nonce, session string) bool {
	got, err := base64.RawURLEncoding.DecodeString(posted)
	if err != nil || len(got) != 32 {
		return false
	}
	want := k.token(nonce, session)
	if !hmac.Equal(got[:16], want[:16]) {
		return false
	}
	return session == "" || hmac.Equal(got[16:], want[16:])
}

// New returns the check. Fetch metadata refuses cross-site posts outright.
// The token is read from the form body or the X-CSRF-Token header, never
// from the query string, where it would leak into logs and history. The
// token for the page is Token(c).
func New(k Config) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if k.Skip != nil && k.Skip(c.Path()) {
			return c.Next()
		}
		nonce := c.Cookies(k.cookieName())
		fresh := len(nonce) != 43
		if fresh {
			raw := make([]byte, 32)
			if _, err := rand.Read(raw); err != nil {
				return err
			}
			nonce = base64.RawURLEncoding.EncodeToString(raw)
			c.Cookie(&fiber.Cookie{Name: k.cookieName(), Value: nonce, Path: "/", HTTPOnly: true, Secure: k.HTTPS, SameSite: fiber.CookieSameSiteLaxMode})
		}
		session := k.session(c)
		c.Locals(localsKey, base64.RawURLEncoding.EncodeToString(k.token(nonce, session)))
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return c.Next()
		}
		if c.Get("Sec-Fetch-Site") == "cross-site" || fresh {
			return forged()
		}
		posted, err := k.posted(c)
		if err != nil {
			return err
		}
		if !k.valid(posted, nonce, session) {
			return forged()
		}
		return c.Next()
	}
}

// Token is the token the page of this request puts in its forms; "" on a
// route the check skips.
func Token(c *fiber.Ctx) string {
	tok, _ := c.Locals(localsKey).(string)
	return tok
}

func forged() error { return fiber.NewError(fiber.StatusForbidden, "form expired or forged") }

// posted is the token of a post: the header, or the form field of a
// urlencoded or multipart body. An upload's multipart form must carry the
// token as its first field (every form puts it first), so it is checked
// before any file is read.
func (k Config) posted(c *fiber.Ctx) (string, error) {
	if h := c.Get(Header); h != "" {
		return h, nil
	}
	req := c.Request()
	if k.Upload != nil {
		parts, upload, err := k.Upload(c)
		if upload {
			if err != nil {
				return "", forged()
			}
			p, err := parts.NextPart()
			if err != nil || p.FormName() != Field || p.FileName() != "" {
				return "", forged()
			}
			tok, err := io.ReadAll(io.LimitReader(p, 64))
			if err != nil {
				return "", forged()
			}
			return string(tok), nil
		}
	}
	if bytes.HasPrefix(req.Header.ContentType(), []byte(fiber.MIMEMultipartForm)) {
		form, err := req.MultipartForm()
		if err != nil || len(form.Value[Field]) == 0 {
			return "", nil
		}
		return form.Value[Field][0], nil
	}
	// PostArgs is the urlencoded body only, never the query string.
	return string(req.PostArgs().Peek(Field)), nil
}

// Rotate gives the browser a new nonce on its next page, as at sign-in, so a
// token seen before signing in is worth nothing after.
func Rotate(c *fiber.Ctx, secure bool) {
	name := Cookie
	if secure {
		name = HostCookie
	}
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1})
}
