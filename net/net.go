// Package net is the network seam between a node and its host.
//
// A node listens and dials through a Network and sees each connection as a
// Conn it writes to plus a Handler that receives the connection's events.
// Every method here is called on the node's event loop, and every Handler
// callback is delivered on that loop as an event of its own: never from inside
// a Conn or Network method the node called. Production uses real TCP
// (net/tcp); the simulator supplies reliable, ordered, seeded-latency streams
// with faults.
package net

import (
	"errors"
	"time"
)

// Flow-control water marks shared by every implementation. A node pauses a
// producer whose destinations have queued more than HighWaterBytes; a
// connection that had passed HighWaterBytes reports Drained once its queue
// falls below LowWaterBytes.
const (
	HighWaterBytes = 1 << 20
	LowWaterBytes  = 64 << 10
)

// Errors reported to Handler.Closed.
var (
	// ErrClosedByPeer: the remote side closed the connection (EOF).
	ErrClosedByPeer = errors.New("connection closed by peer")
	// ErrReset: the connection was reset or broken by the network.
	ErrReset = errors.New("connection reset")
	// ErrWriteTimeout: queued output made no progress for the write deadline.
	ErrWriteTimeout = errors.New("write deadline exceeded")
	// ErrLocalClose: the node itself called Close.
	ErrLocalClose = errors.New("closed locally")
	// ErrRefused: nothing listens at the dialled address.
	ErrRefused = errors.New("connection refused")
)

// Conn is one byte-stream connection.
type Conn interface {
	// Write queues a copy of b for sending and never blocks. Bytes are sent
	// in order, after the current event returns.
	Write(b []byte)
	// Buffered reports the bytes queued but not yet handed to the peer.
	Buffered() int
	// Close sends what is already queued, then closes the connection.
	// Later writes are dropped. Closed is delivered once, with
	// ErrLocalClose, as a separate event.
	Close()
	// Abort is Close without sending what is queued: the output not yet
	// handed to the peer is dropped and its memory released at once. For
	// a peer that is not reading (a slow consumer), whose queue would
	// otherwise be held for as long as flushing it is tried. Closed is
	// delivered once, with ErrLocalClose, as after Close.
	Abort()
	// SetWriteDeadline bounds how long queued output may make no progress
	// before the connection is closed with ErrWriteTimeout; 0 disables it.
	SetWriteDeadline(d time.Duration)
	// PauseReading stops Data events until ResumeReading. Used for
	// backpressure on producers whose destinations are behind.
	PauseReading()
	// ResumeReading undoes PauseReading.
	ResumeReading()
	// LocalAddr and RemoteAddr are "host:port" strings.
	LocalAddr() string
	RemoteAddr() string
}

// Handler receives one connection's events, on the node's loop.
type Handler interface {
	// Data delivers bytes read from the peer; b is valid only during the call.
	Data(b []byte)
	// Drained reports that output queued past HighWaterBytes has fallen
	// below LowWaterBytes.
	Drained()
	// Closed is delivered exactly once; no event follows it.
	Closed(err error)
}

// AcceptFunc is called on the loop for each accepted connection and returns
// the handler for its events.
type AcceptFunc func(c Conn) Handler

// Listener is an open listening socket.
type Listener interface {
	// Addr is the bound "host:port" (with the real port if 0 was asked).
	Addr() string
	// Close stops accepting; connections already accepted stay open.
	Close()
}

// Network opens listeners and outbound connections for one node.
type Network interface {
	// Listen binds addr ("host:port") and reports each accepted connection.
	Listen(addr string, accept AcceptFunc) (Listener, error)
	// Dial connects to addr asynchronously: connected runs on the loop
	// when the connection is up and returns its handler, or failed runs
	// with the reason. Exactly one of them runs, as a later event.
	Dial(addr string, connected func(c Conn) Handler, failed func(err error))
}
