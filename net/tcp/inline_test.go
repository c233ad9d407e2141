package tcp

import (
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jnet "jsnode/net"
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
	addr, accepted := listen(t, l, func(r *recorder) {
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
	// The echoes went out (inline, on the reader) and count as sent.
	r := nextRecorder(t, accepted)
	if n := onLoop(t, l, r.c.Buffered); n != 0 {
		t.Errorf("%d bytes still count as buffered", n)
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

// TestInlineWritesFanOutInOrder: one connection's data copied to more
// subscribers than a reader writes to inline, some of them with windows
// so small that inline writes fall short and their writers take over;
// every subscriber still gets every byte, in order.
func TestInlineWritesFanOutInOrder(t *testing.T) {
	const subs, size = maxInlineWrites + 12, 2 << 20
	l := startLoop(t)
	addr, accepted := listen(t, l, nil)
	var peers []net.Conn
	var outs []jnet.Conn
	for i := range subs {
		if i%3 == 0 {
			peers = append(peers, dialSmallWindow(t, addr, 16<<10))
		} else {
			peers = append(peers, dial(t, addr))
		}
		outs = append(outs, nextRecorder(t, accepted).c)
	}
	pub := dial(t, addr)
	pr := nextRecorder(t, accepted)
	onLoop(t, l, func() any {
		pr.onData = func(_ *recorder, b []byte) {
			for _, o := range outs {
				o.Write(b)
			}
		}
		return nil
	})
	want := pattern(size)
	go func() {
		for off := 0; off < size; off += 3001 {
			if _, err := pub.Write(want[off:min(off+3001, size)]); err != nil {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for _, p := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			readAllCompare(t, p, want, false)
		}()
	}
	wg.Wait()
}

// TestInlineWriteFallsBackToTheDeadline: output written from data handled
// inline to a peer that never reads still ends in ErrWriteTimeout.
func TestInlineWriteFallsBackToTheDeadline(t *testing.T) {
	l := startLoop(t)
	chunk := pattern(16 << 10)
	addr, accepted := listen(t, l, func(r *recorder) {
		r.c.SetWriteDeadline(200 * time.Millisecond)
		r.onData = func(r *recorder, _ []byte) {
			for range 16 { // 256 KiB a read: past the small window at once
				r.c.Write(chunk)
			}
		}
	})
	c := dialSmallWindow(t, addr, 4096) // never reads
	r := nextRecorder(t, accepted)
	for i := 0; i < 200 && onLoop(t, l, func() int { return r.closed }) == 0; i++ {
		if _, err := c.Write([]byte("more")); err != nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	waitFor(t, l, "Closed", func() bool { return r.closed > 0 })
	if err := onLoop(t, l, func() error { return r.err }); err != jnet.ErrWriteTimeout {
		t.Fatalf("Closed(%v), want ErrWriteTimeout", err)
	}
}

// TestInlineAndWriterTakeTurns: each read makes a write big enough to go
// to the writer at once and a small one that a reader would send inline,
// to a peer that reads slowly, so the writer is often still busy when the
// next small write comes; the bytes must arrive in the order written, and
// once all are read nothing may count as buffered.
func TestInlineAndWriterTakeTurns(t *testing.T) {
	const big, small, steps = flushEarlyBytes + 1000, 1000, 40
	want := pattern(steps * (big + small))
	l := startLoop(t)
	next := 0 // owned by the loop: how much of want was written
	addr, accepted := listen(t, l, func(r *recorder) {
		r.skipData = true
		r.onData = func(r *recorder, b []byte) {
			for range b {
				r.c.Write(want[next : next+big])
				r.c.Write(want[next+big : next+big+small])
				next += big + small
			}
		}
	})
	c := dialSmallWindow(t, addr, 16<<10)
	r := nextRecorder(t, accepted)
	go func() {
		for range steps {
			if _, err := c.Write([]byte{'x'}); err != nil {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	readAllCompare(t, c, want, false)
	waitFor(t, l, "nothing buffered", func() bool { return r.c.Buffered() == 0 })
}

// TestInlineWritesFromTwoSendersKeepOrder: two connections' data is
// forwarded, as whole records, to one slow reader, so one reader may be
// writing to it inline while the other seals more for it; a write that
// falls short must go out before whatever was sealed meanwhile.
func TestInlineWritesFromTwoSendersKeepOrder(t *testing.T) {
	const recLen, recs = 100, 20000
	l := startLoop(t)
	addr, accepted := listen(t, l, nil)
	sink := dialSmallWindow(t, addr, 16<<10)
	out := nextRecorder(t, accepted).c
	// A small send buffer too, so that writes often fall short.
	onLoop(t, l, func() error { return out.(*conn).sock.SetWriteBuffer(4096) })
	var senders []net.Conn
	for range 2 {
		senders = append(senders, dial(t, addr))
		r := nextRecorder(t, accepted)
		var pending []byte // owned by the loop
		onLoop(t, l, func() any {
			r.skipData = true
			r.onData = func(_ *recorder, b []byte) {
				pending = append(pending, b...)
				whole := len(pending) / recLen * recLen
				out.Write(pending[:whole])
				pending = append(pending[:0], pending[whole:]...)
			}
			return nil
		})
	}
	for i, s := range senders {
		go func() {
			rec := make([]byte, recLen)
			for seq := range recs {
				rec[0] = byte(i)
				rec[1], rec[2], rec[3] = byte(seq>>16), byte(seq>>8), byte(seq)
				if _, err := s.Write(rec); err != nil {
					return
				}
			}
		}()
	}
	next := [2]int{}
	rec := make([]byte, recLen)
	sink.SetReadDeadline(time.Now().Add(waitLimit))
	for next[0]+next[1] < 2*recs {
		if _, err := io.ReadFull(sink, rec); err != nil {
			t.Fatalf("after %v records: %v", next, err)
		}
		src, seq := int(rec[0]), int(rec[1])<<16|int(rec[2])<<8|int(rec[3])
		if src > 1 || seq != next[src] {
			t.Fatalf("record from %d with seq %d, want seq %v", src, seq, next)
		}
		next[src]++
	}
}

// TestRequeueFirstKeepsOrder: the rest of a buffer an inline write could
// not finish goes before the buffers sealed while it was being written.
func TestRequeueFirstKeepsOrder(t *testing.T) {
	var w writerState
	first, second, third := &outBuf{b: []byte("1")}, &outBuf{b: []byte("2")}, &outBuf{b: []byte("3")}
	w.sealed = []*outBuf{second, third}
	w.requeueFirst(first)
	if len(w.sealed) != 3 || w.sealed[0] != first || w.sealed[1] != second || w.sealed[2] != third {
		t.Fatalf("queue after requeue: %v", w.sealed)
	}
}
