package raftgroup

import (
	"errors"
	"fmt"
	"slices"

	"jsnode/clock"
	"jsnode/node/raft"
)

// Group is one member of a Raft group running on a server: the raft
// state machine, its log, the transport over the server's internal
// messaging and the application. Everything runs on the server's loop.
type Group struct {
	cfg   Config
	id    raft.ID
	rn    *raft.RawNode
	store store
	sm    StateMachine
	obs   Observer
	names map[raft.ID]string // known member names

	unsubscribe func()
	timer       clock.Timer
	subjects    map[raft.ID]string // cached member subjects
	sendBuf     []byte

	// State tracked from Ready, so accessors need no raft.Status copy.
	role      raft.Role
	lead      raft.ID
	term      uint64
	commit    uint64
	applied   uint64
	snapIndex uint64
	compactAt uint64 // index of a compaction requested and not yet stored

	proposals map[uint64]proposal // by log index
	reads     readQueue

	processing bool
	stopped    bool
	syncLater  bool // a sync the ack-before-fsync mutant put off
	// syncing holds a Ready saved whose sync the Syncer has not done
	// yet, and the Ready loop waits; synced holds it once synced, for the
	// loop to finish first.
	syncing, synced *raft.Ready
	failed          error
	stats           Stats
}

// proposal waits for the entry it became to be applied.
type proposal struct {
	term uint64
	done func(result []byte, err error)
}

// Stats count the group's traffic and drops.
type Stats struct {
	MsgsSent, MsgsReceived int64
	// MsgsDropped counts messages not sent (too large to encode) or not
	// accepted (oversized, malformed, for another member, refused by raft).
	MsgsDropped int64
	Proposals   int64
	Applied     int64
	Snapshots   int64 // compactions stored
	Restores    int64 // snapshots installed
	// Syncs counts Readys whose sync went to the Syncer: what they
	// carried (and what piled up behind them) left when the sync was
	// done, which timing checks must allow (see Observer.Syncing).
	Syncs int64
}

// Info is a member's current state, cheap to read.
type Info struct {
	ID      raft.ID
	Role    raft.Role
	Term    uint64
	Lead    raft.ID
	Commit  uint64
	Applied uint64
	// SnapshotIndex is the index the stored snapshot covers (0: none).
	SnapshotIndex uint64
	LastIndex     uint64
}

// Open starts this server's member of a group. On empty storage it
// creates the group with Peers as voters; otherwise it restarts from what
// the storage holds (restoring the application from the stored snapshot
// and re-applying the committed entries after it).
func Open(cfg Config) (*Group, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	st, err := openStore(cfg)
	if err != nil {
		return nil, fmt.Errorf("raftgroup %s: opening log: %w", cfg.Group, err)
	}
	g := &Group{cfg: cfg, id: MemberID(cfg.Self), store: st, sm: cfg.StateMachine, obs: cfg.Observer,
		names: make(map[raft.ID]string), subjects: make(map[raft.ID]string), proposals: make(map[uint64]proposal)}
	for _, p := range cfg.Peers {
		g.names[MemberID(p)] = p
	}
	if err := g.startRaft(); err != nil {
		st.close()
		return nil, fmt.Errorf("raftgroup %s: %w", cfg.Group, err)
	}
	g.reads.init(cfg.Rand)
	g.unsubscribe, err = cfg.Messenger.Subscribe(MemberSubject(cfg.Group, g.id), "", g.receive)
	if err != nil {
		st.close()
		return nil, fmt.Errorf("raftgroup %s: subscribing: %w", cfg.Group, err)
	}
	g.timer = cfg.Clock.AfterFunc(cfg.Tick, g.onTick)
	g.process()
	if g.failed != nil {
		return nil, g.failed
	}
	return g, nil
}

// startRaft builds the RawNode: Start on empty storage, else Restart.
func (g *Group) startRaft() error {
	hs, err := g.store.InitialState()
	if err != nil {
		return err
	}
	snap, err := g.store.Snapshot()
	if err != nil {
		return err
	}
	last, err := g.store.LastIndex()
	if err != nil {
		return err
	}
	rc := raft.Config{ID: g.id, ElectionTicks: g.cfg.ElectionTicks, HeartbeatTicks: g.cfg.HeartbeatTicks,
		Storage: g.store, Rand: g.cfg.Rand, SnapshotChunkBytes: g.cfg.SnapshotChunkBytes,
		MaxAppendBytes: g.cfg.MaxAppendBytes, MaxInflightAppends: g.cfg.MaxInflightAppends}
	if g.cfg.buggify(SiteAppendTiny) {
		rc.MaxAppendBytes, rc.MaxInflightAppends = 1, 1
	}
	if hs.IsEmpty() && last == 0 && snap.Meta.Index == 0 && !g.cfg.Join {
		ids := make([]raft.ID, 0, len(g.cfg.Peers))
		for _, p := range g.cfg.Peers {
			ids = append(ids, MemberID(p))
		}
		slices.Sort(ids)
		g.rn, err = raft.Start(rc, raft.Membership{Voters: ids})
		return err
	}
	if snap.Meta.Index > 0 {
		if err := g.sm.Restore(snap.Meta.Index, snap.Data); err != nil {
			return fmt.Errorf("restoring snapshot %d: %w", snap.Meta.Index, err)
		}
		g.applied, g.snapIndex = snap.Meta.Index, snap.Meta.Index
		g.stats.Restores++
		if g.obs != nil {
			g.obs.Restored(g, snap.Meta)
		}
	}
	g.term, g.commit = hs.Term, max(hs.Commit, snap.Meta.Index)
	g.rn, err = raft.Restart(rc)
	return err
}

// Stop leaves the group: no more ticks, messages or callbacks. Pending
// proposals and reads are not answered. The log is closed, or, if a sync
// is in flight, once the Syncer reports it done (its work still uses the
// files; what it covered becomes durable, but nothing it held is sent).
// A member reopened on the same directory before then shares the disk
// with that last job, which FIFO Syncers run before any of the new
// member's: it may only make more of the old member's state durable.
func (g *Group) Stop() {
	if g.stopped {
		return
	}
	g.stopped = true
	if g.timer != nil {
		g.timer.Stop()
	}
	if g.unsubscribe != nil {
		g.unsubscribe()
	}
	if g.syncing == nil {
		g.store.close() // else syncDone closes it: the job still uses its files
	}
}

// fail stops the group after a storage or state-machine error.
func (g *Group) fail(err error) {
	if g.failed != nil {
		return
	}
	g.failed = err
	if g.cfg.Log != nil {
		g.cfg.Log.Errorf("RAFT [%s - %s] stopping after error: %v", g.cfg.Group, g.cfg.Self, err)
	}
	g.Stop()
}

// Err is the error that stopped the group, if any.
func (g *Group) Err() error { return g.failed }

// usable reports why calls are refused, if they are.
func (g *Group) usable() error {
	if g.failed != nil {
		return errors.Join(ErrStopped, g.failed)
	}
	if g.stopped {
		return ErrStopped
	}
	return nil
}

// onTick advances raft's clock and re-arms the tick timer.
func (g *Group) onTick() {
	if g.stopped {
		return
	}
	if g.syncLater {
		g.syncLater = false
		if err := g.store.sync(); err != nil {
			g.fail(err)
			return
		}
	}
	g.rn.Tick()
	g.reads.tick(g.readTimeoutTicks())
	g.process()
	if !g.stopped {
		g.timer = g.cfg.Clock.AfterFunc(g.cfg.Tick, g.onTick)
	}
}

func (g *Group) readTimeoutTicks() int { return ReadTimeoutElections * g.cfg.ElectionTicks }

// Name is the group's name.
func (g *Group) Name() string { return g.cfg.Group }

// Member is this member's ID; Self its server name.
func (g *Group) Member() raft.ID { return g.id }

// Self is this member's server name.
func (g *Group) Self() string { return g.cfg.Self }

// Info reports the member's state.
func (g *Group) Info() Info {
	last, _ := g.store.LastIndex()
	return Info{ID: g.id, Role: g.role, Term: g.term, Lead: g.lead, Commit: g.commit, Applied: g.applied,
		SnapshotIndex: g.snapIndex, LastIndex: last}
}

// Status is raft's full status (membership, the leader's progress).
func (g *Group) Status() raft.Status { return g.rn.Status() }

// Stats returns the group's counters.
func (g *Group) Stats() Stats { return g.stats }

// IsLeader reports whether this member leads the group.
func (g *Group) IsLeader() bool { return g.role == raft.RoleLeader }

// Leader is the leader this member knows (raft.None if none) and its
// server name ("" if the name is not known here).
func (g *Group) Leader() (raft.ID, string) { return g.lead, g.names[g.lead] }

// MemberName is the server name of member id, if known here.
func (g *Group) MemberName(id raft.ID) (string, bool) {
	n, ok := g.names[id]
	return n, ok
}

// LogTerm is the term of the stored entry at index i (raft.Storage.Term:
// i may be the snapshot index; ErrCompacted below it).
func (g *Group) LogTerm(i uint64) (uint64, error) { return g.store.Term(i) }

// LogEntries returns stored entries [lo, hi) (raft.Storage.Entries).
func (g *Group) LogEntries(lo, hi uint64) ([]raft.Entry, error) {
	return g.store.Entries(lo, hi, ^uint64(0))
}
