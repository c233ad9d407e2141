package conf

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // the error text must start with this
	}{
		{"unterminated double quote", "a: 1\nb: \"abc\n", `bad.conf:2:4: unterminated string`},
		{"unterminated single quote", "a: 'abc", `bad.conf:1:4: unterminated string`},
		{"unterminated map", "a: 1\nm {\n  b: 2\n", `bad.conf:2:3: unclosed '{'`},
		{"unterminated array", "a: [1,\n2", `bad.conf:1:4: unclosed '['`},
		{"unterminated array after comma", "a: [1,", `bad.conf:1:4: unclosed '['`},
		{"unterminated block", "a: (\nxyz\n", `bad.conf:1:4: unterminated block`},
		{"unterminated quoted key", "\"abc: 1", `bad.conf:1:1: unterminated quoted key`},
		{"unterminated wrapper", "{ a: 1", `bad.conf:1:1: unclosed '{'`},
		{"stray close brace", "a: 1\n}\n", `bad.conf:2:1: unexpected '}' with no matching opening bracket`},
		{"stray close bracket", "a: 1\n]", `bad.conf:2:1: unexpected ']'`},
		{"stray brace after value", "a: 1 }", `bad.conf:1:6: unexpected '}' after value`},
		{"bad escape", `a: "x\qy"`, `bad.conf:1:6: invalid escape '\q'`},
		{"bad hex escape", `a: "\xZZ"`, `bad.conf:1:5: \x needs two hexadecimal digits`},
		{"short unicode escape", `a: "\u12"`, `bad.conf:1:5: \u needs four hexadecimal digits`},
		{"surrogate escape", `a: "\uD800"`, `bad.conf:1:5: \u needs four`},
		{"bad escape in bare value", `a: xy\q`, `bad.conf:1:6: invalid escape '\q'`},
		{"backslash at end", "a: x\\", `bad.conf:1:5: backslash at end of input`},
		{"integer overflow", "a: 9223372036854775808", `bad.conf:1:4: integer "9223372036854775808" out of range`},
		{"suffix overflow", "a: 9223372036854775807k", `bad.conf:1:4: integer "9223372036854775807k" out of range`},
		{"negative non-number", "a: -abc", `bad.conf:1:4: invalid number "-abc"`},
		{"bare minus", "a: -", `bad.conf:1:4: invalid number "-"`},
		{"negative with bad suffix", "a: -10s", `bad.conf:1:4: invalid number "-10s"`},
		{"missing value at eof", "a: 1\nb:", `bad.conf:2:1: missing value for key "b"`},
		{"missing value before brace", "m { a = }", `bad.conf:1:5: missing value for key "a"`},
		{"key alone", "a", `bad.conf:1:1: missing value for key "a"`},
		{"space inside bare value", "a: hello world", `bad.conf:1:10: unexpected 'w' after value`},
		{"whitespace separated array", "a: [x y]", `bad.conf:1:7: unexpected 'y' in array`},
		{"empty array element", "a: [1,,2]", `bad.conf:1:7: unexpected ',' in array: empty element`},
		{"leading comma in array", "a: [,1]", `bad.conf:1:5: unexpected ','`},
		{"separator without key", "= 1", `bad.conf:1:1: unexpected '=', expected a key`},
		{"double terminator", "a: 1;;", `bad.conf:1:6: unexpected ';', expected a key`},
		{"nested open brace in map", "m { { } }", `bad.conf:1:5: unexpected '{', expected a key`},
		{"comma as value", "a: ,", `bad.conf:1:1: missing value for key "a"`},
		{"undefined variable", "a: 1\nb: $nope", `bad.conf:2:4: variable $nope is not defined`},
		{"empty variable name", "a: $", `bad.conf:1:4: variable $ is not defined`},
		{"variable from a sibling map", "m { x: 1 }\nn { y: $x }", `bad.conf:2:8: variable $x is not defined`},
		{"include with no path", "include \n", `bad.conf:1:9: include needs a file path`},
		{"include unterminated path", "include \"a.conf", `bad.conf:1:9: unterminated include path`},
		{"include without source", "include a.conf", `bad.conf:1:1: cannot include "a.conf": no Source`},
		{"too deep", "a: " + strings.Repeat("[", MaxNestingDepth+1), `bad.conf:1:68: maps and arrays nested deeper than 64 levels`},
		{"too deep maps", "a " + strings.Repeat("{b ", MaxNestingDepth+1), `bad.conf:1:195: maps and arrays nested deeper`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.conf", []byte(tt.src), Options{})
			if err == nil {
				t.Fatalf("no error for %q", tt.src)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, want *Error", err, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n  %v\nwant prefix\n  %s", err, tt.want)
			}
		})
	}
}

func TestMaxNestingDepthIsAccepted(t *testing.T) {
	src := "a: " + strings.Repeat("[", MaxNestingDepth) + strings.Repeat("]", MaxNestingDepth)
	mustParse(t, src, Options{})
	src = "a: " + strings.Repeat("[", MaxNestingDepth+1) + strings.Repeat("]", MaxNestingDepth+1)
	if _, err := Parse("x", []byte(src), Options{}); err == nil {
		t.Fatal("depth MaxNestingDepth+1 accepted")
	}
}

func TestIncludeErrors(t *testing.T) {
	chain := MapSource{}
	for i := 0; i <= MaxIncludeDepth+1; i++ {
		chain[fmt.Sprintf("d%d.conf", i)] = fmt.Sprintf("include d%d.conf", i+1)
	}
	chain[fmt.Sprintf("d%d.conf", MaxIncludeDepth+2)] = "end: 1"
	fanOut := MapSource{"fan.conf": strings.Repeat("include empty.conf\n", MaxIncludes+1), "empty.conf": ""}
	tests := []struct {
		name string
		src  Source
		file string
		want []string
	}{
		{"self include", MapSource{"a.conf": "x: 1\ninclude a.conf"}, "a.conf",
			[]string{"a.conf:2:1: include cycle: a.conf -> a.conf"}},
		{"cycle through two files", MapSource{"dir/a.conf": "include b.conf", "dir/b.conf": "\n include ./a.conf"}, "dir/a.conf",
			[]string{"dir/b.conf:2:2: include cycle: dir/a.conf -> dir/b.conf -> dir/a.conf", "(included from dir/a.conf:1:1)"}},
		{"missing file", MapSource{"a.conf": "a: 1\n  include nope.conf"}, "a.conf",
			[]string{`a.conf:2:3: cannot read include "nope.conf": no such file`}},
		{"error inside include", MapSource{"a.conf": "include b.conf", "b.conf": "ok: 1\nbad: \"x"}, "a.conf",
			[]string{"b.conf:2:6: unterminated string", "(included from a.conf:1:1)"}},
		{"depth limit", chain, "d0.conf",
			[]string{fmt.Sprintf("d%d.conf:1:1: includes nested deeper than %d files", MaxIncludeDepth, MaxIncludeDepth)}},
		{"include count limit", fanOut, "fan.conf",
			[]string{fmt.Sprintf("fan.conf:%d:1: more than %d includes", MaxIncludes+1, MaxIncludes)}},
		{"ParseFile of a missing file", MapSource{}, "none.conf", []string{"none.conf: cannot read: no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile(tt.file, Options{Source: tt.src})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n  %v\nwant it to contain\n  %s", err, w)
				}
			}
		})
	}
}

func TestEnvironmentErrors(t *testing.T) {
	env := envMap(map[string]string{
		"SELF": "$SELF", "BAD": "hello world", "OPEN": "[1, 2", "A": "$B", "B": "$C", "C": "$D", "D": "ok",
		"WRAP": "{ { a: 1 } }",
	})
	tests := []struct{ src, want string }{
		{"a: $SELF", "e.conf:1:4: environment variable $SELF: $SELF:1:1: environment variables nested deeper than 8"},
		{"a: $BAD", "e.conf:1:4: environment variable $BAD: $BAD:1:7: unexpected 'w' after the value"},
		{"a: $OPEN", "e.conf:1:4: environment variable $OPEN: $OPEN:1:1: unclosed '['"},
		{"a: $MISSING", "e.conf:1:4: variable $MISSING is not defined"},
		{"a: $WRAP", "e.conf:1:4: environment variable $WRAP: $WRAP:1:3: unexpected '{', expected a key"},
	}
	for _, tt := range tests {
		_, err := Parse("e.conf", []byte(tt.src), Options{Env: env})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want prefix %q", tt.src, err, tt.want)
		}
	}
	m := mustParse(t, "a: $A", Options{Env: env})
	if got := get(t, m, "a").Str; got != "ok" {
		t.Errorf("chained environment variables gave %q, want ok", got)
	}
}

func TestFileSizeLimit(t *testing.T) {
	big := make([]byte, MaxFileBytes+1)
	_, err := Parse("big.conf", big, Options{})
	if err == nil || !strings.Contains(err.Error(), "big.conf: file is larger than") {
		t.Fatalf("err = %v", err)
	}
}
