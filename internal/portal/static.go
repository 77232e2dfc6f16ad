package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/settle/settle/web"
)

// The pages link their stylesheet and script as /static/<name>?v=<hash of
// the file>, so a browser may keep them for a year: a new file is a new
// address. Lighthouse's uses-long-cache-ttl found the hour they had. An
// address without the current hash (an old page, a hand-typed link) still
// gets the file, cached for an hour.
const (
	staticImmutable = "public, max-age=31536000, immutable"
	staticMaxAge    = 3600
)

// staticHashes maps each file in web/static to the first 12 hex digits of
// its SHA-256.
var staticHashes = func() map[string]string {
	hashes := map[string]string{}
	_ = fs.WalkDir(web.Static, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := web.Static.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		hashes[strings.TrimPrefix(path, "static/")] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return hashes
}()

// AssetURL is the address a page links a file of web/static by (the
// layout's asset function).
func AssetURL(name string) string {
	return "/static/" + name + "?v=" + staticHashes[name]
}

func init() { pageFuncs["asset"] = AssetURL }

// registerStatic serves web/static. The stylesheet blocks the first paint,
// so the files go compressed (settle.css: 5.8 KB, 1.9 KB gzipped;
// Lighthouse's uses-text-compression flagged it). The pages themselves are
// not compressed: each carries the CSRF token beside text taken from the
// request, which compression would let an observer guess by the length
// (BREACH).
func registerStatic(app *fiber.App) {
	static, _ := fs.Sub(web.Static, "static")
	app.Use("/static", compress.New(), func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return err
		}
		name := strings.TrimPrefix(c.Path(), "/static/")
		if h, ok := staticHashes[name]; ok && c.Query("v") == h && c.Response().StatusCode() == http.StatusOK {
			c.Set(fiber.HeaderCacheControl, staticImmutable)
		}
		return nil
	}, filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: staticMaxAge}))
}
