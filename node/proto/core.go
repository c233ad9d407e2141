package proto

import "bytes"

// state is where the parser stands between bytes.
type state uint8

const (
	stStart   state = iota // at the first byte of an op
	stName                 // inside an op name; name[:nameLen] holds the bytes seen
	stSkip                 // PING/PONG/+OK: discarding bytes up to '\n'
	stBlanks               // after an op name, skipping blanks before the argument
	stArg                  // accumulating a split argument line in buf
	stPayload              // accumulating a split payload and its CRLF in buf
)

const (
	crlfLen = 2
	// minBufferCap is the smallest buffer allocated for a split op, so a
	// stream of small split ops settles on one allocation.
	minBufferCap = 1024
	// retainedBufferMax: a buffer grown past this for one large split
	// message is dropped once the message is delivered, so an idle
	// connection does not pin it.
	retainedBufferMax = 64 << 10
)

// dispatcher is what differs between the server-side and client-side
// parsers: how a complete line or message becomes handler calls.
type dispatcher interface {
	// control handles a complete control line (arg is nil for bare ops).
	// For an op with a payload it only validates the argument and returns
	// where its fields are.
	control(op opcode, arg []byte) (msgLayout, error)
	// message delivers a complete message: its argument line, the layout
	// control returned for it, and the payload without the CRLF.
	message(op opcode, arg []byte, m msgLayout, payload []byte) error
}

// core is the incremental state machine shared by both parsers. It finds op
// boundaries, enforces the limits and buffers split ops; the dispatcher
// interprets them.
type core struct {
	table        []opSpec
	d            dispatcher
	maxLine      int
	maxPayload   int
	awaitConnect bool // reject any op but CONNECT (server side, auth pending)
	// yield is set by a handler (through Yield) to stop a FeedSome after
	// the op it is handling; FeedSome clears it when it returns.
	yield bool

	state   state
	op      *opSpec // the op being parsed, from stSkip on
	name    [maxOpMatch]byte
	nameLen int
	buf     []byte    // split argument line, then its payload (stPayload)
	argLen  int       // stPayload: the argument line is buf[:argLen]
	layout  msgLayout // stPayload: the fields of that line
	err     error     // sticky: once set, every feed returns it
}

func (c *core) init(table []opSpec, d dispatcher, lim Limits) {
	c.table, c.d = table, d
	c.setLimits(lim)
}

func (c *core) setLimits(lim Limits) {
	c.maxLine = lim.controlLine()
	c.maxPayload = lim.payload()
}

// feed consumes b until an error stops it or, when yielding is allowed, a
// handler asked to yield; it returns the bytes consumed. A yield can only
// be asked for by a handler, so it always falls on an op boundary.
func (c *core) feed(b []byte, canYield bool) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	done := 0
	for done < len(b) {
		n, err := c.step(b[done:])
		done += n
		if err != nil {
			c.err = err
			return done, err
		}
		if c.yield && canYield {
			break
		}
	}
	c.yield = false
	return done, nil
}

// step advances the state machine over a prefix of b (not empty) and
// returns how many bytes it consumed: from stStart, at most one op.
func (c *core) step(b []byte) (int, error) {
	switch c.state {
	case stName:
		return c.resumeName(b)
	case stSkip:
		return c.resumeSkip(b)
	case stBlanks:
		return c.resumeBlanks(b)
	case stArg:
		return c.scanArg(b)
	case stPayload:
		return c.resumePayload(b)
	}
	return c.start(b)
}

// start parses from the first byte of an op; b is not empty.
func (c *core) start(b []byte) (int, error) {
	if c.awaitConnect && upper(b[0]) != 'C' {
		return 0, ErrAuthViolation
	}
	op, res := matchOp(c.table, b)
	switch res {
	case matchNone:
		return 0, ErrUnknownOp
	case matchPartial:
		// A partial match is shorter than maxOpMatch, so it fits.
		c.nameLen = copy(c.name[:], b)
		c.state = stName
		return len(b), nil
	}
	n := op.matchLen()
	m, err := c.afterName(op, b[n:])
	return n + m, err
}

// resumeName continues an op name split across feeds, one byte at a time
// (at most maxOpMatch bytes).
func (c *core) resumeName(b []byte) (int, error) {
	for i := 0; i < len(b); i++ {
		c.name[c.nameLen] = b[i]
		c.nameLen++
		op, res := matchOp(c.table, c.name[:c.nameLen])
		switch res {
		case matchNone:
			return i, ErrUnknownOp
		case matchFull:
			c.nameLen = 0
			m, err := c.afterName(op, b[i+1:])
			return i + 1 + m, err
		}
	}
	return len(b), nil
}

// afterName continues once the op is identified; rest follows its name.
func (c *core) afterName(op *opSpec, rest []byte) (int, error) {
	c.op = op
	if op.shape == shapeBare {
		c.state = stSkip
		return c.resumeSkip(rest)
	}
	c.state = stBlanks
	return c.resumeBlanks(rest)
}

// resumeSkip discards the rest of a PING/PONG/+OK line. nats-server neither
// buffers nor limits these bytes, so neither does this.
func (c *core) resumeSkip(b []byte) (int, error) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return len(b), nil
	}
	c.state = stStart
	_, err := c.d.control(c.op.code, nil)
	return i + 1, err
}

// resumeBlanks skips the blanks before an argument without buffering them.
func (c *core) resumeBlanks(b []byte) (int, error) {
	i := skipBlanks(b)
	if i == len(b) {
		return i, nil
	}
	c.state = stArg
	c.buf = c.buf[:0]
	m, err := c.scanArg(b[i:])
	return i + m, err
}

// scanArg looks for the end of the argument line. If the whole line is in b
// and nothing is buffered, the line is used in place.
func (c *core) scanArg(b []byte) (int, error) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if argLen(c.buf, b) > c.maxLine {
			return 0, ErrMaxControlLine
		}
		c.reserve(len(b), c.maxLine+1)
		c.buf = append(c.buf, b...)
		return len(b), nil
	}
	line := b[:i]
	if len(c.buf) > 0 {
		if argLen(c.buf, line) > c.maxLine {
			return 0, ErrMaxControlLine
		}
		c.reserve(len(line), len(c.buf)+len(line))
		c.buf = append(c.buf, line...)
		line = c.buf
	}
	c.state = stStart
	m, err := c.completeLine(trimCR(line), b[i+1:])
	return i + 1 + m, err
}

// argLen is the length the argument will have if the line ends right after
// head+tail: a final '\r' would be the CR of the CRLF, so it does not count.
// Checking this way gives the same verdict however the line is split.
func argLen(head, tail []byte) int {
	n := len(head) + len(tail)
	switch {
	case len(tail) > 0 && tail[len(tail)-1] == '\r':
		n--
	case len(tail) == 0 && len(head) > 0 && head[len(head)-1] == '\r':
		n--
	}
	return n
}

// completeLine handles a complete argument line; after holds the bytes that
// follow it in the current feed. It returns how many of those it consumed.
func (c *core) completeLine(line, after []byte) (int, error) {
	if len(line) > c.maxLine {
		return 0, ErrMaxControlLine
	}
	op := c.op
	m, err := c.d.control(op.code, line)
	if err != nil || !op.payload {
		c.resetBuffer()
		return 0, err
	}
	need := m.size + crlfLen
	if len(after) >= need {
		if err := checkTerminator(after[m.size:need]); err != nil {
			return 0, err
		}
		err := c.d.message(op.code, line, m, after[:m.size])
		c.resetBuffer()
		return need, err
	}
	if len(after) > m.size {
		if err := checkTerminator(after[m.size:]); err != nil {
			return 0, err
		}
	}
	c.stash(line, m, after)
	return len(after), nil
}

// stash copies a message's argument line and the payload bytes seen so far
// into buf. The buffer grows with the bytes that actually arrive, so a
// peer announcing a huge message it never sends does not cost its size.
func (c *core) stash(line []byte, m msgLayout, partial []byte) {
	total := len(line) + m.size + crlfLen
	if len(c.buf) == 0 {
		c.reserve(len(line)+len(partial), total)
		c.buf = append(c.buf, line...)
	} else {
		// line is buf's own content (a split argument line) minus,
		// perhaps, the CR of its line end: drop that CR.
		c.buf = c.buf[:len(line)]
		c.reserve(len(partial), total)
	}
	c.argLen = len(line)
	c.buf = append(c.buf, partial...)
	c.layout = m
	c.state = stPayload
}

// resumePayload appends payload bytes until the message and its CRLF are
// complete, checking the CRLF as soon as its bytes arrive.
func (c *core) resumePayload(b []byte) (int, error) {
	size := c.layout.size
	want := c.argLen + size + crlfLen
	take := min(want-len(c.buf), len(b))
	c.reserve(take, want)
	c.buf = append(c.buf, b[:take]...)
	body := c.buf[c.argLen:]
	if len(body) > size {
		if err := checkTerminator(body[size:]); err != nil {
			return 0, err
		}
	}
	if len(c.buf) < want {
		return take, nil
	}
	c.state = stStart
	err := c.d.message(c.op.code, c.buf[:c.argLen], c.layout, body[:size])
	c.resetBuffer()
	return take, err
}

// checkTerminator verifies the (possibly partial) CRLF after a payload.
func checkTerminator(t []byte) error {
	if len(t) > 0 && t[0] != '\r' {
		return ErrUnknownOp
	}
	if len(t) > 1 && t[1] != '\n' {
		return ErrUnknownOp
	}
	return nil
}

// reserve makes room for n more bytes in buf, growing geometrically but
// never beyond limit (the most the current op can need) unless n itself
// requires it.
func (c *core) reserve(n, limit int) {
	need := len(c.buf) + n
	if need <= cap(c.buf) {
		return
	}
	newCap := min(max(2*cap(c.buf), minBufferCap), limit)
	newCap = max(newCap, need)
	nb := make([]byte, len(c.buf), newCap)
	copy(nb, c.buf)
	c.buf = nb
}

// resetBuffer empties buf, dropping it if one large message grew it.
func (c *core) resetBuffer() {
	if cap(c.buf) > retainedBufferMax {
		c.buf = nil
		return
	}
	c.buf = c.buf[:0]
}
