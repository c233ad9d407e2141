package tcp

import (
	"bytes"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	jnet "jsnode/net"
)

// waitLimit bounds every wait for a condition in these tests; the
// conditions normally hold within milliseconds.
const waitLimit = 20 * time.Second

// startLoop runs a new loop on its own goroutine and stops it at the end of
// the test, failing if Run does not return.
func startLoop(t testing.TB) *Loop {
	t.Helper()
	l := NewLoop()
	done := make(chan struct{})
	go func() {
		l.Run()
		close(done)
	}()
	t.Cleanup(func() {
		l.Stop()
		select {
		case <-done:
		case <-time.After(waitLimit):
			t.Error("Run did not return after Stop")
		}
	})
	return l
}

// onLoop runs f on the loop and returns its result.
func onLoop[T any](t testing.TB, l *Loop, f func() T) T {
	t.Helper()
	ch := make(chan T, 1)
	l.Post(func() { ch <- f() })
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatal("loop did not run a posted function")
		panic("unreachable")
	}
}

// waitFor polls cond on the loop until it holds.
func waitFor(t testing.TB, l *Loop, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !onLoop(t, l, cond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// recorder is a Handler that records its events; its fields belong to the
// loop, so tests read them through onLoop.
type recorder struct {
	t       testing.TB
	c       jnet.Conn
	data    []byte
	drained int
	// bufferedAtDrain is Buffered() seen inside Drained.
	bufferedAtDrain int
	closed          int
	err             error
	// onData, if set, runs after each Data is recorded.
	onData func(r *recorder, b []byte)
	// skipData leaves data empty (echo servers moving much data).
	skipData bool
}

func (r *recorder) Data(b []byte) {
	if r.closed > 0 {
		r.t.Errorf("Data after Closed")
	}
	if !r.skipData {
		r.data = append(r.data, b...)
	}
	if r.onData != nil {
		r.onData(r, b)
	}
}

func (r *recorder) Drained() {
	if r.closed > 0 {
		r.t.Errorf("Drained after Closed")
	}
	r.drained++
	r.bufferedAtDrain = r.c.Buffered()
}

func (r *recorder) Closed(err error) {
	if r.closed > 0 {
		r.t.Errorf("second Closed(%v) after Closed(%v)", err, r.err)
	}
	r.closed++
	r.err = err
	r.c.Write([]byte("dropped")) // writing while closed must be harmless
}

// listen starts a listener on the loop whose connections get recorders,
// prepared by setup (which may be nil) inside the accept callback. Each
// recorder is also sent on the returned channel.
func listen(t testing.TB, l *Loop, setup func(r *recorder)) (string, <-chan *recorder) {
	t.Helper()
	accepted := make(chan *recorder, 1024)
	addr := onLoop(t, l, func() string {
		ln, err := l.Network().Listen("127.0.0.1:0", func(c jnet.Conn) jnet.Handler {
			r := &recorder{t: t, c: c}
			if setup != nil {
				setup(r)
			}
			accepted <- r
			return r
		})
		if err != nil {
			t.Errorf("Listen: %v", err)
			return ""
		}
		return ln.Addr()
	})
	if addr == "" {
		t.FailNow()
	}
	return addr, accepted
}

func nextRecorder(t testing.TB, accepted <-chan *recorder) *recorder {
	t.Helper()
	select {
	case r := <-accepted:
		return r
	case <-time.After(waitLimit):
		t.Fatal("no connection accepted")
		return nil
	}
}

// echo is a listener setup that writes every byte back.
func echo(r *recorder) {
	r.skipData = true
	r.onData = func(r *recorder, b []byte) { r.c.Write(b) }
}

func dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dialSmallWindow dials with a receive buffer of rcvbuf bytes, so that a
// client that does not read stalls the server's writes quickly.
func dialSmallWindow(t testing.TB, addr string, rcvbuf int) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// pattern returns n bytes that differ from any shifted copy of themselves,
// so reordering or loss shows up in a comparison.
func pattern(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// readAllCompare reads want from c (then nothing else until EOF if
// expectEOF) and reports the first mismatch.
func readAllCompare(t testing.TB, c net.Conn, want []byte, expectEOF bool) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitLimit))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read %d bytes: %v", len(want), err)
	}
	if i := firstDiff(got, want); i >= 0 {
		t.Fatalf("byte %d differs: got %#x want %#x", i, got[i], want[i])
	}
	if expectEOF {
		rest, err := io.ReadAll(c)
		if err != nil || len(rest) != 0 {
			t.Fatalf("after the data: %d more bytes, err %v; want EOF", len(rest), err)
		}
	}
}

func firstDiff(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func dialPlain(addr string) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, waitLimit)
}

// listenPlain is an ordinary listener for the loop to dial.
func listenPlain(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}
