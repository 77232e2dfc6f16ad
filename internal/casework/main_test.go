package casework_test

import (
	"testing"

	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

// TestMain gives the package's tests one migrated template database; each
// test clones its own with pgtest.New.
func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }
