package sim

import (
	"slices"
	"strings"
	"testing"
	"time"

	"jsnode/node/raft"
	"jsnode/node/raftgroup"
	"jsnode/node/server"
)

// A timer observed exactly, or within drift and network, passes; 10%
// early or late fails.
func TestDriftWindowArithmetic(t *testing.T) {
	d := time.Second
	w := driftWindow(d, d, 200) // ±200 ppm: 1s lasts 999.8ms to 1.0002s
	for _, tc := range []struct {
		obs         time.Duration
		early, late bool
	}{
		{d, false, false},
		{d - 199*time.Microsecond, false, false}, // a 200 ppm fast clock
		{d + 199*time.Microsecond, false, false}, // a 200 ppm slow clock
		{d - d/10, true, false},
		{d + d/10, false, true},
		{d - time.Millisecond, true, false}, // beyond drift and slack
	} {
		if w.early(tc.obs) != tc.early || w.late(tc.obs) != tc.late {
			t.Errorf("%v in %v: early %v late %v, want %v %v", tc.obs, w, w.early(tc.obs), w.late(tc.obs), tc.early, tc.late)
		}
		if (w.judge(tc.obs) == "") != (!tc.early && !tc.late) {
			t.Errorf("judge(%v) = %q", tc.obs, w.judge(tc.obs))
		}
	}
}

// The network shifts: two node messages may arrive up to one jitter
// closer or further apart; a round trip adds two latencies.
func TestTimerWindowNetworkShift(t *testing.T) {
	n := netSpan{min: time.Millisecond, max: 5 * time.Millisecond}
	d := time.Second
	lo, hi := n.between()
	w := driftWindow(d, d, 0).shifted(lo, hi)
	if w.early(d-4*time.Millisecond) || w.late(d+4*time.Millisecond) || !w.early(d-5*time.Millisecond) {
		t.Errorf("between: %+v", w)
	}
	lo, hi = n.roundTrip()
	w = driftWindow(d, d, 0).shifted(lo, hi)
	if w.early(d+2*time.Millisecond) || w.late(d+10*time.Millisecond) || !w.early(d+time.Millisecond) || !w.late(d+11*time.Millisecond) {
		t.Errorf("round trip: %+v", w)
	}
	if w := driftWindow(d, d, 0).shifted(lo, hi); !w.early(d - d/10) {
		t.Error("10% early passed a round trip")
	}
}

// The probes' windows: the first PING after CONNECT may come up to a
// fifth late by design; later ones only a tenth, and only while the
// BUGGIFY site that delays them is active.
func TestProbeWindows(t *testing.T) {
	tp := &timingProbes{r: &run{sc: &Scenario{}}, net: netSpan{min: time.Millisecond, max: 5 * time.Millisecond}}
	nt := nodeTimers{pingInterval: time.Second, maxPingsOut: 2, authTimeout: 2 * time.Second}
	first := tp.firstPing(nt)
	if first.early(time.Second+2*time.Millisecond) || first.late(1200*time.Millisecond) || !first.early(900*time.Millisecond) {
		t.Errorf("first PING window %+v", first)
	}
	if w := tp.interval(nt, true); !w.late(1050 * time.Millisecond) {
		t.Errorf("interval without BUGGIFY %+v allows 5%% late", w)
	}
	tp.pingLate = true
	if w := tp.interval(nt, true); w.late(1100*time.Millisecond) || !w.early(900*time.Millisecond) {
		t.Errorf("interval with BUGGIFY %+v", w)
	}
	if w := tp.interval(nt, false); !w.late(1050 * time.Millisecond) {
		t.Errorf("the first timer after an accept %+v may not be delayed", w)
	}
	if w := tp.auth(nt); w.early(2*time.Second-4*time.Millisecond) || !w.early(1800*time.Millisecond) || !w.late(2200*time.Millisecond) {
		t.Errorf("auth window %+v", w)
	}
	if !slices.Contains(server.BuggifySites(), buggifyPingLateSite) {
		t.Errorf("%q is not a server BUGGIFY site", buggifyPingLateSite)
	}
}

// Which probes a node gets follows its settings and the checks on.
func TestProbeKinds(t *testing.T) {
	all := func(string) bool { return true }
	sc := &Scenario{Duration: 20 * time.Second}
	plain := NodeSpec{Name: "n1"}
	if got := probeKinds(sc, plain, all); !slices.Equal(got, []probeKind{probePing}) {
		t.Errorf("default node: %v", got)
	}
	short := NodeSpec{Name: "n1", Options: server.Options{PingInterval: time.Second}}
	short.Options.Auth.Username, short.Options.Auth.Password = "u", "p"
	if got := probeKinds(sc, short, all); !slices.Equal(got, []probeKind{probeAuth, probePing, probeStale}) {
		t.Errorf("auth, 1s pings: %v", got)
	}
	if got := probeKinds(sc, short, func(c string) bool { return c == checkAuthTimeout }); !slices.Equal(got, []probeKind{probeAuth}) {
		t.Errorf("only the auth check on: %v", got)
	}
	sc.Topology.Nodes = []NodeSpec{short}
	sc.Faults.Reloads = []ReloadSpec{{Node: "n1"}}
	if probesApply(probePing)(sc) {
		t.Error("a reloaded node is probed")
	}
	nt := nodeTimersOf(short.Options, &Workload{}, "p")
	if !strings.Contains(string(nt.connect), `"user":"u"`) || nt.authTimeout != server.DefaultAuthTimeout {
		t.Errorf("timers %+v, CONNECT %s", nt, nt.connect)
	}
}

// newTestMember is a member's timing at virtual time 0 of a fresh world,
// with a 20ms tick, E=10, H=2 and no drift.
func newTestMember(t *testing.T) (*World, *memberTiming) {
	t.Helper()
	w := NewWorld(1, DefaultOptions())
	rt := &raftTiming{w: w, tick: 20 * time.Millisecond, elect: 10, hb: 2, on: checkSet(nil).on, counts: map[string]int{}, observed: map[string]int{}}
	return w, rt.member("n1")
}

// nowMade is a Ready made now, with no sync in flight.
func nowMade(w *World) made { return made{w.Elapsed(), w.Elapsed()} }

func preVotes() *raft.Ready {
	return &raft.Ready{Messages: []raft.Message{{Type: raft.MsgPreVote, To: 2}, {Type: raft.MsgPreVote, To: 3}}}
}

var follower = raftgroup.Info{Role: raft.RoleFollower, Term: 1}

// An election E ticks after a reset on a tick passes; 10% sooner fails.
// After a reset between ticks, E-1 ticks are enough.
func TestRaftElectionTiming(t *testing.T) {
	w, m := newTestMember(t)
	w.RunFor(200 * time.Millisecond) // 10 ticks after the start
	m.checkElection(nowMade(w))
	m.onTick = nowMade(w)
	if len(m.rt.violations) != 0 {
		t.Fatalf("on time: %v", m.rt.violations)
	}
	w.RunFor(180 * time.Millisecond) // 9 ticks after the campaign
	m.checkElection(nowMade(w))
	if len(m.rt.violations) != 1 || !strings.Contains(m.rt.violations[0].msg, "early") {
		t.Fatalf("9 ticks after a campaign: %v", m.rt.violations)
	}
	m.between = nowMade(w) // a leader's heartbeat, between ticks
	w.RunFor(180 * time.Millisecond)
	m.checkElection(nowMade(w))
	if len(m.rt.violations) != 1 {
		t.Fatalf("9 ticks after a reset between ticks: %v", m.rt.violations)
	}
	w.RunFor(time.Millisecond)
	m.between = nowMade(w)
	w.RunFor(162 * time.Millisecond) // 9 ticks 10% short
	m.checkElection(nowMade(w))
	if len(m.rt.violations) != 2 {
		t.Fatalf("9 short ticks after a reset: %v", m.rt.violations)
	}
}

// What resets the election timer, as the observer sees it.
func TestRaftElectionResets(t *testing.T) {
	if !campaigned(preVotes()) || campaigned(&raft.Ready{Messages: []raft.Message{{Type: raft.MsgVote}}}) {
		t.Error("campaigned")
	}
	for _, rd := range []*raft.Ready{
		{SoftState: &raft.SoftState{Role: raft.RoleFollower}},
		{Messages: []raft.Message{{Type: raft.MsgHeartbeatResp}}},
		{Messages: []raft.Message{{Type: raft.MsgVoteResp}}},
	} {
		if !resetsElection(rd) {
			t.Errorf("%+v does not reset", rd)
		}
	}
	for _, rd := range []*raft.Ready{
		{Messages: []raft.Message{{Type: raft.MsgVoteResp, Reject: true}}},
		{Messages: []raft.Message{{Type: raft.MsgAppendResp}}}, // also a stale leader's answer
		{HardState: raft.HardState{Commit: 3}},
	} {
		if resetsElection(rd) {
			t.Errorf("%+v resets", rd)
		}
	}
}

func beats(ctx uint64) *raft.Ready {
	return &raft.Ready{Messages: []raft.Message{{Type: raft.MsgHeartbeat, To: 2, Context: ctx}, {Type: raft.MsgHeartbeat, To: 3, Context: ctx}}}
}

// Tick-driven heartbeats H ticks apart pass; 10% sooner or later fails;
// a read round's heartbeats in between are not taken for ticks.
func TestRaftHeartbeatTiming(t *testing.T) {
	w, m := newTestMember(t)
	leader := raftgroup.Info{Role: raft.RoleLeader, Term: 2}
	m.heartbeats(leader, beats(0), nowMade(w))
	w.RunFor(15 * time.Millisecond)
	m.heartbeats(leader, beats(1), nowMade(w)) // a read round
	w.RunFor(25 * time.Millisecond)
	m.heartbeats(leader, beats(1), nowMade(w)) // the tick repeats round 1
	if len(m.rt.violations) != 0 {
		t.Fatalf("on time: %v", m.rt.violations)
	}
	w.RunFor(36 * time.Millisecond)
	m.heartbeats(leader, beats(0), nowMade(w))
	w.RunFor(44 * time.Millisecond)
	m.heartbeats(leader, beats(0), nowMade(w))
	if len(m.rt.violations) != 2 || !strings.Contains(m.rt.violations[0].msg, "early") || !strings.Contains(m.rt.violations[1].msg, "late") {
		t.Fatalf("10%% early, then late: %v", m.rt.violations)
	}
	m.heartbeats(follower, &raft.Ready{}, nowMade(w))
	w.RunFor(time.Second)
	m.heartbeats(raftgroup.Info{Role: raft.RoleLeader, Term: 3}, beats(0), nowMade(w))
	if len(m.rt.violations) != 2 {
		t.Fatalf("a new leadership compared with the old: %v", m.rt.violations)
	}
}

// What a sync in flight held leaves late and is not blamed for it: the
// heartbeat of a tick during the sync comes out when it completes, 80ms
// after the last one instead of 40. The beats after it are measured
// again, and a late one is caught.
func TestRaftHeartbeatAcrossSync(t *testing.T) {
	w, m := newTestMember(t)
	leader := func() raftgroup.Info { return raftgroup.Info{Role: raft.RoleLeader, Term: 2} }
	m.saved(beats(0), leader)
	w.RunFor(35 * time.Millisecond)
	entries := &raft.Ready{MustSync: true}
	m.Syncing(nil, entries)
	w.RunFor(45 * time.Millisecond) // a slow sync; the tick at 40ms is held
	m.saved(entries, leader)
	m.saved(beats(0), leader)
	w.RunFor(40 * time.Millisecond)
	m.saved(beats(0), leader)
	if len(m.rt.violations) != 0 {
		t.Fatalf("beats held by a sync blamed: %v", m.rt.violations)
	}
	if got := m.madeNow(w.Elapsed()); got.lo != got.hi {
		t.Fatalf("a Ready taken long after the sync is made %v", got)
	}
	w.RunFor(50 * time.Millisecond)
	m.saved(beats(0), leader)
	if len(m.rt.violations) != 1 || !strings.Contains(m.rt.violations[0].msg, "late") {
		t.Fatalf("a late beat after the sync: %v", m.rt.violations)
	}
}

// TestLameDuckTimingWindow: a shutdown and a watcher close within
// [grace, duration] pass; one before the grace period or after the
// duration fails.
func TestLameDuckTimingWindow(t *testing.T) {
	opts := server.Options{LameDuckDuration: 4 * time.Second, LameDuckGracePeriod: time.Second}
	r := &run{sc: &Scenario{}, w: NewWorld(1, Options{LatencyMin: time.Millisecond, Jitter: 2 * time.Millisecond})}
	ld := &lameDuckRun{node: &NodeHandle{opts: opts, host: r.w.Host("n1")}, started: true, stopped: true,
		watch: &ldmWatcher{sawLDM: true, closed: true}}
	r.lameDucks = []*lameDuckRun{ld}
	for _, tc := range []struct {
		stop, closeAfter time.Duration
		ok               bool
	}{
		{2700 * time.Millisecond, 2600 * time.Millisecond, true},
		{4 * time.Second, 4 * time.Second, true},
		{900 * time.Millisecond, 2 * time.Second, false},  // shut down inside the grace period
		{4400 * time.Millisecond, 2 * time.Second, false}, // 10% past the duration
		{3 * time.Second, 800 * time.Millisecond, false},  // closed the watcher early
	} {
		ld.startAt, ld.stoppedAt = 10*time.Second, 10*time.Second+tc.stop
		ld.watch.ldmAt, ld.watch.closedAt = 10*time.Second, 10*time.Second+tc.closeAfter
		if err := r.checkLameDuckTiming(); (err == nil) != tc.ok {
			t.Errorf("stop after %v, close after %v: %v, want ok=%v", tc.stop, tc.closeAfter, err, tc.ok)
		}
	}
}
