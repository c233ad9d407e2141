package sim

import (
	"strconv"

	"jsnode/net"
	"jsnode/node/proto"
)

// clientConn is one connection attempt of a Client and the session on it.
// Events for a connection the client has given up on are ignored.
type clientConn struct {
	c        *Client
	gen      int
	conn     net.Conn
	parser   *proto.ClientParser
	gotInfo  bool
	pingsOut int
	// flushes are the callbacks waiting for PONGs, in PING order; nil
	// entries stand for keepalive PINGs.
	flushes []func()
}

var (
	_ net.Handler         = (*clientConn)(nil)
	_ proto.ClientHandler = (*clientConn)(nil)
)

func (cc *clientConn) live() bool { return cc.c.cc == cc }

func (cc *clientConn) connected(conn net.Conn) net.Handler {
	if !cc.live() {
		return nil // the client closed meanwhile: decline
	}
	cc.conn = conn
	return cc
}

func (cc *clientConn) dialFailed(err error) { cc.c.lost(cc, err) }

// Data feeds the server's bytes to the parser; a protocol error drops the
// connection.
func (cc *clientConn) Data(b []byte) {
	if !cc.live() {
		return
	}
	if err := cc.parser.Feed(b, cc); err != nil {
		if cc.live() {
			cc.conn.Close()
			cc.c.lost(cc, err)
		}
	}
}

// Drained needs no action: the client never pauses.
func (cc *clientConn) Drained() {}

// Closed ends the session.
func (cc *clientConn) Closed(err error) { cc.c.lost(cc, err) }

// Info answers the first INFO with CONNECT and the handshake PING.
func (cc *clientConn) Info(arg []byte) error {
	c := cc.c
	c.learnServers(arg)
	if cc.gotInfo {
		return nil
	}
	cc.gotInfo = true
	cc.conn.Write(c.connectLine())
	cc.conn.Write(proto.PingLine)
	return nil
}

// Ping answers the server's keepalive.
func (cc *clientConn) Ping() error {
	cc.conn.Write(proto.PongLine)
	return nil
}

// Pong completes the handshake or the oldest outstanding PING.
func (cc *clientConn) Pong() error {
	c := cc.c
	cc.pingsOut = 0
	if !c.ready {
		if cc.gotInfo {
			c.handshakeDone()
		}
		return nil
	}
	if len(cc.flushes) == 0 {
		return nil
	}
	done := cc.flushes[0]
	cc.flushes = cc.flushes[1:]
	if done != nil {
		done()
	}
	return nil
}

// OK is ignored: the client is not verbose.
func (cc *clientConn) OK() error { return nil }

// Err records the server's -ERR; fatal ones are followed by a close.
func (cc *clientConn) Err(text []byte) error {
	c := cc.c
	s := string(text)
	c.stats.Errors = append(c.stats.Errors, s)
	if c.OnError != nil {
		c.OnError(s)
	}
	return nil
}

// Msg hands a MSG/HMSG to its subscription.
func (cc *clientConn) Msg(subject, sid, reply []byte, hdrLen int, msg []byte) error {
	c := cc.c
	id, err := strconv.ParseInt(string(sid), 10, 64)
	if err != nil {
		return nil
	}
	s := c.subs[id]
	if s == nil {
		c.stats.MsgsUnmatched++
		return nil
	}
	m := Msg{Subject: string(subject), Reply: string(reply), Sub: s}
	body := append([]byte(nil), msg...)
	if hdrLen >= 0 {
		m.Header, m.Data = body[:hdrLen], body[hdrLen:]
	} else {
		m.Data = body
	}
	c.stats.MsgsIn++
	s.deliver(m)
	return nil
}
