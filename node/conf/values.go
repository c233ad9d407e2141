package conf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// bcryptPrefix marks an unquoted "$2a$..." bcrypt hash: nats-server keeps
// it as a string instead of reading it as a variable named "2a$...".
const bcryptPrefix = "$2a$"

// bareValue classifies an unquoted token, the way nats-server does: a
// token with a backslash is a string with escapes; "$name" is a variable;
// true/false/yes/no/on/off (any case) are booleans; digits make an integer
// (with an optional size suffix) or a float; anything else that starts
// with a digit ("10s", "127.0.0.1:4222") is a string; a leading '-' must
// be a number.
func (p *parser) bareValue(raw string, at Pos) (*Value, error) {
	if strings.IndexByte(raw, '\\') >= 0 {
		s, err := unescapeAll(raw, at)
		if err != nil {
			return nil, err
		}
		return &Value{Kind: KindString, Str: s, Pos: at, Raw: raw}, nil
	}
	if raw[0] == '$' && !strings.HasPrefix(raw, bcryptPrefix) {
		return p.resolveVariable(raw[1:], at)
	}
	if b, ok := parseBoolWord(raw); ok {
		return &Value{Kind: KindBool, Bool: b, Pos: at, Raw: raw}, nil
	}
	if isDigit(raw[0]) || raw[0] == '-' {
		v, isNumber, err := parseNumber(raw, at)
		if err != nil || isNumber {
			return v, err
		}
		if raw[0] == '-' {
			return nil, errorAt(at, "invalid number %q", raw)
		}
	}
	return &Value{Kind: KindString, Str: raw, Pos: at, Raw: raw}, nil
}

func parseBoolWord(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	return false, false
}

// sizeSuffixes are nats-server's number suffixes, matched without regard
// to case: a bare letter is a power of 1000, with "b", "i" or "ib" a power
// of 1024 (so 1k = 1000 and 1kb = 1KiB = 1024).
var sizeSuffixes = map[string]int64{
	"k": 1e3, "kb": 1 << 10, "ki": 1 << 10, "kib": 1 << 10,
	"m": 1e6, "mb": 1 << 20, "mi": 1 << 20, "mib": 1 << 20,
	"g": 1e9, "gb": 1 << 30, "gi": 1 << 30, "gib": 1 << 30,
	"t": 1e12, "tb": 1 << 40, "ti": 1 << 40, "tib": 1 << 40,
	"p": 1e15, "pb": 1 << 50, "pi": 1 << 50, "pib": 1 << 50,
	"e": 1e18, "eb": 1 << 60, "ei": 1 << 60, "eib": 1 << 60,
}

// parseNumber reads [-]digits, [-]digits+suffix or [-]digits.digits.
// isNumber is false when raw has some other shape.
func parseNumber(raw string, at Pos) (v *Value, isNumber bool, err error) {
	i := 0
	if raw[0] == '-' {
		i = 1
	}
	digitsEnd := i
	for digitsEnd < len(raw) && isDigit(raw[digitsEnd]) {
		digitsEnd++
	}
	if digitsEnd == i {
		return nil, false, nil
	}
	rest := raw[digitsEnd:]
	switch {
	case rest == "":
		n, err := parseInt(raw, at)
		return &Value{Kind: KindInt, Int: n, Pos: at, Raw: raw}, true, err
	case rest[0] == '.' && len(rest) > 1 && allDigits(rest[1:]):
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, true, errorAt(at, "float %q out of range", raw)
		}
		return &Value{Kind: KindFloat, Float: f, Pos: at, Raw: raw}, true, nil
	}
	mult, ok := sizeSuffixes[strings.ToLower(rest)]
	if !ok {
		return nil, false, nil
	}
	n, err := parseInt(raw[:digitsEnd], at)
	if err != nil {
		return nil, true, err
	}
	if n > math.MaxInt64/mult || n < math.MinInt64/mult {
		return nil, true, errorAt(at, "integer %q out of range", raw)
	}
	return &Value{Kind: KindInt, Int: n * mult, Pos: at, Raw: raw}, true, nil
}

func parseInt(s string, at Pos) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errorAt(at, "integer %q out of range", s)
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// parseDoubleQuoted reads a "..." string with escapes. It may span lines.
func (p *parser) parseDoubleQuoted() (*Value, error) {
	open := p.sc.pos()
	p.sc.advance()
	var b strings.Builder
	for {
		if p.sc.atEOF() {
			return nil, errorAt(open, "unterminated string: no closing '\"' before end of file")
		}
		c := p.sc.peek()
		switch c {
		case '"':
			p.sc.advance()
			return &Value{Kind: KindString, Str: b.String(), Pos: open}, nil
		case '\\':
			at := p.sc.pos()
			p.sc.advance()
			decoded, used, msg := unescape(p.sc.src[p.sc.off:])
			if msg != "" {
				return nil, errorAt(at, "%s", msg)
			}
			b.WriteString(decoded)
			for ; used > 0; used-- {
				p.sc.advance()
			}
		default:
			b.WriteByte(c)
			p.sc.advance()
		}
	}
}

// parseSingleQuoted reads a '...' string verbatim. It may span lines.
func (p *parser) parseSingleQuoted() (*Value, error) {
	open := p.sc.pos()
	p.sc.advance()
	start := p.sc.off
	for !p.sc.atEOF() && p.sc.peek() != '\'' {
		p.sc.advance()
	}
	if p.sc.atEOF() {
		return nil, errorAt(open, "unterminated string: no closing \"'\" before end of file")
	}
	s := string(p.sc.src[start:p.sc.off])
	p.sc.advance()
	return &Value{Kind: KindString, Str: s, Pos: open}, nil
}

// parseBlock reads nats-server's block string: everything after '(' up to
// the line end before a ')' that stands alone on its line.
func (p *parser) parseBlock() (*Value, error) {
	open := p.sc.pos()
	p.sc.advance()
	start := p.sc.off
	for !p.sc.atEOF() {
		if p.atBlockEnd() {
			s := string(p.sc.src[start:p.sc.off])
			p.sc.advance() // the line end
			p.sc.advance() // the ')'
			return &Value{Kind: KindString, Str: s, Pos: open}, nil
		}
		p.sc.advance()
	}
	return nil, errorAt(open, "unterminated block: no ')' alone on a line before end of file")
}

// atBlockEnd reports "\n)" followed by a line end or the end of input.
func (p *parser) atBlockEnd() bool {
	if p.sc.peek() != '\n' {
		return false
	}
	if c, ok := p.sc.peekAt(1); !ok || c != ')' {
		return false
	}
	c, ok := p.sc.peekAt(2)
	return !ok || isNewline(c)
}

// unescapeAll decodes every escape in an unquoted token (one line long,
// so a column offset locates each escape).
func unescapeAll(raw string, at Pos) (string, error) {
	var b strings.Builder
	for i := 0; i < len(raw); {
		if raw[i] != '\\' {
			b.WriteByte(raw[i])
			i++
			continue
		}
		decoded, used, msg := unescape([]byte(raw[i+1:]))
		if msg != "" {
			return "", errorAt(Pos{File: at.File, Line: at.Line, Col: at.Col + i}, "%s", msg)
		}
		b.WriteString(decoded)
		i += 1 + used
	}
	return b.String(), nil
}

// unescape decodes the escape sequence that follows a backslash: \t \n \r
// \" \\ (nats-server), \xXX (one byte, nats-server) and \uXXXX (a Unicode
// code point, an extension). It returns the text, how many bytes after
// the backslash it used, and an error message ("" when valid).
func unescape(s []byte) (decoded string, used int, msg string) {
	const allowed = `allowed escapes are \t \n \r \" \\ \xXX \uXXXX`
	if len(s) == 0 {
		return "", 0, "backslash at end of input; " + allowed
	}
	switch s[0] {
	case 't':
		return "\t", 1, ""
	case 'n':
		return "\n", 1, ""
	case 'r':
		return "\r", 1, ""
	case '"':
		return "\"", 1, ""
	case '\\':
		return "\\", 1, ""
	case 'x':
		n, ok := parseHex(s[1:], 2)
		if !ok {
			return "", 0, `\x needs two hexadecimal digits`
		}
		return string([]byte{byte(n)}), 3, ""
	case 'u':
		n, ok := parseHex(s[1:], 4)
		if !ok || !utf8.ValidRune(rune(n)) {
			return "", 0, `\u needs four hexadecimal digits naming a valid code point`
		}
		return string(rune(n)), 5, ""
	}
	if isNewline(s[0]) {
		return "", 0, "backslash at end of line; " + allowed
	}
	r, _ := utf8.DecodeRune(s)
	if r < utf8.RuneSelf && strconv.IsPrint(r) {
		return "", 0, `invalid escape '\` + string(r) + "'; " + allowed
	}
	return "", 0, fmt.Sprintf("invalid escape: backslash before %U; %s", r, allowed)
}

// parseHex reads exactly n hexadecimal digits from the start of s.
func parseHex(s []byte, n int) (uint32, bool) {
	if len(s) < n {
		return 0, false
	}
	var v uint32
	for _, c := range s[:n] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(d)
	}
	return v, true
}
