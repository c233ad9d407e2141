package server

import (
	"strings"
	"testing"
	"time"
)

func TestShutdownFlushesAndCallsDone(t *testing.T) {
	w := newWorld(t, &Options{Debug: true})
	sub := w.connect("")
	sub.send("SUB foo 1\r\n")
	pub := w.connect("")
	pub.send("PUB foo 3\r\nabc\r\n")
	done := 0
	w.srv.Shutdown(func() { done++ })
	if done != 0 {
		t.Fatal("done ran before the connections closed")
	}
	w.pump()
	if done != 1 {
		t.Fatalf("done ran %d times", done)
	}
	// What was queued before the shutdown is still delivered.
	sub.expectAll("MSG foo 1 3\r\nabc\r\n")
	sub.expectClosed()
	pub.expectClosed()
	if w.net.accept != nil {
		t.Fatal("listener still open")
	}
	w.expectLog("Initiating Shutdown...")
	w.expectLog("Client connection closed: Server Shutdown")
	w.expectLog("Server Exiting..")
	// Later calls just run their callback.
	w.srv.Shutdown(func() { done++ })
	if done != 2 {
		t.Fatal("Shutdown after stop did not call done")
	}
}

func TestShutdownWithoutClients(t *testing.T) {
	w := newWorld(t, nil)
	called := false
	w.srv.Shutdown(func() { called = true })
	if !called {
		t.Fatal("done not called")
	}
	if err := w.srv.Start(); err != ErrServerRunning {
		t.Fatalf("Start after shutdown = %v", err)
	}
}

func TestLameDuck(t *testing.T) {
	w := newWorld(t, &Options{LameDuckDuration: 10 * time.Second, LameDuckGracePeriod: 2 * time.Second})
	clients := []*peer{w.connect(""), w.connect(""), w.connect("")}
	old := w.connect(`"protocol":0`)
	done := false
	w.srv.LameDuck(func() { done = true })
	w.expectLog("Entering lame duck mode, stop accepting new clients")
	if w.net.accept != nil {
		t.Fatal("still accepting in lame-duck mode")
	}
	for i, p := range clients {
		m := parseInfo(t, p.readLine())
		if m["ldm"] != true {
			t.Fatalf("client %d INFO has no ldm: %v", i, m)
		}
		p.expectNothing()
	}
	old.expectNothing() // protocol 0 clients get no async INFO
	w.advance(time.Second)
	for _, p := range clients {
		p.expectOpen()
	}
	w.advance(time.Second) // grace period over: first close
	w.expectLog("Closing existing clients")
	if !clients[0].closed() || clients[1].closed() {
		t.Fatal("first lame-duck close not as expected")
	}
	// The rest close at most a second apart (8s spread over 4 clients),
	// then the server shuts down.
	w.advance(3 * time.Second)
	for i, p := range append(clients, old) {
		if !p.closed() {
			t.Fatalf("client %d still open", i)
		}
	}
	if !done {
		t.Fatal("lame duck did not finish")
	}
	w.expectLog("Server Exiting..")
}

func TestLameDuckWithoutClientsShutsDown(t *testing.T) {
	w := newWorld(t, nil)
	done := false
	w.srv.LameDuck(func() { done = true })
	if !done {
		t.Fatal("lame duck with no clients did not shut down")
	}
}

func TestShutdownCancelsLameDuck(t *testing.T) {
	w := newWorld(t, &Options{LameDuckDuration: time.Minute, LameDuckGracePeriod: 30 * time.Second})
	p := w.connect("")
	n := 0
	w.srv.LameDuck(func() { n++ })
	w.srv.Shutdown(func() { n++ })
	w.pump()
	p.expectClosed()
	if n != 2 {
		t.Fatalf("done callbacks ran %d times", n)
	}
	if pending := w.clock.Pending(); pending != 0 {
		t.Fatalf("%d timers still pending after shutdown", pending)
	}
}

func TestTraceLogsOps(t *testing.T) {
	w := newWorld(t, &Options{Trace: true})
	p := w.connect(`"user":"u","pass":"hunter2"`)
	p.send("SUB foo 1\r\nPUB foo 1\r\nx\r\n")
	p.output()
	w.expectLog(`<<- [SUB foo 1]`)
	w.expectLog(`<<- [PUB foo 1]`)
	w.expectLog(`->> [MSG foo 1 1]`)
	for _, l := range w.log.lines {
		if strings.Contains(l, "hunter2") {
			t.Fatalf("password in trace: %s", l)
		}
	}
}
