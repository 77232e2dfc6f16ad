package portal_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/settle/settle/internal/portal"
	"github.com/settle/settle/web"
)

// TestStaticCompressed: the stylesheet (it blocks the first paint) and
// copy.js go gzipped to a browser that accepts it, and unpack to the files
// we ship; a page does not (it carries the CSRF token: BREACH). Pages link
// the files by an address with the file's hash, which may be cached for a
// year; the plain address, or an old hash, for an hour.
func TestStaticCompressed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, start)
	get := func(path string) (*http.Response, []byte) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := e.App.Fiber.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d, %v", path, res.StatusCode, err)
		}
		return res, b
	}
	for _, name := range []string{"settle.css", "copy.js"} {
		res, b := get(portal.AssetURL(name))
		want, err := web.Static.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if ce := res.Header.Get("Content-Encoding"); ce != "gzip" {
			t.Fatalf("%s: Content-Encoding %q, want gzip", name, ce)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: unpacks to %d bytes (%v), want the %d bytes of web/static/%s", name, len(got), err, len(want), name)
		}
		if len(b) >= len(want) {
			t.Errorf("%s: %d bytes gzipped, not less than %d", name, len(b), len(want))
		}
	}
	res, b := get("/")
	if ce := res.Header.Get("Content-Encoding"); ce != "" || !bytes.Contains(b, []byte("_csrf")) {
		t.Errorf("/: Content-Encoding %q (want none), or no CSRF token in the page to protect", ce)
	}
	css := portal.AssetURL("settle.css")
	if !bytes.Contains(b, []byte(`<link rel="stylesheet" href="`+css+`">`)) || !strings.Contains(css, "?v=") {
		t.Errorf("/ does not link the stylesheet as %s, with its hash", css)
	}
	for path, want := range map[string]string{
		css:                           "public, max-age=31536000, immutable",
		portal.AssetURL("copy.js"):    "public, max-age=31536000, immutable",
		"/static/settle.css":          "public, max-age=3600",
		"/static/settle.css?v=0ld0ne": "public, max-age=3600",
	} {
		if res, _ := get(path); res.Header.Get("Cache-Control") != want {
			t.Errorf("%s: Cache-Control %q, want %q", path, res.Header.Get("Cache-Control"), want)
		}
	}
}
