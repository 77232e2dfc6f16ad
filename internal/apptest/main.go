package apptest

import (
	"testing"

	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// Main is TestMain for a package whose tests use the database: one
// template migrated with Settle's migrations, which each test clones
// (pgtest.Main with postgres.Migrate, so no package names them again).
func Main(m *testing.M) { pgtest.Main(m, postgres.Migrate) }
