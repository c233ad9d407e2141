// Package tcp is the production implementation of jsnode/net: real TCP
// sockets driven by one event loop per node.
//
// A Loop owns a node. Everything that happens to the node is an event the
// loop runs one at a time on its goroutine: data read from a connection, a
// connection accepted, dialled, drained or closed, a timer callback or any
// other function handed to Post. The loop never performs a system call.
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
// batch and wakes its writer once.
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
	"sync"
	"sync/atomic"

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
	wake  chan struct{} // capacity 1: "the queue became non-empty"
	ended bool          // guarded by mu: Run has returned, Post drops

	stopping atomic.Bool
	stopOnce sync.Once
	ctx      context.Context // cancelled by Stop; pending dials give up
	cancel   context.CancelFunc

	// Goroutines started for connections, listeners and dials; Run waits
	// for them before returning.
	workers sync.WaitGroup

	// Owned by the loop goroutine.
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
// returned.
func (l *Loop) post(ev event) bool {
	l.mu.Lock()
	if l.ended {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, ev)
	first := len(l.queue) == 1
	l.mu.Unlock()
	if first {
		l.signal()
	}
	return true
}

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
	for !l.stopping.Load() {
		l.mu.Lock()
		l.batch, l.queue = l.queue, l.batch[:0]
		l.mu.Unlock()
		if len(l.batch) == 0 {
			<-l.wake
			continue
		}
		l.runBatch()
		l.flushDirty()
	}
	l.shutdown()
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
// one seal and one wake-up per connection per batch.
func (l *Loop) flushDirty() {
	for i, c := range l.dirty {
		c.dirty = false
		c.flush()
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

// shutdown runs on the loop goroutine once the loop has stopped: it closes
// every listener and connection, drops further posts and waits for all the
// goroutines to finish.
func (l *Loop) shutdown() {
	l.flushDirty()
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
