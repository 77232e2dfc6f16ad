package browsertest

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// strictCSP is the portal's policy: no script may come from the page.
const strictCSP = "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'"

// testCSS is served as /s.css; the CSP blocks inline styles.
const testCSS = `.faint { color: #ccc; background: #fff } .wide { width: 1000px } .tall { height: 1500px }
a.block { display: block; width: 300px; height: 20px }`

// serve serves html at / under strictCSP, and testCSS.
func serve(t *testing.T, html string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", strictCSP)
		if r.URL.Path == "/s.css" {
			w.Header().Set("Content-Type", "text/css")
			_, _ = w.Write([]byte(testCSS))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(html))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestAxeUnderStrictCSP checks that axe-core runs on a page whose CSP blocks
// every script, and that it finds what it should: a harness that always
// reports zero violations would prove nothing.
func TestAxeUnderStrictCSP(t *testing.T) {
	ctx := Browser(t)
	url := serve(t, `<!doctype html><html><head><title>Broken</title><link rel="stylesheet" href="/s.css">
<style>h1 { color: rgb(1, 2, 3) }</style></head><body><main>
<h1>Form</h1><input type="text" name="postcode"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<a href="#x" class="block"></a>
<p class="faint">faint text</p>
<p class="wide">wide</p>
</main></body></html>`)
	if code := Open(t, ctx, url); code != 200 {
		t.Fatalf("status %d", code)
	}
	// The inline <style> is blocked, the stylesheet is not.
	if got := Eval[string](t, ctx, `getComputedStyle(document.querySelector("h1")).color`); got == "rgb(1, 2, 3)" {
		t.Fatal("the test page's CSP is not in force")
	}
	if got := Eval[string](t, ctx, `getComputedStyle(document.querySelector(".faint")).color`); got != "rgb(204, 204, 204)" {
		t.Fatalf("the test stylesheet did not load: color %s", got)
	}
	res := RunAxe(t, ctx)
	var ids []string
	for _, v := range res.Violations {
		ids = append(ids, v.ID)
		if len(v.Nodes) == 0 || len(v.Nodes[0].Target) == 0 || v.Help == "" {
			t.Errorf("violation %s lacks detail: %+v", v.ID, v)
		}
	}
	for _, want := range []string{"html-has-lang", "label", "image-alt", "link-name", "color-contrast"} {
		if !slices.Contains(ids, want) {
			t.Errorf("axe found %v, want %s among them", ids, want)
		}
	}
	if Eval[int](t, ctx, "document.documentElement.scrollWidth") <= Width {
		t.Error("a 1000 px paragraph does not scroll sideways")
	}
}

// TestAxeCleanPage checks a good page gets no violations, and screenshots
// have the phone's width.
func TestAxeCleanPage(t *testing.T) {
	ctx := Browser(t)
	url := serve(t, `<!doctype html><html lang="en"><head><title>Fine</title><link rel="stylesheet" href="/s.css"></head><body>
<a href="#main">Skip</a><main id="main"><h1>Fine</h1><p>Plain text.</p>`+
		`<div class="tall">tall</div><label for="pc">Postcode</label><input id="pc"></main></body></html>`)
	Open(t, ctx, url)
	if res := Axe(t, ctx, "clean page"); len(res.Violations) != 0 || res.Passes == 0 {
		t.Errorf("clean page: %d violations, %d passes", len(res.Violations), res.Passes)
	}
	Keys(t, ctx, "\t")
	if got := Eval[string](t, ctx, "document.activeElement.textContent"); got != "Skip" {
		t.Errorf("Tab focuses %q", got)
	}
	Fill(t, ctx, "#pc", "1234 AB")
	if got := Eval[string](t, ctx, `document.querySelector("#pc").value`); got != "1234 AB" {
		t.Errorf("filled %q", got)
	}
	if got := Text(t, ctx, "h1"); got != "Fine" {
		t.Errorf("Text(h1) = %q", got)
	}
	Screenshot(t, ctx, "clean")
	b, err := os.ReadFile(filepath.Join(RepoRoot(t), "artifacts", "screenshots", t.Name(), "clean.png"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != Width || cfg.Height < 1500 {
		t.Errorf("screenshot is %dx%d, want %d wide and the full page (over 1500) high", cfg.Width, cfg.Height, Width)
	}
}

func TestClock(t *testing.T) {
	var c Clock
	if d := time.Since(c.Now()); d < 0 || d > time.Second {
		t.Fatalf("zero Clock is %v off real time", d)
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	c.Set(at)
	if d := c.Now().Sub(at); d < 0 || d > time.Second {
		t.Fatalf("set Clock is %v off", d)
	}
	c.Advance(15 * time.Minute)
	if d := c.Now().Sub(at.Add(15 * time.Minute)); d < 0 || d > time.Second {
		t.Fatalf("advanced Clock is %v off", d)
	}
	c.Real()
	if d := time.Since(c.Now()); d < 0 || d > time.Second {
		t.Fatalf("Clock back on real time is %v off", d)
	}
}
