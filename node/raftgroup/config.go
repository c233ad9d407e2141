package raftgroup

import (
	"errors"
	"fmt"
	"jsnode/node/server"
	"math/rand/v2"
	"path"
	"slices"
	"time"

	"jsnode/clock"
	"jsnode/disk"
	"jsnode/node/mutant"
	"jsnode/node/raft"
	"jsnode/node/raftlog"
)

// Defaults and limits. Every bound of a group is named here.
const (
	// TickDefault is Config.Tick when zero: one raft tick.
	TickDefault = 100 * time.Millisecond
	// ElectionTicksDefault and HeartbeatTicksDefault give a 1–2 s
	// election timeout and a heartbeat every 100 ms with TickDefault.
	ElectionTicksDefault  = 10
	HeartbeatTicksDefault = 1
	// SnapshotEveryDefault is Config.SnapshotEvery when zero.
	SnapshotEveryDefault = 1024
	// ProposalsPendingMax bounds the proposals waiting for their entry to
	// be applied; Propose fails with ErrBusy beyond it.
	ProposalsPendingMax = 4096
	// ReadsPendingMax bounds the reads waiting for their read index.
	ReadsPendingMax = raft.ReadIndexPendingMax
	// ReadTimeoutElections is how many election timeouts a read may wait
	// for its read index before it fails with ErrTimeout (the request or
	// its answer can be lost with a leader change or a dropped message).
	ReadTimeoutElections = 2
	// GroupNameMax bounds the length of a group name.
	GroupNameMax = 64
)

// Errors returned by the group.
var (
	// ErrStopped means the group was stopped, or failed (see Err).
	ErrStopped = errors.New("raftgroup: group stopped")
	// ErrBusy means too many proposals or reads are pending.
	ErrBusy = errors.New("raftgroup: too many pending requests")
	// ErrProposalLost means the proposal's log position was taken by
	// another entry: it was not applied and never will be.
	ErrProposalLost = errors.New("raftgroup: proposal lost to another entry")
	// ErrUnknownOutcome means the group can no longer tell whether the
	// proposal was applied (a snapshot replaced the log over it, or a
	// newer local entry displaced it before it committed).
	ErrUnknownOutcome = errors.New("raftgroup: proposal outcome unknown")
	// ErrTimeout means a read got no read index in time.
	ErrTimeout = errors.New("raftgroup: read timed out")
	// ErrLeaderChanged means a read was pending when the leader changed.
	ErrLeaderChanged = errors.New("raftgroup: leader changed")
	// ErrInvalidConfig means the Config is unusable.
	ErrInvalidConfig = errors.New("raftgroup: invalid config")
	// ErrUnknownMember means a member name or ID is not known here.
	ErrUnknownMember = errors.New("raftgroup: unknown member")
)

// StateMachine is the replicated application. The group calls it on the
// loop, in log order: Apply for each committed entry with data, Restore
// when a snapshot replaces the state (at startup, or one received from the
// leader), Snapshot when it compacts the log. Apply must be deterministic:
// every member applies the same entries and must reach the same state.
type StateMachine interface {
	// Apply applies the data of the committed entry at index and returns
	// the result handed to the proposer's callback (on the member that
	// proposed it; others discard it).
	Apply(index uint64, data []byte) (result []byte)
	// Snapshot returns the state as of the last applied index.
	Snapshot() []byte
	// Restore replaces the state with a snapshot's data (the state as of
	// index). An error stops the group.
	Restore(index uint64, data []byte) error
}

// Messenger is the internal messaging of the server the group runs on:
// the group's transport. *server.Account implements it; RAFT traffic
// belongs in the server's system account.
type Messenger interface {
	Subscribe(subject, queue string, handler server.MsgHandler) (unsubscribe func(), err error)
	Publish(subject, reply string, hdr, msg []byte)
}

// Logger receives the group's log lines (server.Logger implements it).
type Logger interface {
	Warnf(format string, v ...any)
	Errorf(format string, v ...any)
	Debugf(format string, v ...any)
}

// Observer sees what a member does, for checkers in tests and the
// simulator. It is called on the loop and must not call back into the
// group except for its read-only accessors (Info, LogTerm, Member...).
type Observer interface {
	// Saved runs once a Ready's HardState, Entries and Snapshot are
	// saved (and synced when rd.MustSync), before its messages are sent
	// and its committed entries applied. rd must not be modified.
	Saved(g *Group, rd *raft.Ready)
	// Syncing runs when a Ready that must be synced is saved and its sync
	// handed to the Syncer (Config.Syncer set): rd was made now, and
	// Saved follows for it once the sync is done. Until then the member
	// saves and sends nothing; what raft does meanwhile (ticks, steps)
	// comes out in the Readys after rd, late.
	Syncing(g *Group, rd *raft.Ready)
	// Applied runs after each committed entry (of any type) is applied.
	Applied(g *Group, e raft.Entry)
	// Restored runs after a snapshot replaced the application's state.
	Restored(g *Group, meta raft.SnapshotMeta)
}

// Config configures one member of a group.
type Config struct {
	// Group names the group; it is one subject token (letters, digits,
	// '-' and '_', at most GroupNameMax bytes).
	Group string
	// Self is this server's name; Peers are the server names of the
	// initial voters (Self among them). Member IDs are derived from the
	// names (MemberID). Peers matter only when the group is created: a
	// restarting member takes the membership from its log.
	Self  string
	Peers []string
	// Join makes a member with empty storage wait to be sent the log by
	// the leader, instead of creating the group: set it on a server added
	// with AddMember (Peers then needs to list only Self).
	Join bool

	Messenger    Messenger
	Clock        clock.Clock
	Rand         *rand.Rand
	StateMachine StateMachine
	Observer     Observer // nil: none
	Log          Logger   // nil: none

	// FS and Dir hold the durable log (raftlog). A nil FS keeps the log in
	// memory (raft.MemoryStorage): it does not survive a restart, so use
	// it only where members never restart. Dir defaults to "raft/<Group>".
	FS         disk.FS
	Dir        string
	LogOptions raftlog.Options
	// Syncer runs the log's syncs off the loop: a Ready that must be
	// synced is saved, its sync handed to the Syncer, and its messages,
	// its applying and every later Ready wait for done. Nil: the log is
	// synced inline, on the loop (tests, tools). Unused with a nil FS.
	Syncer disk.Syncer

	// Tick is the duration of one raft tick (0: TickDefault).
	Tick time.Duration
	// ElectionTicks and HeartbeatTicks as in raft.Config (0: defaults).
	ElectionTicks  int
	HeartbeatTicks int
	// SnapshotEvery is how many entries are applied between compactions
	// of the log into a snapshot (0: SnapshotEveryDefault).
	SnapshotEvery uint64
	// SnapshotChunkBytes as in raft.Config (0: raft's default).
	SnapshotChunkBytes int
	// MaxMessageBytes bounds one encoded raft message, sent or received
	// (0 or above raft.MessageBytesMax: raft.MessageBytesMax); larger ones
	// are dropped and counted.
	MaxMessageBytes int
	// MaxAppendBytes and MaxInflightAppends as in raft.Config (0: raft's
	// defaults): small values make followers ack entries a few at a time.
	MaxAppendBytes     uint64
	MaxInflightAppends int

	// Buggify is the simulator's BUGGIFY switch (nil: never): asked at
	// the Site* sites below, it makes the member take a rare but legal
	// path.
	Buggify func(site string) bool
}

// BUGGIFY sites of a group member, each a legal path the simulator takes
// now and then (see ARCHITECTURE.md):
const (
	// SiteAppendTiny, asked when the member starts, sends one entry per
	// append and one append in flight per follower: followers ack
	// entries one at a time, which opens the windows between the acks of
	// old and new entries that commit rules must get right.
	SiteAppendTiny = "raftgroup.append.tiny"
)

func (c *Config) buggify(site string) bool { return c.Buggify != nil && c.Buggify(site) }

// withDefaults validates c and fills in defaults.
func (c Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return c, fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case !validGroupName(c.Group):
		return bad("group name %q must be one subject token of letters, digits, '-' or '_'", c.Group)
	case c.Self == "":
		return bad("Self is required")
	case !slices.Contains(c.Peers, c.Self):
		return bad("Peers must include Self (%q)", c.Self)
	case len(c.Peers) > raft.MembersMax:
		return bad("more than %d peers", raft.MembersMax)
	case c.Messenger == nil || c.Clock == nil || c.Rand == nil || c.StateMachine == nil:
		return bad("Messenger, Clock, Rand and StateMachine are required")
	case c.Tick < 0 || c.ElectionTicks < 0 || c.HeartbeatTicks < 0 || c.MaxMessageBytes < 0:
		return bad("negative tick or limit")
	}
	if c.Tick == 0 {
		c.Tick = TickDefault
	}
	if c.ElectionTicks == 0 {
		c.ElectionTicks = ElectionTicksDefault
	}
	if c.HeartbeatTicks == 0 {
		c.HeartbeatTicks = HeartbeatTicksDefault
	}
	if c.SnapshotEvery == 0 {
		c.SnapshotEvery = SnapshotEveryDefault
	}
	if c.MaxMessageBytes == 0 || c.MaxMessageBytes > raft.MessageBytesMax {
		c.MaxMessageBytes = raft.MessageBytesMax
	}
	if c.Dir == "" {
		c.Dir = path.Join("raft", c.Group)
	}
	if c.FS == nil {
		c.Syncer = nil // a memory log has nothing to sync
	}
	c.Clock = mutant.Clock(c.Clock) // the timer mutants; c.Clock itself otherwise
	ids := make(map[raft.ID]string, len(c.Peers))
	for _, p := range c.Peers {
		id := MemberID(p)
		if other, dup := ids[id]; dup {
			return bad("peers %q and %q have the same member ID (listed twice?)", other, p)
		}
		ids[id] = p
	}
	return c, nil
}

// validGroupName accepts one subject token of safe characters.
func validGroupName(s string) bool {
	if s == "" || len(s) > GroupNameMax {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
