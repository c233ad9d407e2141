package main

import (
	"bytes"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"jsnode/node/server"
)

func TestE2ELameDuck(t *testing.T) {
	n, log := startTestNode(t, &server.Options{
		LameDuckDuration:    600 * time.Millisecond,
		LameDuckGracePeriod: 100 * time.Millisecond,
	})
	ldm := make(chan struct{}, 2)
	disconnected := make(chan struct{}, 2)
	for i := 0; i < 2; i++ {
		connect(t, n,
			nats.LameDuckModeHandler(func(*nats.Conn) { ldm <- struct{}{} }),
			nats.DisconnectErrHandler(func(*nats.Conn, error) { disconnected <- struct{}{} }),
			nats.MaxReconnects(0))
	}
	n.LameDuck()
	for i := 0; i < 2; i++ {
		select {
		case <-ldm:
		case <-time.After(waitLimit):
			t.Fatal("client not told about lame-duck mode")
		}
	}
	for i := 0; i < 2; i++ {
		select {
		case <-disconnected:
		case <-time.After(waitLimit):
			t.Fatal("client not closed by lame-duck mode")
		}
	}
	waitDone := make(chan struct{})
	go func() { n.Wait(); close(waitDone) }()
	select {
	case <-waitDone:
	case <-time.After(waitLimit):
		t.Fatal("server did not shut down after lame-duck mode")
	}
	for _, want := range []string{"Entering lame duck mode", "Closing existing clients", "Server Exiting.."} {
		if !log.has(want) {
			t.Errorf("no log line %q", want)
		}
	}
}

func TestE2EGracefulShutdownDeliversEverything(t *testing.T) {
	// Just under 1 MiB in all, so backpressure does not pause the publisher
	// while the subscriber is not reading.
	const count = 3500
	n, _ := startTestNode(t, nil)
	r := dialRaw(t, n)
	r.send(`CONNECT {"verbose":false}` + "\r\nSUB drain 1\r\nPING\r\n")
	r.expect("PONG\r\n")
	pub := connect(t, n, nats.NoReconnect())
	payload := make([]byte, 256)
	for i := 0; i < count; i++ {
		pub.Publish("drain", payload)
	}
	// After the flush the server has routed every message; shut down with
	// most of them still queued for the subscriber, which reads only now.
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	go n.Shutdown()
	r.c.SetReadDeadline(time.Now().Add(waitLimit))
	all, err := io.ReadAll(r.br)
	if err != nil {
		t.Fatalf("reading until the server closed: %v", err)
	}
	if got := bytes.Count(all, []byte("MSG drain 1 256\r\n")); got != count {
		t.Fatalf("subscriber got %d of %d messages before the close", got, count)
	}
}

func TestE2EStartFailsOnBusyPort(t *testing.T) {
	n, _ := startTestNode(t, nil)
	port, err := strconv.Atoi(n.ClientURL()[len("nats://127.0.0.1:"):])
	if err != nil {
		t.Fatal(err)
	}
	if m, err := startNode(&server.Options{Host: "127.0.0.1", Port: port}, &memLog{}); err == nil {
		m.Shutdown()
		t.Fatal("second node bound the same port")
	}
}
