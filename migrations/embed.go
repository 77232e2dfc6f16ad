// Package migrations holds the numbered SQL files that build Settle's schema.
// They are embedded in the binary and applied by goose at start-up.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
