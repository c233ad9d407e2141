package tcp

import (
	"slices"
	"syscall"
)

// Inline writes. A reader that ran a batch on its own goroutine (see
// Loop.postRead) has usually produced a little output for a few
// connections: a reply, a message for a subscriber. Waking each one's
// writer goroutine for it costs thread switches worth many times the
// write, so once the reader has let go of the loop it tries the write
// itself: one non-blocking write(2) of the one sealed buffer, never
// waiting for the socket. Whatever does not go out at once — the socket
// is full, the connection is failing or closing, more than one buffer is
// queued, the writer is busy — stays queued, in order, for the writer,
// which keeps every rule about deadlines, errors and closing.

// maxInlineWrites bounds how many connections one reader writes to
// inline after a batch, so a message fanned out to many connections does
// not hold the reader off its own socket; the rest go to their writers.
const maxInlineWrites = 8

// writeInline tries an inline write for each connection in writes (sealed
// by flushDirty, writers not woken) and empties the list. It runs off the
// loop.
func writeInline(writes *[]*conn) {
	for i, c := range *writes {
		c.writeInline()
		(*writes)[i] = nil
	}
	*writes = (*writes)[:0]
}

// writeInline sends what c's flush sealed if it can do so at once, and
// otherwise leaves it to the writer, waking the writer unless another
// sender is busy (that one looks at the queue again when it is done).
func (c *conn) writeInline() {
	w := &c.w
	w.mu.Lock()
	switch {
	case w.busy:
		w.mu.Unlock()
		return
	case len(w.sealed) == 0:
		w.mu.Unlock()
		return
	case len(w.sealed) > 1 || w.closing || c.raw == nil:
		w.mu.Unlock()
		w.signal()
		return
	}
	ob := w.sealed[0]
	w.sealed[0] = nil
	w.sealed = w.sealed[:0]
	w.busy = true
	w.mu.Unlock()

	n := c.writeNow(ob.b[ob.off:])
	ob.off += n
	w.written.Add(int64(n))

	w.mu.Lock()
	w.busy = false
	sent := ob.unsent() == 0
	if !sent {
		w.requeueFirst(ob)
	}
	wake := len(w.sealed) > 0 || w.closing
	w.mu.Unlock()
	if sent {
		putOutBuf(ob)
	}
	if wake {
		w.signal()
	}
	c.postDrainIfOwed()
}

// requeueFirst puts back a buffer an inline write took and did not finish:
// its rest goes out before anything sealed meanwhile. mu is held.
func (w *writerState) requeueFirst(ob *outBuf) {
	w.sealed = slices.Insert(w.sealed, 0, ob)
}

// writeNow makes one non-blocking write of b to the socket, as a raw
// system call (rawio.go), and returns how many bytes it took: 0 if the
// socket is full or failing (the writer will meet the error itself and
// report it). RawConn.Control hands over the descriptor without Go's
// poller waiting for it, and it stays valid for the call even if the
// socket is closed meanwhile.
func (c *conn) writeNow(b []byte) int {
	n := 0
	c.raw.Control(func(fd uintptr) {
		for {
			m, e := rawWrite(fd, b)
			if e == syscall.EINTR {
				continue
			}
			if e == 0 && m > 0 {
				n = m
			}
			return
		}
	})
	return n
}
