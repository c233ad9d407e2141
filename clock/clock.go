// Package clock is the time seam between a node and its host.
//
// A node never reads wall time or starts its own timers: it asks its Clock.
// Production hands it a wall clock whose timer callbacks are posted onto the
// node's event loop (clock/wall); the simulator hands it a virtual clock whose
// timers are events in the world's queue; unit tests use Manual.
package clock

import "time"

// Clock gives the current time and timers whose callbacks run on the event
// loop of the node that owns the clock, never on another goroutine.
type Clock interface {
	// Now returns the node's idea of the current time. In the simulator it
	// includes the node's skew.
	Now() time.Time
	// AfterFunc arranges for f to run on the owning loop once d has passed.
	// A non-positive d fires on the next turn of the loop, never inside the
	// call to AfterFunc.
	AfterFunc(d time.Duration, f func()) Timer
	// Monotonic returns the time elapsed on this clock since an origin
	// fixed when the clock was made. Unlike Now it never goes back, even
	// when the wall clock is stepped backward (NTP, an operator): measure
	// intervals with it, show times with Now.
	Monotonic() time.Duration
}

// Timer is a pending AfterFunc callback.
type Timer interface {
	// Stop prevents the callback from running if it has not run yet and
	// reports whether it did so. Because Stop and the callback both run on
	// the owning loop, a stopped timer's callback never runs afterwards.
	Stop() bool
}
