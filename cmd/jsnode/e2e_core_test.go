package main

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"jsnode/node/server"
)

func TestE2EPubSubAndRequestReply(t *testing.T) {
	n, log := startTestNode(t, &server.Options{ServerName: "e2e"})
	log.waitLog(t, "Server is ready")
	nc := connect(t, n)
	if nc.ConnectedServerName() != "e2e" || nc.ConnectedServerVersion() != server.ServerVersion {
		t.Fatalf("server %q version %q", nc.ConnectedServerName(), nc.ConnectedServerVersion())
	}
	sub, err := nc.SubscribeSync("greet.*")
	if err != nil {
		t.Fatal(err)
	}
	all, _ := nc.SubscribeSync("greet.>")
	if err := nc.Publish("greet.joe", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	nc.Publish("greet.joe.smith", []byte("deep"))
	m, err := sub.NextMsg(waitLimit)
	if err != nil || m.Subject != "greet.joe" || string(m.Data) != "hello" {
		t.Fatalf("got %v, %v", m, err)
	}
	for _, want := range []string{"hello", "deep"} {
		m, err := all.NextMsg(waitLimit)
		if err != nil || string(m.Data) != want {
			t.Fatalf("greet.> got %v, %v; want %q", m, err, want)
		}
	}
	if _, err := sub.NextMsg(50 * time.Millisecond); err != nats.ErrTimeout {
		t.Fatalf("greet.* received a two-token subject: %v", err)
	}

	// Request/reply across two connections.
	svc := connect(t, n)
	svc.Subscribe("time.now", func(m *nats.Msg) { m.Respond([]byte("noon")) })
	svc.Flush()
	resp, err := nc.Request("time.now", nil, waitLimit)
	if err != nil || string(resp.Data) != "noon" {
		t.Fatalf("request: %v, %v", resp, err)
	}
}

func TestE2EQueueGroups(t *testing.T) {
	n, _ := startTestNode(t, nil)
	const total = 3000
	var counts [3]atomic.Int64
	for i := range counts {
		c := connect(t, n)
		i := i
		if _, err := c.QueueSubscribe("jobs", "workers", func(*nats.Msg) { counts[i].Add(1) }); err != nil {
			t.Fatal(err)
		}
		c.Flush()
	}
	var plain atomic.Int64
	watcher := connect(t, n)
	watcher.Subscribe("jobs", func(*nats.Msg) { plain.Add(1) })
	watcher.Flush()
	pub := connect(t, n)
	for i := 0; i < total; i++ {
		pub.Publish("jobs", []byte("x"))
	}
	pub.Flush()
	sum := func() int64 { return counts[0].Load() + counts[1].Load() + counts[2].Load() }
	waitFor(t, "all queue messages", func() bool { return sum() == total && plain.Load() == total })
	time.Sleep(50 * time.Millisecond) // nothing more may arrive
	if sum() != total {
		t.Fatalf("queue members got %d messages in total, want %d", sum(), total)
	}
	for i := range counts {
		if counts[i].Load() == 0 {
			t.Errorf("member %d got no message", i)
		}
	}
}

func TestE2EHeaders(t *testing.T) {
	n, _ := startTestNode(t, nil)
	nc := connect(t, n)
	if !nc.HeadersSupported() {
		t.Fatal("headers not supported")
	}
	sub, _ := nc.SubscribeSync("h")
	msg := nats.NewMsg("h")
	msg.Header.Set("Trace-Id", "abc")
	msg.Header.Add("Multi", "1")
	msg.Header.Add("Multi", "2")
	msg.Data = []byte("body")
	if err := nc.PublishMsg(msg); err != nil {
		t.Fatal(err)
	}
	got, err := sub.NextMsg(waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Trace-Id") != "abc" || len(got.Header.Values("Multi")) != 2 || string(got.Data) != "body" {
		t.Fatalf("headers %v data %q", got.Header, got.Data)
	}
}

func TestE2ENoResponders(t *testing.T) {
	n, _ := startTestNode(t, nil)
	nc := connect(t, n)
	start := time.Now()
	_, err := nc.Request("nobody.home", []byte("?"), waitLimit)
	if !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("request error %v, want ErrNoResponders", err)
	}
	// It fails on the server's 503, not on the request timeout.
	if time.Since(start) >= waitLimit {
		t.Fatal("no-responders answer came only at the timeout")
	}
}

func TestE2ENoEcho(t *testing.T) {
	n, _ := startTestNode(t, nil)
	nc := connect(t, n, nats.NoEcho())
	other := connect(t, n)
	sub, _ := nc.SubscribeSync("echo")
	nc.Publish("echo", []byte("mine"))
	nc.Flush()
	other.Publish("echo", []byte("theirs"))
	m, err := sub.NextMsg(waitLimit)
	if err != nil || string(m.Data) != "theirs" {
		t.Fatalf("got %v, %v; want only the other connection's message", m, err)
	}
}

func TestE2EAutoUnsubscribe(t *testing.T) {
	n, _ := startTestNode(t, nil)
	nc := connect(t, n)
	var got atomic.Int64
	sub, _ := nc.Subscribe("limited", func(*nats.Msg) { got.Add(1) })
	sub.AutoUnsubscribe(2)
	nc.Flush()
	for i := 0; i < 5; i++ {
		nc.Publish("limited", nil)
	}
	nc.Flush()
	waitFor(t, "two messages", func() bool { return got.Load() == 2 })
	time.Sleep(50 * time.Millisecond)
	if got.Load() != 2 {
		t.Fatalf("got %d messages after auto-unsubscribe at 2", got.Load())
	}
	var subs int
	n.Do(func(s *server.Server) { subs = s.GlobalAccount().NumSubscriptions() })
	if subs != 0 {
		t.Fatalf("%d subscriptions left after auto-unsubscribe", subs)
	}
}

func TestE2EVerboseAndPedanticRaw(t *testing.T) {
	n, _ := startTestNode(t, nil)
	r := dialRaw(t, n)
	r.send(`CONNECT {"verbose":true,"pedantic":true}` + "\r\n")
	r.expect("+OK\r\n")
	r.send("SUB foo.* 1\r\n")
	r.expect("+OK\r\n")
	r.send("PUB foo.bar 2\r\nhi\r\n")
	r.expect("+OK\r\n")
	r.expect("MSG foo.bar 1 2\r\n")
	r.expect("hi\r\n")
	r.send("PUB foo.* 0\r\n\r\nPING\r\n")
	r.expect("-ERR 'Invalid Publish Subject'\r\n")
	// Still routed, as by nats-server: "*" is a literal token here.
	r.expect("MSG foo.* 1 0\r\n", "+OK")
	r.expect("\r\n")
	r.expect("PONG\r\n")
	r.send("SUB bad..subject 2\r\nPING\r\n")
	r.expect("-ERR 'Invalid Subject'\r\n")
	r.expect("PONG\r\n")
}
