package server

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"jsnode/clock"
	"jsnode/net"
	"jsnode/node/proto"
)

// This file is an in-memory network for cluster tests: several servers,
// each on a host of its own name, test clients, partitions and resets.
// Everything runs from one event queue the test pumps, over one manual
// clock, so tests are deterministic.

// mesh is the network, the clock and the servers.
type mesh struct {
	t         *testing.T
	clock     *clock.Manual
	events    []func()
	listeners map[string]net.AcceptFunc // "host:port"
	servers   map[string]*Server
	logs      map[string]*recLog
	cut       map[[2]string]bool // one-way partitions, from -> to
	conns     []*meshConn
	nextPort  int
	seed      uint64
}

func newMesh(t *testing.T) *mesh {
	return &mesh{
		t:         t,
		clock:     clock.NewManual(time.Unix(1_700_000_000, 0)),
		listeners: make(map[string]net.AcceptFunc),
		servers:   make(map[string]*Server),
		logs:      make(map[string]*recLog),
		cut:       make(map[[2]string]bool),
		nextPort:  40000,
	}
}

// clusterOpts are the options of a clustered server on host: client
// port 4222 and cluster port 6222 on the host's name, cluster "c", and
// routes to the given hosts.
func clusterOpts(host string, routes ...string) *Options {
	o := &Options{ServerName: host, Host: host, Port: 4222, Debug: true}
	o.Cluster = ClusterOpts{Name: "c", Host: host, Port: 6222}
	for _, r := range routes {
		o.Cluster.Routes = append(o.Cluster.Routes, "nats-route://"+r+":6222")
	}
	return o
}

// start creates and starts a server on host, then pumps.
func (m *mesh) start(host string, opts *Options) *Server {
	m.t.Helper()
	s, err := m.tryStart(host, opts)
	if err != nil {
		m.t.Fatalf("start %s: %v", host, err)
	}
	return s
}

func (m *mesh) tryStart(host string, opts *Options) (*Server, error) {
	m.seed++
	log := &recLog{}
	env := Env{Clock: m.clock, Net: &meshNet{m: m, host: host}, Rand: rand.New(rand.NewPCG(m.seed, 7)), Log: log}
	s, err := New(opts, env)
	if err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		return nil, err
	}
	m.servers[host], m.logs[host] = s, log
	m.pump()
	return s, nil
}

// stop shuts a server down cleanly.
func (m *mesh) stop(host string) {
	m.servers[host].Shutdown(nil)
	m.pump()
}

// pump runs queued events until none is left.
func (m *mesh) pump() {
	for i := 0; len(m.events) > 0; i++ {
		if i > 1_000_000 {
			m.t.Fatal("mesh: events do not settle")
		}
		ev := m.events[0]
		m.events = m.events[1:]
		ev()
	}
}

// advance moves the clock in steps (firing timers) and pumps after each.
func (m *mesh) advance(d time.Duration) {
	const step = 10 * time.Millisecond
	for d > 0 {
		s := min(step, d)
		m.clock.Advance(s)
		m.pump()
		d -= s
	}
}

// partition cuts both directions between hosts a and b.
func (m *mesh) partition(a, b string) {
	m.cut[[2]string{a, b}] = true
	m.cut[[2]string{b, a}] = true
}

// heal removes every partition and delivers what was held up.
func (m *mesh) heal() {
	clear(m.cut)
	for _, c := range m.conns {
		c.kick()
	}
	m.pump()
}

// expectLog fails unless host's log has a line containing sub.
func (m *mesh) expectLog(host, sub string) {
	m.t.Helper()
	if !m.logs[host].has(sub) {
		m.t.Fatalf("%s: no log line contains %q; log:\n%s", host, sub, strings.Join(m.logs[host].lines, "\n"))
	}
}

// meshNet is one host's view of the mesh.
type meshNet struct {
	m    *mesh
	host string
}

func (n *meshNet) Listen(addr string, accept net.AcceptFunc) (net.Listener, error) {
	host, port := splitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "127.0.0.1" {
		host = n.host
	}
	if port <= 0 {
		n.m.nextPort++
		port = n.m.nextPort
	}
	key := joinHostPort(host, port)
	if n.m.listeners[key] != nil {
		return nil, errors.New("mesh: address in use")
	}
	n.m.listeners[key] = accept
	return &meshListener{m: n.m, addr: key}, nil
}

func (n *meshNet) Dial(addr string, connected func(net.Conn) net.Handler, failed func(error)) {
	m := n.m
	m.events = append(m.events, func() {
		host, _ := splitHostPort(addr)
		accept := m.listeners[addr]
		if accept == nil || m.cut[[2]string{n.host, host}] || m.cut[[2]string{host, n.host}] {
			failed(net.ErrRefused)
			return
		}
		a, b := m.pipe(n.host, host, addr)
		b.handler = accept(b)
		a.handler = connected(a)
		a.kick()
		b.kick()
	})
}

type meshListener struct {
	m    *mesh
	addr string
}

func (l *meshListener) Addr() string { return l.addr }
func (l *meshListener) Close()       { delete(l.m.listeners, l.addr) }

// pipe creates a connection from host `from` to the listener at addr.
func (m *mesh) pipe(from, to, addr string) (*meshConn, *meshConn) {
	m.nextPort++
	local := joinHostPort(from, m.nextPort)
	a := &meshConn{m: m, host: from, local: local, remote: addr}
	b := &meshConn{m: m, host: to, local: addr, remote: local}
	a.peer, b.peer = b, a
	m.conns = append(m.conns, a, b)
	return a, b
}

// meshConn is one end of an in-memory connection. Written bytes wait in
// pending until an event delivers them (not across a partition).
type meshConn struct {
	m             *mesh
	host          string
	local, remote string
	peer          *meshConn
	handler       net.Handler
	pending       [][]byte
	queued        int
	closing       bool // Close was called
	ended         bool // Closed was delivered
	paused        bool
	held          [][]byte
	deadline      time.Duration
}

func (c *meshConn) Write(b []byte) {
	if c.closing || c.ended {
		return
	}
	c.pending = append(c.pending, append([]byte(nil), b...))
	c.queued += len(b)
	c.kick()
}

// kick schedules delivery of the pending bytes.
func (c *meshConn) kick() {
	if len(c.pending) == 0 && !c.closing {
		return
	}
	c.m.events = append(c.m.events, c.flush)
}

// flush delivers pending bytes unless the link is cut, then completes a
// requested close.
func (c *meshConn) flush() {
	if c.ended || c.m.cut[[2]string{c.host, c.peer.host}] {
		return
	}
	for len(c.pending) > 0 {
		b := c.pending[0]
		c.pending = c.pending[1:]
		c.queued -= len(b)
		c.peer.receive(b)
	}
	if c.closing {
		c.peer.end(net.ErrClosedByPeer)
		c.end(net.ErrLocalClose)
	}
}

func (c *meshConn) receive(b []byte) {
	if c.ended || c.handler == nil {
		return
	}
	if c.paused {
		c.held = append(c.held, b)
		return
	}
	c.handler.Data(b)
}

func (c *meshConn) end(err error) {
	if c.ended {
		return
	}
	c.ended = true
	if c.handler != nil {
		c.handler.Closed(err)
	}
}

// reset breaks the connection at once on both sides.
func (c *meshConn) reset() {
	c.pending, c.peer.pending = nil, nil
	c.queued, c.peer.queued = 0, 0
	c.m.events = append(c.m.events, func() {
		c.end(net.ErrReset)
		c.peer.end(net.ErrReset)
	})
}

func (c *meshConn) Buffered() int { return c.queued }

func (c *meshConn) Close() {
	if c.closing || c.ended {
		return
	}
	c.closing = true
	c.kick()
}

// Abort drops what is queued and closes.
func (c *meshConn) Abort() {
	if c.closing || c.ended {
		return
	}
	c.pending, c.queued = nil, 0
	c.Close()
}

func (c *meshConn) SetWriteDeadline(d time.Duration) { c.deadline = d }
func (c *meshConn) PauseReading()                    { c.paused = true }

func (c *meshConn) ResumeReading() {
	c.paused = false
	held := c.held
	c.held = nil
	c.m.events = append(c.m.events, func() {
		for _, b := range held {
			c.receive(b)
		}
	})
}

func (c *meshConn) LocalAddr() string  { return c.local }
func (c *meshConn) RemoteAddr() string { return c.remote }

// tclient is a test client connected to a server's port over the mesh.
type tclient struct {
	m      *mesh
	conn   *meshConn
	out    []byte
	closed bool
	err    error
}

func (tc *tclient) Data(b []byte)    { tc.out = append(tc.out, b...) }
func (tc *tclient) Drained()         {}
func (tc *tclient) Closed(err error) { tc.closed, tc.err = true, err }

// dialTest connects a test client from host "t" to addr and pumps.
func (m *mesh) dialTest(addr string) *tclient {
	m.t.Helper()
	accept := m.listeners[addr]
	if accept == nil {
		m.t.Fatalf("nothing listens on %s", addr)
	}
	a, b := m.pipe("t", strings.SplitN(addr, ":", 2)[0], addr)
	tc := &tclient{m: m, conn: a}
	b.handler = accept(b)
	a.handler = tc
	b.kick()
	m.pump()
	return tc
}

// client connects a NATS client (protocol 1, headers, no_responders) to
// host's client port and completes the handshake.
func (m *mesh) client(host string) *tclient {
	m.t.Helper()
	tc := m.dialTest(host + ":4222")
	tc.send(`CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true,"no_responders":true,"lang":"test","version":"1"}` + "\r\nPING\r\n")
	if !strings.Contains(string(tc.out), "PONG\r\n") {
		m.t.Fatalf("no PONG from %s: %q", host, tc.out)
	}
	tc.out = nil
	return tc
}

// send writes s to the server and pumps.
func (tc *tclient) send(s string) {
	tc.conn.Write([]byte(s))
	tc.m.pump()
}

// take returns and clears what the server sent.
func (tc *tclient) take() string {
	s := string(tc.out)
	tc.out = nil
	return s
}

// msgs parses and clears what the server sent and returns its MSG/HMSG
// as "subject sid reply payload" lines (other ops are dropped).
func (tc *tclient) msgs() []string {
	tc.m.t.Helper()
	rec := &msgCollector{}
	p := proto.NewClientParser(proto.Limits{MaxPayload: -1})
	if err := p.Feed([]byte(tc.take()), rec); err != nil {
		tc.m.t.Fatalf("client parse: %v", err)
	}
	return rec.msgs
}

// infos parses and clears what the server sent and returns the INFOs.
func (tc *tclient) infos() []string {
	tc.m.t.Helper()
	rec := &msgCollector{}
	p := proto.NewClientParser(proto.Limits{MaxPayload: -1})
	if err := p.Feed([]byte(tc.take()), rec); err != nil {
		tc.m.t.Fatalf("client parse: %v", err)
	}
	return rec.infos
}

type msgCollector struct {
	msgs  []string
	infos []string
}

func (r *msgCollector) Info(arg []byte) error { r.infos = append(r.infos, string(arg)); return nil }
func (r *msgCollector) Msg(subject, sid, reply []byte, hdrLen int, msg []byte) error {
	r.msgs = append(r.msgs, string(subject)+" "+string(sid)+" "+string(reply)+" "+string(msg))
	return nil
}
func (r *msgCollector) Ping() error      { return nil }
func (r *msgCollector) Pong() error      { return nil }
func (r *msgCollector) OK() error        { return nil }
func (r *msgCollector) Err([]byte) error { return nil }

// routeConnsOf lists the route connections a server has open (registered
// or not), for assertions.
func routeConnsOf(s *Server) []*client { return s.sortedRouteConns() }

// routeTo returns s's registered route to the server named name.
func routeTo(s *Server, name string) *client {
	for _, r := range s.cluster.routes {
		if r.route.remoteName == name {
			return r
		}
	}
	return nil
}

// pub publishes n numbered messages on subj.
func (tc *tclient) pub(subj string, n int) {
	var b []byte
	for i := 1; i <= n; i++ {
		b = proto.AppendPub(b, []byte(subj), nil, []byte(strconv.Itoa(i)))
	}
	tc.send(string(b))
}
