package raftgroup

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"jsnode/disk/memfs"
	"jsnode/node/raft"
)

func TestElectProposeApplyEverywhere(t *testing.T) {
	c := newCluster(t, "n1", "n2", "n3")
	c.openAll()
	l := c.leader()
	o := c.propose(l, "a")
	c.run(100 * time.Millisecond)
	if !o.done || o.err != nil || !strings.HasPrefix(o.result, "ok:") {
		t.Fatalf("proposal outcome %+v", o)
	}
	for _, n := range c.names {
		if got := c.sms[n].items; !slices.Equal(got, []string{"a"}) {
			t.Fatalf("%s applied %v, want [a]", n, got)
		}
	}
	if st := l.Stats(); st.MsgsSent == 0 || st.MsgsDropped != 0 {
		t.Fatalf("leader stats %+v", st)
	}
}

func TestFollowerRefusesProposalsNamingLeader(t *testing.T) {
	c := newCluster(t, "n1", "n2", "n3")
	c.openAll()
	l := c.leader()
	f := c.follower()
	err := f.Propose([]byte("x"), func([]byte, error) { t.Fatal("callback of a refused proposal ran") })
	var nl *raft.NotLeaderError
	if !errors.As(err, &nl) || nl.Leader != l.Member() {
		t.Fatalf("follower Propose: %v, want NotLeaderError naming %d", err, l.Member())
	}
	if id, name := f.Leader(); id != l.Member() || name != l.Self() {
		t.Fatalf("follower's leader %d %q, want %d %q", id, name, l.Member(), l.Self())
	}
}

func TestReadOnFollowerSeesCommittedWrite(t *testing.T) {
	c := newCluster(t, "n1", "n2", "n3")
	c.openAll()
	l := c.leader()
	f := c.follower()
	c.bus.cut[[2]string{l.Self(), f.Self()}] = true // f misses the write for now
	o := c.propose(l, "w")
	c.run(50 * time.Millisecond)
	if !o.done {
		t.Fatal("write not committed by the leader and the other follower")
	}
	if len(c.sms[f.Self()].items) != 0 {
		t.Fatal("cut-off follower applied the write")
	}
	var firstErr error
	if err := f.Read(func(err error) { firstErr = err }); err != nil {
		t.Fatal(err)
	}
	c.run(500 * time.Millisecond)
	if !errors.Is(firstErr, ErrTimeout) && !errors.Is(firstErr, ErrLeaderChanged) {
		t.Fatalf("read whose answer cannot arrive ended with %v, want a timeout", firstErr)
	}
	delete(c.bus.cut, [2]string{l.Self(), f.Self()})
	for i := 0; i < 100; i++ {
		if id, _ := f.Leader(); id != raft.None {
			break
		}
		c.run(10 * time.Millisecond)
	}
	var seen []string
	readDone := false
	if err := f.Read(func(err error) {
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		readDone, seen = true, slices.Clone(c.sms[f.Self()].items)
	}); err != nil {
		t.Fatal(err)
	}
	c.run(300 * time.Millisecond)
	if !readDone || !slices.Equal(seen, []string{"w"}) {
		t.Fatalf("read done=%v saw %v, want the committed write", readDone, seen)
	}
}

func TestRestartFromDiskAndSnapshot(t *testing.T) {
	c := newCluster(t, "n1", "n2", "n3")
	c.openAll()
	l := c.leader()
	var want []string
	for i := 0; i < 40; i++ {
		want = append(want, fmt.Sprint(i))
		c.propose(l, want[i])
		c.run(10 * time.Millisecond)
	}
	c.run(200 * time.Millisecond)
	f := c.follower().Self()
	if c.groups[f].Info().SnapshotIndex == 0 || c.groups[f].Stats().Snapshots == 0 {
		t.Fatalf("%s never compacted (SnapshotEvery 16): %+v", f, c.groups[f].Info())
	}
	c.crash(f)
	g := c.open(f)
	if c.sms[f].restores != 1 {
		t.Fatalf("restart did not restore the stored snapshot (%d restores)", c.sms[f].restores)
	}
	c.run(300 * time.Millisecond)
	if got := c.sms[f].items; !slices.Equal(got, want) {
		t.Fatalf("restarted %s has %v, want %v", f, got, want)
	}
	if g.Info().Applied != l.Info().Applied {
		t.Fatalf("restarted member applied %d, leader %d", g.Info().Applied, l.Info().Applied)
	}
}

func TestLaggingFollowerGetsSnapshot(t *testing.T) {
	c := newCluster(t, "n1", "n2", "n3")
	c.openAll()
	l := c.leader()
	f := c.follower().Self()
	c.crash(f)
	for i := 0; i < 50; i++ {
		c.propose(l, fmt.Sprint(i))
		c.run(10 * time.Millisecond)
	}
	c.open(f)
	c.run(500 * time.Millisecond)
	if c.groups[f].Stats().Restores == 0 {
		t.Fatalf("%s caught up without a snapshot although the log was compacted", f)
	}
	if got, want := c.sms[f].items, c.sms[l.Self()].items; !slices.Equal(got, want) || len(got) != 50 {
		t.Fatalf("%s has %d items, leader %d", f, len(got), len(want))
	}
}

func TestProposalLostToNewLeader(t *testing.T) {
	c := newCluster(t, "n1", "n2", "n3")
	c.openAll()
	old := c.leader()
	for _, n := range c.names {
		if n != old.Self() {
			c.bus.cut[[2]string{old.Self(), n}] = true
			c.bus.cut[[2]string{n, old.Self()}] = true
		}
	}
	lost := c.propose(old, "orphan") // appended, can never commit
	c.run(3 * time.Second)           // the others elect a new leader
	var nl *Group
	for _, n := range c.names {
		if g := c.groups[n]; n != old.Self() && g.IsLeader() {
			nl = g
		}
	}
	if nl == nil {
		t.Fatal("majority elected no leader")
	}
	c.propose(nl, "winner")
	c.run(100 * time.Millisecond)
	clear(c.bus.cut)
	c.run(time.Second)
	if !lost.done || !errors.Is(lost.err, ErrProposalLost) {
		t.Fatalf("orphaned proposal outcome %+v, want ErrProposalLost", lost)
	}
	if got := c.sms[old.Self()].items; slices.Contains(got, "orphan") || !slices.Contains(got, "winner") {
		t.Fatalf("old leader applied %v", got)
	}
}

func TestBadMessagesAreDroppedAndCounted(t *testing.T) {
	c := newCluster(t, "n1", "n2", "n3")
	c.tune = func(cfg *Config) { cfg.MaxMessageBytes = 1 << 10 }
	c.openAll()
	l := c.leader()
	f := c.follower()
	before := f.Stats().MsgsDropped
	pub := &busEnd{c.bus, "evil"}
	subj := MemberSubject("g", f.Member())
	pub.Publish(subj, "", nil, []byte("garbage"))
	pub.Publish(subj, "", nil, make([]byte, 2<<10))
	misaddressed, _ := raft.Marshal(raft.Message{Type: raft.MsgHeartbeat, From: l.Member(), To: l.Member() + 1, Term: 1})
	pub.Publish(subj, "", nil, misaddressed)
	c.pump()
	if got := f.Stats().MsgsDropped - before; got != 3 {
		t.Fatalf("dropped %d bad messages, want 3", got)
	}
	// A big proposal whose append exceeds the limit is not sent.
	c.propose(l, strings.Repeat("x", 2<<10))
	c.run(50 * time.Millisecond)
	if l.Stats().MsgsDropped == 0 {
		t.Fatal("oversized append was sent")
	}
	if f.Err() != nil || l.Err() != nil {
		t.Fatalf("group failed: %v %v", f.Err(), l.Err())
	}
}

func TestAddMemberJoins(t *testing.T) {
	c := newCluster(t, "n1", "n2", "n3")
	c.openAll()
	l := c.leader()
	c.propose(l, "before")
	c.run(50 * time.Millisecond)
	if _, err := l.AddMember("n4", false); err != nil {
		t.Fatal(err)
	}
	c.fs["n4"] = memfs.New()
	c.names = append(c.names, "n4")
	c.sms["n4"] = &logSM{}
	cfg := c.config("n4", []string{"n4"})
	cfg.Join = true
	g, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.groups["n4"] = g
	c.propose(l, "after")
	c.run(500 * time.Millisecond)
	if got := c.sms["n4"].items; !slices.Equal(got, []string{"before", "after"}) {
		t.Fatalf("joined member applied %v", got)
	}
	if st := l.Status(); !st.Membership.IsVoter(MemberID("n4")) {
		t.Fatalf("n4 not a voter: %+v", st.Membership)
	}
	if name, ok := l.MemberName(MemberID("n4")); !ok || name != "n4" {
		t.Fatalf("leader does not know n4's name")
	}
}

func TestConfigValidation(t *testing.T) {
	c := newCluster(t, "n1")
	good := c.config("n1", []string{"n1"})
	for name, mod := range map[string]func(*Config){
		"bad group":      func(cfg *Config) { cfg.Group = "a.b" },
		"self not peer":  func(cfg *Config) { cfg.Peers = []string{"n2"} },
		"duplicate peer": func(cfg *Config) { cfg.Peers = []string{"n1", "n1"} },
		"no messenger":   func(cfg *Config) { cfg.Messenger = nil },
	} {
		cfg := good
		mod(&cfg)
		if _, err := Open(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
}

func TestMemberIDsAndSubjects(t *testing.T) {
	if MemberID("n1") != MemberID("n1") || MemberID("n1") == MemberID("n2") || MemberID("") == raft.None {
		t.Fatal("member IDs not a stable non-zero function of the name")
	}
	s := MemberSubject("kv", MemberID("n1"))
	tok := strings.TrimPrefix(s, "$NRG.kv.")
	if id, ok := ParseMemberToken(tok); !ok || id != MemberID("n1") || len(tok) != 16 {
		t.Fatalf("subject %q does not round-trip", s)
	}
	if _, ok := ParseMemberToken("zz"); ok {
		t.Fatal("bad token parsed")
	}
}

func TestSingleMemberGroupInMemory(t *testing.T) {
	c := newCluster(t, "solo")
	c.fs["solo"] = nil
	c.tune = func(cfg *Config) { cfg.FS = nil }
	g := c.open("solo")
	c.run(500 * time.Millisecond)
	if !g.IsLeader() {
		t.Fatal("single member did not elect itself")
	}
	o := c.propose(g, "x")
	c.run(20 * time.Millisecond)
	read := false
	if err := g.Read(func(err error) { read = err == nil }); err != nil {
		t.Fatal(err)
	}
	c.run(20 * time.Millisecond)
	if !o.done || o.err != nil || !read {
		t.Fatalf("proposal %+v read %v", o, read)
	}
}

// TestCrashKeepsCommittedEntries: after every member crashes (keeping
// only what was synced), the committed entries come back. The mutants
// build checks the opposite with the log-never-sync mutant planted
// (group_mutants_test.go).
func TestCrashKeepsCommittedEntries(t *testing.T) {
	if !committedSurvivesCrashOfAll(t) {
		t.Fatal("committed entry lost after a crash of all members")
	}
}

// committedSurvivesCrashOfAll commits an entry, crashes every member and
// reports whether the entry came back.
func committedSurvivesCrashOfAll(t *testing.T) bool {
	t.Helper()
	c := newCluster(t, "n1", "n2", "n3")
	c.tune = func(cfg *Config) { cfg.SnapshotEvery = 1000 }
	c.openAll()
	l := c.leader()
	o := c.propose(l, "kept?")
	c.run(100 * time.Millisecond)
	if !o.done || o.err != nil {
		t.Fatalf("proposal %+v", o)
	}
	for _, n := range c.names {
		c.crash(n)
	}
	c.openAll()
	c.leader()
	c.run(200 * time.Millisecond)
	return slices.Contains(c.sms["n1"].items, "kept?")
}
