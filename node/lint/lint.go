// Package lint enforces the determinism rules of ARCHITECTURE.md on the
// sources under node/: no goroutines, channels, select or locks; no wall
// time; no operating-system, network or entropy packages; no global
// math/rand. The rules are checked syntactically with go/ast, so they also
// run on source text in tests (see lint_test.go) to prove each one bites.
package lint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// Violation is one broken rule at a position.
type Violation struct {
	Pos  token.Position
	Rule string
}

func (v Violation) String() string { return fmt.Sprintf("%s: %s", v.Pos, v.Rule) }

// forbiddenImports are packages node/ may not import at all, with the reason.
var forbiddenImports = map[string]string{
	"sync":         "locks and sync primitives (rule 1)",
	"sync/atomic":  "atomics (rule 1)",
	"os":           "the os package: use disk (rule 3)",
	"os/exec":      "the os package (rule 3)",
	"os/signal":    "the os package (rule 3)",
	"net":          "the stdlib net package: use jsnode/net (rule 3)",
	"net/http":     "the stdlib net package (rule 3)",
	"syscall":      "syscall (rule 3)",
	"crypto/rand":  "crypto/rand: use Env.Rand (rule 3)",
	"math/rand":    "math/rand v1: use a *rand.Rand from math/rand/v2 handed in (rule 3)",
	"hash/maphash": "hash/maphash is randomly seeded per process (rule 3)",
	"io/ioutil":    "io/ioutil touches files (rule 3)",
	"log":          "the log package writes to stderr with wall time: use Env.Log (rules 2, 3)",
	"context":      "context deadlines use wall time (rule 2)",
	"runtime":      "runtime scheduling and GC hooks (rule 1)",
	"unsafe":       "unsafe (pointer-dependent behaviour)",
	"time/tzdata":  "time zone loading touches files",
}

// forbiddenCalls are package-level functions that read wall time, start
// timers, print to the process's stdout or use global randomness.
var forbiddenCalls = map[string]map[string]string{
	"time": {
		"Now": "wall time (rule 2)", "Since": "wall time (rule 2)", "Until": "wall time (rule 2)",
		"Sleep": "wall time (rule 2)", "After": "wall time (rule 2)", "AfterFunc": "wall-time timer (rule 2)",
		"NewTimer": "wall-time timer (rule 2)", "NewTicker": "wall-time ticker (rule 2)",
		"Tick": "wall-time ticker (rule 2)", "LoadLocation": "reads the file system (rule 3)",
	},
	"fmt": {
		"Print": "prints to stdout: use Env.Log", "Println": "prints to stdout: use Env.Log",
		"Printf": "prints to stdout: use Env.Log", "Scan": "reads stdin", "Scanln": "reads stdin",
		"Scanf": "reads stdin",
	},
}

// allowedRandV2 are the math/rand/v2 identifiers that build a seeded
// source; every other package-level function uses the global generator.
var allowedRandV2 = map[string]bool{
	"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true,
	"Rand": true, "Source": true, "PCG": true, "ChaCha8": true, "Zipf": true,
}

// projectImportsAllowed are the only jsnode packages outside node/ that
// node/ may import: the seams, never their real implementations.
var projectImportsAllowed = map[string]bool{
	"jsnode/clock": true, "jsnode/net": true, "jsnode/disk": true,
}

// CheckSource parses one file's source and returns its violations.
func CheckSource(filename string, src []byte) ([]Violation, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	c := &checker{fset: fset, names: map[string]string{}}
	c.checkImports(f)
	ast.Inspect(f, c.visit)
	sort.Slice(c.out, func(i, j int) bool { return c.out[i].Pos.Offset < c.out[j].Pos.Offset })
	return c.out, nil
}

type checker struct {
	fset  *token.FileSet
	names map[string]string // local import name -> import path
	out   []Violation
}

func (c *checker) report(pos token.Pos, rule string) {
	c.out = append(c.out, Violation{Pos: c.fset.Position(pos), Rule: rule})
}

func (c *checker) checkImports(f *ast.File) {
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		if why, bad := forbiddenImports[path]; bad {
			c.report(imp.Pos(), "import of "+path+": "+why)
		}
		if strings.HasPrefix(path, "jsnode/") && !strings.HasPrefix(path, "jsnode/node/") && !projectImportsAllowed[path] {
			c.report(imp.Pos(), "import of "+path+": node/ may import only the clock, net and disk seams")
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if path == "math/rand/v2" {
			name = "rand"
		}
		if imp.Name != nil {
			name = imp.Name.Name
		}
		c.names[name] = path
	}
}

func (c *checker) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.GoStmt:
		c.report(n.Pos(), "go statement (rule 1)")
	case *ast.SelectStmt:
		c.report(n.Pos(), "select statement (rule 1)")
	case *ast.SendStmt:
		c.report(n.Pos(), "channel send (rule 1)")
	case *ast.ChanType:
		c.report(n.Pos(), "channel type (rule 1)")
	case *ast.UnaryExpr:
		if n.Op == token.ARROW {
			c.report(n.Pos(), "channel receive (rule 1)")
		}
	case *ast.SelectorExpr:
		c.checkSelector(n)
	}
	return true
}

func (c *checker) checkSelector(sel *ast.SelectorExpr) {
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return
	}
	path, ok := c.names[id.Name]
	if !ok {
		return
	}
	if why, bad := forbiddenCalls[path][sel.Sel.Name]; bad {
		c.report(sel.Pos(), path+"."+sel.Sel.Name+": "+why)
	}
	if path == "math/rand/v2" && !allowedRandV2[sel.Sel.Name] {
		c.report(sel.Pos(), "math/rand/v2."+sel.Sel.Name+" uses the global generator: use Env.Rand (rule 3)")
	}
}
