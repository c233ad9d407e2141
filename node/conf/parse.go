package conf

import (
	"errors"
	"path"
	"strings"
)

// Source reads files named by include directives (and by ParseFile).
// Production wraps os.ReadFile; tests and the simulator use a MapSource.
type Source interface {
	ReadFile(name string) ([]byte, error)
}

// SourceFunc adapts a function such as os.ReadFile to a Source.
type SourceFunc func(name string) ([]byte, error)

// ReadFile calls f.
func (f SourceFunc) ReadFile(name string) ([]byte, error) { return f(name) }

// MapSource is an in-memory Source: file name to contents. Names are
// looked up after path.Clean, so "./a.conf" finds "a.conf".
type MapSource map[string]string

// ReadFile returns the named file or an error naming it.
func (s MapSource) ReadFile(name string) ([]byte, error) {
	if text, ok := s[path.Clean(name)]; ok {
		return []byte(text), nil
	}
	if text, ok := s[name]; ok {
		return []byte(text), nil
	}
	return nil, errNoSuchFile
}

var errNoSuchFile = errors.New("no such file")

// Options are the parser's only links to the outside world.
type Options struct {
	// Source reads included files. With a nil Source an include
	// directive is an error.
	Source Source
	// Env looks up a $variable that no enclosing map defines, the way
	// os.LookupEnv does. With a nil Env such a variable is an error.
	Env func(name string) (string, bool)
}

// Parse parses data, naming it name in positions and using name's
// directory to resolve relative includes. The top level is a map. Errors
// are *Error values.
func Parse(name string, data []byte, opts Options) (*Map, error) {
	r := &run{opts: opts, includeStack: []string{path.Clean(name)}}
	m, err := r.parseFile(name, data)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// ParseFile reads name through opts.Source and parses it.
func ParseFile(name string, opts Options) (*Map, error) {
	if opts.Source == nil {
		return nil, errorAt(Pos{File: name}, "no Source to read the file from")
	}
	data, err := opts.Source.ReadFile(name)
	if err != nil {
		return nil, errorAt(Pos{File: name}, "cannot read: %v", err)
	}
	return Parse(name, data, opts)
}

// run is the state one Parse call shares across the files it includes.
type run struct {
	opts         Options
	includeStack []string // files being parsed, outermost first (cleaned)
	includes     int      // include directives processed so far
	envDepth     int      // environment values being parsed right now
}

// parser reads one file (or one environment value).
type parser struct {
	sc     *scanner
	run    *run
	top    *Map   // the file's top-level map; nil for an environment value
	scopes []*Map // maps enclosing the current point, innermost last
	depth  int    // maps and arrays open at the current point
}

func (r *run) parseFile(name string, data []byte) (*Map, error) {
	if len(data) > MaxFileBytes {
		return nil, errorAt(Pos{File: name}, "file is larger than %d bytes", MaxFileBytes)
	}
	p := &parser{sc: newScanner(name, data), run: r}
	m := newMap(p.sc.pos())
	p.top = m
	p.scopes = append(p.scopes, m)
	if err := p.parseEntries(m, 0, m.Pos); err != nil {
		return nil, err
	}
	return m, nil
}

// parseEntries reads key/value entries into m until closer ('}') or, for
// the top level (closer 0), the end of the input. open is where the map
// began, for the error when it is never closed.
func (p *parser) parseEntries(m *Map, closer byte, open Pos) error {
	for {
		p.sc.skipBlank()
		if p.sc.atEOF() {
			if closer != 0 {
				return errorAt(open, "unclosed '{': no matching '}' before end of file")
			}
			return nil
		}
		if closer != 0 && p.sc.peek() == closer {
			p.sc.advance()
			return nil
		}
		if m == p.top && p.sc.peek() == '{' {
			// A whole file may be wrapped in braces, JSON style.
			if err := p.parseWrapped(m); err != nil {
				return err
			}
			continue
		}
		if err := p.parseEntry(m, closer); err != nil {
			return err
		}
	}
}

// parseWrapped reads `{ entries }` at the top level into m itself.
func (p *parser) parseWrapped(m *Map) error {
	open := p.sc.pos()
	if err := p.enter(open); err != nil {
		return err
	}
	defer p.leave()
	p.sc.advance()
	return p.parseEntries(m, '}', open)
}

// enter opens one level of nesting at, failing past MaxNestingDepth.
func (p *parser) enter(at Pos) error {
	if p.depth >= MaxNestingDepth {
		return errorAt(at, "maps and arrays nested deeper than %d levels", MaxNestingDepth)
	}
	p.depth++
	return nil
}

func (p *parser) leave() { p.depth-- }

// parseEntry reads one `key [sep] value` (or an include directive) and
// the terminator after it.
func (p *parser) parseEntry(m *Map, closer byte) error {
	keyPos := p.sc.pos()
	switch c := p.sc.peek(); c {
	case '}', ']':
		return errorAt(keyPos, "unexpected %s with no matching opening bracket", p.sc.describeNext())
	case ',', ';', '=', ':', '[', '{':
		return errorAt(keyPos, "unexpected %s, expected a key", p.sc.describeNext())
	}
	key, bare, err := p.parseKey()
	if err != nil {
		return err
	}
	if bare && strings.EqualFold(key, "include") && p.atIncludePath() {
		if err := p.parseInclude(m, keyPos); err != nil {
			return err
		}
		return p.endEntry(closer)
	}
	p.sc.skipSpacesAndNewlines()
	if c := p.sc.peek(); c == '=' || c == ':' {
		p.sc.advance()
		p.sc.skipSpacesAndNewlines()
	}
	if p.atValueEnd() {
		return errorAt(keyPos, "missing value for key %q (found %s)", key, p.sc.describeNext())
	}
	v, err := p.parseValue()
	if err != nil {
		return err
	}
	m.set(key, keyPos, v)
	return p.endEntry(closer)
}

// atValueEnd reports whether no value can start here.
func (p *parser) atValueEnd() bool {
	return p.sc.atEOF() || isValueStop(p.sc.peek())
}

// parseKey reads a quoted or bare key. Quoted keys take no escapes.
func (p *parser) parseKey() (key string, bare bool, err error) {
	if q := p.sc.peek(); q == '"' || q == '\'' {
		open := p.sc.pos()
		p.sc.advance()
		start := p.sc.off
		for !p.sc.atEOF() && p.sc.peek() != q {
			if isNewline(p.sc.peek()) {
				break
			}
			p.sc.advance()
		}
		if p.sc.peek() != q { // end of input or of the line
			return "", false, errorAt(open, "unterminated quoted key")
		}
		key = string(p.sc.src[start:p.sc.off])
		p.sc.advance()
		return key, false, nil
	}
	start := p.sc.off
	for !p.sc.atEOF() && !isKeyStop(p.sc.peek()) {
		p.sc.advance()
	}
	return string(p.sc.src[start:p.sc.off]), true, nil
}

// isKeyStop reports the bytes that end a bare key.
func isKeyStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '=', ':', '{', '[', '}', ']', ',', ';':
		return true
	}
	return false
}

// endEntry consumes what may follow a value in a map: blanks, a comment,
// and one terminator (line end, ',' or ';'). The closing brace is left for
// parseEntries.
func (p *parser) endEntry(closer byte) error {
	p.sc.skipSpaces()
	if p.sc.atComment() {
		p.sc.skipComment()
	}
	if p.sc.atEOF() {
		return nil
	}
	switch c := p.sc.peek(); {
	case isNewline(c) || c == ',' || c == ';':
		p.sc.advance()
		return nil
	case closer != 0 && c == closer:
		return nil
	}
	return errorAt(p.sc.pos(), "unexpected %s after value, expected a line end, ',' or ';' "+
		"(quote strings that contain spaces)", p.sc.describeNext())
}

// parseValue reads any value starting at the current byte.
func (p *parser) parseValue() (*Value, error) {
	switch p.sc.peek() {
	case '[':
		return p.parseArray()
	case '{':
		return p.parseMap()
	case '"':
		return p.parseDoubleQuoted()
	case '\'':
		return p.parseSingleQuoted()
	case '(':
		return p.parseBlock()
	}
	at := p.sc.pos()
	if p.atValueEnd() {
		return nil, errorAt(at, "expected a value, found %s", p.sc.describeNext())
	}
	start := p.sc.off
	for !p.sc.atEOF() && !isValueStop(p.sc.peek()) {
		p.sc.advance()
	}
	return p.bareValue(string(p.sc.src[start:p.sc.off]), at)
}

// isValueStop reports the bytes that end an unquoted value.
func isValueStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ';', ']', '}':
		return true
	}
	return false
}

// parseMap reads a `{ ... }` value; its keys become a variable scope.
func (p *parser) parseMap() (*Value, error) {
	open := p.sc.pos()
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	p.sc.advance()
	m := newMap(open)
	p.scopes = append(p.scopes, m)
	err := p.parseEntries(m, '}', open)
	p.scopes = p.scopes[:len(p.scopes)-1]
	if err != nil {
		return nil, err
	}
	return &Value{Kind: KindMap, Map: m, Pos: open}, nil
}

// parseArray reads a `[ ... ]` value. Elements are separated by one comma
// or line end; a trailing comma is fine, an empty element is not.
func (p *parser) parseArray() (*Value, error) {
	open := p.sc.pos()
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	p.sc.advance()
	arr := &Value{Kind: KindArray, Array: []*Value{}, Pos: open}
	for {
		p.sc.skipBlank()
		switch {
		case p.sc.atEOF():
			return nil, errorAt(open, "unclosed '[': no matching ']' before end of file")
		case p.sc.peek() == ']':
			p.sc.advance()
			return arr, nil
		case p.sc.peek() == ',':
			return nil, errorAt(p.sc.pos(), "unexpected ',' in array: empty element")
		}
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		arr.Array = append(arr.Array, v)
		done, err := p.endElement(open)
		if err != nil || done {
			return arr, err
		}
	}
}

// endElement consumes what may follow an array element: blanks, a
// comment, then ',' or a line end (more elements) or ']' (done).
func (p *parser) endElement(open Pos) (done bool, err error) {
	p.sc.skipSpaces()
	if p.sc.atComment() {
		p.sc.skipComment()
	}
	if p.sc.atEOF() {
		return false, errorAt(open, "unclosed '[': no matching ']' before end of file")
	}
	switch c := p.sc.peek(); {
	case c == ',' || isNewline(c):
		p.sc.advance()
		return false, nil
	case c == ']':
		p.sc.advance()
		return true, nil
	}
	return false, errorAt(p.sc.pos(), "unexpected %s in array, expected ',', a line end or ']'",
		p.sc.describeNext())
}
