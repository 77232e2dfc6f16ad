package console_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/portal"
)

// The console links its stylesheets by hash, as the portal does, so a
// browser keeps them for a year; the portal's stylesheet at the very
// address the portal links it. An address without the current hash still
// gets the file, for an hour.
func TestConsoleStylesheetsAreHashAddressed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.Client()
	r := c.Get("/console/login")
	apptest.WantStatus(t, "login", r, http.StatusOK)
	apptest.WantContains(t, "login", r.Body, `<link rel="stylesheet" href="`+portal.AssetURL("settle.css")+`">`)
	m := regexp.MustCompile(`<link rel="stylesheet" href="(/console/static/console\.css\?v=[0-9a-f]{12})">`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("the login page links no hash-addressed console stylesheet")
	}
	for path, want := range map[string]string{
		portal.AssetURL("settle.css"):          "public, max-age=31536000, immutable",
		m[1]:                                   "public, max-age=31536000, immutable",
		"/console/static/console.css":          "public, max-age=3600",
		"/console/static/console.css?v=0ld0ne": "public, max-age=3600",
	} {
		r := c.Get(path)
		apptest.WantStatus(t, path, r, http.StatusOK)
		if got := r.Header.Get("Cache-Control"); got != want {
			t.Errorf("%s: Cache-Control %q, want %q", path, got, want)
		}
	}
}
