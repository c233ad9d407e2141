package conf

import (
	"fmt"
	"strconv"
)

// Kind is the type of a Value.
type Kind int

// The kinds of values a configuration holds.
const (
	KindString Kind = iota
	KindInt
	KindFloat
	KindBool
	KindMap
	KindArray
)

// String names the kind as error messages do ("string", "int", ...).
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindBool:
		return "bool"
	case KindMap:
		return "map"
	case KindArray:
		return "array"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// bytes. Line 0 means "the file as a whole".
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats the position as "file:line:col" (the file part is left
// out when File is empty, the line and column when Line is 0).
func (p Pos) String() string {
	s := p.File
	if p.Line > 0 {
		if s != "" {
			s += ":"
		}
		s += strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
	}
	return s
}

// Error is a parse or conversion error at a position.
type Error struct {
	Pos Pos
	Msg string
}

// Error returns "file:line:col: message".
func (e *Error) Error() string {
	where := e.Pos.String()
	if where == "" {
		return e.Msg
	}
	return where + ": " + e.Msg
}

// errorAt builds an *Error at p.
func errorAt(p Pos, format string, args ...any) *Error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// Value is one node of the tree. Kind says which of the payload fields is
// meaningful. Values reached through a variable share their Map or Array
// with the variable's definition, so treat the tree as read-only.
type Value struct {
	Kind  Kind
	Str   string
	Int   int64
	Float float64
	Bool  bool
	Map   *Map
	Array []*Value

	// Pos is where the value starts; for a variable reference it is the
	// reference, so errors point at the place that used the value.
	Pos Pos

	// Raw is the source text of an unquoted scalar ("2m", "1MB", "yes",
	// "localhost"); it is empty for quoted strings, blocks and containers.
	// AsDuration uses it to read `2m` as two minutes rather than as the
	// integer 2000000 that the size-suffix rules give.
	Raw string
}

// Errorf returns an *Error at the value's position, for callers that find
// a value well-formed but unacceptable (a port out of range, say).
func (v *Value) Errorf(format string, args ...any) error {
	return errorAt(v.Pos, format, args...)
}

// Map is a configuration block: the top level of a file or a `{ }` value.
// Keys keeps the distinct keys in the order they first appeared; when a
// key is assigned twice the later value wins (as in nats-server) but the
// key keeps its first place, so iteration order is always the file order.
type Map struct {
	Pos   Pos // where the map starts: its '{', or line 1 of the file
	Keys  []string
	Items map[string]*Value

	keyPos map[string]Pos  // where each key was (last) assigned
	used   map[string]bool // keys referenced as $variables
}

func newMap(p Pos) *Map {
	return &Map{Pos: p, Items: map[string]*Value{}, keyPos: map[string]Pos{}, used: map[string]bool{}}
}

// Get returns the value for key (matched exactly, case-sensitively).
func (m *Map) Get(key string) (*Value, bool) {
	v, ok := m.Items[key]
	return v, ok
}

// KeyPos returns where key was assigned (its last assignment), or the
// map's own position when the key is absent.
func (m *Map) KeyPos(key string) Pos {
	if p, ok := m.keyPos[key]; ok {
		return p
	}
	return m.Pos
}

// Unknown returns an *Error for the first key, in file order, that is not
// in known, with the message `unknown field "key"` at the key's position.
// Keys that the file referenced as $variables are skipped: like
// nats-server, a file may define helper keys purely to use as variables.
// It returns nil when every key is known.
func (m *Map) Unknown(known ...string) error {
	for _, k := range m.Keys {
		if m.used[k] || contains(known, k) {
			continue
		}
		return errorAt(m.KeyPos(k), "unknown field %q", k)
	}
	return nil
}

// IsVariable reports whether the file referenced key as a $variable, so a
// caller mapping keys itself can skip helper keys as Unknown does.
func (m *Map) IsVariable(key string) bool { return m.used[key] }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// set assigns key; the key keeps its first place in Keys.
func (m *Map) set(key string, at Pos, v *Value) {
	if _, ok := m.Items[key]; !ok {
		m.Keys = append(m.Keys, key)
	}
	m.Items[key] = v
	m.keyPos[key] = at
}

// describe renders a value briefly for error messages: `string "abc"`.
func (v *Value) describe() string {
	const shortMax = 40
	text := v.Raw
	switch v.Kind {
	case KindString:
		text = v.Str
	case KindMap, KindArray:
		return v.Kind.String()
	}
	if text == "" && v.Kind != KindString {
		text = v.scalarText()
	}
	if len(text) > shortMax {
		text = text[:shortMax] + "..."
	}
	return fmt.Sprintf("%s %q", v.Kind, text)
}

func (v *Value) scalarText() string {
	switch v.Kind {
	case KindInt:
		return strconv.FormatInt(v.Int, 10)
	case KindFloat:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	case KindBool:
		return strconv.FormatBool(v.Bool)
	}
	return v.Str
}
