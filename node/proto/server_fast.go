package proto

import (
	"encoding/binary"
	"math/bits"
)

// The fast path for PUB and HPUB, the ops a busy client sends nearly all
// the time. The general path (core) finds the line end, splits the line
// into a slice of spans, hands it to control through an interface, then
// looks at the payload; for a 16-byte message that bookkeeping costs more
// than the bytes. Here one scan walks the op name, the arguments and the
// line end, and the handler is called directly.
//
// The fast path only ever accepts: an op it is not certain of — any other
// op, a line or payload not complete in the fed bytes, anything odd about
// blanks or CRs, a bad or too large size, a too long line — is left,
// untouched, to the general path, which then produces exactly the events
// and errors it always did. The fast path never returns a parse error; the
// only errors it passes on are the handler's.

// fastMaxArgs is the most arguments a fast op has (HPUB with a reply).
const fastMaxArgs = 4

// tokenEnd marks the bytes that end an argument on the fast path: the
// blanks that separate arguments and the CR and LF of the line end.
var tokenEnd = [256]bool{' ': true, '\t': true, '\r': true, '\n': true}

// fastLine is one control line as the fast path scanned it.
type fastLine struct {
	args  [fastMaxArgs]span // offsets in the fed bytes
	count int
	// argLen is the length the general path measures against the control
	// line limit: from the first argument byte to the line end, without
	// the CR of a CRLF.
	argLen int
	next   int // the first byte after the line's LF
}

// feedFast handles, from the start of b, every PUB and HPUB the fast path
// is sure of and returns the bytes consumed. It stops at the first op it
// leaves to the general path. Limits and the awaiting-CONNECT flag are read
// again for every op, since a handler may change them.
func (p *ServerParser) feedFast(b []byte) (int, error) {
	done := 0
	for !p.c.awaitConnect && !p.c.yield {
		n, err := p.fastOp(b[done:])
		done += n
		if n == 0 || err != nil {
			return done, err
		}
	}
	return done, nil
}

// fastOp handles one PUB or HPUB at the start of b, or returns 0 to leave
// it to the general path.
func (p *ServerParser) fastOp(b []byte) (int, error) {
	// OR-ing 0x20 folds exactly the upper- and lower-case forms of these
	// letters together and no other byte onto them.
	switch {
	case len(b) > 4 && b[0]|0x20 == 'p' && b[1]|0x20 == 'u' && b[2]|0x20 == 'b' && isBlank(b[3]):
		return p.fastPub(b)
	case len(b) > 5 && b[0]|0x20 == 'h' && b[1]|0x20 == 'p' && b[2]|0x20 == 'u' && b[3]|0x20 == 'b' && isBlank(b[4]):
		return p.fastHPub(b)
	}
	return 0, nil
}

// fastPub handles "PUB subject [reply] size" and its payload.
func (p *ServerParser) fastPub(b []byte) (int, error) {
	var l fastLine
	if !l.scan(b, len("PUB "), p.c.maxLine) || l.count < 2 || l.count > 3 {
		return 0, nil
	}
	size := parseSize(field(b, l.args[l.count-1]))
	if size < 0 || size > p.c.maxPayload {
		return 0, nil
	}
	end, ok := payloadEnd(b, l.next, size)
	if !ok {
		return 0, nil
	}
	var reply []byte
	if l.count == 3 {
		reply = field(b, l.args[1])
	}
	return end, p.h.Pub(field(b, l.args[0]), reply, b[l.next:l.next+size])
}

// fastHPub handles "HPUB subject [reply] hdrSize totalSize" and its
// header block and payload.
func (p *ServerParser) fastHPub(b []byte) (int, error) {
	var l fastLine
	if !l.scan(b, len("HPUB "), p.c.maxLine) || l.count < 3 {
		return 0, nil
	}
	hdr := parseSize(field(b, l.args[l.count-2]))
	total := parseSize(field(b, l.args[l.count-1]))
	if hdr < 0 || total < 0 || hdr > total || total > p.c.maxPayload {
		return 0, nil
	}
	end, ok := payloadEnd(b, l.next, total)
	if !ok {
		return 0, nil
	}
	var reply []byte
	if l.count == 4 {
		reply = field(b, l.args[1])
	}
	return end, p.h.HPub(field(b, l.args[0]), reply, hdr, b[l.next:l.next+total])
}

// scan fills l from the line of b whose op name and first blank end at
// from. It fails if the line does not end in b, has more
// than fastMaxArgs arguments, is longer than maxLine, or holds a CR
// anywhere but right before its LF (the general path would read such a CR
// as part of an argument).
func (l *fastLine) scan(b []byte, from, maxLine int) bool {
	start := from + skipBlanks(b[from:])
	i := start
	for {
		tok := i
		if i = tokenEndFrom(b, i); i == len(b) {
			return false
		}
		if i > tok {
			if l.count == fastMaxArgs {
				return false
			}
			l.args[l.count] = span{tok, i}
			l.count++
		}
		switch b[i] {
		case '\n':
			l.argLen, l.next = i-start, i+1
			return l.argLen <= maxLine
		case '\r':
			if i+1 == len(b) || b[i+1] != '\n' {
				return false
			}
			l.argLen, l.next = i-start, i+2
			return l.argLen <= maxLine
		}
		i++ // a blank
	}
}

// payloadEnd returns the end of a payload of size bytes starting at from
// and of the CRLF after it, if both are in b and the CRLF is right.
func payloadEnd(b []byte, from, size int) (int, bool) {
	end := from + size + crlfLen
	if end > len(b) || b[end-2] != '\r' || b[end-1] != '\n' {
		return 0, false
	}
	return end, true
}

// SWAR constants: every byte 0x01, and every byte's top bit.
const (
	eachByte = 0x0101010101010101
	topBits  = 0x8080808080808080
)

// tokenEndFrom returns the index of the first blank, CR or LF at or after
// i, or len(b). All four are below '!', so it looks at eight bytes at a
// time for any byte below '!' (the lowest such flag is always exact) and
// then checks that byte; the other control bytes belong to the argument,
// as on the general path.
func tokenEndFrom(b []byte, i int) int {
	for i+8 <= len(b) {
		v := binary.LittleEndian.Uint64(b[i:])
		below := (v - '!'*eachByte) &^ v & topBits
		if below == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(below) / 8
		if tokenEnd[b[i]] {
			return i
		}
		i++
	}
	for i < len(b) && !tokenEnd[b[i]] {
		i++
	}
	return i
}
