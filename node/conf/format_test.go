package conf

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestFormatGolden(t *testing.T) {
	m := mustParse(t, `port: 4222
"a key": 'it"s'
f: 2.0
neg: -0.5
ok: yes
odd: "tab\there \x01 \xff é"
m { inner: [1, {x: "y"}, []], empty {} }
`, Options{})
	got, err := Format(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `"port": 4222
"a key": "it\"s"
"f": 2.0
"neg": -0.5
"ok": true
"odd": "tab\there \x01 \xff é"
"m": {
  "inner": [
    1
    {
      "x": "y"
    }
    [
    ]
  ]
  "empty": {
  }
}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	env := envMap(map[string]string{"SYS_PASS": "pw", "FROM_ENV": "[1, 2.5, x]"})
	files := []string{"server.conf", "separators.conf", "variables.conf", "comments.conf", "wrapped.conf"}
	for _, f := range files {
		m, err := ParseFile("testdata/"+f, Options{Source: osSource, Env: env})
		if err != nil {
			t.Fatal(err)
		}
		out, err := Format(m)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		again, err := Parse("formatted", out, Options{})
		if err != nil {
			t.Fatalf("%s: reparse: %v\n%s", f, err, out)
		}
		if a, b := dumpMap(m), dumpMap(again); a != b {
			t.Errorf("%s: round trip changed the tree\n%s\n%s", f, a, b)
		}
	}
}

func TestFormatKeyQuoting(t *testing.T) {
	m := mustParse(t, `'has "dq"': 1`+"\n"+`"has 'sq'": 2`, Options{})
	out, err := Format(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := "'has \"dq\"': 1\n\"has 'sq'\": 2\n"; string(out) != want {
		t.Errorf("got %q want %q", out, want)
	}
}

func TestFormatErrors(t *testing.T) {
	both := newMap(Pos{})
	both.set(`a"b'c`, Pos{}, &Value{Kind: KindInt})
	newline := newMap(Pos{})
	newline.set("a\nb", Pos{}, &Value{Kind: KindInt})
	nan := newMap(Pos{})
	nan.set("x", Pos{}, &Value{Kind: KindFloat, Float: math.NaN()})
	deep := mustParse(t, "a: "+strings.Repeat("[", MaxNestingDepth)+strings.Repeat("]", MaxNestingDepth)+
		"\nb: [$a]", Options{})
	shared := "x0: [0, 0]\n"
	for i := 1; i < 40; i++ {
		shared += "x" + strconv.Itoa(i) + ": [$x" + strconv.Itoa(i-1) + ", $x" + strconv.Itoa(i-1) + "]\n"
	}
	huge := mustParse(t, shared, Options{})
	tests := []struct {
		name string
		m    *Map
		want string
	}{
		{"both quotes", both, "both quote characters"},
		{"newline key", newline, "line end"},
		{"NaN", nan, "NaN"},
		{"deeper than the parser accepts", deep, "nested deeper"},
		{"exponential sharing", huge, "too large"},
	}
	for _, tt := range tests {
		_, err := Format(tt.m)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
