package console

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/web"
)

// The layout links its stylesheets as <path>?v=<hash of the file>, as the
// portal does (portal.AssetURL), so a browser keeps them for a year: a new
// file is a new address. An address without the current hash (an old
// page) still gets the file, cached for an hour.
const (
	staticImmutable = "public, max-age=31536000, immutable"
	staticHour      = "public, max-age=3600"
)

// assetHash is the first 12 hex digits of b's SHA-256, the hash the
// portal's static files are addressed by.
func assetHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

var (
	stylesheetHash = assetHash(stylesheet)
	// portalCSS is the portal's stylesheet (web/static/settle.css), which
	// the console shares, at the address the portal serves it immutable.
	portalCSS = func() string {
		b, _ := web.Static.ReadFile("static/settle.css")
		return "/static/settle.css?v=" + assetHash(b)
	}()
)

func init() {
	funcs["portalCSS"] = func() string { return portalCSS }
	funcs["consoleCSS"] = func() string { return prefix + "/static/console.css?v=" + stylesheetHash }
}

// serveStylesheet answers the console's stylesheet, for a year at the
// layout's address and for an hour at any other.
func serveStylesheet(c *fiber.Ctx) error {
	cache := staticHour
	if c.Query("v") == stylesheetHash {
		cache = staticImmutable
	}
	c.Set(fiber.HeaderCacheControl, cache)
	c.Type("css", "utf-8")
	return c.Send(stylesheet)
}
