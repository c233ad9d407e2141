package tcp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	jnet "jsnode/net"
)

func TestEcho(t *testing.T) {
	l := startLoop(t)
	addr, accepted := listen(t, l, echo)
	c := dial(t, addr)
	if _, err := c.Write([]byte("hello, loop")); err != nil {
		t.Fatal(err)
	}
	readAllCompare(t, c, []byte("hello, loop"), false)
	r := nextRecorder(t, accepted)
	local, remote := onLoop(t, l, func() string { return r.c.LocalAddr() }), onLoop(t, l, func() string { return r.c.RemoteAddr() })
	if local != addr || remote != c.LocalAddr().String() {
		t.Fatalf("server conn addrs %s <- %s, want %s <- %s", local, remote, addr, c.LocalAddr())
	}
}

func TestLargeTransferArrivesIntactAndInOrder(t *testing.T) {
	const size = 50 << 20
	l := startLoop(t)
	addr, _ := listen(t, l, echo)
	c := dial(t, addr)
	want := pattern(size)
	writeErr := make(chan error, 1)
	go func() {
		// Odd-sized writes so message and buffer boundaries never line up.
		var err error
		for off := 0; off < size && err == nil; off += 100_003 {
			_, err = c.Write(want[off:min(off+100_003, size)])
		}
		writeErr <- err
	}()
	readAllCompare(t, c, want, false)
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
}

func TestManyConcurrentConnections(t *testing.T) {
	const conns, size = 100, 64 << 10
	l := startLoop(t)
	addr, _ := listen(t, l, echo)
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := echoOnce(addr, pattern(size+i))
			if c != nil {
				t.Cleanup(func() { c.Close() })
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := onLoop(t, l, func() int { return len(l.conns) }); n != conns {
		t.Fatalf("loop tracks %d connections, want %d (clients still open)", n, conns)
	}
}

// echoOnce sends want over a fresh connection and reads it back. It leaves
// the connection open, so the loop still counts it, and returns it.
func echoOnce(addr string, want []byte) (net.Conn, error) {
	c, err := dialPlain(addr)
	if err != nil {
		return nil, err
	}
	go c.Write(want)
	got := make([]byte, len(want))
	c.SetReadDeadline(time.Now().Add(waitLimit))
	if _, err := io.ReadFull(c, got); err != nil {
		return c, err
	}
	if i := firstDiff(got, want); i >= 0 {
		return c, fmt.Errorf("byte %d differs", i)
	}
	return c, nil
}

func TestPeerCloseGivesClosedByPeer(t *testing.T) {
	l := startLoop(t)
	addr, accepted := listen(t, l, nil)
	c := dial(t, addr)
	c.Write([]byte("last words"))
	c.Close()
	r := nextRecorder(t, accepted)
	waitFor(t, l, "Closed", func() bool { return r.closed > 0 })
	onLoop(t, l, func() any {
		if string(r.data) != "last words" || r.err != jnet.ErrClosedByPeer {
			t.Errorf("got data %q, Closed(%v); want %q, ErrClosedByPeer", r.data, r.err, "last words")
		}
		if _, tracked := l.conns[r.c.(*conn)]; tracked {
			t.Error("closed connection still tracked by the loop")
		}
		return nil
	})
}

func TestLocalCloseFlushesQueuedOutput(t *testing.T) {
	const size = 8 << 20
	want := pattern(size)
	l := startLoop(t)
	addr, accepted := listen(t, l, func(r *recorder) {
		for off := 0; off < size; off += 10_000 {
			r.c.Write(want[off:min(off+10_000, size)])
		}
		r.c.Close()
		r.c.Write([]byte("after close")) // dropped
	})
	c := dial(t, addr)
	readAllCompare(t, c, want, true)
	r := nextRecorder(t, accepted)
	waitFor(t, l, "Closed", func() bool { return r.closed > 0 })
	if err := onLoop(t, l, func() error { return r.err }); err != jnet.ErrLocalClose {
		t.Fatalf("Closed(%v), want ErrLocalClose", err)
	}
}

func TestCloseDuringDataDropsLaterData(t *testing.T) {
	l := startLoop(t)
	addr, accepted := listen(t, l, func(r *recorder) {
		r.onData = func(r *recorder, b []byte) {
			r.c.Write([]byte("bye"))
			r.c.Close()
		}
	})
	c := dial(t, addr)
	c.Write([]byte("first"))
	readAllCompare(t, c, []byte("bye"), false)
	c.Write([]byte("second")) // reaches a closed conn, or fails
	r := nextRecorder(t, accepted)
	waitFor(t, l, "Closed", func() bool { return r.closed > 0 })
	onLoop(t, l, func() any {
		if string(r.data) != "first" || r.err != jnet.ErrLocalClose {
			t.Errorf("got data %q, Closed(%v); want %q, ErrLocalClose", r.data, r.err, "first")
		}
		return nil
	})
}

func TestWriteDeadlineOnPeerThatNeverReads(t *testing.T) {
	l := startLoop(t)
	chunk := pattern(64 << 10)
	addr, accepted := listen(t, l, func(r *recorder) {
		r.c.SetWriteDeadline(200 * time.Millisecond)
		for range 512 { // 32 MiB: far beyond both sockets' buffers
			r.c.Write(chunk)
		}
	})
	dialSmallWindow(t, addr, 4096) // never read
	r := nextRecorder(t, accepted)
	waitFor(t, l, "Closed", func() bool { return r.closed > 0 })
	if err := onLoop(t, l, func() error { return r.err }); err != jnet.ErrWriteTimeout {
		t.Fatalf("Closed(%v), want ErrWriteTimeout", err)
	}
}

func TestDrainedAfterBlockedPeerReads(t *testing.T) {
	const size = 16 << 20
	want := pattern(size)
	l := startLoop(t)
	addr, accepted := listen(t, l, func(r *recorder) {
		r.c.Write(want)
		if b := r.c.Buffered(); b != size {
			t.Errorf("Buffered() = %d right after writing %d", b, size)
		}
	})
	c := dialSmallWindow(t, addr, 64<<10)
	r := nextRecorder(t, accepted)
	// Nothing has been read, so at most the socket buffers' worth can
	// have left: the connection is still far above the high-water mark.
	onLoop(t, l, func() any {
		if r.drained != 0 || r.c.Buffered() <= jnet.HighWaterBytes {
			t.Errorf("before the peer reads: drained=%d buffered=%d", r.drained, r.c.Buffered())
		}
		return nil
	})
	readAllCompare(t, c, want, false)
	waitFor(t, l, "Drained", func() bool { return r.drained > 0 })
	onLoop(t, l, func() any {
		if r.drained != 1 || r.bufferedAtDrain >= jnet.LowWaterBytes {
			t.Errorf("drained=%d with %d buffered; want once, below %d", r.drained, r.bufferedAtDrain, jnet.LowWaterBytes)
		}
		return nil
	})
}

func TestPauseHoldsDataAndResumeDeliversIt(t *testing.T) {
	l := startLoop(t)
	addr, accepted := listen(t, l, func(r *recorder) {
		r.onData = func(r *recorder, b []byte) { r.c.PauseReading() }
	})
	c := dial(t, addr)
	r := nextRecorder(t, accepted)
	c.Write([]byte("one"))
	waitFor(t, l, "first data", func() bool { return len(r.data) > 0 })
	// Paused by the first Data: later bytes reach the loop and are held.
	c.Write([]byte("two"))
	held := func() bool { return len(r.c.(*conn).held) > 0 }
	waitFor(t, l, "held data", held)
	if got := onLoop(t, l, func() string { return string(r.data) }); got != "one" {
		t.Fatalf("data while paused: %q, want %q", got, "one")
	}
	onLoop(t, l, func() any { r.onData = nil; r.c.ResumeReading(); return nil })
	waitFor(t, l, "resumed data", func() bool { return string(r.data) == "onetwo" })
}

func TestPeerCloseWhilePausedWaitsForResume(t *testing.T) {
	l := startLoop(t)
	addr, accepted := listen(t, l, func(r *recorder) { r.c.PauseReading() })
	c := dial(t, addr)
	r := nextRecorder(t, accepted)
	c.Write([]byte("payload"))
	c.Close()
	readEndHeld := func() bool {
		h := r.c.(*conn).held
		return len(h) > 0 && h[len(h)-1].kind == evReadEnd
	}
	waitFor(t, l, "held end of stream", readEndHeld)
	onLoop(t, l, func() any {
		if len(r.data) != 0 || r.closed != 0 {
			t.Errorf("while paused: data %q, closed %d", r.data, r.closed)
		}
		r.c.ResumeReading()
		return nil
	})
	waitFor(t, l, "Closed", func() bool { return r.closed > 0 })
	onLoop(t, l, func() any {
		if string(r.data) != "payload" || r.err != jnet.ErrClosedByPeer {
			t.Errorf("after resume: data %q, Closed(%v)", r.data, r.err)
		}
		return nil
	})
}

func TestPausedReaderStopsAtCredits(t *testing.T) {
	l := startLoop(t)
	addr, accepted := listen(t, l, func(r *recorder) { r.c.PauseReading() })
	c := dial(t, addr)
	r := nextRecorder(t, accepted)
	go c.Write(pattern(8 << 20)) // blocks once the reader stops
	held := func() int { return len(r.c.(*conn).held) }
	waitFor(t, l, "all credits held", func() bool { return held() == readCredits })
	if n := onLoop(t, l, held); n != readCredits {
		t.Fatalf("%d buffers held, want at most %d", n, readCredits)
	}
	onLoop(t, l, func() any { r.c.ResumeReading(); return nil })
	waitFor(t, l, "all data", func() bool { return len(r.data) == 8<<20 })
}

func TestDialConnectsAndDeliversEvents(t *testing.T) {
	l := startLoop(t)
	peer := listenPlain(t)
	var r *recorder
	onLoop(t, l, func() any {
		l.Network().Dial(peer.Addr().String(), func(c jnet.Conn) jnet.Handler {
			r = &recorder{t: t, c: c}
			c.Write([]byte("from dialer"))
			return r
		}, func(err error) { t.Errorf("dial failed: %v", err) })
		return nil
	})
	s, err := peer.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	readAllCompare(t, s, []byte("from dialer"), false)
	s.Write([]byte("reply"))
	waitFor(t, l, "reply", func() bool { return r != nil && string(r.data) == "reply" })
	if got := onLoop(t, l, func() string { return r.c.RemoteAddr() }); got != peer.Addr().String() {
		t.Fatalf("RemoteAddr %s, want %s", got, peer.Addr())
	}
}

func TestDialRefused(t *testing.T) {
	l := startLoop(t)
	ln := listenPlain(t)
	addr := ln.Addr().String()
	ln.Close()
	got := make(chan error, 1)
	onLoop(t, l, func() any {
		l.Network().Dial(addr, func(c jnet.Conn) jnet.Handler {
			t.Error("connected to a closed port")
			return nil
		}, func(err error) { got <- err })
		return nil
	})
	select {
	case err := <-got:
		if !errors.Is(err, jnet.ErrRefused) {
			t.Fatalf("failed(%v), want ErrRefused", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("dial reported nothing")
	}
}

func TestListenerCloseStopsAccepting(t *testing.T) {
	l := startLoop(t)
	accepts := 0
	addr := onLoop(t, l, func() string {
		ln, err := l.Network().Listen("127.0.0.1:0", func(c jnet.Conn) jnet.Handler {
			accepts++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		return ln.Addr()
	})
	// The acceptor closes the socket shortly after Close; until then a
	// dial may connect, but the node must never see it.
	deadline := time.Now().Add(waitLimit)
	for {
		c, err := dialPlain(addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("closed listener still accepts")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := onLoop(t, l, func() int { return accepts }); n != 0 {
		t.Fatalf("accept callback ran %d times after Close", n)
	}
}

// Abort drops what the peer has not taken and closes at once, even while
// the writer is blocked on a peer that does not read: Closed comes without
// waiting for closeFlushTimeout, and the peer then sees the stream end
// having received less than was written.
func TestAbortDropsQueuedOutputAndClosesAtOnce(t *testing.T) {
	const size = 32 << 20 // far beyond both sockets' buffers
	l := startLoop(t)
	block := pattern(1 << 20)
	addr, accepted := listen(t, l, func(r *recorder) {
		for range size / len(block) {
			r.c.Write(block)
		}
	})
	c := dialSmallWindow(t, addr, 4096) // not read until after the abort
	r := nextRecorder(t, accepted)
	waitFor(t, l, "the writer to block", func() bool {
		return r.c.Buffered() < size && r.c.Buffered() > size/2
	})
	start := time.Now()
	onLoop(t, l, func() any { r.c.Abort(); return nil })
	waitFor(t, l, "Closed", func() bool { return r.closed > 0 })
	if d := time.Since(start); d >= closeFlushTimeout {
		t.Fatalf("Closed after %v: the queue was flushed, not dropped", d)
	}
	if err := onLoop(t, l, func() error { return r.err }); err != jnet.ErrLocalClose {
		t.Fatalf("Closed(%v), want ErrLocalClose", err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("reading after the abort: %v", err)
	}
	if n >= size {
		t.Fatalf("peer received %d bytes of %d: nothing was dropped", n, size)
	}
}
