package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"jsnode/node/auth"
	"jsnode/node/server"
)

func TestE2EMaxPayload(t *testing.T) {
	n, log := startTestNode(t, &server.Options{MaxPayload: 1024})
	nc := connect(t, n)
	if nc.MaxPayload() != 1024 {
		t.Fatalf("client sees max_payload %d", nc.MaxPayload())
	}
	if err := nc.Publish("big", make([]byte, 1025)); !errors.Is(err, nats.ErrMaxPayload) {
		t.Fatalf("publish over max_payload: %v", err)
	}
	if err := nc.Publish("ok", make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	// The server enforces it too.
	r := dialRaw(t, n)
	r.send(`CONNECT {"verbose":false}` + "\r\nPUB big 1025\r\n" + strings.Repeat("x", 1025) + "\r\n")
	r.expect("-ERR 'Maximum Payload Violation'\r\n")
	r.expectClosed()
	log.waitLog(t, "maximum payload exceeded")
}

func TestE2EMaxConnections(t *testing.T) {
	n, _ := startTestNode(t, &server.Options{MaxConn: 1})
	connect(t, n)
	// The refused client gets INFO, the error, and a closed socket.
	r := dialRaw(t, n)
	r.expect("-ERR 'maximum connections exceeded'\r\n")
	r.expectClosed()
	// nats.go fails to connect: on the error line, or on the closed socket
	// if the close overtakes its CONNECT (as with nats-server).
	if nc, err := nats.Connect(n.ClientURL(), nats.NoReconnect()); err == nil {
		nc.Close()
		t.Fatal("second nats.go connection accepted")
	}
	if got := numClients(t, n); got != 1 {
		t.Fatalf("%d clients registered", got)
	}
}

func TestE2EMaxSubscriptions(t *testing.T) {
	n, _ := startTestNode(t, &server.Options{MaxSubs: 2})
	errs := make(chan error, 4)
	nc := connect(t, n, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	nc.SubscribeSync("a")
	nc.SubscribeSync("b")
	nc.SubscribeSync("c")
	nc.Flush()
	select {
	case err := <-errs:
		if !errors.Is(err, nats.ErrMaxSubscriptionsExceeded) {
			t.Fatalf("async error %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("no max subscriptions error")
	}
	if !nc.IsConnected() {
		t.Fatal("connection closed by max subscriptions")
	}
}

func TestE2EAuthTimeout(t *testing.T) {
	n, log := startTestNode(t, &server.Options{Debug: true, Auth: auth.Config{Token: "t", Timeout: 200 * time.Millisecond}})
	r := dialRaw(t, n)
	r.expect("-ERR 'Authentication Timeout'\r\n")
	r.expectClosed()
	log.waitLog(t, "Client connection closed: Authentication Timeout")
}

func TestE2EStaleConnection(t *testing.T) {
	n, _ := startTestNode(t, &server.Options{PingInterval: 100 * time.Millisecond, MaxPingsOut: 2})
	r := dialRaw(t, n)
	r.send(`CONNECT {"verbose":false}` + "\r\n")
	r.expect("PING\r\n")
	r.expect("PING\r\n")
	r.expect("-ERR 'Stale Connection'\r\n")
	r.expectClosed()
}

// A subscriber that never reads is cut off once max_pending is exceeded;
// the publisher is not affected.
func TestE2ESlowConsumerPendingBytes(t *testing.T) {
	const maxPending = 512 << 10
	n, log := startTestNode(t, &server.Options{MaxPending: maxPending, MaxPayload: 64 << 10})
	r := dialRaw(t, n)
	r.send(`CONNECT {"verbose":false}` + "\r\nSUB flood 1\r\nPING\r\n")
	r.expect("PONG\r\n")
	nc := connect(t, n)
	payload := make([]byte, 64<<10)
	deadline := time.Now().Add(waitLimit)
	for numClients(t, n) == 2 {
		for i := 0; i < 64; i++ {
			if err := nc.Publish("flood", payload); err != nil {
				t.Fatal(err)
			}
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("slow consumer never cut off")
		}
	}
	log.waitLog(t, fmt.Sprintf("Slow Consumer Detected: MaxPending of %d Exceeded", maxPending))
	// The publisher keeps working.
	sub, _ := nc.SubscribeSync("after")
	nc.Publish("after", []byte("still here"))
	if m, err := sub.NextMsg(waitLimit); err != nil || string(m.Data) != "still here" {
		t.Fatalf("publisher after the cut-off: %v, %v", m, err)
	}
}

// A subscriber that never reads, with max_pending out of reach: the
// publisher is paused briefly (the stuck reader makes no progress) and the
// write deadline cuts the subscriber off.
func TestE2EWriteDeadlineSlowConsumer(t *testing.T) {
	n, log := startTestNode(t, &server.Options{WriteDeadline: 300 * time.Millisecond})
	r := dialRaw(t, n)
	r.send(`CONNECT {"verbose":false}` + "\r\nSUB flood 1\r\nPING\r\n")
	r.expect("PONG\r\n")
	nc := connect(t, n)
	payload := make([]byte, 32<<10)
	// 16 MiB fills the socket buffers but stays far below max_pending
	// (64 MiB), so only the write deadline can cut the reader off.
	for i := 0; i < 512; i++ {
		nc.Publish("flood", payload)
	}
	nc.FlushTimeout(waitLimit)
	log.waitLog(t, "Slow Consumer Detected: WriteDeadline")
	if err := nc.FlushTimeout(waitLimit); err != nil {
		t.Fatalf("publisher stuck after the cut-off: %v", err)
	}
	waitFor(t, "subscriber gone", func() bool { return numClients(t, n) == 1 })
}

// A reader slower than its publisher is not cut off while what it has not
// read stays under max_pending: the publisher is paused while the reader
// visibly drains and otherwise flooding it is bounded by max_pending, as
// with nats-server. (A reader whose progress the kernel hides for longer
// than a stall window is treated like a stuck one: it is cut only once
// it is max_pending behind.)
func TestE2EBackpressureKeepsSlowReader(t *testing.T) {
	const (
		msgSize = 1 << 10
		count   = 16_000 // 16 MiB, under the default max_pending of 64 MiB
	)
	n, log := startTestNode(t, nil)
	r := dialRaw(t, n)
	r.send(`CONNECT {"verbose":false}` + "\r\nSUB bp 1\r\nPING\r\n")
	r.expect("PONG\r\n")
	var read atomic.Int64
	readerDone := make(chan error, 1)
	go func() {
		want := int64(count) * int64(len("MSG bp 1 1024\r\n")+msgSize+2)
		buf := make([]byte, 32<<10)
		r.c.SetReadDeadline(time.Now().Add(waitLimit * 3))
		for read.Load() < want {
			k, err := r.br.Read(buf)
			read.Add(int64(k))
			if err != nil {
				readerDone <- err
				return
			}
			time.Sleep(100 * time.Microsecond) // a slow reader
		}
		readerDone <- nil
	}()
	nc := connect(t, n)
	payload := bytes.Repeat([]byte("b"), msgSize)
	for i := 0; i < count; i++ {
		if err := nc.Publish("bp", payload); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.FlushTimeout(waitLimit * 3); err != nil {
		t.Fatal(err)
	}
	if err := <-readerDone; err != nil {
		t.Fatalf("reader: %v after %d bytes; log %q", err, read.Load(), log.lines)
	}
	if log.has("Slow Consumer Detected") {
		t.Fatal("the slow reader was cut off despite backpressure")
	}
}
