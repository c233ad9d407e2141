package conf

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// dump renders a tree compactly for table tests: maps as {k=v ...}, arrays
// as [a b], strings quoted, floats as f:1.5, ints and bools bare.
func dump(v *Value) string {
	var b strings.Builder
	dumpValue(&b, v)
	return b.String()
}

func dumpMap(m *Map) string {
	return dump(&Value{Kind: KindMap, Map: m})
}

func dumpValue(b *strings.Builder, v *Value) {
	switch v.Kind {
	case KindString:
		b.WriteString(strconv.Quote(v.Str))
	case KindInt:
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case KindFloat:
		b.WriteString("f:" + strconv.FormatFloat(v.Float, 'g', -1, 64))
	case KindBool:
		b.WriteString(strconv.FormatBool(v.Bool))
	case KindArray:
		b.WriteByte('[')
		for i, e := range v.Array {
			if i > 0 {
				b.WriteByte(' ')
			}
			dumpValue(b, e)
		}
		b.WriteByte(']')
	case KindMap:
		b.WriteByte('{')
		for i, k := range v.Map.Keys {
			if i > 0 {
				b.WriteByte(' ')
			}
			shown := k
			if strings.ContainsAny(k, " ={}[]\"") || k == "" {
				shown = strconv.Quote(k)
			}
			b.WriteString(shown + "=")
			dumpValue(b, v.Map.Items[k])
		}
		b.WriteByte('}')
	}
}

// envMap is the test stand-in for os.LookupEnv.
func envMap(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// osSource reads testdata from the real file system (tests only).
var osSource = SourceFunc(os.ReadFile)

// mustParse parses src as "test.conf" with sources and env, failing the
// test on error.
func mustParse(t *testing.T, src string, opts Options) *Map {
	t.Helper()
	m, err := Parse("test.conf", []byte(src), opts)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return m
}

// get walks a dotted path of map keys and array indexes ("a.b.0.c").
func get(t *testing.T, m *Map, dotted string) *Value {
	t.Helper()
	var cur *Value = &Value{Kind: KindMap, Map: m}
	for _, part := range strings.Split(dotted, ".") {
		switch cur.Kind {
		case KindMap:
			v, ok := cur.Map.Get(part)
			if !ok {
				t.Fatalf("%s: no key %q", dotted, part)
			}
			cur = v
		case KindArray:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(cur.Array) {
				t.Fatalf("%s: bad index %q", dotted, part)
			}
			cur = cur.Array[i]
		default:
			t.Fatalf("%s: %q is inside a %s", dotted, part, cur.Kind)
		}
	}
	return cur
}
