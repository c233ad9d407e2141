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
//
// Times are when raft made what a Ready carries, not when it left: a
// member whose log sync is in flight (raftgroup.Observer.Syncing) holds
// its output until the sync completes, so what piled up meanwhile is
// known to be made only within the sync's span, and every check uses the
// bound of that span that favours the member.
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
	return &memberTiming{rt: rt, node: node, onTick: made{now, now}, between: noTime, lastBeat: noTime,
		blockedFrom: -1, unblockedAt: -1, lastSaved: now}
}

// made is when raft made what a Ready carries: some time in [lo, hi].
// A Ready made while no sync was in flight was made when it was taken
// (lo = hi); one taken as a sync completed holds what raft did while the
// sync was in flight, so it was made at some time since the sync began.
type made struct{ lo, hi time.Duration }

// noTime is an unset made.
var noTime = made{-1, -1}

func (t made) set() bool { return t.lo >= 0 }

// memberTiming is one incarnation's timing state.
type memberTiming struct {
	rt   *raftTiming
	node string
	// onTick and between are the last election-timer resets seen that
	// happened on a tick and between ticks.
	onTick, between made
	// The current leadership: its term, the highest read round its
	// heartbeats carried, and its last tick-driven broadcast.
	leading  bool
	term     uint64
	maxRound uint64
	lastBeat made
	// Syncs in flight (Observer.Syncing): raft's output is held from
	// blockedFrom until the sync completes at unblockedAt (-1: still
	// held, or never); syncing is the Ready whose sync is in flight, made
	// at syncMade.
	blockedFrom, unblockedAt time.Duration
	syncing                  *raft.Ready
	syncMade                 made
	// A pause of the node (its timers fire late, legitimately) since the
	// last Ready was saved, at lastSaved, quiets the member: until
	// quietUntil nothing it sends is timed or used as a reference.
	quietUntil time.Duration
	lastSaved  time.Duration
}

// pauseQuietTicks is how long after a pause ends the member's timing is
// not measured: the backlog leaves at once, then one heartbeat interval
// passes.
const pauseQuietTicks = 3

// madeNow is when a Ready taken now was made.
func (m *memberTiming) madeNow(now time.Duration) made {
	if m.unblockedAt == now && m.blockedFrom >= 0 {
		return made{m.blockedFrom, now}
	}
	return made{now, now}
}

// Syncing notes a Ready whose sync is in flight: made now, and raft's
// output is held until the sync completes.
func (m *memberTiming) Syncing(_ *raftgroup.Group, rd *raft.Ready) {
	now := m.rt.w.Elapsed()
	m.syncing, m.syncMade = rd, m.madeNow(now)
	m.blockedFrom, m.unblockedAt = now, -1
}

// Saved runs the checks on each Ready the member saved.
func (m *memberTiming) Saved(g *raftgroup.Group, rd *raft.Ready) { m.saved(rd, g.Info) }

// saved is Saved, with info the member's state.
func (m *memberTiming) saved(rd *raft.Ready, info func() raftgroup.Info) {
	now := m.rt.w.Elapsed()
	at := m.madeNow(now)
	if rd == m.syncing {
		at, m.syncing, m.unblockedAt = m.syncMade, nil, now
	}
	paused := m.rt.w.Host(m.node).pausedWithin(m.lastSaved, now)
	m.lastSaved = now
	if paused {
		m.quietUntil = now + time.Duration(pauseQuietTicks+m.rt.hb)*m.rt.tick
	}
	if now < m.quietUntil {
		m.onTick, m.between, m.lastBeat = noTime, noTime, noTime // nothing measured across a pause
		return
	}
	if campaigned(rd) {
		m.checkElection(at)
		m.onTick = at
	} else if resetsElection(rd) {
		m.between = at
	}
	m.heartbeats(info(), rd, at)
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

// checkElection: a campaign must follow a reset on a tick by at least E
// ticks, and one between ticks by at least E-1 (each bound holds on its
// own: a later reset only delays the campaign more). With what a sync
// held, only the latest time the campaign and the earliest the reset
// can have been made are compared.
func (m *memberTiming) checkElection(c made) {
	rt := m.rt
	refs := []struct {
		at   made
		n    int
		kind string
	}{{m.onTick, rt.elect, "its previous campaign or start"}, {m.between, rt.elect - 1, "the last reset of its election timer"}}
	for _, ref := range refs {
		if !ref.at.set() {
			continue
		}
		win := rt.ticks(ref.n)
		rt.observed[checkRaftElection]++
		if d := c.hi - ref.at.lo; win.early(d) {
			rt.violate(checkRaftElection, "%s started an election %v after %s, %v early: at least %d ticks of %v (%v with drift)",
				m.node, d, ref.kind, win.lo-d, ref.n, rt.tick, win.lo)
		}
	}
}

// heartbeats checks the interval between a leader's tick-driven
// heartbeat broadcasts: early only if even its longest reading (latest
// make of this one, earliest of the last) is too short, late only if
// even its shortest is too long.
func (m *memberTiming) heartbeats(info raftgroup.Info, rd *raft.Ready, at made) {
	if info.Role != raft.RoleLeader {
		m.leading = false
		return
	}
	if !m.leading || info.Term != m.term {
		m.leading, m.term, m.maxRound, m.lastBeat = true, info.Term, 0, noTime
	}
	if !m.tickBeat(rd.Messages) {
		return
	}
	rt := m.rt
	if m.lastBeat.set() {
		win := rt.ticks(rt.hb)
		rt.observed[checkRaftHeartbeat]++
		verdict := ""
		if longest := at.hi - m.lastBeat.lo; win.early(longest) {
			verdict = win.judge(longest)
		} else if shortest := at.lo - m.lastBeat.hi; win.late(shortest) {
			verdict = win.judge(shortest)
		}
		if verdict != "" {
			rt.violate(checkRaftHeartbeat, "%s, leader of term %d: heartbeats %d ticks of %v apart, %s", m.node, m.term, rt.hb, rt.tick, verdict)
		}
	}
	m.lastBeat = at
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

func (os raftObservers) Syncing(g *raftgroup.Group, rd *raft.Ready) {
	for _, o := range os {
		o.Syncing(g, rd)
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
