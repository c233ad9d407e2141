package sim

import (
	"fmt"
	"time"

	"jsnode/node/raft"
	"jsnode/node/raftgroup"
)

// raftTiming checks a raft group's timers in true time, from what each
// member saves and sends (raftgroup.Observer), against the raft_kv
// spec's tick, election_ticks (E) and heartbeat_ticks (H):
//
//   - election: a member starts a (pre-)election on a tick once its
//     election timer, reset whenever it hears from a leader, grants a
//     vote or changes role or term, has counted a randomized timeout in
//     [E, 2E) ticks. So a pre-vote request may not leave sooner than E
//     ticks after the last reset that happened on a tick (the member's
//     start, its previous campaign), nor sooner than E-1 ticks after one
//     that happened between ticks (the next tick may follow at once).
//     Only resets the observer can see are used (messages the member
//     sends, role changes); one it cannot see would only lengthen the
//     true interval, so the check never blames a correct member. Faults
//     cannot excuse an early election: no fault makes ticks come faster.
//   - heartbeat: a leader broadcasts heartbeats every H ticks, exactly,
//     for as long as it leads (reachable followers or not: the broadcast
//     does not depend on the network), so two successive tick-driven
//     broadcasts of one leadership are H ticks apart, give or take the
//     drift. Heartbeats a read index sends in between (they carry a new
//     read round in Context) are told apart and skipped.
type raftTiming struct {
	w          *World
	tick       time.Duration
	elect, hb  int
	maxPPM     int64
	on         func(string) bool
	counts     map[string]int // violations per check
	observed   map[string]int // observations per check
	violations []raftViolation
}

func newRaftTiming(r *run, spec RaftKVSpec) *raftTiming {
	return &raftTiming{w: r.w, tick: spec.Tick, elect: spec.ElectionTicks, hb: spec.HeartbeatTicks,
		maxPPM: r.sc.Faults.MaxDriftPPM, on: r.checks.on, counts: map[string]int{}, observed: map[string]int{}}
}

// ticks is the true-time window of n ticks.
func (rt *raftTiming) ticks(n int) timerWindow {
	d := time.Duration(n) * rt.tick
	return driftWindow(d, d, rt.maxPPM)
}

func (rt *raftTiming) violate(check, format string, args ...any) {
	if !rt.on(check) || rt.counts[check] >= timingViolationsMax {
		return
	}
	rt.counts[check]++
	msg := fmt.Sprintf("t=%v: ", rt.w.Elapsed()) + fmt.Sprintf(format, args...)
	rt.w.Note("violation", check+": "+msg)
	rt.violations = append(rt.violations, raftViolation{check, msg})
}

// member starts the timing of one incarnation of node's member; it is
// created when the member opens, which resets its election timer on a
// tick boundary (the first tick follows one tick later).
func (rt *raftTiming) member(node string) *memberTiming {
	now := rt.w.Elapsed()
	return &memberTiming{rt: rt, node: node, onTick: now, between: -1, lastSaved: now}
}

// memberTiming is one incarnation's timing state.
type memberTiming struct {
	rt   *raftTiming
	node string
	// onTick and between are the last election-timer resets seen that
	// happened on a tick and between ticks (-1: none).
	onTick, between time.Duration
	// The current leadership: its term, the highest read round its
	// heartbeats carried, and its last tick-driven broadcast (-1: none).
	leading  bool
	term     uint64
	maxRound uint64
	lastBeat time.Duration
	// slowSyncs is the member's raftgroup Stats.SlowSyncs when last seen.
	// A Ready that waited on a slow sync (a BUGGIFY site, legal) leaves
	// late, and so does what piled up behind it: until quietUntil nothing
	// the member sends is timed or used as a reference.
	slowSyncs  int64
	quietUntil time.Duration
	// lastSaved is when the last Ready was saved: a pause of the node
	// since then (its timers fire late, legitimately) also quiets it.
	lastSaved time.Duration
}

// slowSyncQuietTicks is how long after a slow sync completes (or a pause
// ends) the
// member's timing is not measured: the backlog leaves at once, then one
// heartbeat interval passes.
const slowSyncQuietTicks = 3

// Saved runs the checks on each Ready the member saved.
func (m *memberTiming) Saved(g *raftgroup.Group, rd *raft.Ready) {
	now := m.rt.w.Elapsed()
	paused := m.rt.w.Host(m.node).pausedWithin(m.lastSaved, now)
	m.lastSaved = now
	if slow := g.Stats().SlowSyncs; slow != m.slowSyncs || paused {
		m.slowSyncs = slow
		m.quietUntil = now + time.Duration(slowSyncQuietTicks+m.rt.hb)*m.rt.tick
	}
	if now < m.quietUntil {
		m.onTick, m.between, m.lastBeat = -1, -1, -1 // nothing measured across a slow sync
		return
	}
	if campaigned(rd) {
		if m.onTick >= 0 || m.between >= 0 {
			m.checkElection(now)
		}
		m.onTick = now
	} else if resetsElection(rd) {
		m.between = now
	}
	m.heartbeats(g.Info(), rd, now)
}

func (m *memberTiming) Applied(*raftgroup.Group, raft.Entry)         {}
func (m *memberTiming) Restored(*raftgroup.Group, raft.SnapshotMeta) {}

// campaigned: the Ready sends pre-vote requests, which only a tick's
// election timeout does.
func campaigned(rd *raft.Ready) bool {
	for _, msg := range rd.Messages {
		if msg.Type == raft.MsgPreVote {
			return true
		}
	}
	return false
}

// resetsElection: the Ready shows the election timer was reset in the
// step that made it: a role or leader change (every such change resets
// it), a vote request or a granted vote, or an answer to a leader's
// heartbeat (sent only after hearing from the leader of our term).
func resetsElection(rd *raft.Ready) bool {
	if rd.SoftState != nil {
		return true
	}
	for _, msg := range rd.Messages {
		switch {
		case msg.Type == raft.MsgHeartbeatResp, msg.Type == raft.MsgVote:
			return true
		case msg.Type == raft.MsgVoteResp && !msg.Reject:
			return true
		}
	}
	return false
}

// checkElection: a campaign at now must follow the last reset by at
// least E ticks (a reset on a tick) or E-1 ticks (between ticks).
func (m *memberTiming) checkElection(now time.Duration) {
	rt := m.rt
	ref, n, kind := m.onTick, rt.elect, "its previous campaign or start"
	if m.between > m.onTick {
		ref, n, kind = m.between, rt.elect-1, "the last reset of its election timer"
	}
	win := rt.ticks(n)
	rt.observed[checkRaftElection]++
	if d := now - ref; win.early(d) {
		rt.violate(checkRaftElection, "%s started an election %v after %s, %v early: at least %d ticks of %v (%v with drift)",
			m.node, d, kind, win.lo-d, n, rt.tick, win.lo)
	}
}

// heartbeats checks the interval between a leader's tick-driven
// heartbeat broadcasts.
func (m *memberTiming) heartbeats(info raftgroup.Info, rd *raft.Ready, now time.Duration) {
	if info.Role != raft.RoleLeader {
		m.leading = false
		return
	}
	if !m.leading || info.Term != m.term {
		m.leading, m.term, m.maxRound, m.lastBeat = true, info.Term, 0, -1
	}
	if !m.tickBeat(rd.Messages) {
		return
	}
	rt := m.rt
	if m.lastBeat >= 0 {
		win := rt.ticks(rt.hb)
		rt.observed[checkRaftHeartbeat]++
		if verdict := win.judge(now - m.lastBeat); verdict != "" {
			rt.violate(checkRaftHeartbeat, "%s, leader of term %d: heartbeats %d ticks of %v apart, %s", m.node, m.term, rt.hb, rt.tick, verdict)
		}
	}
	m.lastBeat = now
}

// tickBeat reports whether msgs hold a tick-driven heartbeat broadcast:
// one whose Context is no new read round (a tick repeats the newest round
// still waiting, or 0; a read index starts a new one). A broadcast is a
// run of heartbeats with one Context to distinct members.
func (m *memberTiming) tickBeat(msgs []raft.Message) bool {
	tick := false
	var to map[raft.ID]bool
	var round uint64
	for _, msg := range msgs {
		if msg.Type != raft.MsgHeartbeat {
			continue
		}
		if to == nil || msg.Context != round || to[msg.To] {
			to, round = map[raft.ID]bool{}, msg.Context // a new broadcast
			if round > m.maxRound {
				m.maxRound = round
			} else {
				tick = true
			}
		}
		to[msg.To] = true
	}
	return tick
}

// raftObservers fans one member's callbacks out to several observers.
type raftObservers []raftgroup.Observer

func (os raftObservers) Saved(g *raftgroup.Group, rd *raft.Ready) {
	for _, o := range os {
		o.Saved(g, rd)
	}
}

func (os raftObservers) Applied(g *raftgroup.Group, e raft.Entry) {
	for _, o := range os {
		o.Applied(g, e)
	}
}

func (os raftObservers) Restored(g *raftgroup.Group, meta raft.SnapshotMeta) {
	for _, o := range os {
		o.Restored(g, meta)
	}
}
