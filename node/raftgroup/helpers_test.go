package raftgroup

import (
	"bytes"
	"fmt"
	"jsnode/node/server"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"jsnode/clock"
	"jsnode/disk/memfs"
	"jsnode/node/raft"
)

// This file is a small in-memory cluster for the group's tests: a bus
// standing in for the servers' internal messaging (exact subjects, FIFO,
// with one-way cuts), a manual clock, one memfs per member.

type delivery struct {
	from, to string
	subject  string
	msg      []byte
}

type bus struct {
	subs    map[string]map[string]func(string, string, []byte) // subject -> member -> handler
	queue   []delivery
	cut     map[[2]string]bool
	dropAll bool
}

// busEnd is one member's Messenger.
type busEnd struct {
	b    *bus
	name string
}

func (e *busEnd) Subscribe(subject, queue string, mh server.MsgHandler) (func(), error) {
	m := e.b.subs[subject]
	if m == nil {
		m = map[string]func(string, string, []byte){}
		e.b.subs[subject] = m
	}
	m[e.name] = func(s, r string, b []byte) { mh(&server.Msg{Subject: s, Reply: r, Data: b}) }
	return func() { delete(m, e.name) }, nil
}

func (e *busEnd) Publish(subject, reply string, hdr, msg []byte) {
	for to := range e.b.subs[subject] {
		if e.b.dropAll || e.b.cut[[2]string{e.name, to}] {
			continue
		}
		e.b.queue = append(e.b.queue, delivery{from: e.name, to: to, subject: subject, msg: bytes.Clone(msg)})
	}
}

// cluster is the test world.
type cluster struct {
	t      *testing.T
	clock  *clock.Manual
	bus    *bus
	names  []string
	fs     map[string]*memfs.FS
	groups map[string]*Group
	sms    map[string]*logSM
	seed   uint64
	tune   func(*Config)
}

func newCluster(t *testing.T, names ...string) *cluster {
	c := &cluster{t: t, clock: clock.NewManual(time.Unix(1_700_000_000, 0)),
		bus:   &bus{subs: map[string]map[string]func(string, string, []byte){}, cut: map[[2]string]bool{}},
		names: names, fs: map[string]*memfs.FS{}, groups: map[string]*Group{}, sms: map[string]*logSM{}}
	for _, n := range names {
		c.fs[n] = memfs.New()
	}
	return c
}

func (c *cluster) config(name string, peers []string) Config {
	c.seed++
	cfg := Config{Group: "g", Self: name, Peers: peers, Messenger: &busEnd{c.bus, name},
		Clock: c.clock, Rand: rand.New(rand.NewPCG(c.seed, 1)), StateMachine: c.sms[name],
		FS: c.fs[name], Tick: 10 * time.Millisecond, SnapshotEvery: 16}
	if c.tune != nil {
		c.tune(&cfg)
	}
	return cfg
}

// open starts (or restarts) name's member.
func (c *cluster) open(name string) *Group {
	c.t.Helper()
	c.sms[name] = &logSM{}
	g, err := Open(c.config(name, c.names))
	if err != nil {
		c.t.Fatalf("open %s: %v", name, err)
	}
	c.groups[name] = g
	return g
}

func (c *cluster) openAll() {
	for _, n := range c.names {
		c.open(n)
	}
}

// crash stops name's member and keeps only what its disk synced.
func (c *cluster) crash(name string) {
	c.groups[name].Stop()
	delete(c.groups, name)
	c.fs[name] = c.fs[name].CrashClone(memfs.CrashOptions{Seed: c.seed})
}

// pump delivers queued messages until none is left.
func (c *cluster) pump() {
	for i := 0; len(c.bus.queue) > 0; i++ {
		if i > 1_000_000 {
			c.t.Fatal("bus does not settle")
		}
		d := c.bus.queue[0]
		c.bus.queue = c.bus.queue[1:]
		if h := c.bus.subs[d.subject][d.to]; h != nil {
			h(d.subject, "", d.msg)
		}
	}
}

// run advances the clock by d in ticks, pumping after each.
func (c *cluster) run(d time.Duration) {
	const step = 10 * time.Millisecond
	for ; d > 0; d -= step {
		c.clock.Advance(step)
		c.pump()
	}
}

// leader waits up to 5 s for a leader all live members agree on.
func (c *cluster) leader() *Group {
	c.t.Helper()
	for i := 0; i < 500; i++ {
		if g := c.agreedLeader(); g != nil {
			return g
		}
		c.run(10 * time.Millisecond)
	}
	c.t.Fatal("no leader agreed on within 5s")
	return nil
}

func (c *cluster) agreedLeader() *Group {
	var lead raft.ID
	for _, n := range c.names {
		g := c.groups[n]
		if g == nil {
			continue
		}
		id, _ := g.Leader()
		if id == raft.None || (lead != raft.None && id != lead) {
			return nil
		}
		lead = id
	}
	for _, g := range c.groups {
		if g.Member() == lead && g.IsLeader() {
			return g
		}
	}
	return nil
}

func (c *cluster) follower() *Group {
	for _, n := range c.names {
		if g := c.groups[n]; g != nil && !g.IsLeader() {
			return g
		}
	}
	c.t.Fatal("no follower")
	return nil
}

// propose proposes data on g and returns where the outcome lands.
func (c *cluster) propose(g *Group, data string) *outcome {
	c.t.Helper()
	o := &outcome{}
	if err := g.Propose([]byte(data), func(r []byte, err error) { o.done, o.result, o.err = true, string(r), err }); err != nil {
		c.t.Fatalf("propose on %s: %v", g.Self(), err)
	}
	return o
}

type outcome struct {
	done   bool
	result string
	err    error
}

// logSM is a test state machine: the list of applied data.
type logSM struct {
	items    []string
	lastIdx  uint64
	restores int
}

func (s *logSM) Apply(index uint64, data []byte) []byte {
	s.items = append(s.items, string(data))
	s.lastIdx = index
	return []byte("ok:" + strconv.FormatUint(index, 10))
}

func (s *logSM) Snapshot() []byte { return []byte(strings.Join(s.items, ",")) }

func (s *logSM) Restore(index uint64, data []byte) error {
	s.items = nil
	if len(data) > 0 {
		s.items = strings.Split(string(data), ",")
	}
	s.lastIdx = index
	s.restores++
	return nil
}

func (s *logSM) String() string { return fmt.Sprint(s.items) }
