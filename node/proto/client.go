package proto

// ClientHandler receives the ops a server sends (used by the simulator's
// client and by tests). Slices are valid only during the call. A non-nil
// error from a handler stops Feed, which returns that error.
type ClientHandler interface {
	Info(arg []byte) error
	// Msg delivers MSG (hdrLen = -1) and HMSG (hdrLen = header bytes at the
	// start of msg).
	Msg(subject, sid, reply []byte, hdrLen int, msg []byte) error
	Ping() error
	Pong() error
	OK() error
	Err(text []byte) error // the text inside the quotes of -ERR '...'
}

// ClientParser parses the server→client byte stream incrementally, with the
// same splitting guarantees as ServerParser. Limits.MaxPayload bounds MSG
// sizes too: a client should pass the server's max_payload plus room for
// headers the server adds, or a negative value for no limit.
type ClientParser struct {
	c core
	h ClientHandler
}

// NewClientParser returns a parser enforcing lim.
func NewClientParser(lim Limits) *ClientParser {
	p := &ClientParser{}
	p.c.init(clientOps, p, lim)
	return p
}

// SetLimits changes the limits for the bytes parsed from now on.
func (p *ClientParser) SetLimits(lim Limits) { p.c.setLimits(lim) }

// Feed parses b, calling h for each complete op. Errors are as for
// ServerParser.Feed.
func (p *ClientParser) Feed(b []byte, h ClientHandler) error {
	p.h = h
	_, err := p.c.feed(b, false)
	p.h = nil
	return err
}

func (p *ClientParser) control(op opcode, arg []byte) (msgLayout, error) {
	switch op {
	case opMsg:
		return parseMsgArgs(arg, false, p.c.maxPayload)
	case opHMsg:
		return parseMsgArgs(arg, true, p.c.maxPayload)
	case opPing:
		return msgLayout{}, p.h.Ping()
	case opPong:
		return msgLayout{}, p.h.Pong()
	case opOK:
		return msgLayout{}, p.h.OK()
	case opInfo:
		return msgLayout{}, p.h.Info(arg)
	case opErr:
		return msgLayout{}, p.h.Err(errText(arg))
	}
	return msgLayout{}, nil
}

func (p *ClientParser) message(_ opcode, arg []byte, m msgLayout, payload []byte) error {
	return p.h.Msg(field(arg, m.subject), field(arg, m.sid), field(arg, m.reply), m.hdr, payload)
}

// parseMsgArgs parses "subject sid [reply] size" or, with headers,
// "subject sid [reply] hdrSize totalSize".
func parseMsgArgs(arg []byte, headers bool, maxPayload int) (msgLayout, error) {
	a := splitArgs(arg, true)
	m := msgLayout{hdr: -1}
	sizes := 1
	if headers {
		sizes = 2
	}
	switch a.count - sizes {
	case 2:
	case 3:
		m.reply = a.spans[2]
	default:
		return m, ErrBadMsgArgs
	}
	m.subject, m.sid = a.spans[0], a.spans[1]
	last := a.count - 1
	if m.size = parseSize(field(arg, a.spans[last])); m.size < 0 {
		return m, ErrBadMsgSize
	}
	if headers {
		if m.hdr = parseSize(field(arg, a.spans[last-1])); m.hdr < 0 {
			return m, ErrBadMsgSize
		}
		if m.hdr > m.size {
			return m, ErrMsgHeaderOverAll
		}
	}
	if m.size > maxPayload {
		return m, ErrMaxPayload
	}
	return m, nil
}

// errText extracts the text of "-ERR 'text'": blanks and one pair of
// single quotes around it are removed.
func errText(arg []byte) []byte {
	for len(arg) > 0 && isBlank(arg[len(arg)-1]) {
		arg = arg[:len(arg)-1]
	}
	if len(arg) >= 2 && arg[0] == '\'' && arg[len(arg)-1] == '\'' {
		return arg[1 : len(arg)-1]
	}
	return arg
}
