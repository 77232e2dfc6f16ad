// Package archtest holds the tests that keep Settle's layout honest (issue
// R): handler packages reach internal/postgres only for its types, and the
// status values of Settle's entities are spelled only where they are
// defined.
//
// Mechanism: go/parser and go/ast over the source, in a plain go test. It
// needs no build of the dependencies and no module beyond the standard
// library (golang.org/x/tools, which go/analysis would need, is not a direct
// dependency), so it runs in a second with every `go test ./...`. Being
// syntactic, it follows the store through names: a selector postgres.X
// whose X is not a type or constant of internal/postgres, and a method
// called on a field, parameter or variable declared as *postgres.DB (the
// store handle every handler holds). A store value reached another way
// (say, the result of a call) is not followed.
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const (
	module       = "github.com/settle/settle"
	postgresPath = module + "/internal/postgres"
)

// parsePackage parses the non-test files of the package at pkg (a path
// from the module root), or fails the test.
func parsePackage(t *testing.T, fset *token.FileSet, pkg string) []*ast.File {
	t.Helper()
	files, err := parseDir(fset, filepath.Join(root, pkg), false)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// parseDir parses the .go files of one directory (not recursive); tests
// says whether _test.go files are included.
func parseDir(fset *token.FileSet, dir string, tests bool) ([]*ast.File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || (!tests && strings.HasSuffix(name, "_test.go")) {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// typesAndConsts lists the package-level type and constant names declared in files.
func typesAndConsts(files []*ast.File) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || (g.Tok != token.TYPE && g.Tok != token.CONST) {
				continue
			}
			for _, s := range g.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					out[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						out[n.Name] = true
					}
				}
			}
		}
	}
	return out
}

// storeUses reports, for the files of one package, every use of the store
// other than its types and constants, as "postgres.X" (a package-level
// function or variable) or "DB.Method" (a method of the store handle), once
// each, sorted. allowed names the types and constants of internal/postgres.
func storeUses(files []*ast.File, allowed map[string]bool) []string {
	// The name each file gives internal/postgres, if it imports it.
	locals := map[*ast.File]string{}
	for _, f := range files {
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == postgresPath {
				locals[f] = "postgres"
				if imp.Name != nil {
					locals[f] = imp.Name.Name
				}
			}
		}
	}
	// Names (fields, parameters, variables) declared anywhere in the
	// package as the store handle.
	handles := map[string]bool{}
	for f, local := range locals {
		isDB := func(t ast.Expr) bool {
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			sel, ok := t.(*ast.SelectorExpr)
			if !ok {
				return false
			}
			x, ok := sel.X.(*ast.Ident)
			return ok && x.Name == local && sel.Sel.Name == "DB"
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var names []*ast.Ident
			switch n := n.(type) {
			case *ast.Field:
				if isDB(n.Type) {
					names = n.Names
				}
			case *ast.ValueSpec:
				if n.Type != nil && isDB(n.Type) {
					names = n.Names
				}
			}
			for _, id := range names {
				handles[id.Name] = true
			}
			return true
		})
	}
	seen := map[string]bool{}
	for _, f := range files {
		local := locals[f]
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch x := sel.X.(type) {
			case *ast.Ident:
				if local != "" && x.Name == local && !allowed[sel.Sel.Name] {
					seen["postgres."+sel.Sel.Name] = true
				} else if handles[x.Name] && x.Name != local {
					seen["DB."+sel.Sel.Name] = true
				}
			case *ast.SelectorExpr:
				if handles[x.Sel.Name] {
					seen["DB."+sel.Sel.Name] = true
				}
			}
			return true
		})
	}
	return slices.Sorted(maps.Keys(seen))
}

// statusValues reads the status values from the constants whose type name
// ends in Status or State, declared in files (internal/collect).
func statusValues(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				v := s.(*ast.ValueSpec)
				t, ok := v.Type.(*ast.Ident)
				if !ok || !(strings.HasSuffix(t.Name, "Status") || strings.HasSuffix(t.Name, "State")) {
					continue
				}
				for i, val := range v.Values {
					lit, ok := val.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					if s, err := strconv.Unquote(lit.Value); err == nil {
						out[s] = t.Name + " " + v.Names[i].Name
					}
				}
			}
		}
	}
	return out
}

// statusLiterals reports every string literal in files whose value is a
// status value, as "<file path relative to root> <quoted value>", once
// each, sorted. Generated files are skipped.
func statusLiterals(fset *token.FileSet, root string, files []*ast.File, values map[string]string) []string {
	seen := map[string]bool{}
	for _, f := range files {
		if ast.IsGenerated(f) {
			continue
		}
		name, err := filepath.Rel(root, fset.Position(f.Pos()).Filename)
		if err != nil {
			name = fset.Position(f.Pos()).Filename
		}
		name = filepath.ToSlash(name)
		ast.Inspect(f, func(n ast.Node) bool {
			// Struct tags and import paths are literals too, but never equal a bare status value.
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && values[s] != "" {
				seen[name+" "+strconv.Quote(s)] = true
			}
			return true
		})
	}
	return slices.Sorted(maps.Keys(seen))
}
