package archtest

import (
	"go/ast"
	"go/token"
	"maps"
	"slices"
	"strconv"
	"testing"
)

// maxHandlerLines is the longest body a handler may have: a handler parses,
// calls one use case and renders, which fits in 40 lines; a longer one is
// doing the use case's work.
const maxHandlerLines = 40

// lengthCheckedPackages are the handler packages whose handlers the length
// check measures (issue R: portal, console and api).
var lengthCheckedPackages = []string{"internal/portal", "internal/console", "internal/api"}

// routeMethods are the fiber.Router methods that register handlers.
var routeMethods = []string{"Get", "Head", "Post", "Put", "Patch", "Delete", "Options", "All", "Use", "Add"}

// TestHandlerLength fails when a handler in portal, console or api has a
// body longer than maxHandlerLines. A handler is every function literal in
// those packages (middleware closures and inline routes included) and every
// function or method passed to a route registration, directly or through a
// wrapper such as co.h(co.login). The handlers still too long are listed in
// handler_length.txt, which only shrinks.
func TestHandlerLength(t *testing.T) {
	fset := token.NewFileSet()
	var long []string
	for _, pkg := range lengthCheckedPackages {
		files := parsePackage(t, fset, pkg)
		for _, h := range longHandlers(fset, files, maxHandlerLines) {
			long = append(long, pkg+" "+h)
		}
	}
	compare(t, "handler_length.txt", long, readList(t, "handler_length.txt"),
		"a handler longer than 40 lines; move its work into a use case")
}

// longHandlers reports, for the files of one package, the handlers whose
// body is longer than limit lines (the lines between the braces): a
// function or method by its name, a function literal as "<enclosing
// function>.func", once each, sorted.
func longHandlers(fset *token.FileSet, files []*ast.File, limit int) []string {
	decls := map[string][]*ast.FuncDecl{}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				decls[fd.Name.Name] = append(decls[fd.Name.Name], fd)
			}
		}
	}
	tooLong := func(body *ast.BlockStmt) bool {
		return fset.Position(body.Rbrace).Line-fset.Position(body.Lbrace).Line-1 > limit
	}
	seen := map[string]bool{}
	// registered marks the functions named among a registration's
	// arguments, looking into wrapper calls and handler slices.
	var registered func(e ast.Expr)
	registered = func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.Ident:
			for _, fd := range decls[e.Name] {
				if tooLong(fd.Body) {
					seen[fd.Name.Name] = true
				}
			}
		case *ast.SelectorExpr:
			registered(e.Sel)
		case *ast.CallExpr:
			for _, a := range e.Args {
				registered(a)
			}
		case *ast.CompositeLit:
			for _, a := range e.Elts {
				registered(a)
			}
		}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					if tooLong(n.Body) {
						seen[fd.Name.Name+".func"] = true
					}
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && slices.Contains(routeMethods, sel.Sel.Name) {
						for _, a := range n.Args {
							// The path is a string; everything else may name a handler.
							if lit, ok := a.(*ast.BasicLit); !ok || lit.Kind != token.STRING {
								registered(a)
							}
						}
					}
				}
				return true
			})
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// TestHandlerLengthChecker shows the length check can fail: a long method
// registered directly, one registered through a wrapper and a long inline
// closure are found; a long function that is no handler, and short
// handlers, are not.
func TestHandlerLengthChecker(t *testing.T) {
	long := func(name string) string {
		src := "func " + name + " {\n"
		for i := range 5 {
			src += "\t_ = " + strconv.Itoa(i) + "\n"
		}
		return src + "}\n"
	}
	fset := token.NewFileSet()
	f := parseSrc(t, fset, "h.go", `package portal
func (p *Portal) Register(app Router) {
	app.Get("/a", p.direct)
	app.Post("/b", p.auth, p.h(p.wrapped))
	app.Get("/c", p.short)
	app.Use(func(c *Ctx) error {
		_ = 1
		_ = 2
		_ = 3
		_ = 4
		return nil
	})
	c.Get("X-Header")
}
func (p *Portal) short(c *Ctx) error { return nil }
`+long("(p *Portal) direct(c *Ctx) error")+long("(p *Portal) wrapped(c *Ctx) error")+long("(p *Portal) notAHandler()"))
	got := longHandlers(fset, []*ast.File{f}, 4)
	want := []string{"Register.func", "direct", "wrapped"}
	if !slices.Equal(got, want) {
		t.Errorf("longHandlers = %q, want %q", got, want)
	}
}
