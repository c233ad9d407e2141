package conf

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format writes m in this package's syntax: one `key: value` per line,
// every key and string quoted, two-space indentation. Parsing the output
// gives back the same tree (positions and Raw aside), with variables and
// includes already resolved. It fails for trees the syntax cannot express:
// a key holding both kinds of quote or a line end, a NaN or infinite
// float, nesting past MaxNestingDepth, or output past MaxFileBytes (shared
// subtrees can make a small file describe a huge tree).
func Format(m *Map) ([]byte, error) {
	f := &formatter{}
	if err := f.entries(m, 0); err != nil {
		return nil, err
	}
	if f.b.Len() > MaxFileBytes {
		return nil, errors.New("conf: tree too large to format")
	}
	return []byte(f.b.String()), nil
}

type formatter struct {
	b     strings.Builder
	nodes int // values written so far, against maxFormatNodes
}

func (f *formatter) entries(m *Map, depth int) error {
	for _, k := range m.Keys {
		key, err := quoteKey(k)
		if err != nil {
			return err
		}
		f.indent(depth)
		f.b.WriteString(key)
		f.b.WriteString(": ")
		if err := f.value(m.Items[k], depth); err != nil {
			return err
		}
		f.b.WriteByte('\n')
	}
	return nil
}

func (f *formatter) indent(depth int) {
	for i := 0; i < depth; i++ {
		f.b.WriteString("  ")
	}
}

// value writes v, which sits at depth (its own contents are at depth+1).
func (f *formatter) value(v *Value, depth int) error {
	f.nodes++
	if f.nodes > maxFormatNodes || f.b.Len() > MaxFileBytes {
		return errors.New("conf: tree too large to format")
	}
	if v == nil {
		return errors.New("conf: nil value")
	}
	switch v.Kind {
	case KindString:
		f.b.WriteString(quoteString(v.Str))
	case KindInt:
		f.b.WriteString(strconv.FormatInt(v.Int, 10))
	case KindFloat:
		return f.float(v.Float)
	case KindBool:
		f.b.WriteString(strconv.FormatBool(v.Bool))
	case KindMap:
		return f.container(depth, '{', '}', func() error { return f.entries(v.Map, depth+1) })
	case KindArray:
		return f.container(depth, '[', ']', func() error { return f.elements(v.Array, depth+1) })
	default:
		return errors.New("conf: unknown value kind " + v.Kind.String())
	}
	return nil
}

func (f *formatter) float(x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return errors.New("conf: cannot format NaN or infinite float")
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	f.b.WriteString(s)
	return nil
}

func (f *formatter) container(depth int, open, close byte, body func() error) error {
	if depth+1 > MaxNestingDepth {
		return errors.New("conf: tree nested deeper than MaxNestingDepth")
	}
	f.b.WriteByte(open)
	f.b.WriteByte('\n')
	if err := body(); err != nil {
		return err
	}
	f.indent(depth)
	f.b.WriteByte(close)
	return nil
}

func (f *formatter) elements(list []*Value, depth int) error {
	for _, v := range list {
		f.indent(depth)
		if err := f.value(v, depth); err != nil {
			return err
		}
		f.b.WriteByte('\n')
	}
	return nil
}

// quoteKey quotes a key. Quoted keys take no escapes, so a key is written
// between whichever quote it does not contain.
func quoteKey(k string) (string, error) {
	if strings.ContainsAny(k, "\n\r") {
		return "", errors.New("conf: cannot format a key containing a line end")
	}
	if !strings.Contains(k, `"`) {
		return `"` + k + `"`, nil
	}
	if !strings.Contains(k, `'`) {
		return `'` + k + `'`, nil
	}
	return "", errors.New("conf: cannot format a key containing both quote characters")
}

// quoteString writes s as a double-quoted string; bytes that are not
// printable UTF-8 become \xXX escapes so the bytes survive exactly.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(byte(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == utf8.RuneError && size == 1, r < 0x20, r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(hexByte(s[i]))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}
