package sim

import (
	"time"

	"jsnode/net"
)

// conn is one simulated TCP connection: two ends, each with the pipe that
// carries its writes to the other.
type conn struct {
	w    *World
	id   uint64
	ends [2]*end
}

// end is one side of a conn, owned by a host incarnation; it is the
// net.Conn handed to that side.
type end struct {
	c    *conn
	side int
	id   uint64
	inc  *incarnation
	out  *pipe

	local, remote string
	handler       net.Handler
	// connected and failed are the dialer's callbacks until the dial ends.
	connected func(net.Conn) net.Handler
	failed    func(error)

	established bool // the handler is installed; data may be delivered
	paused      bool // PauseReading: hold incoming data
	closing     bool // Close was called: a FIN follows the queued data
	finished    bool // Closed is scheduled (or suppressed): no more events
	aboveHigh   bool // output passed HighWaterBytes; Drained is owed
	deadline    time.Duration
}

var _ net.Conn = (*end)(nil)

func (w *World) newConn() *conn {
	c := &conn{w: w, id: w.newID()}
	w.conns[c.id] = c
	return c
}

// newEnd creates side's end on inc and registers it with the host.
func (c *conn) newEnd(side int, inc *incarnation, local, remote string) *end {
	e := &end{c: c, side: side, id: c.id*2 + uint64(side), inc: inc, local: local, remote: remote}
	e.out = &pipe{w: c.w, from: e}
	c.ends[side] = e
	inc.host.ends[e.id] = e
	return e
}

// peer returns the other end, or nil before the connection is accepted.
func (e *end) peer() *end { return e.c.ends[1-e.side] }

func (e *end) host() *Host { return e.inc.host }

// LocalAddr is this end's "host:port".
func (e *end) LocalAddr() string { return e.local }

// RemoteAddr is the peer's "host:port".
func (e *end) RemoteAddr() string { return e.remote }

// Write queues a copy of b; it is delivered after a seeded latency, never
// before earlier writes on this end.
func (e *end) Write(b []byte) {
	if e.closing || e.finished || len(b) == 0 {
		return
	}
	w := e.c.w
	p := e.out
	at := p.throttle(e, len(b), w.now+w.latency(e.host().rng))
	if at < p.lastAt {
		at = p.lastAt
	}
	p.lastAt = at
	if !p.pending() {
		p.progressAt = w.now
	}
	p.push(append([]byte(nil), b...), at)
	if p.bytes > net.HighWaterBytes {
		e.aboveHigh = true
	}
	p.kick(at)
	e.armDeadline()
}

// Buffered reports the bytes written but not yet handed to the peer.
func (e *end) Buffered() int { return e.out.bytes }

// Close queues a FIN after the data already written; Closed(ErrLocalClose)
// follows once it has been handed over.
func (e *end) Close() {
	if e.closing || e.finished {
		return
	}
	w := e.c.w
	e.closing = true
	p := e.out
	at := w.now + w.latency(e.host().rng)
	if at < p.lastAt {
		at = p.lastAt
	}
	if !p.pending() {
		p.progressAt = w.now
	}
	p.fin, p.finAt = true, at
	p.kick(at)
	e.armDeadline()
}

// Abort drops the output not yet delivered, then closes as Close does.
func (e *end) Abort() {
	if e.closing || e.finished {
		return
	}
	e.out.discard()
	e.Close()
}

// SetWriteDeadline bounds how long queued output may make no progress.
func (e *end) SetWriteDeadline(d time.Duration) {
	e.deadline = d
	e.armDeadline()
}

// PauseReading holds incoming data (it stays in the peer's Buffered).
func (e *end) PauseReading() { e.paused = true }

// ResumeReading releases held data on a later event.
func (e *end) ResumeReading() {
	if !e.paused {
		return
	}
	e.paused = false
	if p := e.peer(); p != nil {
		p.out.kick(e.c.w.now)
	}
}

// finish ends this side: Closed(err) is delivered as an event of its own
// (or the dial's failed(err) if it never connected); nothing follows it.
// A crashed host gets no callback.
func (e *end) finish(err error) {
	if e.finished {
		return
	}
	e.finished = true
	e.out.discard()
	h := e.host()
	w := h.w
	delete(h.ends, e.id)
	if p := e.peer(); p == nil || p.finished {
		delete(w.conns, e.c.id)
	}
	if e.inc.dead {
		return
	}
	if !e.established {
		if failed := e.failed; failed != nil {
			e.failed = nil
			w.schedule(0, e.inc, func() {
				w.record(h.name, "dial-failed", e.id, []byte(err.Error()))
				failed(err)
			})
		}
		return
	}
	w.schedule(0, e.inc, func() {
		w.record(h.name, "closed", e.id, []byte(err.Error()))
		e.handler.Closed(err)
	})
}

// reset ends this side with err and sends a RST that reaches the peer
// after one latency (or when a partition between them heals).
func (e *end) reset(err error) {
	if e.finished {
		return
	}
	e.finish(err)
	if e.peer() == nil {
		return
	}
	w := e.c.w
	p := e.out
	p.rst, p.rstAt = true, w.now+w.latency(e.host().rng)
	p.kick(p.rstAt)
}

// abort is a crash of the end's host: no callback, a RST to the peer.
func (e *end) abort() { e.reset(net.ErrReset) }

// checkDrained delivers Drained once output that passed the high water
// mark has fallen below the low one.
func (e *end) checkDrained() {
	if !e.aboveHigh || e.finished || e.out.bytes >= net.LowWaterBytes {
		return
	}
	e.aboveHigh = false
	w := e.c.w
	w.schedule(0, e.inc, func() {
		if e.finished {
			return
		}
		w.record(e.host().name, "drained", e.id, nil)
		e.handler.Drained()
	})
}

// armDeadline makes sure a write-deadline check is pending while output
// is queued.
func (e *end) armDeadline() {
	p := e.out
	if e.deadline <= 0 || e.finished || p.checking || !p.pending() {
		return
	}
	p.checking = true
	w := e.c.w
	w.scheduleAt(p.progressAt+int64(e.deadline), e.inc, e.checkDeadline)
}

// checkDeadline closes the connection if queued output has made no
// progress for the deadline.
func (e *end) checkDeadline() {
	p := e.out
	p.checking = false
	if e.deadline <= 0 || e.finished || !p.pending() {
		return
	}
	w := e.c.w
	if w.now-p.progressAt < int64(e.deadline) {
		e.armDeadline()
		return
	}
	err := net.ErrWriteTimeout
	if e.closing {
		err = net.ErrLocalClose // net.Conn.Close promises this error
	}
	w.record(e.host().name, "write-timeout", e.id, nil)
	e.reset(err)
}
