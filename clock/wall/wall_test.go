package wall

import (
	"sync/atomic"
	"testing"
	"time"
)

const waitLimit = 10 * time.Second

// testLoop runs posted functions one at a time on one goroutine, like
// tcp.Loop, and marks when it is inside one.
type testLoop struct {
	events  chan func()
	inEvent atomic.Bool
	posted  chan struct{} // one signal per post, for tests that need to see it
}

func newTestLoop(t *testing.T) *testLoop {
	l := &testLoop{events: make(chan func(), 1024), posted: make(chan struct{}, 1024)}
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case f := <-l.events:
				l.inEvent.Store(true)
				f()
				l.inEvent.Store(false)
			case <-quit:
				return
			}
		}
	}()
	t.Cleanup(func() { close(quit); <-done })
	return l
}

func (l *testLoop) post(f func()) {
	l.events <- f
	l.posted <- struct{}{}
}

// run runs f on the loop and waits for it.
func (l *testLoop) run(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	l.events <- func() { f(); close(done) }
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatal("loop did not run the function")
	}
}

func TestTimersFireOnTheLoop(t *testing.T) {
	l := newTestLoop(t)
	c := New(l.post)
	fired := 0 // owned by the loop
	delays := []time.Duration{-time.Second, 0, time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond}
	l.run(t, func() {
		for _, d := range delays {
			c.AfterFunc(d, func() {
				if !l.inEvent.Load() {
					t.Errorf("callback for %v ran outside a loop event", d)
				}
				fired++
			})
		}
	})
	deadline := time.Now().Add(waitLimit)
	for {
		var n int
		l.run(t, func() { n = fired })
		if n == len(delays) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d timers fired", n, len(delays))
		}
		time.Sleep(time.Millisecond)
	}
}

func TestNonPositiveDelayRunsOnALaterTurn(t *testing.T) {
	l := newTestLoop(t)
	c := New(l.post)
	ran := make(chan struct{})
	l.run(t, func() {
		inside := true
		c.AfterFunc(0, func() {
			if inside {
				t.Error("callback ran inside AfterFunc's event")
			}
			close(ran)
		})
		inside = false
	})
	select {
	case <-ran:
	case <-time.After(waitLimit):
		t.Fatal("zero-delay timer never fired")
	}
}

func TestStopAfterRuntimeTimerFiredPreventsCallback(t *testing.T) {
	l := newTestLoop(t)
	c := New(l.post)
	ran := false
	stopped := false
	l.run(t, func() {
		tm := c.AfterFunc(time.Millisecond, func() { ran = true })
		// Block this event until the runtime timer has posted the
		// callback: it is queued behind us, and Stop must still win.
		select {
		case <-l.posted:
		case <-time.After(waitLimit):
			t.Error("runtime timer never posted")
		}
		stopped = tm.Stop()
	})
	l.run(t, func() {}) // the posted callback has had its turn
	l.run(t, func() {
		if !stopped || ran {
			t.Errorf("Stop() = %v, callback ran = %v; want true, false", stopped, ran)
		}
	})
}

func TestStopReportsWhetherItPrevented(t *testing.T) {
	l := newTestLoop(t)
	c := New(l.post)
	fired := make(chan struct{})
	var pending, early interface{ Stop() bool }
	l.run(t, func() {
		pending = c.AfterFunc(time.Hour, func() { t.Error("stopped timer fired") })
		early = c.AfterFunc(0, func() { close(fired) })
	})
	<-fired
	l.run(t, func() {
		if !pending.Stop() {
			t.Error("Stop on a pending timer returned false")
		}
		if pending.Stop() {
			t.Error("second Stop returned true")
		}
		if early.Stop() {
			t.Error("Stop on a fired timer returned true")
		}
	})
}

func TestNowIsWallTime(t *testing.T) {
	c := New(func(func()) {})
	before := time.Now()
	now := c.Now()
	after := time.Now()
	if now.Before(before) || now.After(after) {
		t.Fatalf("Now() = %v, not within [%v, %v]", now, before, after)
	}
}
