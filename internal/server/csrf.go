package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"

	"github.com/gofiber/fiber/v2"
)

// CSRFCookie holds the browser's random CSRF nonce.
const CSRFCookie = "settle_csrf"

// CSRFField is the form field every form carries.
const CSRFField = "_csrf"

// csrf protects every browser form: a double-submit token bound to a random
// nonce in an HttpOnly cookie by an HMAC with a server key. It keeps no state,
// so any number of server processes share it, and it needs no Referer (every
// page sends Referrer-Policy: no-referrer). Fetch metadata refuses cross-site
// posts outright. The token for the page is in c.Locals("csrf").
func csrf(key []byte, secure bool, skip func(path string) bool) fiber.Handler {
	sign := func(nonce string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(nonce))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	return func(c *fiber.Ctx) error {
		if skip(c.Path()) {
			return c.Next()
		}
		nonce := c.Cookies(CSRFCookie)
		fresh := len(nonce) != 43
		if fresh {
			raw := make([]byte, 32)
			if _, err := rand.Read(raw); err != nil {
				return err
			}
			nonce = base64.RawURLEncoding.EncodeToString(raw)
			c.Cookie(&fiber.Cookie{Name: CSRFCookie, Value: nonce, Path: "/", HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteLaxMode})
		}
		token := sign(nonce)
		c.Locals("csrf", token)
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return c.Next()
		}
		if c.Get("Sec-Fetch-Site") == "cross-site" || fresh || !hmac.Equal([]byte(c.FormValue(CSRFField)), []byte(token)) {
			return fiber.NewError(fiber.StatusForbidden, "form expired or forged")
		}
		return c.Next()
	}
}

// RotateCSRF gives the browser a new nonce on its next page, as at sign-in,
// so a token seen before signing in is worth nothing after.
func RotateCSRF(c *fiber.Ctx, secure bool) {
	c.Cookie(&fiber.Cookie{Name: CSRFCookie, Value: "", Path: "/", HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1})
}
