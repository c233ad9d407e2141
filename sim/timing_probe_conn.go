package sim

import (
	"fmt"
	"time"

	"jsnode/net"
	"jsnode/node/proto"
)

// probe is one timing probe: a kind, the node it measures and its host.
type probe struct {
	tp   *timingProbes
	kind probeKind
	node *NodeHandle
	host *Host
	t    nodeTimers
}

// dial opens the probe's next connection.
func (p *probe) dial() {
	pc := &probeConn{p: p, parser: proto.NewClientParser(proto.Limits{MaxPayload: -1})}
	p.host.Net().Dial(p.node.Addr(), pc.connected, func(error) { p.again() })
}

// again dials anew after probeRedial.
func (p *probe) again() { p.host.After(probeRedial, p.dial) }

// probeConn is one connection of a probe and what it saw, in true time.
type probeConn struct {
	p      *probe
	conn   net.Conn
	parser *proto.ClientParser
	inc    int           // the node's incarnation when the dial completed
	up     time.Duration // the dial completed
	sentAt time.Duration // CONNECT written (ping and stale probes)
	info   bool          // the first INFO arrived
	pings  []time.Duration
	gotErr bool // the awaited -ERR arrived
	ended  bool // closed by either side
}

var (
	_ net.Handler         = (*probeConn)(nil)
	_ proto.ClientHandler = (*probeConn)(nil)
)

func (pc *probeConn) now() time.Duration { return pc.p.host.w.Elapsed() }

func (pc *probeConn) connected(c net.Conn) net.Handler {
	pc.conn, pc.up, pc.inc = c, pc.now(), pc.p.node.host.Incarnation()
	if p := pc.p; p.kind == probeAuth {
		pc.expect(p.tp.auth(p.t), checkAuthTimeout, "-ERR '"+errAuthTimeout+"' after the accept", func() bool { return pc.gotErr })
	}
	return pc
}

// expect arms a deadline for the timer awaited: unless done reports it
// fired, or the connection or the node's incarnation ended, within win.hi
// from now (plus probeDeadlineMargin), it never fired.
func (pc *probeConn) expect(win timerWindow, check, what string, done func() bool) {
	p := pc.p
	from := p.host.w.Elapsed()
	p.host.After(win.hi+probeDeadlineMargin, func() {
		n := p.node
		if pc.ended || done() || !n.Alive() || n.host.Incarnation() != pc.inc {
			return
		}
		if n.host.pausedWithin(from, n.host.w.Elapsed()) {
			return // a paused node's timers fire late, legitimately
		}
		p.tp.violate(check, "%s: no %s within %v", n.Name(), what, win.hi)
	})
}

// pingsBeyond returns a done func for expect: a PING after the k-th.
func (pc *probeConn) pingsBeyond(k int) func() bool {
	return func() bool { return len(pc.pings) > k }
}

// leave closes the connection from the probe's side and dials again.
func (pc *probeConn) leave() {
	pc.ended = true
	pc.conn.Close()
	pc.p.again()
}

// Data parses the node's bytes; a protocol error ends the connection.
func (pc *probeConn) Data(b []byte) {
	if pc.ended {
		return
	}
	if err := pc.parser.Feed(b, pc); err != nil && !pc.ended {
		pc.p.tp.errs = append(pc.p.tp.errs, fmt.Errorf("timing probe %s: protocol error from %s: %w", pc.p.host.name, pc.p.node.Name(), err))
		pc.leave()
	}
}

// Drained needs no action: the probe never pauses.
func (pc *probeConn) Drained() {}

// Closed ends the connection; the probe dials again.
func (pc *probeConn) Closed(error) {
	if !pc.ended {
		pc.ended = true
		pc.p.again()
	}
}

// Info answers the first INFO with CONNECT, unless this is an auth probe.
func (pc *probeConn) Info([]byte) error {
	p := pc.p
	if pc.info || p.kind == probeAuth {
		pc.info = true
		return nil
	}
	pc.info = true
	pc.conn.Write(p.t.connect)
	pc.sentAt = pc.now()
	pc.expect(p.tp.firstPing(p.t), checkPingInterval, "first PING after CONNECT", pc.pingsBeyond(0))
	return nil
}

// Ping measures a keep-alive PING and answers it if the probe does.
func (pc *probeConn) Ping() error {
	p, tp, now := pc.p, pc.p.tp, pc.now()
	k := len(pc.pings)
	pc.pings = append(pc.pings, now)
	name := p.node.Name()
	switch {
	case p.kind == probeAuth && k == 0:
		tp.observe(checkPingInterval, name, "first PING after the accept (no CONNECT)", now-pc.up, tp.interval(p.t, false))
	case k == 0:
		tp.observe(checkPingInterval, name, "first PING after CONNECT", now-pc.sentAt, tp.firstPing(p.t))
	default:
		tp.observe(checkPingInterval, name, fmt.Sprintf("PING %d after PING %d", k+1, k), now-pc.pings[k-1], tp.interval(p.t, true))
	}
	switch p.kind {
	case probePing:
		pc.conn.Write(proto.PongLine)
		if len(pc.pings) >= probePingsPerConn || p.t.pingInterval > probeLongInterval {
			pc.leave()
			return nil
		}
		pc.expect(tp.interval(p.t, true), checkPingInterval, fmt.Sprintf("PING %d", k+2), pc.pingsBeyond(k+1))
	case probeStale:
		pc.stalePing()
	}
	return nil
}

// stalePing: a stale probe must get ping_max PINGs, then the close.
func (pc *probeConn) stalePing() {
	p, tp := pc.p, pc.p.tp
	n := len(pc.pings)
	switch {
	case n > p.t.maxPingsOut:
		tp.violate(checkStaleConnection, "%s: PING %d sent with %d unanswered, ping_max %d", p.node.Name(), n, n-1, p.t.maxPingsOut)
	case n == p.t.maxPingsOut:
		pc.expect(tp.interval(p.t, true), checkStaleConnection, "-ERR '"+errStaleConnection+"' after PING "+itoa(int64(n)), func() bool { return pc.gotErr })
	default:
		pc.expect(tp.interval(p.t, true), checkPingInterval, "PING "+itoa(int64(n+1)), pc.pingsBeyond(n))
	}
}

// Err measures the -ERR that ends an auth or stale probe's connection.
func (pc *probeConn) Err(text []byte) error {
	p, tp, now := pc.p, pc.p.tp, pc.now()
	name := p.node.Name()
	switch s := string(text); {
	case p.kind == probeAuth && s == errAuthTimeout:
		pc.gotErr = true
		tp.observe(checkAuthTimeout, name, "-ERR '"+s+"' after the accept", now-pc.up, tp.auth(p.t))
	case p.kind != probeAuth && s == errStaleConnection:
		pc.gotErr = true
		pc.staleErr(now)
	}
	return nil
}

// staleErr judges a stale close: only a stale probe, only after ping_max
// unanswered PINGs, one interval after the last.
func (pc *probeConn) staleErr(now time.Duration) {
	p, tp := pc.p, pc.p.tp
	name := p.node.Name()
	n := len(pc.pings)
	switch {
	case p.kind == probePing:
		tp.violate(checkStaleConnection, "%s: closed as stale although the probe answered all %d PINGs", name, n)
	case n != p.t.maxPingsOut:
		tp.violate(checkStaleConnection, "%s: closed as stale after %d unanswered PINGs, ping_max %d", name, n, p.t.maxPingsOut)
	default:
		tp.observe(checkStaleConnection, name, "stale close after PING "+itoa(int64(n)), now-pc.pings[n-1], tp.interval(p.t, true))
	}
}

// Pong, OK and Msg are never expected; they are ignored.
func (pc *probeConn) Pong() error { return nil }
func (pc *probeConn) OK() error   { return nil }
func (pc *probeConn) Msg(subject, sid, reply []byte, hdrLen int, msg []byte) error {
	return nil
}
