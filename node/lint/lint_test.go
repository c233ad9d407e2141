package lint

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNodeIsDeterministic checks every non-test source file under node/.
func TestNodeIsDeterministic(t *testing.T) {
	root := ".."
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		vs, err := CheckSource(path, src)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		for _, v := range vs {
			t.Errorf("determinism rule broken: %s", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 {
		t.Fatalf("checked only %d files under node/: the walk is broken", files)
	}
}

// TestLintCatchesEachRule proves every rule fires on a small bad source.
func TestLintCatchesEachRule(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"go statement", "func f() { go f() }", "go statement"},
		{"channel type", "var c chan int", "channel type"},
		{"channel send", "func f(c chan int) { c <- 1 }", "channel send"},
		{"channel receive", "func f(c chan int) { <-c }", "channel receive"},
		{"select", "func f() { select {} }", "select statement"},
		{"sync import", "import \"sync\"\nvar mu sync.Mutex", "import of sync"},
		{"atomic import", "import \"sync/atomic\"\nvar n atomic.Int64", "import of sync/atomic"},
		{"time.Now", "import \"time\"\nvar t = time.Now()", "time.Now"},
		{"time.Since", "import \"time\"\nvar d = time.Since(time.Time{})", "time.Since"},
		{"time.Sleep", "import \"time\"\nfunc f() { time.Sleep(1) }", "time.Sleep"},
		{"time.After", "import \"time\"\nvar c = time.After(1)", "time.After"},
		{"time.AfterFunc", "import \"time\"\nvar t = time.AfterFunc(1, nil)", "time.AfterFunc"},
		{"time.NewTimer", "import \"time\"\nvar t = time.NewTimer(1)", "time.NewTimer"},
		{"time.NewTicker", "import \"time\"\nvar t = time.NewTicker(1)", "time.NewTicker"},
		{"renamed time", "import tm \"time\"\nvar t = tm.Now()", "time.Now"},
		{"os", "import \"os\"\nvar _ = os.Args", "import of os"},
		{"stdlib net", "import \"net\"\nvar _ net.Conn", "import of net"},
		{"syscall", "import \"syscall\"\nvar _ = syscall.Getpid", "import of syscall"},
		{"crypto/rand", "import \"crypto/rand\"\nvar _ = rand.Reader", "import of crypto/rand"},
		{"math/rand v1", "import \"math/rand\"\nvar _ = rand.Intn(3)", "import of math/rand"},
		{"math/rand/v2 global", "import \"math/rand/v2\"\nvar _ = rand.IntN(3)", "global generator"},
		{"real implementation", "import \"jsnode/net/tcp\"\nvar _ = tcp.NewLoop", "only the clock, net and disk seams"},
		{"fmt.Println", "import \"fmt\"\nfunc f() { fmt.Println() }", "prints to stdout"},
	}
	for _, c := range cases {
		src := "package p\n" + c.body + "\n"
		vs, err := CheckSource(c.name+".go", []byte(src))
		if err != nil {
			t.Fatalf("%s: parse: %v", c.name, err)
		}
		found := false
		for _, v := range vs {
			if strings.Contains(v.Rule, c.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: want a violation containing %q, got %v", c.name, c.want, vs)
		}
	}
}

// TestLintAcceptsAllowedForms makes sure the rules do not overreach.
func TestLintAcceptsAllowedForms(t *testing.T) {
	src := `package p
import (
	"fmt"
	"math/rand/v2"
	"time"
	"jsnode/clock"
	"jsnode/node/subject"
)
var d = 2 * time.Second
var _ time.Time
var r = rand.New(rand.NewPCG(1, 2))
var _ = fmt.Sprintf("%d", r.IntN(3))
var _ clock.Clock
var _ = subject.Match
`
	vs, err := CheckSource("ok.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 0 {
		t.Fatalf("allowed forms flagged: %v", vs)
	}
}
