package conf

import (
	"fmt"
	"unicode/utf8"
)

// scanner walks the bytes of one source text and knows the position of the
// next unread byte. Every method moves forward or not at all, so loops that
// call advance until a condition always end.
type scanner struct {
	file      string
	src       []byte
	off       int // offset of the next unread byte
	line      int // 1-based line of off
	lineStart int // offset of the first byte of that line
}

func newScanner(file string, src []byte) *scanner {
	return &scanner{file: file, src: src, line: 1}
}

func (s *scanner) atEOF() bool { return s.off >= len(s.src) }

// peek returns the next byte, or 0 at the end of the input. A NUL byte in
// the input also reads as 0, so callers test atEOF where that matters.
func (s *scanner) peek() byte {
	if s.atEOF() {
		return 0
	}
	return s.src[s.off]
}

// peekAt returns the byte n positions ahead and whether it exists.
func (s *scanner) peekAt(n int) (byte, bool) {
	if s.off+n >= len(s.src) {
		return 0, false
	}
	return s.src[s.off+n], true
}

// advance consumes one byte.
func (s *scanner) advance() {
	if s.atEOF() {
		return
	}
	if s.src[s.off] == '\n' {
		s.line++
		s.lineStart = s.off + 1
	}
	s.off++
}

func (s *scanner) pos() Pos {
	return Pos{File: s.file, Line: s.line, Col: s.off - s.lineStart + 1}
}

// describeNext names the next character for error messages.
func (s *scanner) describeNext() string {
	if s.atEOF() {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(s.src[s.off:])
	switch r {
	case '\n', '\r':
		return "end of line"
	case utf8.RuneError:
		return fmt.Sprintf("byte 0x%02x", s.src[s.off])
	}
	return fmt.Sprintf("%q", r)
}

func isSpace(c byte) bool   { return c == ' ' || c == '\t' }
func isNewline(c byte) bool { return c == '\n' || c == '\r' }
func isDigit(c byte) bool   { return c >= '0' && c <= '9' }

// skipSpaces skips blanks and tabs on the current line.
func (s *scanner) skipSpaces() {
	for !s.atEOF() && isSpace(s.peek()) {
		s.advance()
	}
}

// skipSpacesAndNewlines skips blanks, tabs and line ends (not comments).
func (s *scanner) skipSpacesAndNewlines() {
	for !s.atEOF() && (isSpace(s.peek()) || isNewline(s.peek())) {
		s.advance()
	}
}

// atComment reports whether a comment ('#' or "//") starts here.
func (s *scanner) atComment() bool {
	switch s.peek() {
	case '#':
		return true // peek is 0, not '#', at the end of input
	case '/':
		next, ok := s.peekAt(1)
		return ok && next == '/'
	}
	return false
}

// skipComment skips to the end of the line, leaving the line end unread.
func (s *scanner) skipComment() {
	for !s.atEOF() && !isNewline(s.peek()) {
		s.advance()
	}
}

// skipBlank skips whitespace, line ends and comments.
func (s *scanner) skipBlank() {
	for !s.atEOF() {
		switch {
		case isSpace(s.peek()) || isNewline(s.peek()):
			s.advance()
		case s.atComment():
			s.skipComment()
		default:
			return
		}
	}
}
