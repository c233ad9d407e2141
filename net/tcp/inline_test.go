package tcp

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// runningIn reports whether the caller's stack passes through a function
// whose name ends with suffix.
func runningIn(suffix string) bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.Function, suffix) {
			return true
		}
		if !more {
			return false
		}
	}
}

// TestIdleLoopRunsReadsOnTheReader: data reaching an idle loop is handled
// on the reader's goroutine, with no hand-off to Run's; a posted function
// still runs on Run's.
func TestIdleLoopRunsReadsOnTheReader(t *testing.T) {
	l := startLoop(t)
	var onReader []bool // owned by the loop
	addr, _ := listen(t, l, func(r *recorder) {
		r.onData = func(r *recorder, b []byte) {
			onReader = append(onReader, runningIn("(*conn).readLoop"))
			r.c.Write(b)
		}
	})
	c := dial(t, addr)
	const rounds = 5
	for i := range rounds {
		// One message at a time, each answered before the next is sent,
		// so the loop is idle whenever data arrives.
		msg := []byte{'a' + byte(i)}
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		readAllCompare(t, c, msg, false)
	}
	got := onLoop(t, l, func() []bool { return append([]bool(nil), onReader...) })
	if len(got) != rounds {
		t.Fatalf("%d Data calls, want %d", len(got), rounds)
	}
	for i, inline := range got {
		if !inline {
			t.Errorf("read %d was handed to Run's goroutine", i)
		}
	}
	if onLoop(t, l, func() bool { return runningIn("(*conn).readLoop") }) {
		t.Error("a posted function ran on a reader")
	}
	if !onLoop(t, l, func() bool { return runningIn("(*Loop).Run") }) {
		t.Error("a posted function did not run on Run's goroutine")
	}
}

// TestEventsRunOneAtATime: with many connections sending and goroutines
// posting at once, whichever goroutine runs an event, no two events
// overlap, nothing is lost and each connection's bytes stay in order.
func TestEventsRunOneAtATime(t *testing.T) {
	const conns, posters, posts, size = 8, 4, 2000, 1 << 20
	l := startLoop(t)
	var inside atomic.Bool
	enter := func() {
		if inside.Swap(true) {
			t.Error("two events ran at once")
		}
	}
	leave := func() { inside.Store(false) }
	var sum byte // owned by the loop
	addr, accepted := listen(t, l, func(r *recorder) {
		r.onData = func(_ *recorder, b []byte) {
			enter()
			for _, x := range b { // time inside, for an overlap to show
				sum += x
			}
			leave()
		}
	})
	want := pattern(size)
	var wg sync.WaitGroup
	for range conns {
		c := dial(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for off := 0; off < size; off += 7001 {
				if _, err := c.Write(want[off:min(off+7001, size)]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	ran := 0 // owned by the loop: a plain int, so the race detector watches it
	for range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range posts {
				l.Post(func() { enter(); ran++; leave() })
			}
		}()
	}
	wg.Wait()
	var recs []*recorder
	for range conns {
		recs = append(recs, nextRecorder(t, accepted))
	}
	waitFor(t, l, "all data and posts", func() bool {
		for _, r := range recs {
			if len(r.data) < size {
				return false
			}
		}
		return ran == posters*posts
	})
	for i, r := range recs {
		d := onLoop(t, l, func() []byte { return r.data })
		if j := firstDiff(d, want); j >= 0 {
			t.Fatalf("connection %d: byte %d differs", i, j)
		}
	}
}

// TestStopFromDataOnTheReader: Stop called by a handler running on a
// reader's goroutine ends the loop like a Stop from Run's: Run returns,
// and no handler runs afterwards.
func TestStopFromDataOnTheReader(t *testing.T) {
	l := NewLoop()
	done := make(chan struct{})
	go func() {
		l.Run()
		close(done)
	}()
	var stopped, after atomic.Int32
	addr, _ := listen(t, l, func(r *recorder) {
		r.onData = func(*recorder, []byte) {
			if stopped.Load() > 0 {
				after.Add(1)
			}
			if runningIn("(*conn).readLoop") {
				stopped.Add(1)
				l.Stop()
			}
		}
	})
	c := dial(t, addr)
	deadline := time.Now().Add(waitLimit)
	for stopped.Load() == 0 && time.Now().Before(deadline) {
		// Until a read reaches the loop while it is idle (normally the
		// first one).
		if _, err := c.Write([]byte("x")); err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatal("Run did not return")
	}
	if stopped.Load() != 1 || after.Load() != 0 {
		t.Fatalf("Stop ran %d times from a reader, %d Data calls after it", stopped.Load(), after.Load())
	}
}
