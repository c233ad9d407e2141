package conf

import (
	"errors"
	"path"
	"strings"
)

// atIncludePath reports whether the bare key "include" just read is the
// include directive: it must be followed by whitespace and then not by a
// separator (`include = 1` is an ordinary key named include).
func (p *parser) atIncludePath() bool {
	if c := p.sc.peek(); p.sc.atEOF() || !(isSpace(c) || isNewline(c)) {
		return false
	}
	for i := 0; ; i++ {
		c, ok := p.sc.peekAt(i)
		if !ok || !isSpace(c) {
			return !ok || (c != '=' && c != ':')
		}
	}
}

// parseInclude reads the path after `include` and merges that file's
// top-level keys into m, in order, as if they were written here.
func (p *parser) parseInclude(m *Map, at Pos) error {
	p.sc.skipSpaces()
	target, err := p.readIncludePath()
	if err != nil {
		return err
	}
	child, err := p.run.include(at, p.sc.file, target)
	if err != nil {
		return err
	}
	for _, k := range child.Keys {
		m.set(k, child.keyPos[k], child.Items[k])
		if child.used[k] {
			m.used[k] = true
		}
	}
	return nil
}

// readIncludePath reads a quoted path (taken verbatim) or a bare one
// (ending at whitespace, ',', ';' or '}').
func (p *parser) readIncludePath() (string, error) {
	at := p.sc.pos()
	if q := p.sc.peek(); q == '"' || q == '\'' {
		p.sc.advance()
		start := p.sc.off
		for !p.sc.atEOF() && p.sc.peek() != q && !isNewline(p.sc.peek()) {
			p.sc.advance()
		}
		if p.sc.atEOF() || p.sc.peek() != q {
			return "", errorAt(at, "unterminated include path")
		}
		target := string(p.sc.src[start:p.sc.off])
		p.sc.advance()
		if target == "" {
			return "", errorAt(at, "include needs a file path")
		}
		return target, nil
	}
	start := p.sc.off
	for !p.sc.atEOF() && !isIncludeStop(p.sc.peek()) {
		p.sc.advance()
	}
	if p.sc.off == start {
		return "", errorAt(at, "include needs a file path (found %s)", p.sc.describeNext())
	}
	return string(p.sc.src[start:p.sc.off]), nil
}

func isIncludeStop(c byte) bool {
	return isSpace(c) || isNewline(c) || c == ',' || c == ';' || c == '}'
}

// include resolves target against the including file's directory, checks
// the limits and for cycles, and parses the file on its own: like
// nats-server, an included file sees the environment but not the
// includer's keys.
func (r *run) include(at Pos, from, target string) (*Map, error) {
	if r.opts.Source == nil {
		return nil, errorAt(at, "cannot include %q: no Source to read files from", target)
	}
	name := path.Clean(target)
	if !path.IsAbs(name) {
		name = path.Join(path.Dir(from), target)
	}
	for i, open := range r.includeStack {
		if open == name {
			chain := append(append([]string{}, r.includeStack[i:]...), name)
			return nil, errorAt(at, "include cycle: %s", strings.Join(chain, " -> "))
		}
	}
	if len(r.includeStack) > MaxIncludeDepth {
		return nil, errorAt(at, "includes nested deeper than %d files", MaxIncludeDepth)
	}
	r.includes++
	if r.includes > MaxIncludes {
		return nil, errorAt(at, "more than %d includes", MaxIncludes)
	}
	data, err := r.opts.Source.ReadFile(name)
	if err != nil {
		return nil, errorAt(at, "cannot read include %q: %v", name, err)
	}
	r.includeStack = append(r.includeStack, name)
	child, err := r.parseFile(name, data)
	r.includeStack = r.includeStack[:len(r.includeStack)-1]
	if err != nil {
		return nil, wrapError(err, " (included from "+at.String()+")")
	}
	return child, nil
}

// wrapError appends context to an *Error's message, keeping its position.
func wrapError(err error, suffix string) error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Pos: e.Pos, Msg: e.Msg + suffix}
	}
	return err
}

// resolveVariable finds $name: first a key already assigned in the
// innermost enclosing map, then outwards, then the environment. The
// result is a copy positioned at the reference.
func (p *parser) resolveVariable(name string, at Pos) (*Value, error) {
	for i := len(p.scopes) - 1; i >= 0; i-- {
		m := p.scopes[i]
		if v, ok := m.Items[name]; ok {
			m.used[name] = true
			c := *v
			c.Pos = at
			return &c, nil
		}
	}
	if p.run.opts.Env != nil {
		if text, ok := p.run.opts.Env(name); ok {
			return p.run.envValue(name, text, at)
		}
	}
	return nil, errorAt(at, "variable $%s is not defined (no such key in scope or environment variable)", name)
}

// envValue parses an environment variable's text as a value, the way
// nats-server does, so "1k" is 1000 and "[a, b]" an array. An empty text
// is the empty string.
func (r *run) envValue(name, text string, at Pos) (*Value, error) {
	if r.envDepth >= MaxEnvDepth {
		return nil, errorAt(at, "environment variables nested deeper than %d (does one refer to itself?)", MaxEnvDepth)
	}
	if len(text) > MaxFileBytes {
		return nil, errorAt(at, "environment variable $%s is larger than %d bytes", name, MaxFileBytes)
	}
	r.envDepth++
	v, err := r.parseEnvText(name, text)
	r.envDepth--
	if err != nil {
		var e *Error
		if r.envDepth > 0 || !errors.As(err, &e) {
			return nil, err // the outermost reference adds the context, once
		}
		return nil, errorAt(at, "environment variable $%s: %s: %s", name, e.Pos, e.Msg)
	}
	v.Pos = at
	return v, nil
}

// parseEnvText parses the whole of an environment value as one value.
func (r *run) parseEnvText(name, text string) (*Value, error) {
	p := &parser{sc: newScanner("$"+name, []byte(text)), run: r}
	p.sc.skipSpacesAndNewlines()
	if p.sc.atEOF() {
		return &Value{Kind: KindString}, nil
	}
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	p.sc.skipBlank()
	if !p.sc.atEOF() {
		return nil, errorAt(p.sc.pos(), "unexpected %s after the value", p.sc.describeNext())
	}
	return v, nil
}
