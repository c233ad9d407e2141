package tcp

import (
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	jnet "jsnode/net"
)

// Output buffer limits.
const (
	// outBufSize is the starting capacity of an output buffer; it grows
	// by append while the loop writes into it.
	outBufSize = 16 << 10
	// maxPooledOut is the largest output buffer kept for reuse; bigger
	// ones (from one huge Write) go to the garbage collector.
	maxPooledOut = 1 << 20
	// writeChunkBytes caps one writev, so the write deadline measures a
	// lack of progress rather than the time to send a long queue.
	writeChunkBytes = 64 << 10
	// closeFlushTimeout bounds how long a closing connection may spend
	// sending what was queued before Close or Loop.Stop; a shorter write
	// deadline, if set, wins.
	closeFlushTimeout = 2 * time.Second
)

// outBuf is one sealed or pending output buffer. It is a pointer so the
// pool and the writer's queue move it without allocating. off is how much
// of it an inline write (inline_write.go) already sent.
type outBuf struct {
	b   []byte
	off int
}

var outPool = sync.Pool{New: func() any { return &outBuf{b: make([]byte, 0, outBufSize)} }}

func getOutBuf() *outBuf { return outPool.Get().(*outBuf) }

func putOutBuf(ob *outBuf) {
	if cap(ob.b) > maxPooledOut {
		return
	}
	ob.b, ob.off = ob.b[:0], 0
	outPool.Put(ob)
}

// writerState is what a connection shares with its writer goroutine.
type writerState struct {
	mu      sync.Mutex
	sealed  []*outBuf // guarded by mu: buffers for the writer, in order
	closing bool      // guarded by mu: send sealed, then close the socket
	// busy is guarded by mu: a goroutine (the writer, or a reader writing
	// inline) is sending buffers it took from sealed; nobody else writes
	// to the socket until it clears busy and looks at sealed again.
	busy bool

	wake        chan struct{} // capacity 1: "sealed grew or closing was set"
	sealedBytes atomic.Int64  // bytes ever sealed (stored by the loop)
	written     atomic.Int64  // bytes ever taken by the socket (added by the writer)
	deadline    atomic.Int64  // the write deadline as a time.Duration; 0 = none
	wantDrain   atomic.Bool   // the loop waits for evDrain
	done        bool          // guarded by mu: beginClose ran
	aborted     bool          // guarded by mu: abort ran; send nothing more
}

func (w *writerState) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// drained reports whether what the writer was given is below LowWaterBytes.
func (w *writerState) drained() bool {
	return w.sealedBytes.Load()-w.written.Load() < jnet.LowWaterBytes
}

// beginClose tells the writer to send what is sealed and close the socket,
// and the reader to stop waiting for credits. It runs on the loop, once
// per connection; the socket deadline is set here too because the writer
// may be blocked in a write that has none.
func (w *writerState) beginClose(c *conn) {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return
	}
	w.done = true
	w.closing = true
	w.applyDeadline(c.sock)
	w.mu.Unlock()
	close(c.done)
	w.signal()
}

// abort is beginClose that drops the sealed buffers and stops a write in
// progress; the writer then closes the socket.
func (w *writerState) abort(c *conn) {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return
	}
	for i, ob := range w.sealed {
		putOutBuf(ob)
		w.sealed[i] = nil
	}
	w.sealed = w.sealed[:0]
	w.done, w.closing, w.aborted = true, true, true
	w.applyDeadline(c.sock)
	w.mu.Unlock()
	close(c.done)
	w.signal()
}

// applyDeadline sets the socket's write deadline for the next chunk; mu is
// held so that a concurrent beginClose and writer agree on it. It makes no
// system call (Go's poller keeps deadlines itself).
func (w *writerState) applyDeadline(s *net.TCPConn) {
	if w.aborted {
		s.SetWriteDeadline(time.Unix(1, 0)) // in the past: writes fail at once
		return
	}
	d := time.Duration(w.deadline.Load())
	if w.closing && (d <= 0 || d > closeFlushTimeout) {
		d = closeFlushTimeout
	}
	var at time.Time
	if d > 0 {
		at = time.Now().Add(d)
	}
	s.SetWriteDeadline(at)
}

// writeLoop is the connection's writer goroutine: it sends sealed buffers
// as they come and closes the socket once closing is set and all is sent.
func (c *conn) writeLoop() {
	defer c.loop.workers.Done()
	var taken []*outBuf
	var iov net.Buffers
	for {
		c.w.mu.Lock()
		if c.w.busy { // an inline write; it wakes us when it is done
			c.w.mu.Unlock()
			<-c.w.wake
			continue
		}
		taken, c.w.sealed = c.w.sealed, taken[:0]
		closing := c.w.closing
		c.w.busy = len(taken) > 0
		c.w.mu.Unlock()
		if len(taken) > 0 {
			err := c.writeOut(taken, &iov)
			for i, ob := range taken {
				putOutBuf(ob)
				taken[i] = nil
			}
			c.w.mu.Lock()
			c.w.busy = false
			c.w.mu.Unlock()
			if err != nil {
				c.failWrite(err)
				return
			}
			continue
		}
		if closing {
			c.sock.Close()
			return
		}
		<-c.w.wake
	}
}

// writeOut sends bufs in chunks of at most writeChunkBytes, one writev per
// chunk with a fresh deadline, and asks for Drained when it gets low.
func (c *conn) writeOut(bufs []*outBuf, iov *net.Buffers) error {
	for start := 0; start < len(bufs); {
		end, size := start, 0
		for end < len(bufs) && (end == start || size+bufs[end].unsent() <= writeChunkBytes) {
			size += bufs[end].unsent()
			end++
		}
		*iov = (*iov)[:0]
		for _, ob := range bufs[start:end] {
			*iov = append(*iov, ob.b[ob.off:])
		}
		c.w.mu.Lock()
		c.w.applyDeadline(c.sock)
		c.w.mu.Unlock()
		send := *iov // WriteTo consumes its receiver
		n, err := send.WriteTo(c.sock)
		clear(*iov)
		c.w.written.Add(n)
		if err != nil {
			return err
		}
		c.postDrainIfOwed()
		start = end
	}
	return nil
}

func (ob *outBuf) unsent() int { return len(ob.b) - ob.off }

// postDrainIfOwed posts evDrain if the loop waits for it and the output
// has fallen below LowWaterBytes; the swap makes sure only one is posted.
func (c *conn) postDrainIfOwed() {
	if c.w.wantDrain.Load() && c.w.drained() && c.w.wantDrain.CompareAndSwap(true, false) {
		c.loop.post(event{kind: evDrain, c: c})
	}
}

// failWrite reports a write error to the loop, then closes the socket; in
// that order, so the reader's error (caused by the close) queues after it
// and the node learns the real reason.
func (c *conn) failWrite(err error) {
	reason := jnet.ErrReset
	if errors.Is(err, os.ErrDeadlineExceeded) {
		reason = jnet.ErrWriteTimeout
	}
	c.loop.post(event{kind: evWriteEnd, c: c, err: reason})
	c.sock.Close()
}
