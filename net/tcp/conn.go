package tcp

import (
	"net"
	"syscall"
	"time"

	jnet "jsnode/net"
)

// Limits of one connection.
const (
	// readCredits is how many read buffers a connection may have handed to
	// the loop and not yet got back. It bounds the memory a fast sender can
	// make the node hold, and it is what stops reading while paused.
	readCredits = 4
	// flushEarlyBytes seals a connection's output buffer for its writer
	// before the batch ends, so one busy batch does not grow it unbounded.
	flushEarlyBytes = 256 << 10
)

// conn is one TCP connection. Fields are owned by the loop unless they sit
// in w (shared with the writer goroutine) or are channels.
type conn struct {
	loop    *Loop
	sock    *net.TCPConn
	local   string
	remote  string
	handler jnet.Handler

	closed       bool    // Closed was delivered or is queued; no other handler call follows
	paused       bool    // PauseReading is in force
	held         []event // reads held while paused, in arrival order
	resumePosted bool    // deliverHeld is queued
	dirty        bool    // in loop.dirty
	out          *outBuf // output written during this batch, not yet sealed
	queued       int64   // bytes ever accepted by Write
	wokeAt       int64   // queued when the writer was last woken
	// full holds the output buffers filled during this batch before out,
	// not yet sealed for the writer.
	full      []*outBuf
	aboveHigh bool // Buffered passed HighWaterBytes; Drained is owed

	credits chan struct{} // read buffers the reader may still fill
	done    chan struct{} // closed when the reader must stop waiting for credits

	deliverHeldFn func() // bound once, to post without allocating
	w             writerState
	raw           syscall.RawConn // the socket's descriptor, for inline writes
}

var _ jnet.Conn = (*conn)(nil)

// newConn wraps an established socket and starts its reader and writer.
// It runs on the loop.
func (l *Loop) newConn(s *net.TCPConn) *conn {
	c := &conn{
		loop:    l,
		sock:    s,
		local:   s.LocalAddr().String(),
		remote:  s.RemoteAddr().String(),
		handler: nopHandler{},
		credits: make(chan struct{}, readCredits),
		done:    make(chan struct{}),
	}
	c.w.wake = make(chan struct{}, 1)
	c.deliverHeldFn = c.deliverHeld
	if raw, err := s.SyscallConn(); err == nil {
		c.raw = raw
	}
	for range readCredits {
		c.credits <- struct{}{}
	}
	l.conns[c] = struct{}{}
	l.workers.Add(2)
	go c.readLoop()
	go c.writeLoop()
	return c
}

// setHandler installs the handler returned by an accept or dial callback.
// A nil handler means the node refused the connection.
func (c *conn) setHandler(h jnet.Handler) {
	if h == nil {
		c.Close()
		return
	}
	c.handler = h
}

// Write queues a copy of b. It never blocks; the bytes go to the writer at
// the end of the batch, or sooner once flushEarlyBytes are pending.
//
// Output buffers never grow: a full one is sealed and the rest of b goes
// into a fresh one from the pool. Growing by append would leave up to
// half of every buffer's capacity unused and copy each byte several
// times; with fixed buffers the memory a connection holds is its queued
// bytes plus less than one buffer, which is what max_pending assumes.
func (c *conn) Write(b []byte) {
	if c.closed || len(b) == 0 {
		return
	}
	c.queued += int64(len(b))
	c.loop.markDirty(c)
	for {
		if c.out == nil {
			c.out = getOutBuf()
		}
		n := min(len(b), cap(c.out.b)-len(c.out.b))
		c.out.b = append(c.out.b, b[:n]...)
		if b = b[n:]; len(b) == 0 {
			break
		}
		c.full = append(c.full, c.out)
		c.out = nil
	}
	if c.queued-c.wokeAt >= flushEarlyBytes {
		c.flush()
	}
	if !c.aboveHigh && c.Buffered() > jnet.HighWaterBytes {
		c.aboveHigh = true
		c.awaitDrain()
	}
}

// Buffered reports the bytes accepted by Write that the socket has not
// taken yet.
func (c *conn) Buffered() int {
	return int(c.queued - c.w.written.Load())
}

// Close seals what is queued for the writer, which sends it and then closes
// the socket. Closed(ErrLocalClose) follows as a separate event.
func (c *conn) Close() {
	if c.closed {
		return
	}
	c.stopEvents()
	c.flush()
	c.w.beginClose(c)
	c.loop.post(event{kind: evFunc, f: c.deliverLocalClose})
}

// Abort drops the output the socket has not taken and closes at once: the
// writer gives up a write in progress (its deadline is moved to the past,
// which Go's poller applies without a system call) and closes the socket.
func (c *conn) Abort() {
	if c.closed {
		return
	}
	c.stopEvents()
	for i, ob := range c.full {
		putOutBuf(ob)
		c.full[i] = nil
	}
	c.full = c.full[:0]
	if c.out != nil {
		putOutBuf(c.out)
		c.out = nil
	}
	c.w.abort(c)
	c.loop.post(event{kind: evFunc, f: c.deliverLocalClose})
}

func (c *conn) deliverLocalClose() { c.handler.Closed(jnet.ErrLocalClose) }

// SetWriteDeadline takes effect for the next write the writer starts.
func (c *conn) SetWriteDeadline(d time.Duration) { c.w.deadline.Store(int64(d)) }

// PauseReading holds every read buffer that reaches the loop from now on;
// once readCredits buffers are held the reader stops reading the socket.
func (c *conn) PauseReading() { c.paused = true }

// ResumeReading delivers the held buffers, in order, in a later event.
func (c *conn) ResumeReading() {
	c.paused = false
	if len(c.held) > 0 && !c.resumePosted && !c.closed {
		c.resumePosted = true
		c.loop.post(event{kind: evFunc, f: c.deliverHeldFn})
	}
}

func (c *conn) LocalAddr() string  { return c.local }
func (c *conn) RemoteAddr() string { return c.remote }

// onData handles a buffer from the reader.
func (c *conn) onData(rb *readBuf, n int) {
	switch {
	case c.closed:
		c.recycle(rb)
	case c.paused || len(c.held) > 0:
		c.held = append(c.held, event{kind: evData, c: c, rb: rb, n: n})
	default:
		c.deliver(rb, n)
	}
}

func (c *conn) deliver(rb *readBuf, n int) {
	c.handler.Data(rb.b[:n])
	c.recycle(rb)
}

// recycle returns a read buffer to its pool and its credit to the reader.
func (c *conn) recycle(rb *readBuf) {
	putReadBuf(rb)
	select {
	case c.credits <- struct{}{}:
	default: // cannot happen: credits never exceed readCredits
	}
}

// onReadEnd handles the reader's last event; like data, it waits behind
// held buffers so the node sees everything the peer sent before the end.
func (c *conn) onReadEnd(err error) {
	switch {
	case c.closed:
	case c.paused || len(c.held) > 0:
		c.held = append(c.held, event{kind: evReadEnd, c: c, err: err})
	default:
		c.endByRead(err)
	}
}

// endByRead closes a connection whose peer went away; output already
// queued is still offered to the socket (a half-closed peer may read it).
func (c *conn) endByRead(err error) {
	c.stopEvents()
	c.flush()
	c.w.beginClose(c)
	c.handler.Closed(err)
}

// onWriteEnd handles a writer failure; the writer has closed the socket.
func (c *conn) onWriteEnd(err error) {
	if c.closed {
		return
	}
	c.stopEvents()
	c.w.beginClose(c)
	c.handler.Closed(err)
}

// deliverHeld replays reads held while paused until they run out, the
// node pauses again or the connection closes.
func (c *conn) deliverHeld() {
	c.resumePosted = false
	i := 0
	for ; i < len(c.held) && !c.paused && !c.closed; i++ {
		ev := c.held[i]
		c.held[i] = event{}
		if ev.kind == evData {
			c.deliver(ev.rb, ev.n)
		} else {
			c.endByRead(ev.err)
		}
	}
	if c.closed {
		return // stopEvents released the rest
	}
	rest := copy(c.held, c.held[i:])
	clear(c.held[rest:])
	c.held = c.held[:rest]
}

// stopEvents marks the connection closed for the node: no handler call
// but the one Closed follows. Held reads are released.
func (c *conn) stopEvents() {
	c.closed = true
	delete(c.loop.conns, c)
	for _, ev := range c.held {
		if ev.kind == evData {
			c.recycle(ev.rb)
		}
	}
	clear(c.held)
	c.held = nil
}

// shutdown closes the connection without telling the node (Loop.Stop).
func (c *conn) shutdown() {
	c.stopEvents()
	c.flush()
	c.w.beginClose(c)
}

// flush seals the pending output buffer for the writer and wakes it.
func (c *conn) flush() {
	if c.seal() {
		c.wokeAt = c.queued
		c.w.signal()
	}
}

// seal queues the pending output buffers for sending and reports whether
// there were any; whoever seals must then wake the writer or write inline.
func (c *conn) seal() bool {
	if c.out == nil {
		return false
	}
	c.w.mu.Lock()
	c.w.sealed = append(c.w.sealed, c.full...)
	c.w.sealed = append(c.w.sealed, c.out)
	c.w.mu.Unlock()
	clear(c.full)
	c.full = c.full[:0]
	c.out = nil
	c.w.sealedBytes.Store(c.queued)
	return true
}

// awaitDrain asks the writer to post evDrain once the output it holds
// falls below LowWaterBytes. If the writer got there between the caller's
// check and the request, nobody else would post, so post here.
func (c *conn) awaitDrain() {
	c.w.wantDrain.Store(true)
	if c.w.drained() && c.w.wantDrain.CompareAndSwap(true, false) {
		c.loop.post(event{kind: evDrain, c: c})
	}
}

// onDrain delivers Drained if the connection's whole queue, sealed or
// not, is now below LowWaterBytes, and otherwise waits for the writer.
func (c *conn) onDrain() {
	if c.closed || !c.aboveHigh {
		return
	}
	if c.Buffered() < jnet.LowWaterBytes {
		c.aboveHigh = false
		c.handler.Drained()
		return
	}
	c.awaitDrain()
}

// nopHandler stands in until the node's handler is installed and for
// connections the node refused.
type nopHandler struct{}

func (nopHandler) Data([]byte)  {}
func (nopHandler) Drained()     {}
func (nopHandler) Closed(error) {}
