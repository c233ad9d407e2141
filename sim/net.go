package sim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"jsnode/net"
)

// Errors of the simulated network besides those in package net.
var (
	// errDialTimeout wraps net.ErrRefused: a dial across a partition
	// fails after Options.DialTimeout, and callers that only check for
	// refusal still recognise it.
	errDialTimeout = fmt.Errorf("i/o timeout: %w", net.ErrRefused)
	errHostDown    = errors.New("host is down")
	errAddrInUse   = errors.New("address already in use")
	errBadAddr     = errors.New("cannot assign requested address")
)

// hostNet is one host incarnation's net.Network.
type hostNet struct {
	inc *incarnation
}

var _ net.Network = (*hostNet)(nil)

// listener is a bound port on a host.
type listener struct {
	inc    *incarnation
	port   int
	addr   string
	accept net.AcceptFunc
}

// Addr is "host:port".
func (l *listener) Addr() string { return l.addr }

// Close unbinds the port; accepted connections stay open.
func (l *listener) Close() {
	h := l.inc.host
	if h.listeners[l.port] == l {
		delete(h.listeners, l.port)
		h.w.record(h.name, "unlisten", uint64(l.port), nil)
	}
}

// splitAddr splits "host:port"; the host part may be empty.
func splitAddr(addr string) (string, int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("address %q: missing port", addr)
	}
	port, err := strconv.Atoi(addr[i+1:])
	if err != nil || port < -1 || port > 65535 {
		return "", 0, fmt.Errorf("address %q: bad port", addr)
	}
	return strings.Trim(addr[:i], "[]"), port, nil
}

// isLocal reports whether a host part names this host from its own view.
func (h *Host) isLocal(name string) bool {
	switch name {
	case "", "0.0.0.0", "127.0.0.1", "localhost", "::", "::1", h.name:
		return true
	}
	return false
}

func (h *Host) ephemeralPort() int {
	for {
		p := h.nextPort
		h.nextPort++
		if h.nextPort > 65535 {
			h.nextPort = firstEphemeralPort
		}
		if _, busy := h.listeners[p]; !busy {
			return p
		}
	}
}

// Listen binds addr on this host; any local host part binds the host's
// name. Port 0 (or -1) picks the next ephemeral port.
func (n *hostNet) Listen(addr string, accept net.AcceptFunc) (net.Listener, error) {
	h := n.inc.host
	if n.inc.dead {
		return nil, errHostDown
	}
	name, port, err := splitAddr(addr)
	if err != nil {
		return nil, err
	}
	if !h.isLocal(name) {
		return nil, fmt.Errorf("listen %s: %w", addr, errBadAddr)
	}
	if port <= 0 {
		port = h.ephemeralPort()
	}
	if _, busy := h.listeners[port]; busy {
		return nil, fmt.Errorf("listen %s: %w", addr, errAddrInUse)
	}
	l := &listener{inc: n.inc, port: port, accept: accept}
	l.addr = h.name + ":" + strconv.Itoa(port)
	h.listeners[port] = l
	h.w.record(h.name, "listen", uint64(port), nil)
	return l, nil
}

// Dial connects to "host:port". The connection request reaches the target
// after one latency; there it is accepted (and the dialer learns of it one
// latency later) or refused. Across a partition it fails after
// Options.DialTimeout.
func (n *hostNet) Dial(addr string, connected func(c net.Conn) net.Handler, failed func(err error)) {
	inc := n.inc
	h := inc.host
	w := h.w
	if inc.dead {
		return
	}
	name, port, err := splitAddr(addr)
	if err != nil {
		w.schedule(0, inc, func() { failed(err) })
		return
	}
	if h.isLocal(name) {
		name = h.name
	}
	c := w.newConn()
	local := h.name + ":" + strconv.Itoa(h.ephemeralPort())
	de := c.newEnd(0, inc, local, name+":"+strconv.Itoa(port))
	de.connected, de.failed = connected, failed
	w.record(h.name, "dial", de.id, []byte(addr))
	start := w.now
	w.schedule(w.latency(h.rng), nil, func() { w.resolveDial(c, name, port, start) })
}

// resolveDial runs when a connection request reaches its target host.
func (w *World) resolveDial(c *conn, target string, port int, start int64) {
	de := c.ends[0]
	if de.finished {
		return
	}
	dh := de.inc.host
	th := w.hosts[target]
	if th == nil || th.inc.dead {
		de.finish(net.ErrRefused)
		return
	}
	if w.isBlocked(dh.name, th.name) || w.isBlocked(th.name, dh.name) {
		w.scheduleAt(start+int64(w.opts.DialTimeout), de.inc, func() { de.finish(errDialTimeout) })
		return
	}
	if until := th.inc.pausedUntil; until > w.now {
		// The kernel queues the connection; the paused process accepts it
		// when it resumes.
		w.scheduleAt(until, nil, func() { w.resolveDial(c, target, port, start) })
		return
	}
	l := th.listeners[port]
	if l == nil {
		de.finish(net.ErrRefused)
		return
	}
	ae := c.newEnd(1, th.inc, l.addr, de.local)
	w.record(th.name, "accept", ae.id, []byte(de.local))
	hd := l.accept(ae)
	if hd == nil {
		ae.reset(net.ErrLocalClose)
		return
	}
	if !ae.finished {
		ae.handler, ae.established = hd, true
	}
	w.schedule(w.latency(th.rng), de.inc, de.establish)
}

// establish completes a dial on the dialer's side.
func (e *end) establish() {
	if e.finished {
		return
	}
	w := e.inc.host.w
	w.record(e.inc.host.name, "connected", e.id, nil)
	e.failed = nil // from here on the dial has succeeded
	hd := e.connected(e)
	if hd == nil {
		e.reset(net.ErrLocalClose)
		return
	}
	if e.finished {
		return
	}
	e.handler, e.established = hd, true
	e.peer().out.kick(w.now)
}
