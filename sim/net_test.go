package sim

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"jsnode/net"
)

// recorder is a test handler that keeps everything it is told.
type recorder struct {
	conn    net.Conn
	data    bytes.Buffer
	reads   int
	drained int
	closed  []error
	onData  func(b []byte)
}

func (r *recorder) Data(b []byte) {
	r.reads++
	r.data.Write(b)
	if r.onData != nil {
		r.onData(b)
	}
}
func (r *recorder) Drained()         { r.drained++ }
func (r *recorder) Closed(err error) { r.closed = append(r.closed, err) }

// pair connects client host "c" to a listener on host "s" and returns
// both sides' recorders once connected.
func pair(t *testing.T, w *World) (cli, srv *recorder) {
	t.Helper()
	srv = &recorder{}
	_, err := w.Host("s").Net().Listen(":4222", func(c net.Conn) net.Handler {
		srv.conn = c
		return srv
	})
	if err != nil {
		t.Fatal(err)
	}
	cli = &recorder{}
	w.Host("c").Net().Dial("s:4222", func(c net.Conn) net.Handler {
		cli.conn = c
		return cli
	}, func(err error) { t.Fatalf("dial failed: %v", err) })
	if !w.RunUntil(func() bool { return cli.conn != nil && srv.conn != nil }, time.Second) {
		t.Fatal("not connected")
	}
	return cli, srv
}

func TestStreamOrderedAndSplit(t *testing.T) {
	opts := DefaultOptions()
	opts.SplitProb = 0.5
	w := NewWorld(11, opts)
	cli, srv := pair(t, w)
	var want bytes.Buffer
	for i := 0; i < 500; i++ {
		msg := fmt.Sprintf("msg-%04d;", i)
		want.WriteString(msg)
		cli.conn.Write([]byte(msg))
		if i%7 == 0 {
			w.RunFor(time.Duration(i%5) * time.Millisecond)
		}
	}
	if cli.conn.Buffered() == 0 {
		t.Fatal("Buffered is 0 right after writing")
	}
	w.RunFor(time.Second)
	if srv.data.String() != want.String() {
		t.Fatalf("stream garbled:\n got %.80q\nwant %.80q", srv.data.String(), want.String())
	}
	if srv.reads < 50 || cli.conn.Buffered() != 0 {
		t.Fatalf("reads=%d buffered=%d", srv.reads, cli.conn.Buffered())
	}
	if cli.conn.RemoteAddr() != "s:4222" || srv.conn.LocalAddr() != "s:4222" || srv.conn.RemoteAddr() != cli.conn.LocalAddr() {
		t.Fatalf("addrs: %s %s %s %s", cli.conn.LocalAddr(), cli.conn.RemoteAddr(), srv.conn.LocalAddr(), srv.conn.RemoteAddr())
	}
}

func TestPeerCloseAfterData(t *testing.T) {
	w := NewWorld(2, DefaultOptions())
	cli, srv := pair(t, w)
	cli.conn.Write([]byte("hello "))
	cli.conn.Write([]byte("world"))
	cli.conn.Close()
	cli.conn.Write([]byte("dropped"))
	w.RunFor(time.Second)
	if srv.data.String() != "hello world" {
		t.Fatalf("server got %q", srv.data.String())
	}
	if len(srv.closed) != 1 || srv.closed[0] != net.ErrClosedByPeer {
		t.Fatalf("server closed %v, want [ErrClosedByPeer]", srv.closed)
	}
	if len(cli.closed) != 1 || cli.closed[0] != net.ErrLocalClose {
		t.Fatalf("client closed %v, want [ErrLocalClose]", cli.closed)
	}
	if len(w.conns) != 0 {
		t.Fatalf("%d conns left registered", len(w.conns))
	}
}

func TestBothSidesClose(t *testing.T) {
	w := NewWorld(3, DefaultOptions())
	cli, srv := pair(t, w)
	cli.conn.Close()
	srv.conn.Close()
	w.RunFor(time.Second)
	if len(srv.closed) != 1 || srv.closed[0] != net.ErrLocalClose ||
		len(cli.closed) != 1 || cli.closed[0] != net.ErrLocalClose {
		t.Fatalf("closed: client %v server %v", cli.closed, srv.closed)
	}
}

func TestResetConnImmediateBothSides(t *testing.T) {
	w := NewWorld(4, DefaultOptions())
	cli, srv := pair(t, w)
	cli.conn.Write([]byte("lost"))
	ids := w.ConnIDs("c")
	if len(ids) != 1 || !w.ResetConn(ids[0]) {
		t.Fatalf("conn ids %v", ids)
	}
	w.RunFor(0)
	w.Step()
	w.Step()
	if len(srv.closed) != 1 || srv.closed[0] != net.ErrReset || len(cli.closed) != 1 || cli.closed[0] != net.ErrReset {
		t.Fatalf("closed: client %v server %v", cli.closed, srv.closed)
	}
	w.RunFor(time.Second)
	if srv.data.Len() != 0 || len(srv.closed) != 1 {
		t.Fatalf("events after reset: data %q closed %v", srv.data.String(), srv.closed)
	}
}

func TestDialRefusedAndPartitionTimeout(t *testing.T) {
	w := NewWorld(5, DefaultOptions())
	w.Host("s")
	var errs []error
	w.Host("c").Net().Dial("s:4222", func(net.Conn) net.Handler {
		t.Fatal("connected to nothing")
		return nil
	}, func(err error) { errs = append(errs, err) })
	w.RunFor(100 * time.Millisecond)
	if len(errs) != 1 || errs[0] != net.ErrRefused {
		t.Fatalf("errs %v", errs)
	}
	if _, err := w.Host("s").Net().Listen("0.0.0.0:4222", func(net.Conn) net.Handler { return &recorder{} }); err != nil {
		t.Fatal(err)
	}
	w.Partition([]string{"c"}, []string{"s"})
	start := w.Elapsed()
	w.Host("c").Net().Dial("s:4222", func(net.Conn) net.Handler {
		t.Fatal("connected across a partition")
		return nil
	}, func(err error) { errs = append(errs, err) })
	w.RunUntil(func() bool { return len(errs) == 2 }, time.Minute)
	if len(errs) != 2 || !errors.Is(errs[1], net.ErrRefused) {
		t.Fatalf("errs %v", errs)
	}
	if took := w.Elapsed() - start; took != DefaultDialTimeout {
		t.Fatalf("partition dial failed after %v, want %v", took, DefaultDialTimeout)
	}
}

func TestPartitionQueuesThenHealDelivers(t *testing.T) {
	w := NewWorld(6, DefaultOptions())
	cli, srv := pair(t, w)
	w.PartitionOneWay([]string{"c"}, []string{"s"})
	cli.conn.Write([]byte("held"))
	srv.conn.Write([]byte("flows"))
	w.RunFor(10 * time.Second)
	if srv.data.Len() != 0 || cli.data.String() != "flows" {
		t.Fatalf("during one-way partition: srv %q cli %q", srv.data.String(), cli.data.String())
	}
	if cli.conn.Buffered() != 4 {
		t.Fatalf("Buffered %d during partition, want 4", cli.conn.Buffered())
	}
	w.Heal()
	w.RunFor(time.Second)
	if srv.data.String() != "held" || cli.conn.Buffered() != 0 {
		t.Fatalf("after heal: %q buffered %d", srv.data.String(), cli.conn.Buffered())
	}
}

func TestPauseReadingBufferedAndDrained(t *testing.T) {
	opts := DefaultOptions()
	opts.SplitProb = 0
	w := NewWorld(7, opts)
	cli, srv := pair(t, w)
	srv.conn.PauseReading()
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	total := 0
	for total <= net.HighWaterBytes {
		cli.conn.Write(chunk)
		total += len(chunk)
	}
	w.RunFor(time.Second)
	if srv.data.Len() != 0 || cli.conn.Buffered() != total || cli.drained != 0 {
		t.Fatalf("paused: got %d buffered %d drained %d", srv.data.Len(), cli.conn.Buffered(), cli.drained)
	}
	srv.conn.ResumeReading()
	w.RunFor(time.Second)
	if srv.data.Len() != total || cli.conn.Buffered() != 0 {
		t.Fatalf("resumed: got %d of %d, buffered %d", srv.data.Len(), total, cli.conn.Buffered())
	}
	if cli.drained != 1 {
		t.Fatalf("Drained delivered %d times, want 1", cli.drained)
	}
}

func TestWriteDeadlineOnStall(t *testing.T) {
	w := NewWorld(8, DefaultOptions())
	cli, srv := pair(t, w)
	srv.conn.PauseReading()
	cli.conn.SetWriteDeadline(3 * time.Second)
	cli.conn.Write([]byte("stuck"))
	w.RunFor(2 * time.Second)
	if len(cli.closed) != 0 {
		t.Fatalf("closed early: %v", cli.closed)
	}
	w.RunFor(2 * time.Second)
	if len(cli.closed) != 1 || cli.closed[0] != net.ErrWriteTimeout {
		t.Fatalf("client closed %v, want ErrWriteTimeout", cli.closed)
	}
	w.RunFor(time.Second)
	if len(srv.closed) != 1 || srv.closed[0] != net.ErrReset {
		t.Fatalf("server closed %v, want ErrReset", srv.closed)
	}
}

func TestCrashResetsPeersAndListeners(t *testing.T) {
	w := NewWorld(9, DefaultOptions())
	cli, srv := pair(t, w)
	w.Crash("s")
	w.RunFor(time.Second)
	if len(cli.closed) != 1 || cli.closed[0] != net.ErrReset {
		t.Fatalf("client closed %v, want ErrReset", cli.closed)
	}
	if len(srv.closed) != 0 {
		t.Fatalf("crashed server got callbacks: %v", srv.closed)
	}
	var err error
	w.Host("c").Net().Dial("s:4222", func(net.Conn) net.Handler { return nil }, func(e error) { err = e })
	w.RunFor(time.Second)
	if err != net.ErrRefused {
		t.Fatalf("dial to crashed host: %v", err)
	}
	w.Restart("s")
	if _, err := w.Host("s").Net().Listen(":4222", func(net.Conn) net.Handler { return &recorder{} }); err != nil {
		t.Fatalf("listen after restart: %v", err)
	}
}

func TestListenErrorsAndEphemeralPort(t *testing.T) {
	w := NewWorld(10, Options{})
	n := w.Host("s").Net()
	accept := func(net.Conn) net.Handler { return &recorder{} }
	if _, err := n.Listen("127.0.0.1:4222", accept); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Listen(":4222", accept); err == nil {
		t.Fatal("second listen on the same port succeeded")
	}
	if _, err := n.Listen("otherhost:1", accept); err == nil {
		t.Fatal("listen on a foreign address succeeded")
	}
	l, err := n.Listen(":0", accept)
	if err != nil || l.Addr() != fmt.Sprintf("s:%d", firstEphemeralPort) {
		t.Fatalf("ephemeral listen: %v %v", l, err)
	}
}
