package server

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"jsnode/clock"
	"jsnode/net"
	"jsnode/node/auth"
	"jsnode/node/proto"
)

// client is one client connection: its protocol state, subscriptions,
// timers and counters. It is both the connection's net.Handler and the
// parser's proto.ServerHandler. Everything runs on the server's loop.
type client struct {
	srv    *Server
	conn   net.Conn
	parser *proto.ServerParser
	cid    uint64
	host   string
	start  time.Time

	basePrefix string // "host:port - cid:N", for logs
	logPrefix  string // basePrefix plus the client's name once known

	opts            connectOpts
	connectReceived bool
	headers         bool // both sides speak headers
	firstPongSent   bool
	nonce           []byte
	user            string
	perms           *auth.Checker     // nil: everything allowed
	permissions     *auth.Permissions // what perms was compiled from
	// acc is the client's account: $G until authentication binds it.
	acc *Account

	subs   map[string]*subscription // by sid
	subSeq uint64                   // orders subs for deterministic teardown

	authTimer clock.Timer
	pingTimer clock.Timer
	pingsOut  int
	// lastIn is when the last message, subscription change or PING
	// arrived, and startMono when the connection opened, on the monotonic
	// clock (Env.monoNow), as rttStart is; lastActivity shows lastIn.
	lastIn, startMono time.Time
	activity          bool // set by ops during one Data call
	rtt               time.Duration
	rttStart          time.Time

	// Backpressure (see deliver.go): producers paused until this
	// connection drains, and how many destinations this one waits on.
	waiters   []*client
	waitingOn int
	// stallTimer checks this paused producer's destinations for progress
	// every stallCheck; stallMarks are their queued bytes at the last
	// check. stallExpired records that the pause was ended because they
	// were stuck, so the producer is reading while still listed.
	stallTimer   clock.Timer
	stallMarks   []stallMark
	stallIdle    int // checks in a row without progress
	stallExpired bool
	// backlog is input left unparsed when an event's work budget ran
	// out; backlogTimer is the queued event that parses on (backlog.go).
	backlog      []byte
	backlogTimer clock.Timer
	// fanout is the rest of a message's fan-out that waits for the same
	// event as the backlog, and is served before it (fanout.go).
	fanout *pendingFanout
	// yielded: the last feedSome stopped at a yield (backlog.go).
	yielded bool
	// stallWant is the stall the current op asked for, stalledInRead the
	// stalls already taken for the current read buffer (stall.go).
	stallWant     time.Duration
	stalledInRead time.Duration
	// authPending: an off-loop authentication runs (connect.go); input
	// waits for it.
	authPending bool
	authStale   bool  // a reload came while authPending: check again
	stalls      int64 // stalls taken, connz "stalls"
	// drainedOnce: this connection once fell from past the high-water
	// mark to below the low one, so its peer reads (deliver.go, checkStall).
	drainedOnce bool
	// earlyPause times a BUGGIFY pause (buggify.go); earlyPauseNext is
	// the earliest start of the next one.
	earlyPause     clock.Timer
	earlyPauseNext time.Time

	// route is set for a connection to another server of the cluster
	// (route.go); nil for clients.
	route *routeLink

	asyncInfo   bool // counted in Server.asyncInfoClients
	eventSent   bool // the CONNECT advisory went out (DISCONNECT follows)
	closing     bool // closeConnection ran; writes and reads are over
	closed      bool // the Closed event arrived
	closeReason ClosedState
	registered  bool // counted in Server.clients

	stats Stats
}

// subscription is one SUB of one client. The sid bytes are kept so the
// MSG line can be built without conversions.
type subscription struct {
	client    *client
	acc       *Account // the index this subscription is in
	subject   string
	queue     string
	sid       string
	sidBytes  []byte
	seq       uint64
	delivered int64
	max       int64 // auto-unsubscribe after max deliveries; 0: none
	removed   bool
	// handler is set on internal subscriptions (internal.go), which
	// have no connection: deliveries are queued for it instead.
	handler MsgHandler
	// Stream imports (account_streams.go): shadows are this
	// subscription's shadows in exporting accounts; a shadow has im set
	// and shadowOf pointing at the subscription it stands for.
	shadows  []*subscription
	im       *streamImport
	shadowOf *subscription
	// local internal subscriptions are not announced to the routes.
	local bool
}

// Stats are message and byte counters (varz/connz "in_msgs" and friends).
type Stats struct {
	InMsgs   int64
	InBytes  int64
	OutMsgs  int64
	OutBytes int64
}

// newClient builds the client for an accepted connection.
func (s *Server) newClient(conn net.Conn) *client {
	s.lastCID++
	c := &client{
		srv:       s,
		conn:      conn,
		cid:       s.lastCID,
		start:     s.env.Clock.Now(),
		startMono: s.env.monoNow(),
		opts:      defaultConnectOpts,
		subs:      make(map[string]*subscription),
		parser:    proto.NewServerParser(s.parserLimits()),
		acc:       s.gacc,
	}
	remote := conn.RemoteAddr()
	c.host, _ = splitHostPort(remote)
	c.basePrefix = remote + " - cid:" + strconv.FormatUint(c.cid, 10)
	c.logPrefix = c.basePrefix
	if s.needsNonce {
		c.nonce = s.newNonce()
	}
	return c
}

// Data feeds bytes from the client to the parser (net.Handler), within
// the event's work budget (turn.go, backlog.go).
func (c *client) Data(b []byte) { c.input(b, siteClientSplitRead) }

// protocolError answers a parser error the way nats-server does.
func (c *client) protocolError(err error) {
	pe, ok := err.(*proto.ProtoError)
	if !ok {
		c.errorf("%v", err)
		c.closeConnection(ProtocolViolation)
		return
	}
	reason, logText := ProtocolViolation, pe.Error()
	switch pe {
	case proto.ErrMaxPayload:
		reason = MaxPayloadExceeded
		logText = "maximum payload exceeded, max_payload is " + strconv.Itoa(int(c.maxPayload()))
	case proto.ErrMaxControlLine:
		reason = MaxControlLineExceeded
	case proto.ErrAuthViolation:
		c.authViolation()
		return
	case proto.ErrClientSentErr:
		reason = ParseError
	}
	c.errorf("%s", logText)
	if pe.Text != "" {
		c.sendErr(pe.Text)
	}
	if pe.Close {
		c.closeConnection(reason)
	}
}

// Drained resumes the producers that paused on this connection.
func (c *client) Drained() {
	c.drainedOnce = true
	c.releaseWaiters()
}

// Closed is the connection's last event.
func (c *client) Closed(err error) {
	if c.closed {
		return
	}
	c.closed = true
	if !c.closing {
		c.closeConnection(closedStateFor(c, err))
	}
	c.srv.connectionGone(c)
}

// closedStateFor maps a network close reason to a ClosedState, logging a
// write-deadline slow consumer as nats-server does.
func closedStateFor(c *client, err error) ClosedState {
	switch err {
	case net.ErrClosedByPeer:
		return ClientClosed
	case net.ErrWriteTimeout:
		c.srv.slowConsumers++
		c.noticef("Slow Consumer Detected: WriteDeadline of %v exceeded with %d total bytes.",
			c.srv.opts.WriteDeadline, c.conn.Buffered())
		return SlowConsumerWriteDeadline
	}
	return ReadError
}

// closeConnection tears the client down: no more reads, deliveries or
// timers; queued output is still sent before the socket closes.
func (c *client) closeConnection(reason ClosedState) {
	if c.closing {
		return
	}
	c.closing = true
	c.closeReason = reason
	c.srv.recordClosed(c, reason)
	if c.route != nil {
		c.srv.routeClosing(c, reason)
	} else {
		c.debugf("Client connection closed: %s", reason)
	}
	c.stopAuthTimer()
	c.stopPingTimer()
	if c.stallTimer != nil {
		c.stallTimer.Stop()
		c.stallTimer = nil
	}
	c.dropBacklog()
	if c.fanout != nil {
		c.scheduleResume() // a message accepted is still delivered
	}
	c.removeAllSubs()
	c.releaseWaiters()
	c.srv.unregister(c)
	c.disconnectEvent(reason)
	switch {
	case c.closed:
	case reason == SlowConsumerPendingBytes:
		// As nats-server: what a slow consumer has not read is not
		// flushed to it, and its memory is released now rather than
		// after a flush that would only time out.
		c.conn.Abort()
	default:
		c.conn.Close()
	}
}

// removeAllSubs drops every subscription, in creation order.
func (c *client) removeAllSubs() {
	for _, sub := range c.subsInOrder() {
		c.removeSub(sub)
	}
}

// subsInOrder lists the client's subscriptions in creation order, so work
// done over all of them never depends on map iteration order.
func (c *client) subsInOrder() []*subscription {
	subs := make([]*subscription, 0, len(c.subs))
	for _, sub := range c.subs {
		subs = append(subs, sub)
	}
	slices.SortFunc(subs, func(a, b *subscription) int { return cmp.Compare(a.seq, b.seq) })
	return subs
}

// removeSub drops one subscription from the client and the index.
func (c *client) removeSub(sub *subscription) {
	if sub.removed {
		return
	}
	sub.removed = true
	delete(c.subs, sub.sid)
	sub.acc.index.Remove(sub.subject, sub.queue, sub)
	sub.acc.localSubRemoved(sub)
	removeShadows(sub)
}

// write queues raw protocol bytes.
func (c *client) write(b []byte) {
	if !c.closing {
		c.conn.Write(b)
	}
}

// sendErr queues "-ERR '<text>'".
func (c *client) sendErr(text string) {
	if c.srv.opts.Trace {
		c.tracef("->> -ERR %s", text)
	}
	s := c.srv
	s.scratch = proto.AppendErr(s.scratch[:0], text)
	c.write(s.scratch)
}

// sendOK queues "+OK".
func (c *client) sendOK() {
	c.write(proto.OKLine)
}

// awaitingAuth reports whether the client must still send CONNECT before
// any other op.
func (c *client) awaitingAuth() bool {
	return c.srv.authRequired && !c.connectReceived
}

// Logging with the client's prefix, as nats-server prints it.
func (c *client) noticef(format string, v ...any) {
	c.srv.log.Noticef("%s - "+format, append([]any{c.logPrefix}, v...)...)
}

func (c *client) errorf(format string, v ...any) {
	c.srv.log.Errorf("%s - "+format, append([]any{c.logPrefix}, v...)...)
}

func (c *client) debugf(format string, v ...any) {
	if c.srv.opts.Debug {
		c.srv.log.Debugf("%s - "+format, append([]any{c.logPrefix}, v...)...)
	}
}

func (c *client) tracef(format string, v ...any) {
	if c.srv.opts.Trace {
		c.srv.log.Tracef("%s - "+format, append([]any{c.logPrefix}, v...)...)
	}
}

// splitHostPort splits "host:port" or "[v6]:port" without the stdlib net
// package.
func splitHostPort(hp string) (host string, port int) {
	i := len(hp) - 1
	for i >= 0 && hp[i] != ':' {
		i--
	}
	if i < 0 {
		return hp, 0
	}
	host = hp[:i]
	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	port, _ = strconv.Atoi(hp[i+1:])
	return host, port
}

// joinHostPort is the inverse of splitHostPort.
func joinHostPort(host string, port int) string {
	for i := 0; i < len(host); i++ {
		if host[i] == ':' {
			return "[" + host + "]:" + strconv.Itoa(port)
		}
	}
	return host + ":" + strconv.Itoa(port)
}
