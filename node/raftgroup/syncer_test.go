package raftgroup

import (
	"errors"
	"slices"
	"testing"
	"time"

	"jsnode/disk"
	"jsnode/node/raftlog"
)

// syncCluster is a cluster whose members sync through SyncQueues the
// test runs by hand.
type syncCluster struct {
	*cluster
	qs map[string]*disk.SyncQueue
}

func newSyncCluster(t *testing.T, names ...string) *syncCluster {
	c := &syncCluster{cluster: newCluster(t, names...), qs: map[string]*disk.SyncQueue{}}
	for _, n := range names {
		c.qs[n] = &disk.SyncQueue{}
	}
	c.tune = func(cfg *Config) { cfg.Syncer = c.qs[cfg.Self]; cfg.SnapshotEvery = 1000 }
	return c
}

// sentBy counts the queued deliveries name sent.
func (c *syncCluster) sentBy(name string) int {
	n := 0
	for _, d := range c.bus.queue {
		if d.from == name {
			n++
		}
	}
	return n
}

// settle runs syncs and deliveries, and ticks, for d.
func (c *syncCluster) settle(d time.Duration) {
	for ; d > 0; d -= 10 * time.Millisecond {
		for _, n := range c.names {
			c.qs[n].RunAll()
		}
		c.run(10 * time.Millisecond)
	}
}

// Until its first sync is done a member sends nothing and saves nothing
// more, though it ticks and receives; once the syncs run, the group
// elects a leader.
func TestSyncerHoldsMessagesUntilDone(t *testing.T) {
	c := newSyncCluster(t, "n1", "n2", "n3")
	c.openAll()
	for _, n := range c.names {
		if p := c.qs[n].Pending(); p != 1 {
			t.Fatalf("%s: %d syncs pending after open, want 1 (the bootstrap Ready)", n, p)
		}
	}
	for i := 0; i < 300; i++ { // 3 s: several election timeouts
		c.run(10 * time.Millisecond)
		if len(c.bus.queue) > 0 {
			t.Fatalf("a message left before its member's sync was done: %+v", c.bus.queue[0])
		}
	}
	for _, n := range c.names {
		if p := c.qs[n].Pending(); p != 1 {
			t.Fatalf("%s: %d syncs pending, want still 1 (nothing saved while one is in flight)", n, p)
		}
		if s := c.groups[n].Stats().Syncs; s != 1 {
			t.Fatalf("%s: Stats.Syncs %d, want 1", n, s)
		}
	}
	c.settle(3 * time.Second)
	if c.agreedLeader() == nil {
		t.Fatal("no leader once the syncs ran")
	}
}

// A leader's appends leave only when the sync of the entries is done, a
// follower's acks only when its own is, and the proposal is applied only
// after both.
func TestSyncerOrdersAppendsAckAndApply(t *testing.T) {
	c := newSyncCluster(t, "n1", "n2", "n3")
	c.openAll()
	c.settle(3 * time.Second)
	l := c.agreedLeader()
	if l == nil {
		t.Fatal("no leader")
	}
	lead := l.Self()
	o := c.propose(l, "x")
	if c.qs[lead].Pending() != 1 || c.sentBy(lead) != 0 {
		t.Fatalf("leader: %d syncs pending, %d messages sent before its sync was done", c.qs[lead].Pending(), c.sentBy(lead))
	}
	c.qs[lead].RunAll()
	if c.sentBy(lead) == 0 {
		t.Fatal("leader sent no append once its sync was done")
	}
	c.pump()
	for _, n := range c.names {
		if n == lead {
			continue
		}
		if c.qs[n].Pending() != 1 || c.sentBy(n) != 0 {
			t.Fatalf("follower %s: %d syncs pending, %d acks sent before its sync was done", n, c.qs[n].Pending(), c.sentBy(n))
		}
	}
	if o.done {
		t.Fatal("proposal applied before the followers synced")
	}
	c.settle(200 * time.Millisecond)
	if !o.done || o.err != nil {
		t.Fatalf("proposal after the syncs: %+v", o)
	}
}

// A crash with a sync still pending loses what it would have made
// durable, and nothing that was acknowledged.
func TestSyncerCrashDropsPendingSync(t *testing.T) {
	c := newSyncCluster(t, "n1", "n2", "n3")
	c.openAll()
	c.settle(3 * time.Second)
	l := c.agreedLeader()
	kept := c.propose(l, "kept")
	c.settle(200 * time.Millisecond)
	if !kept.done || kept.err != nil {
		t.Fatalf("first proposal: %+v", kept)
	}
	lost := c.propose(l, "never synced")
	for _, n := range c.names {
		c.qs[n].Drop()
		c.crash(n)
	}
	if lost.done {
		t.Fatal("proposal answered though no sync of it ran")
	}
	for _, n := range c.names {
		c.qs[n] = &disk.SyncQueue{}
	}
	c.openAll()
	c.settle(3 * time.Second)
	for _, n := range c.names {
		items := c.sms[n].items
		if !slices.Contains(items, "kept") || slices.Contains(items, "never synced") {
			t.Fatalf("%s applied %q after the crash: want the synced entry only", n, items)
		}
	}
}

// errSyncer answers every sync with err, without running its work.
type errSyncer struct {
	err  error
	done []func(error)
}

func (s *errSyncer) Sync(_ func() error, done func(error)) { s.done = append(s.done, done) }

// A sync error reported by done stops the group with that error.
func TestSyncerErrorStopsGroup(t *testing.T) {
	c := newCluster(t, "n1")
	s := &errSyncer{err: disk.ErrIO}
	c.tune = func(cfg *Config) { cfg.Syncer = s }
	g := c.open("n1")
	if len(s.done) != 1 || g.Err() != nil {
		t.Fatalf("%d syncs requested, error %v: want 1 and none yet", len(s.done), g.Err())
	}
	s.done[0](s.err)
	if !errors.Is(g.Err(), disk.ErrIO) || !errors.Is(g.Err(), raftlog.ErrFailed) {
		t.Fatalf("group error %v, want the log failed with ErrIO", g.Err())
	}
	if err := g.Propose([]byte("x"), func([]byte, error) {}); !errors.Is(err, ErrStopped) {
		t.Fatalf("Propose after a failed sync: %v, want ErrStopped", err)
	}
}

// A group stopped while its sync is in flight keeps the log open for the
// job and closes it at done.
func TestSyncerStopInFlightClosesAtDone(t *testing.T) {
	c := newSyncCluster(t, "n1")
	g := c.open("n1")
	g.Stop()
	if _, err := g.store.LastIndex(); err != nil {
		t.Fatalf("log closed while its sync was in flight: %v", err)
	}
	if n := c.qs["n1"].RunAll(); n != 1 {
		t.Fatalf("ran %d syncs, want 1", n)
	}
	if _, err := g.store.LastIndex(); !errors.Is(err, raftlog.ErrClosed) {
		t.Fatalf("log after done of a stopped group: %v, want ErrClosed", err)
	}
}
