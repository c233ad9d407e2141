package proto

import "encoding/json"

// ServerHandler receives the ops a client sends. Slices are valid only
// during the call. A non-nil error from a handler stops Feed, which returns
// that error.
type ServerHandler interface {
	Connect(arg []byte) error                                 // arg = the JSON text
	Pub(subject, reply, payload []byte) error                 // reply may be nil
	HPub(subject, reply []byte, hdrLen int, msg []byte) error // msg = header block + payload
	Sub(subject, queue, sid []byte) error                     // queue may be nil
	Unsub(sid []byte, max int64) error                        // max = 0 if absent or not a number
	Ping() error
	Pong() error
}

// ServerParser parses the client→server byte stream incrementally. Ops may
// be split across Feed calls at any byte.
//
// Besides the ServerHandler ops it accepts what nats-server accepts from a
// client without a handler: INFO (valid JSON, ignored) and +OK (ignored); a
// -ERR from a client is ErrClientSentErr (nats-server closes silently).
type ServerParser struct {
	c core
	h ServerHandler // set for the duration of Feed
	// generalOnly turns the PUB/HPUB fast path off, so tests can check
	// that both paths agree on every input.
	generalOnly bool
}

// NewServerParser returns a parser enforcing lim.
func NewServerParser(lim Limits) *ServerParser {
	p := &ServerParser{}
	p.c.init(serverOps, p, lim)
	return p
}

// SetLimits changes the limits for the bytes parsed from now on, e.g. from
// the Connect handler once the account's limits are known.
func (p *ServerParser) SetLimits(lim Limits) { p.c.setLimits(lim) }

// SetAwaitingConnect makes the parser reject, with ErrAuthViolation, any op
// that does not start like CONNECT, as nats-server does while a connection
// that must authenticate has not sent CONNECT yet. Clear it (typically from
// the Connect handler) once CONNECT is accepted.
func (p *ServerParser) SetAwaitingConnect(on bool) { p.c.awaitConnect = on }

// Feed parses b, calling h for each complete op and buffering a partial op
// for the next call. On malformed input it returns a *ProtoError; after any
// error (including one returned by h) the parser is finished and every
// later Feed returns the same error.
func (p *ServerParser) Feed(b []byte, h ServerHandler) error {
	for {
		n, err := p.FeedSome(b, h)
		if err != nil || n == len(b) {
			return err
		}
		b = b[n:]
	}
}

// FeedSome is Feed, except that it stops after the op during which the
// handler called Yield and returns how many bytes of b it consumed; the
// caller feeds the rest later. This is how a server bounds the work one
// read buffer does in one event.
func (p *ServerParser) FeedSome(b []byte, h ServerHandler) (int, error) {
	p.h = h
	n, err := p.feed(b)
	p.h = nil
	return n, err
}

// Yield asks the FeedSome in progress to return after the current op.
// Feed goes on with the rest; between calls Yield has no effect.
func (p *ServerParser) Yield() { p.c.yield = p.h != nil }

// feed is core.feed with the PUB/HPUB fast path (server_fast.go) tried at
// every op boundary; whatever it leaves goes one op at a time through the
// general path.
func (p *ServerParser) feed(b []byte) (int, error) {
	c := &p.c
	if c.err != nil {
		return 0, c.err
	}
	defer func() { c.yield = false }()
	done := 0
	for done < len(b) && !c.yield {
		if c.state == stStart && !p.generalOnly {
			n, err := p.feedFast(b[done:])
			done += n
			if err != nil {
				c.err = err
				return done, err
			}
			if done == len(b) || c.yield {
				break
			}
		}
		n, err := c.step(b[done:])
		done += n
		if err != nil {
			c.err = err
			return done, err
		}
	}
	return done, nil
}

func (p *ServerParser) control(op opcode, arg []byte) (msgLayout, error) {
	switch op {
	case opPub:
		return parsePubArgs(arg, p.c.maxPayload)
	case opHPub:
		return parseHPubArgs(arg, p.c.maxPayload)
	case opSub:
		return msgLayout{}, p.sub(arg)
	case opUnsub:
		return msgLayout{}, p.unsub(arg)
	case opPing:
		return msgLayout{}, p.h.Ping()
	case opPong:
		return msgLayout{}, p.h.Pong()
	case opConnect:
		return msgLayout{}, p.h.Connect(arg)
	case opInfo:
		if !json.Valid(arg) {
			return msgLayout{}, ErrBadInfo
		}
	case opErr:
		return msgLayout{}, ErrClientSentErr
	}
	return msgLayout{}, nil
}

func (p *ServerParser) message(op opcode, arg []byte, m msgLayout, payload []byte) error {
	subject, reply := field(arg, m.subject), field(arg, m.reply)
	if op == opHPub {
		return p.h.HPub(subject, reply, m.hdr, payload)
	}
	return p.h.Pub(subject, reply, payload)
}

func (p *ServerParser) sub(arg []byte) error {
	a := splitArgs(arg, true)
	switch a.count {
	case 2:
		return p.h.Sub(field(arg, a.spans[0]), nil, field(arg, a.spans[1]))
	case 3:
		return p.h.Sub(field(arg, a.spans[0]), field(arg, a.spans[1]), field(arg, a.spans[2]))
	}
	return ErrBadSubArgs
}

// unsub passes max 0 when the count is absent or not a number: nats-server
// then removes the subscription at once, which is what max 0 means.
func (p *ServerParser) unsub(arg []byte) error {
	a := splitArgs(arg, true)
	switch a.count {
	case 1:
		return p.h.Unsub(field(arg, a.spans[0]), 0)
	case 2:
		maxMsgs := max(parseSize(field(arg, a.spans[1])), 0)
		return p.h.Unsub(field(arg, a.spans[0]), int64(maxMsgs))
	}
	return ErrBadUnsubArgs
}

// parsePubArgs parses "subject [reply] size".
func parsePubArgs(arg []byte, maxPayload int) (msgLayout, error) {
	a := splitArgs(arg, false)
	m := msgLayout{hdr: -1}
	var size span
	switch a.count {
	case 2:
		m.subject, size = a.spans[0], a.spans[1]
	case 3:
		m.subject, m.reply, size = a.spans[0], a.spans[1], a.spans[2]
	default:
		return m, ErrBadPubArgs
	}
	if m.size = parseSize(field(arg, size)); m.size < 0 {
		return m, ErrBadPubSize
	}
	if m.size > maxPayload {
		return m, ErrMaxPayload
	}
	return m, nil
}

// parseHPubArgs parses "subject [reply] hdrSize totalSize".
func parseHPubArgs(arg []byte, maxPayload int) (msgLayout, error) {
	a := splitArgs(arg, false)
	var m msgLayout
	var hdr, total span
	switch a.count {
	case 3:
		m.subject, hdr, total = a.spans[0], a.spans[1], a.spans[2]
	case 4:
		m.subject, m.reply, hdr, total = a.spans[0], a.spans[1], a.spans[2], a.spans[3]
	default:
		return m, ErrBadHPubArgs
	}
	if m.hdr = parseSize(field(arg, hdr)); m.hdr < 0 {
		return m, ErrBadHeaderSize
	}
	if m.size = parseSize(field(arg, total)); m.size < 0 {
		return m, ErrBadTotalSize
	}
	if m.hdr > m.size {
		return m, ErrHeaderOverTotal
	}
	if m.size > maxPayload {
		return m, ErrMaxPayload
	}
	return m, nil
}
