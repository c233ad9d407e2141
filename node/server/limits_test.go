package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"jsnode/net"
)

func TestMaxPayload(t *testing.T) {
	w := newWorld(t, &Options{MaxPayload: 1024})
	p := w.dial()
	if m := parseInfo(t, p.info); m["max_payload"] != 1024.0 {
		t.Fatalf("max_payload = %v", m["max_payload"])
	}
	p.sendConnect("")
	p.send("PUB foo 1024\r\n" + strings.Repeat("a", 1024) + "\r\nPING\r\n")
	p.expect("PONG\r\n")
	p.drainInfo()
	p.send("PUB foo 1025\r\n")
	p.expectAll("-ERR 'Maximum Payload Violation'\r\n")
	p.expectClosed()
	w.expectLog("maximum payload exceeded, max_payload is 1024")
}

func TestMaxControlLine(t *testing.T) {
	w := newWorld(t, &Options{MaxControlLine: 200})
	p := w.connect("")
	p.send("SUB " + strings.Repeat("a", 300) + " 1\r\n")
	p.expectAll("-ERR 'maximum control line exceeded'\r\n")
	p.expectClosed()
}

func TestUnknownOp(t *testing.T) {
	w := newWorld(t, nil)
	p := w.connect("")
	p.send("FOO bar\r\n")
	p.expectAll("-ERR 'Unknown Protocol Operation'\r\n")
	p.expectClosed()
}

func TestMaxConnections(t *testing.T) {
	w := newWorld(t, &Options{MaxConn: 2})
	a, b := w.connect(""), w.connect("")
	c := w.dialRaw()
	line := c.readLine()
	if !strings.HasPrefix(line, "INFO ") {
		t.Fatalf("rejected client got %q before the error", line)
	}
	c.expectAll("-ERR 'maximum connections exceeded'\r\n")
	c.expectClosed()
	a.expectOpen()
	b.expectOpen()
	if n := w.srv.NumClients(); n != 2 {
		t.Fatalf("NumClients = %d", n)
	}
	// A slot frees up when a client leaves.
	a.hangUp()
	w.connect("").expectOpen()
}

func TestMaxSubscriptions(t *testing.T) {
	w := newWorld(t, &Options{MaxSubs: 2})
	p := w.connect("")
	p.send("SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n")
	p.expectAll("-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n")
	p.expectOpen()
	// The refused subscription does not exist; freeing a slot allows it.
	p.send("UNSUB 1\r\nSUB c 3\r\nPUB c 0\r\n\r\n")
	p.expectAll("MSG c 3 0\r\n\r\n")
}

func TestStaleConnection(t *testing.T) {
	w := newWorld(t, &Options{PingInterval: time.Second, MaxPingsOut: 2})
	p := w.connect("")
	// First PING after CONNECT, within 1s plus up to 20% jitter.
	w.advance(1200 * time.Millisecond)
	p.expectAll("PING\r\n")
	w.advance(time.Second)
	p.expectAll("PING\r\n")
	w.advance(time.Second)
	p.expectAll("-ERR 'Stale Connection'\r\n")
	p.expectClosed()
}

func TestPongKeepsConnectionAlive(t *testing.T) {
	w := newWorld(t, &Options{PingInterval: time.Second, MaxPingsOut: 2})
	p := w.connect("")
	for i := 0; i < 10; i++ {
		w.advance(1200 * time.Millisecond)
		if out := p.output(); strings.Contains(out, "PING\r\n") {
			p.send("PONG\r\n")
		}
	}
	p.expectOpen()
}

func TestClientActivityDelaysPing(t *testing.T) {
	w := newWorld(t, &Options{PingInterval: time.Second, MaxPingsOut: 1})
	p := w.connect("")
	w.advance(1200 * time.Millisecond) // the first PING measures RTT
	p.expectAll("PING\r\n")
	p.send("PONG\r\n")
	for i := 0; i < 5; i++ {
		w.advance(500 * time.Millisecond)
		p.send("PUB x 0\r\n\r\n")
	}
	p.expectNothing()
	p.expectOpen()
}

func TestSlowConsumerByPendingBytes(t *testing.T) {
	w := newWorld(t, &Options{MaxPending: 10_000, MaxPayload: 1000})
	sub := w.connect("")
	sub.send("SUB flood 1\r\n")
	pub := w.connect("")
	msg := fmt.Sprintf("PUB flood 1000\r\n%s\r\n", strings.Repeat("z", 1000))
	for i := 0; i < 20; i++ {
		pub.send(msg)
	}
	sub.expectClosed()
	w.expectLog("Slow Consumer Detected: MaxPending of 10000 Exceeded")
	if w.srv.SlowConsumers() != 1 {
		t.Fatalf("slow consumers = %d", w.srv.SlowConsumers())
	}
	pub.send("PING\r\n")
	pub.expectAll("PONG\r\n")
	pub.expectOpen()
	if n := w.srv.GlobalAccount().NumSubscriptions(); n != 0 {
		t.Fatalf("slow consumer's subscription still there (%d)", n)
	}
}

func TestSlowConsumerByWriteDeadline(t *testing.T) {
	w := newWorld(t, &Options{WriteDeadline: 3 * time.Second, Debug: true})
	p := w.connect("")
	if p.c.deadline != 3*time.Second {
		t.Fatalf("write deadline %v not applied", p.c.deadline)
	}
	p.c.peerClose(net.ErrWriteTimeout)
	w.pump()
	w.expectLog("Slow Consumer Detected: WriteDeadline of 3s exceeded")
	w.expectLog("Client connection closed: Slow Consumer (Write Deadline)")
	if w.srv.NumClients() != 0 {
		t.Fatal("client still registered")
	}
}

func TestBackpressurePausesProducer(t *testing.T) {
	w := newWorld(t, nil)
	sub := w.connect("")
	sub.send("SUB bp 1\r\n")
	pub := w.connect("")
	payload := strings.Repeat("p", 64<<10)
	msg := fmt.Sprintf("PUB bp %d\r\n%s\r\n", len(payload), payload)
	sent := 0
	for !pub.c.paused {
		pub.send(msg)
		sent++
		if sent > 100 {
			t.Fatal("producer never paused")
		}
	}
	if sub.c.Buffered() <= net.HighWaterBytes {
		t.Fatalf("paused with only %d bytes pending", sub.c.Buffered())
	}
	// While paused, the producer's bytes wait in the network.
	pub.send(msg + "PING\r\n")
	if len(pub.c.held) == 0 {
		t.Fatal("data was read while paused")
	}
	got := strings.Count(sub.output(), "MSG bp 1 ") // drains: Drained resumes
	if pub.c.paused {
		t.Fatal("producer still paused after the consumer drained")
	}
	pub.expectAll("PONG\r\n")
	got += strings.Count(sub.output(), "MSG bp 1 ")
	if got != sent+1 {
		t.Fatalf("subscriber got %d messages, want %d", got, sent+1)
	}
	sub.expectOpen()
}

func TestBackpressureReleasedWhenConsumerLeaves(t *testing.T) {
	w := newWorld(t, nil)
	sub := w.connect("")
	sub.send("SUB bp 1\r\n")
	pub := w.connect("")
	payload := strings.Repeat("p", 512<<10)
	msg := fmt.Sprintf("PUB bp %d\r\n%s\r\n", len(payload), payload)
	for i := 0; i < 3 && !pub.c.paused; i++ {
		pub.send(msg)
	}
	if !pub.c.paused {
		t.Fatal("producer not paused")
	}
	sub.hangUp()
	if pub.c.paused {
		t.Fatal("producer still paused after its consumer left")
	}
}

func TestLameDuckPacing(t *testing.T) {
	cases := []struct {
		spread   time.Duration
		n        int
		batch    int
		interval time.Duration
	}{
		{10 * time.Second, 5, 1, time.Second},
		{time.Second, 4, 1, 250 * time.Millisecond},
		{0, 2, 1, 500 * time.Millisecond},
		{10, 100, 10, 1},
	}
	for _, tc := range cases {
		b, iv := lameDuckPacing(tc.spread, tc.n)
		if b != tc.batch || iv != tc.interval {
			t.Errorf("lameDuckPacing(%v, %d) = %d, %v; want %d, %v", tc.spread, tc.n, b, iv, tc.batch, tc.interval)
		}
	}
}

// A subscriber that never reads stalls its publisher for a bounded time;
// then the publisher reads again, is only slowed by stalls of at most
// stallMax each for the same stuck destination, and max_pending cuts the
// subscriber off.
func TestStuckConsumerStallIsBounded(t *testing.T) {
	w := newWorld(t, &Options{MaxPending: 8 << 20})
	stuck := w.connect("")
	stuck.send("SUB bp 1\r\n")
	pub := w.connect("")
	payload := strings.Repeat("p", 256<<10)
	msg := fmt.Sprintf("PUB bp %d\r\n%s\r\n", len(payload), payload)
	for i := 0; i < 10 && !pub.c.paused; i++ {
		pub.send(msg)
	}
	if !pub.c.paused {
		t.Fatal("producer not paused")
	}
	window := stallCheck * stallStuckChecks
	w.advance(window - time.Millisecond)
	if !pub.c.paused {
		t.Fatal("producer resumed before the stuck window ended")
	}
	w.advance(time.Millisecond)
	if pub.c.paused {
		t.Fatal("producer still paused after the stuck window with a stuck consumer")
	}
	// Past half of max_pending each message stalls the producer, as
	// nats-server does, for at most stallMax.
	stalls := 0
	for i := 0; i < 40 && w.srv.NumClients() == 2; i++ {
		pub.send(msg)
		if pub.c.paused {
			stalls++
			w.advance(stallMax)
			if pub.c.paused {
				t.Fatalf("producer paused for more than %v on a stuck consumer after %d messages", stallMax, i)
			}
		}
	}
	if stalls == 0 {
		t.Fatal("the producer was never stalled past half of max_pending")
	}
	if got := w.srv.Varz().StalledClients; got != int64(stalls) {
		t.Fatalf("varz stalled_clients %d, want the %d stalls seen", got, stalls)
	}
	if w.srv.NumClients() != 1 {
		t.Fatalf("stuck consumer not cut off by max_pending: %d clients", w.srv.NumClients())
	}
	w.expectLog("Slow Consumer Detected: MaxPending of 8388608 Exceeded")
	if !stuck.c.aborted {
		t.Fatal("the slow consumer's queue was kept for flushing, not dropped")
	}
	pub.send("PING\r\n")
	pub.expectAll("PONG\r\n")
}

// A subscriber that reads slowly keeps its publisher paused for as long as
// it makes progress: backpressure, not a cut-off.
func TestSlowConsumerKeepsProducerPaused(t *testing.T) {
	w := newWorld(t, &Options{MaxPending: 4 << 20})
	slow := w.connect("")
	slow.send("SUB bp 1\r\n")
	pub := w.connect("")
	payload := strings.Repeat("p", 256<<10)
	msg := fmt.Sprintf("PUB bp %d\r\n%s\r\n", len(payload), payload)
	for i := 0; i < 10 && !pub.c.paused; i++ {
		pub.send(msg)
	}
	if !pub.c.paused {
		t.Fatal("producer not paused")
	}
	for i := 0; i < 5; i++ {
		slow.c.consume(64 << 10) // some progress, not enough to drain
		w.advance(stallCheck)
		if !pub.c.paused {
			t.Fatalf("producer resumed after %d checks although its consumer drains", i+1)
		}
	}
	w.advance(stallCheck * (stallStuckChecks - 1))
	if !pub.c.paused {
		t.Fatal("producer resumed before its consumer was stuck for the whole window")
	}
	w.advance(stallCheck)
	if pub.c.paused {
		t.Fatal("producer still paused although its consumer stopped draining")
	}
	if w.srv.NumClients() != 2 {
		t.Fatal("slow consumer cut off")
	}
}

// A destination that has drained before is a known reader: the kernel may
// hide its progress for a while, so its producers wait longer
// (stallReaderChecks) before taking it for stuck than for one that never
// read (stallStuckChecks).
func TestKnownReaderGetsTheLongerStuckWindow(t *testing.T) {
	w := newWorld(t, nil)
	sub := w.connect("")
	sub.send("SUB bp 1\r\n")
	pub := w.connect("")
	payload := strings.Repeat("p", 256<<10)
	msg := fmt.Sprintf("PUB bp %d\r\n%s\r\n", len(payload), payload)
	fill := func() {
		for i := 0; i < 10 && !pub.c.paused; i++ {
			pub.send(msg)
		}
		if !pub.c.paused {
			t.Fatal("producer not paused")
		}
	}
	fill()
	sub.output() // reads everything: Drained, the producer goes on
	if pub.c.paused {
		t.Fatal("producer still paused after its destination drained")
	}
	fill() // now it stops reading
	w.advance(stallCheck * stallStuckChecks)
	if !pub.c.paused {
		t.Fatal("a known reader was taken for stuck after the short window")
	}
	w.advance(stallCheck * (stallReaderChecks - stallStuckChecks))
	if pub.c.paused {
		t.Fatal("producer still paused after the known reader's window")
	}
}
