package server

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"jsnode/clock"
	"jsnode/net"
)

// This file is a small in-memory world for unit tests: a fake Network
// whose events go through a queue the test pumps, a manual clock and a
// recording logger. Tests play the client side byte by byte.

// tester is what the harness needs of a test (*testing.T, *rapid.T).
type tester interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// world is one server with its fake network and clock.
type world struct {
	t     tester
	srv   *Server
	net   *fakeNet
	clock *clock.Manual
	log   *recLog
}

// newWorld starts a server on the fake network with opts (Port 4222 by
// default).
func newWorld(t tester, opts *Options) *world {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	w := &world{t: t, clock: clock.NewManual(time.Unix(1_700_000_000, 0)), log: &recLog{}}
	w.net = &fakeNet{w: w}
	env := Env{Clock: w.clock, Net: w.net, Rand: rand.New(rand.NewPCG(1, 2)), Log: w.log}
	s, err := New(opts, env)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	w.srv = s
	return w
}

// pump runs queued network events until none is left.
func (w *world) pump() {
	for len(w.net.events) > 0 {
		ev := w.net.events[0]
		w.net.events = w.net.events[1:]
		ev()
	}
}

// advance moves the clock (running due timers) and pumps events.
func (w *world) advance(d time.Duration) {
	w.clock.Advance(d)
	w.pump()
}

// dial opens a client connection and returns its test side, with the
// INFO line already read.
func (w *world) dial() *peer {
	w.t.Helper()
	p := w.dialRaw()
	info := p.readLine()
	if !strings.HasPrefix(info, "INFO {") {
		w.t.Fatalf("first line is not INFO: %q", info)
	}
	p.info = info
	return p
}

// dialRaw opens a connection without reading anything.
func (w *world) dialRaw() *peer {
	if w.net.accept == nil {
		w.t.Fatal("server is not listening")
	}
	w.net.nextPort++
	c := &fakeConn{net: w.net, remote: "127.0.0.1:" + strconv.Itoa(w.net.nextPort)}
	c.handler = w.net.accept(c)
	w.pump()
	return &peer{w: w, c: c}
}

// connect dials and sends a CONNECT with the given JSON fields (merged
// into a nats.go-like default), then PING, and expects PONG.
func (w *world) connect(fields string) *peer {
	w.t.Helper()
	p := w.dial()
	p.sendConnect(fields)
	p.send("PING\r\n")
	p.expect("PONG\r\n")
	p.drainInfo()
	return p
}

// peer is the client side of one fake connection.
type peer struct {
	w    *world
	c    *fakeConn
	info string
}

// sendConnect sends CONNECT with verbose and pedantic off unless fields
// says otherwise.
func (p *peer) sendConnect(fields string) {
	js := `{"verbose":false,"pedantic":false,"protocol":1,"headers":true,"no_responders":true,"lang":"test","version":"1"`
	if fields != "" {
		js += "," + fields
	}
	p.send("CONNECT " + js + "}\r\n")
}

// send delivers bytes from the client to the server and pumps.
func (p *peer) send(s string) {
	p.c.fromPeer(s)
	p.w.pump()
}

// output returns and consumes everything the server wrote.
func (p *peer) output() string {
	out := string(p.c.out)
	p.c.consume(len(p.c.out))
	p.w.pump()
	return out
}

// readLine consumes one CRLF-terminated line.
func (p *peer) readLine() string {
	p.w.t.Helper()
	s := string(p.c.out)
	i := strings.Index(s, "\r\n")
	if i < 0 {
		p.w.t.Fatalf("no complete line in %q", s)
	}
	p.c.consume(i + 2)
	p.w.pump()
	return s[:i+2]
}

// expect consumes exactly want from the output.
func (p *peer) expect(want string) {
	p.w.t.Helper()
	got := string(p.c.out)
	if !strings.HasPrefix(got, want) {
		p.w.t.Fatalf("output mismatch\n got: %q\nwant: %q", got, want)
	}
	p.c.consume(len(want))
	p.w.pump()
}

// expectAll consumes the whole output and compares it with want.
func (p *peer) expectAll(want string) {
	p.w.t.Helper()
	if got := p.output(); got != want {
		p.w.t.Fatalf("output mismatch\n got: %q\nwant: %q", got, want)
	}
}

// expectNothing checks the server wrote nothing.
func (p *peer) expectNothing() {
	p.w.t.Helper()
	if len(p.c.out) > 0 {
		p.w.t.Fatalf("unexpected output %q", p.c.out)
	}
}

// drainInfo consumes async INFO lines (the post-CONNECT INFO).
func (p *peer) drainInfo() {
	for strings.HasPrefix(string(p.c.out), "INFO ") {
		p.readLine()
	}
}

// closed reports whether the server closed the connection.
func (p *peer) closed() bool { return p.c.closedLocally }

// expectClosed checks the connection was closed by the server.
func (p *peer) expectClosed() {
	p.w.t.Helper()
	if !p.closed() {
		p.w.t.Fatal("connection still open")
	}
}

// expectOpen checks the connection is still open.
func (p *peer) expectOpen() {
	p.w.t.Helper()
	if p.closed() {
		p.w.t.Fatal("connection closed")
	}
}

// hangUp closes the connection from the client side.
func (p *peer) hangUp() {
	p.c.peerClose(net.ErrClosedByPeer)
	p.w.pump()
}

// fakeNet is a net.Network with one listener.
type fakeNet struct {
	w        *world
	accept   net.AcceptFunc
	addr     string
	events   []func()
	nextPort int
}

func (n *fakeNet) Listen(addr string, accept net.AcceptFunc) (net.Listener, error) {
	if n.accept != nil {
		return nil, errors.New("fake: already listening")
	}
	host, port := splitHostPort(addr)
	if port == 0 {
		port = 4222
	}
	n.addr = joinHostPort(host, port)
	n.accept = accept
	return &fakeListener{n: n}, nil
}

func (n *fakeNet) Dial(addr string, _ func(net.Conn) net.Handler, failed func(error)) {
	n.events = append(n.events, func() { failed(net.ErrRefused) })
}

type fakeListener struct{ n *fakeNet }

func (l *fakeListener) Addr() string { return l.n.addr }
func (l *fakeListener) Close()       { l.n.accept = nil }

// fakeConn is the server side of an in-memory connection. out holds what
// the server wrote and the client has not consumed (Buffered).
type fakeConn struct {
	net           *fakeNet
	handler       net.Handler
	remote        string
	out           []byte
	paused        bool
	held          []string // data sent while reading was paused
	closedLocally bool
	aborted       bool // closed by Abort: queued output dropped
	ended         bool // Closed delivered or queued
	passedHigh    bool
	deadline      time.Duration
	writes        int
}

func (c *fakeConn) Write(b []byte) {
	if c.closedLocally || c.ended {
		return
	}
	c.writes++
	c.out = append(c.out, b...)
	if len(c.out) > net.HighWaterBytes {
		c.passedHigh = true
	}
}

func (c *fakeConn) Buffered() int { return len(c.out) }

func (c *fakeConn) Close() {
	if c.closedLocally || c.ended {
		return
	}
	c.closedLocally = true
	c.ended = true
	c.net.events = append(c.net.events, func() { c.handler.Closed(net.ErrLocalClose) })
}

// Abort drops what the client has not read and closes.
func (c *fakeConn) Abort() {
	if c.closedLocally || c.ended {
		return
	}
	c.aborted = true
	c.out = nil
	c.Close()
}

func (c *fakeConn) SetWriteDeadline(d time.Duration) { c.deadline = d }
func (c *fakeConn) PauseReading()                    { c.paused = true }

func (c *fakeConn) ResumeReading() {
	c.paused = false
	held := c.held
	c.held = nil
	for _, s := range held {
		c.fromPeer(s)
	}
}

func (c *fakeConn) LocalAddr() string  { return c.net.addr }
func (c *fakeConn) RemoteAddr() string { return c.remote }

// fromPeer queues a Data event, or holds the bytes while paused.
func (c *fakeConn) fromPeer(s string) {
	if c.ended {
		return
	}
	if c.paused {
		c.held = append(c.held, s)
		return
	}
	c.net.events = append(c.net.events, func() {
		if !c.ended {
			c.handler.Data([]byte(s))
		}
	})
}

// consume removes n bytes the client read, reporting Drained like a real
// connection would.
func (c *fakeConn) consume(n int) {
	c.out = c.out[n:]
	if c.passedHigh && len(c.out) < net.LowWaterBytes {
		c.passedHigh = false
		if !c.ended {
			c.net.events = append(c.net.events, c.handler.Drained)
		}
	}
}

// peerClose ends the connection from the outside (peer hang-up, reset,
// write timeout).
func (c *fakeConn) peerClose(err error) {
	if c.ended {
		return
	}
	c.ended = true
	c.net.events = append(c.net.events, func() { c.handler.Closed(err) })
}

// recLog records log lines with their level.
type recLog struct{ lines []string }

func (l *recLog) add(level, format string, v ...any) {
	l.lines = append(l.lines, level+" "+fmt.Sprintf(format, v...))
}
func (l *recLog) Noticef(f string, v ...any) { l.add("[INF]", f, v...) }
func (l *recLog) Warnf(f string, v ...any)   { l.add("[WRN]", f, v...) }
func (l *recLog) Errorf(f string, v ...any)  { l.add("[ERR]", f, v...) }
func (l *recLog) Debugf(f string, v ...any)  { l.add("[DBG]", f, v...) }
func (l *recLog) Tracef(f string, v ...any)  { l.add("[TRC]", f, v...) }

// has reports whether some line contains sub.
func (l *recLog) has(sub string) bool {
	for _, line := range l.lines {
		if strings.Contains(line, sub) {
			return true
		}
	}
	return false
}

// expectLog fails unless some log line contains sub.
func (w *world) expectLog(sub string) {
	w.t.Helper()
	if !w.log.has(sub) {
		w.t.Fatalf("no log line contains %q; log:\n%s", sub, strings.Join(w.log.lines, "\n"))
	}
}
