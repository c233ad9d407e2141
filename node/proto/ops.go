package proto

// opcode names an operation of either direction.
type opcode uint8

const (
	opNone opcode = iota
	opConnect
	opPub
	opHPub
	opSub
	opUnsub
	opPing
	opPong
	opInfo
	opMsg
	opHMsg
	opOK
	opErr
)

// argShape says what follows an op name.
type argShape uint8

const (
	// shapeBare: nothing meaningful; bytes up to the line end are ignored
	// (PING, PONG, +OK).
	shapeBare argShape = iota
	// shapeArg: an argument line; the op name must be followed by a blank
	// (PUB, HPUB, SUB, UNSUB, MSG, HMSG, -ERR).
	shapeArg
	// shapeLooseArg: an argument line; blanks after the name are optional
	// (CONNECT, INFO).
	shapeLooseArg
)

// opSpec describes one op name a parser recognises.
type opSpec struct {
	code    opcode
	name    string // upper case
	shape   argShape
	payload bool // a payload of the announced size follows the line
}

// matchLen is the number of bytes that identify the op: the name plus the
// mandatory blank for shapeArg.
func (s *opSpec) matchLen() int {
	if s.shape == shapeArg {
		return len(s.name) + 1
	}
	return len(s.name)
}

// maxOpMatch bounds matchLen over every table ("CONNECT", "UNSUB ").
const maxOpMatch = 8

// Op tables, most frequent op first: matching tries them in order.
var (
	serverOps = []opSpec{
		{opPub, "PUB", shapeArg, true},
		{opHPub, "HPUB", shapeArg, true},
		{opSub, "SUB", shapeArg, false},
		{opUnsub, "UNSUB", shapeArg, false},
		{opPing, "PING", shapeBare, false},
		{opPong, "PONG", shapeBare, false},
		{opConnect, "CONNECT", shapeLooseArg, false},
		{opInfo, "INFO", shapeLooseArg, false},
		{opOK, "+OK", shapeBare, false},
		{opErr, "-ERR", shapeArg, false},
	}
	clientOps = []opSpec{
		{opMsg, "MSG", shapeArg, true},
		{opHMsg, "HMSG", shapeArg, true},
		{opPing, "PING", shapeBare, false},
		{opPong, "PONG", shapeBare, false},
		{opInfo, "INFO", shapeLooseArg, false},
		{opOK, "+OK", shapeBare, false},
		{opErr, "-ERR", shapeArg, false},
	}
)

// matchResult is the outcome of matching bytes against an op table.
type matchResult uint8

const (
	matchNone    matchResult = iota // no op starts this way
	matchPartial                    // a proper prefix of some op; need more bytes
	matchFull                       // an op is identified
)

// matchOp identifies the op at the start of b. No op's identifying bytes
// are a prefix of another's, so the first full match is the only one.
func matchOp(table []opSpec, b []byte) (*opSpec, matchResult) {
	partial := false
	for i := range table {
		switch matchSpec(&table[i], b) {
		case matchFull:
			return &table[i], matchFull
		case matchPartial:
			partial = true
		}
	}
	if partial {
		return nil, matchPartial
	}
	return nil, matchNone
}

// matchSpec matches one op case-insensitively.
func matchSpec(s *opSpec, b []byte) matchResult {
	name := s.name
	for i := 0; i < len(name); i++ {
		if i == len(b) {
			return matchPartial
		}
		if upper(b[i]) != name[i] {
			return matchNone
		}
	}
	if s.shape != shapeArg {
		return matchFull
	}
	if len(b) == len(name) {
		return matchPartial
	}
	if isBlank(b[len(name)]) {
		return matchFull
	}
	return matchNone
}

// upper folds ASCII lower-case letters only, so no other byte can alias a
// letter or a '+'/'-'.
func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// isBlank reports the argument separators of a control line.
func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// skipBlanks returns the index of the first non-blank byte of b (len(b) if
// none).
func skipBlanks(b []byte) int {
	i := 0
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	return i
}

// trimCR drops one trailing '\r', the CR of a CRLF line end.
func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// maxArgs is the most arguments any op takes (HMSG with a reply: 5).
const maxArgs = 5

// span is a half-open byte range [from, to) inside an argument line.
type span struct{ from, to int }

// argList holds the argument positions of one control line without
// allocating. count may exceed maxArgs: only the first maxArgs are stored.
type argList struct {
	spans [maxArgs]span
	count int
}

// Argument separators: PUB and HPUB split on spaces and tabs only, SUB,
// UNSUB, MSG and HMSG on CR and LF too (as nats-server and nats.go do).
var (
	blanks     = [256]bool{' ': true, '\t': true}
	blanksCRLF = [256]bool{' ': true, '\t': true, '\r': true, '\n': true}
)

// splitArgs finds the separated arguments of line; crIsBlank selects the
// separator set that includes CR and LF.
func splitArgs(line []byte, crIsBlank bool) argList {
	sep := &blanks
	if crIsBlank {
		sep = &blanksCRLF
	}
	var a argList
	i, n := 0, len(line)
	for {
		for i < n && sep[line[i]] {
			i++
		}
		if i == n {
			return a
		}
		start := i
		for i < n && !sep[line[i]] {
			i++
		}
		a.add(start, i)
	}
}

func (a *argList) add(from, to int) {
	if a.count < maxArgs {
		a.spans[a.count] = span{from, to}
	}
	a.count++
}

// parseSize parses a non-negative decimal size of 1 to maxSizeDigits
// digits; it returns -1 for anything else, as nats-server does.
func parseSize(d []byte) int {
	if len(d) == 0 || len(d) > maxSizeDigits {
		return -1
	}
	n := 0
	for _, c := range d {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// msgLayout locates the fields of a PUB/HPUB/MSG/HMSG argument line, as
// offsets so they survive the line being moved into the parser's buffer.
type msgLayout struct {
	subject span
	reply   span // empty when absent
	sid     span // MSG/HMSG only
	hdr     int  // header bytes; -1 for PUB/MSG
	size    int  // total payload bytes, headers included
}

// field returns the bytes of s in line, or nil for an empty span.
func field(line []byte, s span) []byte {
	if s.to <= s.from {
		return nil
	}
	return line[s.from:s.to]
}
