package proto

// The route protocol is what two servers of one cluster speak on the
// cluster port (nats-server route.go, parser.go): INFO and CONNECT to
// shake hands, PING/PONG, -ERR and +OK as on the client port, and
//
//	RS+ <account> <subject>[ <queue> <weight>]     interest appears (or a queue's weight changes)
//	RS- <account> <subject>[ <queue>]              interest is gone
//	RMSG <account> <subject> [<reply> | + <reply> <q>... | \| <q>...] <size>
//	HMSG <account> <subject> [<reply> | + <reply> <q>... | \| <q>...] <hdr> <size>
//
// In RMSG/HMSG a single "+" means a reply and queue names follow, a single
// "|" means queue names follow without a reply; the queue names are the
// groups the sender picked the receiving server to deliver to. Arguments
// are separated by blanks, CR or LF, as nats-server splits them.

// Route op codes, numbered after the client-protocol ones.
const (
	opRSub opcode = 64 + iota
	opRUnsub
	opRMsg
)

// routeOps is the route port's op table, most frequent first.
var routeOps = []opSpec{
	{opRMsg, "RMSG", shapeArg, true},
	{opHMsg, "HMSG", shapeArg, true},
	{opRSub, "RS+", shapeArg, false},
	{opRUnsub, "RS-", shapeArg, false},
	{opPing, "PING", shapeBare, false},
	{opPong, "PONG", shapeBare, false},
	{opInfo, "INFO", shapeLooseArg, false},
	{opConnect, "CONNECT", shapeLooseArg, false},
	{opOK, "+OK", shapeBare, false},
	{opErr, "-ERR", shapeArg, false},
}

// RouteControlLineFactor multiplies max_control_line for route
// connections: routed lines carry an account, a reply and queue names, so
// nats-server allows them sixteen times the client limit.
const RouteControlLineFactor = 16

// RoutedMsg is one RMSG or HMSG. Its slices are valid only during the
// handler call.
type RoutedMsg struct {
	Account []byte
	Subject []byte
	Reply   []byte   // nil when absent
	Queues  [][]byte // queue groups to deliver to; nil when none
	HdrLen  int      // header bytes at the start of Msg; -1 for RMSG
	Msg     []byte   // header block (HMSG) followed by the payload
}

// RouteHandler receives the ops a peer server sends on a route. Slices are
// valid only during the call. A non-nil error stops Feed.
type RouteHandler interface {
	Info(arg []byte) error
	Connect(arg []byte) error
	// RSub is RS+; queue is nil for plain interest, weight is the number
	// of queue members (at least 1) and 0 for plain interest.
	RSub(account, subject, queue []byte, weight int) error
	// RUnsub is RS-; queue is nil for plain interest.
	RUnsub(account, subject, queue []byte) error
	RMsg(m *RoutedMsg) error
	Ping() error
	Pong() error
	OK() error
	Err(text []byte) error // the text inside the quotes of -ERR '...'
}

// RouteParser parses a route connection's incoming byte stream, with the
// same incremental, zero-copy and splitting guarantees as ServerParser.
// Use Limits.MaxPayload < 0 for no payload limit (nats-server enforces
// none on routes) and scale MaxControlLine by RouteControlLineFactor.
type RouteParser struct {
	c core
	h RouteHandler

	args   []span // the current line's arguments (reused)
	acct   span   // RMSG/HMSG account, from control to message
	queues []span // RMSG/HMSG queue names, from control to message
	qbuf   [][]byte
	msg    RoutedMsg
}

// NewRouteParser returns a parser enforcing lim.
func NewRouteParser(lim Limits) *RouteParser {
	p := &RouteParser{}
	p.c.init(routeOps, p, lim)
	return p
}

// SetAwaitingConnect makes the parser reject any op that does not start
// like CONNECT with ErrAuthViolation, as nats-server does on an accepted
// route until the peer's CONNECT arrives.
func (p *RouteParser) SetAwaitingConnect(on bool) { p.c.awaitConnect = on }

// Feed parses b, calling h for each complete op. Errors are as for
// ServerParser.Feed.
func (p *RouteParser) Feed(b []byte, h RouteHandler) error {
	p.h = h
	_, err := p.c.feed(b, false)
	p.h = nil
	return err
}

// FeedSome is ServerParser.FeedSome for routes.
func (p *RouteParser) FeedSome(b []byte, h RouteHandler) (int, error) {
	p.h = h
	n, err := p.c.feed(b, true)
	p.h = nil
	return n, err
}

// Yield asks the FeedSome in progress to return after the current op.
func (p *RouteParser) Yield() { p.c.yield = p.h != nil }

func (p *RouteParser) control(op opcode, arg []byte) (msgLayout, error) {
	switch op {
	case opRMsg:
		return p.parseRoutedMsgArgs(arg, false)
	case opHMsg:
		return p.parseRoutedMsgArgs(arg, true)
	case opRSub:
		return msgLayout{}, p.rsub(arg)
	case opRUnsub:
		return msgLayout{}, p.runsub(arg)
	case opPing:
		return msgLayout{}, p.h.Ping()
	case opPong:
		return msgLayout{}, p.h.Pong()
	case opOK:
		return msgLayout{}, p.h.OK()
	case opInfo:
		return msgLayout{}, p.h.Info(arg)
	case opConnect:
		return msgLayout{}, p.h.Connect(arg)
	case opErr:
		return msgLayout{}, p.h.Err(errText(arg))
	}
	return msgLayout{}, nil
}

func (p *RouteParser) message(_ opcode, arg []byte, m msgLayout, payload []byte) error {
	p.qbuf = p.qbuf[:0]
	for _, q := range p.queues {
		p.qbuf = append(p.qbuf, arg[q.from:q.to])
	}
	p.msg = RoutedMsg{
		Account: field(arg, p.acct),
		Subject: field(arg, m.subject),
		Reply:   field(arg, m.reply),
		HdrLen:  m.hdr,
		Msg:     payload,
	}
	if len(p.qbuf) > 0 {
		p.msg.Queues = p.qbuf
	}
	err := p.h.RMsg(&p.msg)
	p.msg = RoutedMsg{}
	clear(p.qbuf)
	return err
}

// split fills p.args with the blank/CR/LF separated arguments of line.
func (p *RouteParser) split(line []byte) []span {
	p.args = p.args[:0]
	i, n := 0, len(line)
	for {
		for i < n && blanksCRLF[line[i]] {
			i++
		}
		if i == n {
			return p.args
		}
		start := i
		for i < n && !blanksCRLF[line[i]] {
			i++
		}
		p.args = append(p.args, span{start, i})
	}
}

// parseRoutedMsgArgs parses the RMSG/HMSG argument line, keeping the
// account and queue spans for message.
func (p *RouteParser) parseRoutedMsgArgs(arg []byte, headers bool) (msgLayout, error) {
	a := p.split(arg)
	m := msgLayout{hdr: -1}
	p.queues = p.queues[:0]
	sizes := 1
	if headers {
		sizes = 2
	}
	n := len(a) - sizes // arguments before the size fields
	switch {
	case n < 2:
		return m, ErrBadRMsgArgs
	case n == 3:
		m.reply = a[2]
	case n > 3:
		ind := field(arg, a[2])
		switch {
		case len(ind) == 1 && ind[0] == '+':
			m.reply = a[3]
			p.queues = append(p.queues, a[4:n]...)
		case len(ind) == 1 && ind[0] == '|':
			p.queues = append(p.queues, a[3:n]...)
		default:
			return m, ErrBadReplyIndicator
		}
	}
	p.acct, m.subject = a[0], a[1]
	if m.size = parseSize(field(arg, a[len(a)-1])); m.size < 0 {
		return m, ErrBadRMsgSize
	}
	if headers {
		if m.hdr = parseSize(field(arg, a[len(a)-2])); m.hdr < 0 {
			return m, ErrBadRMsgSize
		}
		if m.hdr > m.size {
			return m, ErrRMsgHeaderOverAll
		}
	}
	if m.size > p.c.maxPayload {
		return m, ErrMaxPayload
	}
	return m, nil
}

// rsub parses "account subject [queue weight]". A weight that is not a
// number, or below 1, counts as one member, as in nats-server.
func (p *RouteParser) rsub(arg []byte) error {
	a := p.split(arg)
	switch len(a) {
	case 2:
		return p.h.RSub(field(arg, a[0]), field(arg, a[1]), nil, 0)
	case 4:
		w := max(parseSize(field(arg, a[3])), 1)
		return p.h.RSub(field(arg, a[0]), field(arg, a[1]), field(arg, a[2]), w)
	}
	return ErrBadRSubArgs
}

// runsub parses "account subject [queue]".
func (p *RouteParser) runsub(arg []byte) error {
	a := p.split(arg)
	switch len(a) {
	case 2:
		return p.h.RUnsub(field(arg, a[0]), field(arg, a[1]), nil)
	case 3:
		return p.h.RUnsub(field(arg, a[0]), field(arg, a[1]), field(arg, a[2]))
	}
	return ErrBadRUnsubArgs
}

// Route argument errors: nats-server logs them and closes the route
// without sending -ERR.
var (
	ErrBadRSubArgs       = &ProtoError{Close: true, Detail: "RS+ needs 2 or 4 arguments"}
	ErrBadRUnsubArgs     = &ProtoError{Close: true, Detail: "RS- needs 2 or 3 arguments"}
	ErrBadRMsgArgs       = &ProtoError{Close: true, Detail: "RMSG/HMSG needs an account, a subject and sizes"}
	ErrBadRMsgSize       = &ProtoError{Close: true, Detail: "RMSG/HMSG size is missing or not a decimal number"}
	ErrBadReplyIndicator = &ProtoError{Close: true, Detail: "RMSG/HMSG bad or missing reply indicator"}
	ErrRMsgHeaderOverAll = &ProtoError{Close: true, Detail: "HMSG header size is larger than the total size"}
)

// QueueListContains reports whether name is one of queues (the Queues of
// a RoutedMsg).
func QueueListContains(queues [][]byte, name string) bool {
	for _, q := range queues {
		if string(q) == name {
			return true
		}
	}
	return false
}
