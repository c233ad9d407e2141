package conf

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fuzzInputMax bounds fuzz inputs; the parser's own limits bound the rest.
const fuzzInputMax = 8 << 10

// fuzzOutputMax skips the round trip for trees that variables blew up
// (shared subtrees written out in full), to keep each run fast.
const fuzzOutputMax = 1 << 20

// fuzzSource gives fuzz inputs some files to include, including a cycle.
var fuzzSource = MapSource{
	"a.conf":    "x: 1\ninclude b.conf\n",
	"b.conf":    "y: [1, 2k, \"s\"]\nz { w: $y }\n",
	"loop.conf": "include loop.conf\n",
	"bad.conf":  "oops: \"unterminated\n",
}

var fuzzEnv = envMap(map[string]string{
	"A": "1k", "SELF": "$SELF", "LIST": "[1, {x: $A}]", "EMPTY": "", "SPACE": "a b",
})

// FuzzParse checks that no input panics, hangs or yields an error without
// a position, and that every tree Format can write parses back to the same
// text (Format(Parse(Format(t))) == Format(t)).
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.conf")
	for _, name := range seeds {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzInputMax {
			return
		}
		opts := Options{Source: fuzzSource, Env: fuzzEnv}
		m, err := Parse("fuzz.conf", data, opts)
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		_ = m.Unknown("port")
		out, err := Format(m)
		if err != nil || len(out) > fuzzOutputMax {
			return // a tree the syntax cannot express, or too large to recheck quickly
		}
		again, err := Parse("formatted.conf", out, Options{})
		if err != nil {
			t.Fatalf("formatted output does not parse: %v\n%s", err, out)
		}
		out2, err := Format(again)
		if err != nil || string(out2) != string(out) {
			t.Fatalf("round trip changed the text (err %v)\nfirst:\n%s\nsecond:\n%s", err, out, out2)
		}
	})
}

func checkFuzzError(t *testing.T, err error) {
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is a %T, want *Error", err, err)
	}
	if e.Pos.File == "" || e.Pos.Line < 1 || e.Pos.Col < 1 {
		t.Fatalf("error without a full position: %v", err)
	}
}
