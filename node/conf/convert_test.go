package conf

import (
	"strings"
	"testing"
	"time"
)

func TestAsDuration(t *testing.T) {
	m := mustParse(t, `s: "1h30m"
ms: "250ms"
secs: 10
quoted_secs: "10"
bare: 10s
bare_m: 2m
neg: -5
big: 9223372036854775807
size: 1k
mb: 5MB
bad: "soon"
flag: true
`, Options{})
	tests := []struct {
		key     string
		want    time.Duration
		wantErr string
	}{
		{key: "s", want: 90 * time.Minute},
		{key: "ms", want: 250 * time.Millisecond},
		{key: "secs", want: 10 * time.Second},
		{key: "quoted_secs", want: 10 * time.Second},
		{key: "bare", want: 10 * time.Second},
		{key: "bare_m", want: 2 * time.Minute},
		{key: "neg", want: -5 * time.Second},
		{key: "big", wantErr: "test.conf:8:6: 9223372036854775807 seconds is out of range"},
		{key: "size", wantErr: `test.conf:9:7: "1k" is a size, not a duration`},
		{key: "mb", wantErr: `test.conf:10:5: "5MB" is a size, not a duration`},
		{key: "bad", wantErr: `test.conf:11:6: invalid duration "soon"`},
		{key: "flag", wantErr: `test.conf:12:7: expected a duration, found bool "true"`},
	}
	for _, tt := range tests {
		got, err := get(t, m, tt.key).AsDuration()
		if tt.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want prefix %q", tt.key, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", tt.key, got, err, tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{"0": 0, "30": 30 * time.Second, "-2": -2 * time.Second,
		"1h30m": 90 * time.Minute, "1.5s": 1500 * time.Millisecond, "100us": 100 * time.Microsecond}
	for s, want := range good {
		if got, err := ParseDuration(s); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "abc", "10x", "99999999999999999999", "9223372037"} {
		if got, err := ParseDuration(s); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", s, got)
		}
	}
}

func TestAsSize(t *testing.T) {
	m := mustParse(t, `a: 1G
b: 1GB
c: "1G"
d: "512MiB"
e: "1k"
f: 4096
g: "2T"
h: "lots"
i: 1.5
j: "1.5GB"
k: "9223372036854775807T"
`, Options{})
	tests := []struct {
		key     string
		want    int64
		wantErr string
	}{
		{key: "a", want: 1000000000},
		{key: "b", want: 1 << 30},
		{key: "c", want: 1 << 30}, // nats-server's storage sizes: quoted letters are binary
		{key: "d", want: 512 << 20},
		{key: "e", want: 1000},
		{key: "f", want: 4096},
		{key: "g", want: 2 << 40},
		{key: "h", wantErr: `test.conf:8:4: invalid size "lots"`},
		{key: "i", wantErr: `test.conf:9:4: expected a size, found float "1.5"`},
		{key: "j", wantErr: `test.conf:10:4: invalid size "1.5GB"`},
		{key: "k", wantErr: `test.conf:11:4: size "9223372036854775807T" out of range`},
	}
	for _, tt := range tests {
		got, err := get(t, m, tt.key).AsSize()
		if tt.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want prefix %q", tt.key, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %d, %v; want %d", tt.key, got, err, tt.want)
		}
	}
}

func TestScalarAccessors(t *testing.T) {
	m := mustParse(t, "i: 42\nf: 2.5\nb: on\ns: hi\nm { x: 1 }\na: [1]\n", Options{})
	if n, err := get(t, m, "i").AsInt(); err != nil || n != 42 {
		t.Errorf("AsInt = %d, %v", n, err)
	}
	if f, err := get(t, m, "f").AsFloat(); err != nil || f != 2.5 {
		t.Errorf("AsFloat = %v, %v", f, err)
	}
	if f, err := get(t, m, "i").AsFloat(); err != nil || f != 42 {
		t.Errorf("AsFloat of an int = %v, %v", f, err)
	}
	if b, err := get(t, m, "b").AsBool(); err != nil || !b {
		t.Errorf("AsBool = %v, %v", b, err)
	}
	if s, err := get(t, m, "s").AsString(); err != nil || s != "hi" {
		t.Errorf("AsString = %q, %v", s, err)
	}
	if mm, err := get(t, m, "m").AsMap(); err != nil || len(mm.Keys) != 1 {
		t.Errorf("AsMap = %v, %v", mm, err)
	}
	if a, err := get(t, m, "a").AsArray(); err != nil || len(a) != 1 {
		t.Errorf("AsArray = %v, %v", a, err)
	}
	wrong := []struct {
		err  error
		want string
	}{
		{second(get(t, m, "s").AsInt()), `test.conf:4:4: expected an integer, found string "hi"`},
		{second(get(t, m, "i").AsBool()), `test.conf:1:4: expected a boolean, found int "42"`},
		{second(get(t, m, "b").AsString()), `test.conf:3:4: expected a string, found bool "on"`},
		{second(get(t, m, "a").AsMap()), `test.conf:6:4: expected a map, found array`},
		{second(get(t, m, "m").AsArray()), `test.conf:5:3: expected an array, found map`},
		{second(get(t, m, "s").AsFloat()), `test.conf:4:4: expected a number, found string "hi"`},
		{get(t, m, "i").Errorf("port %d out of range", 42), `test.conf:1:4: port 42 out of range`},
	}
	for _, w := range wrong {
		if w.err == nil || w.err.Error() != w.want {
			t.Errorf("err = %v, want %q", w.err, w.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestUnknown(t *testing.T) {
	m := mustParse(t, "helper: 5\nport: 1\nhost: h\nmax: $helper\nbogus: 1\nlater: 2\n", Options{})
	err := m.Unknown("port", "host", "max")
	if err == nil || err.Error() != `test.conf:5:1: unknown field "bogus"` {
		t.Fatalf("Unknown = %v, want the first unknown key in file order (helper is a used variable)", err)
	}
	if err := m.Unknown("port", "host", "max", "bogus", "later"); err != nil {
		t.Errorf("all known: %v", err)
	}
	inner := mustParse(t, "a {\n  x: 1\n  y: 2\n}", Options{})
	err = get(t, inner, "a").Map.Unknown("x")
	if err == nil || err.Error() != `test.conf:3:3: unknown field "y"` {
		t.Errorf("nested Unknown = %v", err)
	}
}

func TestErrorFormatting(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Pos: Pos{File: "a.conf", Line: 3, Col: 7}, Msg: "boom"}, "a.conf:3:7: boom"},
		{&Error{Pos: Pos{Line: 3, Col: 7}, Msg: "boom"}, "3:7: boom"},
		{&Error{Pos: Pos{File: "a.conf"}, Msg: "boom"}, "a.conf: boom"},
		{&Error{Msg: "boom"}, "boom"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q want %q", got, tt.want)
		}
	}
}
