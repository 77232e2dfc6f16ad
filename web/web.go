// Package web holds the HTML templates and the one stylesheet, embedded in the binary.
package web

import "embed"

// Templates holds the page templates (html/template syntax).
//
//go:embed templates/*.html
var Templates embed.FS

// Locales holds the translation files, one TOML file per language
// (go-i18n format; see internal/i18n). Dutch, nl.toml, is the reference.
//
//go:embed locales/*.toml
var Locales embed.FS

// Static holds files served as they are under /static/.
//
//go:embed static
var Static embed.FS
