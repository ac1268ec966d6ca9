package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The domain and the use cases report problems as codes with parameters
// (domain.FieldError has no message): the parameters are the values of a
// rule, never a sentence. A literal with a space, or a formatted string,
// among the values of a domain.Params literal is prose that belongs to an
// adapter's wording.
func TestProblemsCarryNoProse(t *testing.T) {
	for _, dir := range []string{"../../domain", "../../app"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if lit, ok := n.(*ast.CompositeLit); ok && isParams(lit.Type) {
					for _, el := range lit.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok && isProse(kv.Value) {
							t.Errorf("%s: a problem's parameter is a sentence; word it in the HTTP adapter", fset.Position(kv.Pos()))
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// isParams tells a domain.Params type (Params inside package domain).
func isParams(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.SelectorExpr:
		return t.Sel.Name == "Params"
	case *ast.Ident:
		return t.Name == "Params"
	}
	return false
}

// isProse tells a string literal with a space, or a call of fmt.
func isProse(e ast.Expr) bool {
	switch v := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(v.Value)
		return v.Kind == token.STRING && err == nil && strings.ContainsRune(s, ' ')
	case *ast.CallExpr:
		sel, ok := v.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		return ok && pkg.Name == "fmt"
	}
	return false
}
