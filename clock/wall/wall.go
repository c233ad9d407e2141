// Package wall is the production clock: real time, with timer callbacks
// posted onto the owning node's event loop.
package wall

import (
	"time"

	"jsnode/clock"
)

// New returns a clock whose timers hand their callbacks to post, which must
// queue a function to run on the node's loop (tcp.Loop.Post). Timer.Stop
// must be called on that loop too.
func New(post func(func())) clock.Clock { return &wallClock{post: post, origin: time.Now()} }

type wallClock struct {
	post   func(func())
	origin time.Time // carries Go's monotonic reading
}

// Now is the host's time.
func (w *wallClock) Now() time.Time { return time.Now() }

// Monotonic uses the monotonic reading time.Now carries, which wall-clock
// steps do not move.
func (w *wallClock) Monotonic() time.Duration { return time.Since(w.origin) }

// AfterFunc starts a runtime timer whose goroutine posts the callback to the
// loop. A non-positive d is posted at once: it runs on a later turn of the
// loop, after everything already queued.
func (w *wallClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	t := &timer{f: f}
	if d <= 0 {
		w.post(t.fire)
		return t
	}
	t.rt = time.AfterFunc(d, func() { w.post(t.fire) })
	return t
}

// timer is a pending callback. done is read and written only on the loop,
// so a Stop that comes after the runtime timer has already posted fire
// still wins: fire finds done set and does nothing.
type timer struct {
	f    func()
	rt   *time.Timer // nil for a timer posted at once
	done bool        // fired or stopped
}

func (t *timer) fire() {
	if t.done {
		return
	}
	t.done = true
	t.f()
}

// Stop prevents the callback if it has not run and reports whether it did.
func (t *timer) Stop() bool {
	if t.done {
		return false
	}
	t.done = true
	if t.rt != nil {
		t.rt.Stop()
	}
	return true
}
