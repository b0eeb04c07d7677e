//go:build !failpoints

package node

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/printer"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/failpoint"
)

// TestDefaultBuildHasNoPlantedBug proves that an ordinary build of the node
// (no failpoints tag: what users run) can switch on no planted bug and fire
// no failpoint. Symbol names in the binary are not enough: a default build
// whose switch said "on" for one bug would have the same symbols. So:
//
//  1. the switch itself: in the files this build compiles, the only methods
//     named bug and fail are fp_off.go's, whose bodies are the constants
//     `return false` and `return nil`, on a stateless fp;
//  2. the behaviour: that fp answers false and nil for every bug and point;
//  3. the call sites: every planted bug's name appears in the node's code
//     only as the argument of a .bug(...) call, so no code path decides a
//     bug by itself (as `if !failpoint.Enabled { buggy }` would).
func TestDefaultBuildHasNoPlantedBug(t *testing.T) {
	require.False(t, failpoint.Enabled, "the ordinary build's failpoint switch is a constant false")

	// 2. Behaviour.
	require.Zero(t, unsafe.Sizeof(fp{}), "fp holds no state in the ordinary build")
	f, err := newFP("")
	require.NoError(t, err)
	names := []string{"", "bug-anything"}
	for _, b := range bugs.All {
		names = append(names, b.Name)
	}
	for _, p := range failpoint.NodePoints {
		names = append(names, p.Name)
	}
	for _, n := range names {
		assert.False(t, f.bug(n), "%s is on in the ordinary build", n)
		assert.NoError(t, f.fail(n), "%s fires in the ordinary build", n)
	}

	// 1 and 3. The source of exactly the files this build compiles.
	pkg, err := build.Default.ImportDir(".", 0)
	require.NoError(t, err)
	fset := token.NewFileSet()
	bugNames := map[string]bool{}
	for _, b := range bugs.All {
		bugNames[b.Name] = true
	}
	sawOff := false
	for _, name := range pkg.GoFiles {
		file, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, 0)
		require.NoError(t, err)
		for _, d := range file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || (fd.Name.Name != "bug" && fd.Name.Name != "fail") {
				continue
			}
			require.Equal(t, "fp_off.go", name, "a method %s declared outside fp_off.go could switch a bug on", fd.Name.Name)
			want := map[string]string{"bug": "return false", "fail": "return nil"}[fd.Name.Name]
			assert.Equal(t, want, body(t, fset, fd), "fp_off.go's %s must be the constant %q", fd.Name.Name, want)
			sawOff = true
		}
		// Every use of a bug's name: its constant in package bugs, or the
		// literal string.
		var stack []ast.Node
		ast.Inspect(file, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			named := ""
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok && id.Name == "bugs" && x.Sel.Name != "All" && x.Sel.Name != "Lookup" && x.Sel.Name != "Bug" {
					named = "bugs." + x.Sel.Name
				}
			case *ast.BasicLit:
				if s, err := strconv.Unquote(x.Value); err == nil && bugNames[s] {
					named = s
				}
			}
			if named == "" {
				return true
			}
			var call *ast.CallExpr
			if len(stack) >= 2 {
				call, _ = stack[len(stack)-2].(*ast.CallExpr)
			}
			sel, _ := func() (*ast.SelectorExpr, bool) {
				if call == nil {
					return nil, false
				}
				s, ok := call.Fun.(*ast.SelectorExpr)
				return s, ok
			}()
			assert.True(t, sel != nil && sel.Sel.Name == "bug", "%s: %s used other than as the argument of .bug(...)",
				fset.Position(n.Pos()), named)
			return true
		})
	}
	assert.True(t, sawOff, "fp_off.go's switch was not found in the ordinary build")
}

// body prints a one-statement function body ("return false").
func body(t *testing.T, fset *token.FileSet, fd *ast.FuncDecl) string {
	t.Helper()
	require.Len(t, fd.Body.List, 1, "%s: one statement", fd.Name.Name)
	var b strings.Builder
	require.NoError(t, printer.Fprint(&b, fset, fd.Body.List[0]))
	return b.String()
}
