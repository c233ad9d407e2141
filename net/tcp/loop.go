// Package tcp is the production implementation of jsnode/net: real TCP
// sockets driven by one event loop per node.
//
// A Loop owns a node. Everything that happens to the node is an event the
// loop runs one at a time, in the order queued: data read from a
// connection, a connection accepted, dialled, drained or closed, a timer
// callback or any other function handed to Post. The loop never performs a
// system call. Events run on the goroutine that called Run, except that a
// reader that brings data while no events are running takes the loop for
// one batch and runs it on its own goroutine (see Loop.postRead): an idle
// loop would otherwise be woken once per read buffer, and that hand-off
// between two threads cost more than the parsing of the buffer. Either
// way only one goroutine runs events at a time, and the lock that passes
// the loop between them orders everything they touch.
//
// Sockets are read and written by goroutines of their own:
//
//   - each connection's reader reads into pooled buffers of up to 64 KiB and
//     hands the whole buffer to the loop; it may have at most readCredits
//     buffers in flight, so a slow loop stops the reader instead of growing
//     memory;
//   - each connection's writer sends the output buffers the loop sealed for
//     it, all of them with one writev, without copying them again;
//   - each listener has an acceptor goroutine, each Dial a dialler.
//
// After each batch of events (everything that was queued when the batch
// began) the loop seals the output of every connection written during the
// batch and wakes its writer once. A reader that ran the batch itself
// instead sends that output inline once it has let go of the loop, for up
// to maxInlineWrites connections, with one non-blocking write each;
// whatever does not go out at once is left to the writer
// (inline_write.go).
//
// What a node can rely on beyond the jsnode/net contract:
//   - Write, Close, Pause/ResumeReading after a connection closed (also
//     from inside Closed) are harmless no-ops; written bytes are dropped.
//   - After Close no Data or Drained is delivered; bytes still arriving
//     are discarded. Only the one Closed(ErrLocalClose) follows.
//   - A peer's end of stream (or reset) seen while reading is paused is
//     held behind the held data: Closed comes after ResumeReading and the
//     data. A write failure or timeout closes at once, paused or not.
//   - When a peer closes, output already queued is still offered to it
//     for up to closeFlushTimeout before the socket is closed.
//   - After Stop no handler runs at all, not even Closed.
//   - Listen binds on the caller (the loop): the one system call the loop
//     makes, at startup. Dial errors other than a refusal are passed on.
package tcp

import (
	"context"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	jnet "jsnode/net"
)

// eventKind says what an event carries. The frequent events (data, end of
// reading) are typed so that handing them to the loop allocates nothing;
// rare ones are closures (evFunc).
type eventKind uint8

const (
	evFunc     eventKind = iota // run f
	evData                      // c's reader filled rb with n bytes
	evReadEnd                   // c's reader stopped with err
	evWriteEnd                  // c's writer failed with err
	evDrain                     // c's writer may have drained below LowWaterBytes
	evAdopt                     // run f, which takes ownership of sock
)

// event is one entry of the loop's queue.
type event struct {
	kind eventKind
	f    func()
	c    *conn
	rb   *readBuf
	n    int
	err  error
	// sock is set for evAdopt: a socket that must be closed if the loop
	// stops before the event runs.
	sock *net.TCPConn
}

// Loop runs a node's events one at a time on one goroutine.
//
// The queue behind Post is unbounded: callers that could flood it are
// bounded elsewhere (each reader has readCredits buffers in flight, each
// listener acceptCredits accepted connections, timers and disk syncs are
// as many as the node itself asked for).
type Loop struct {
	mu    sync.Mutex
	queue []event       // guarded by mu
	wake  chan struct{} // capacity 1: "there are events and nobody runs them"
	ended bool          // guarded by mu: Run has returned, Post drops
	// running is guarded by mu: some goroutine holds the loop and runs
	// events; it drains the queue before letting go, or wakes Run.
	running bool
	started bool // guarded by mu: Run has begun, readers may take the loop

	stopping atomic.Bool
	stopOnce sync.Once
	ctx      context.Context // cancelled by Stop; pending dials give up
	cancel   context.CancelFunc

	// Goroutines started for connections, listeners and dials; Run waits
	// for them before returning.
	workers sync.WaitGroup

	// Owned by whichever goroutine holds the loop.
	batch     []event
	dirty     []*conn
	conns     map[*conn]struct{}
	listeners map[*listener]struct{}
}

// NewLoop returns a loop that is not running yet; call Run.
func NewLoop() *Loop {
	ctx, cancel := context.WithCancel(context.Background())
	return &Loop{
		wake:      make(chan struct{}, 1),
		ctx:       ctx,
		cancel:    cancel,
		conns:     make(map[*conn]struct{}),
		listeners: make(map[*listener]struct{}),
	}
}

// Post queues f to run on the loop, after everything queued before it.
// It is safe from any goroutine and never blocks for longer than a short
// critical section. Functions posted after Run has returned are dropped.
func (l *Loop) Post(f func()) {
	l.post(event{kind: evFunc, f: f})
}

// post queues ev and reports whether it was queued; it is not once Run has
// returned. Run's goroutine is woken only if nobody holds the loop: a
// holder drains the queue before it lets go.
func (l *Loop) post(ev event) bool {
	l.mu.Lock()
	if l.ended {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, ev)
	wake := !l.running && len(l.queue) == 1
	l.mu.Unlock()
	if wake {
		l.signal()
	}
	return true
}

// inlineBatches is how many batches a reader that took the loop runs
// before it hands the rest to Run's goroutine and goes back to its socket.
// One batch holds everything queued when it began, the reader's own data
// included; later ones are other connections' work.
const inlineBatches = 1

// postRead queues a reader's event like post and, if nobody holds the
// loop, runs the events itself on the calling reader goroutine rather
// than waking Run's: under load that saves two thread switches per read
// buffer, and it is what a busy loop does anyway. Once it has let go of
// the loop it sends the output of the batch itself where it can (see
// writeInline); writes is the reader's scratch list for that. It must be
// called only by a goroutine that holds no lock the node's handlers could
// need.
func (l *Loop) postRead(ev event, writes *[]*conn) bool {
	l.mu.Lock()
	if l.ended {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, ev)
	if l.running || !l.started || l.stopping.Load() {
		wake := !l.running && len(l.queue) == 1
		l.mu.Unlock()
		if wake {
			l.signal()
		}
		return true
	}
	l.running = true
	l.mu.Unlock()
	l.drain(inlineBatches, writes)
	writeInline(writes)
	return true
}

// acquire takes the loop if nobody holds it and events are waiting.
func (l *Loop) acquire() bool {
	l.mu.Lock()
	ok := !l.running && len(l.queue) > 0
	if ok {
		l.running = true
	}
	l.mu.Unlock()
	return ok
}

// drain runs batches while events are queued, at most maxBatches of them
// (no bound if negative), then lets go of the loop. Leaving events behind,
// or a Stop to act on, it wakes Run's goroutine to take over. With writes
// non-nil, up to maxInlineWrites connections written to are sealed but not
// handed to their writers: they are appended to writes, for the caller to
// send once it has let go of the loop.
func (l *Loop) drain(maxBatches int, writes *[]*conn) {
	for n := 0; ; n++ {
		l.mu.Lock()
		if len(l.queue) == 0 || n == maxBatches || l.stopping.Load() {
			l.running = false
			handOff := len(l.queue) > 0 || l.stopping.Load()
			l.mu.Unlock()
			if handOff {
				l.signal()
			}
			return
		}
		l.batch, l.queue = l.queue, l.batch[:0]
		l.mu.Unlock()
		start := time.Now()
		l.runBatch()
		l.flushDirty(writes)
		if time.Since(start) > longBatch {
			// The writers just woken, and the readers of idle
			// connections, would otherwise wait for the scheduler to
			// preempt this goroutine (up to 10 ms) while the queue keeps
			// it busy: let them run before the next batch.
			runtime.Gosched()
		}
	}
}

// longBatch is how long a batch may run before the loop lets the other
// goroutines run ahead of the next one. A node bounds the work of one
// event (ARCHITECTURE.md rule 9), so a long batch means a queue of big
// slices, and the connections they keep waiting are the ones to serve.
const longBatch = 200 * time.Microsecond

func (l *Loop) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Stop makes Run return after the event it is running; it is safe from any
// goroutine, including from an event on the loop. Listeners stop accepting
// and every connection sends what was already queued (for at most
// closeFlushTimeout) and is closed. No handler runs after Stop: connections
// get no Closed event.
func (l *Loop) Stop() {
	l.stopOnce.Do(func() {
		l.stopping.Store(true)
		l.cancel()
		l.signal()
	})
}

// Run processes events until Stop. Call it from exactly one goroutine, once.
// It returns after every connection, listener and dial goroutine has ended.
func (l *Loop) Run() {
	l.mu.Lock()
	l.started = true
	l.mu.Unlock()
	for !l.stopping.Load() {
		if l.acquire() {
			l.drain(-1, nil)
			continue
		}
		<-l.wake
	}
	l.takeForShutdown()
	l.shutdown()
}

// takeForShutdown waits until no reader holds the loop and keeps it: from
// now on no reader runs events, and shutdown owns everything.
func (l *Loop) takeForShutdown() {
	for {
		l.mu.Lock()
		if !l.running {
			l.running = true
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		<-l.wake // a holder that sees Stop wakes Run as it lets go
	}
}

// runBatch runs the events taken from the queue, stopping early if an
// event called Stop.
func (l *Loop) runBatch() {
	for i := range l.batch {
		if l.stopping.Load() {
			discard(l.batch[i:])
			break
		}
		l.dispatch(&l.batch[i])
	}
	clear(l.batch) // drop references so buffers and closures can be freed
}

// discard drops events that will never run, closing the sockets that were
// on their way to the loop.
func discard(evs []event) {
	for _, ev := range evs {
		if ev.kind == evAdopt {
			ev.sock.Close()
		}
	}
}

func (l *Loop) dispatch(ev *event) {
	switch ev.kind {
	case evFunc, evAdopt:
		ev.f()
	case evData:
		ev.c.onData(ev.rb, ev.n)
	case evReadEnd:
		ev.c.onReadEnd(ev.err)
	case evWriteEnd:
		ev.c.onWriteEnd(ev.err)
	case evDrain:
		ev.c.onDrain()
	}
}

// flushDirty hands each connection written during the batch to its writer:
// one seal and one wake-up per connection per batch. With inline non-nil,
// the first connections, up to maxInlineWrites in that list, are sealed
// and put in the list instead of waking their writers.
func (l *Loop) flushDirty(inline *[]*conn) {
	for i, c := range l.dirty {
		c.dirty = false
		if inline != nil && len(*inline) < maxInlineWrites {
			if c.seal() {
				*inline = append(*inline, c)
			}
		} else {
			c.flush()
		}
		l.dirty[i] = nil
	}
	l.dirty = l.dirty[:0]
}

func (l *Loop) markDirty(c *conn) {
	if !c.dirty {
		c.dirty = true
		l.dirty = append(l.dirty, c)
	}
}

// shutdown runs on Run's goroutine, holding the loop for good: it closes
// every listener and connection, drops further posts and waits for all the
// goroutines to finish.
func (l *Loop) shutdown() {
	l.flushDirty(nil)
	for ln := range l.listeners {
		ln.close()
	}
	for c := range l.conns {
		c.shutdown()
	}
	l.mu.Lock()
	l.ended = true
	rest := l.queue
	l.queue = nil
	l.mu.Unlock()
	discard(rest)
	l.workers.Wait()
}

// Network returns a net.Network whose listeners and connections deliver
// their events on this loop. Its methods must be called on the loop.
func (l *Loop) Network() jnet.Network { return network{l} }
