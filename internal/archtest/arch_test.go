package archtest

import (
	"bufio"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// root is the module's root, seen from this package's directory.
const root = "../.."

// handlerPackages are the packages that parse, call a use case and render.
var handlerPackages = []string{"internal/portal", "internal/console", "internal/api", "internal/webhooks", "internal/jobs"}

// statusFree lists what the status literal check skips: the package that
// defines the statuses, the store (its SQL names them), and the provider
// packages, whose literals are the providers' own words (Mollie's "open" is
// not ours; pay/mollie maps it onto collect's statuses in one place).
var statusFree = []string{"internal/collect", "internal/postgres", "internal/pay/mollie", "internal/pay/molliefake", "internal/pay/stripe", "internal/pay/stripemock"}

// readList reads an allowlist: one entry per line; blank lines and text
// after # are ignored.
func readList(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compare fails for every use not in allowed, and for every allowed entry
// no longer used (so the allowlist only shrinks).
func compare(t *testing.T, list string, uses, allowed []string, fix string) {
	t.Helper()
	for _, u := range uses {
		if !slices.Contains(allowed, u) {
			t.Errorf("%s: %s", u, fix)
		}
	}
	for _, a := range allowed {
		if !slices.Contains(uses, a) {
			t.Errorf("%s is no longer used: delete its line from %s", a, list)
		}
	}
}

// TestHandlersUseStoreTypesOnly fails when a handler package uses
// internal/postgres for more than its types and constants. The uses that
// remain today are listed in handler_store_uses.txt; issue R's use-case
// layer empties that list.
func TestHandlersUseStoreTypesOnly(t *testing.T) {
	fset := token.NewFileSet()
	store := parsePackage(t, fset, "internal/postgres")
	allowed := typesAndConsts(store)
	var uses []string
	for _, pkg := range handlerPackages {
		files := parsePackage(t, fset, pkg)
		for _, u := range storeUses(files, allowed) {
			uses = append(uses, pkg+" "+u)
		}
	}
	compare(t, "handler_store_uses.txt", uses, readList(t, "handler_store_uses.txt"),
		"a handler calls the store; call a use case instead")
}

// TestStatusLiterals fails when a status value of collect's entities is
// spelled as a string literal outside collect and the store. The few
// literals that are another vocabulary's words which happen to equal a
// status are listed, with the reason, in status_literal_uses.txt.
func TestStatusLiterals(t *testing.T) {
	fset := token.NewFileSet()
	defs := parsePackage(t, fset, "internal/collect")
	values := statusValues(defs)
	if len(values) < 20 {
		t.Fatalf("found only %d status values in internal/collect", len(values))
	}
	var uses []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if name := d.Name(); rel != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "vendor" || slices.Contains(statusFree, rel)) {
			return filepath.SkipDir
		}
		files, err := parseDir(fset, path, false)
		if err != nil {
			return err
		}
		uses = append(uses, statusLiterals(fset, root, files, values)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "status_literal_uses.txt", uses, readList(t, "status_literal_uses.txt"),
		"a status spelled as a literal; use collect's constant")
}
