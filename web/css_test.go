package web

import (
	"regexp"
	"testing"
)

// The stylesheet uses logical properties only, so dir="rtl" mirrors the whole
// layout for Arabic; one "margin-left" would keep a piece on the wrong side.
func TestStylesheetMirrors(t *testing.T) {
	css, err := Static.ReadFile("static/settle.css")
	if err != nil {
		t.Fatal(err)
	}
	physical := regexp.MustCompile(`(?m)(^|[\s;{])((margin|padding|border)-(left|right)|left|right)\s*:|text-align:\s*(left|right)|float:\s*(left|right)`)
	for _, m := range physical.FindAll(regexp.MustCompile(`/\*[\s\S]*?\*/`).ReplaceAll(css, nil), -1) {
		t.Errorf("settle.css uses a physical direction: %q; use inline-start/inline-end", m)
	}
}
