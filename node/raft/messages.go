package raft

import (
	"fmt"
	"strconv"
)

// ID identifies a member of a Raft group. Zero (None) means "nobody".
type ID uint64

// None is the absent ID: no leader known, no vote cast.
const None ID = 0

// EntryType says how the application must interpret an entry's Data.
type EntryType uint8

// Entry types.
const (
	// EntryNormal carries application data. A new leader appends one with
	// empty Data to commit the entries of earlier terms (Raft §5.4.2).
	EntryNormal EntryType = 1
	// EntryConfChange carries a membership change (see DecodeConfChange).
	// The new membership takes effect as soon as the entry is appended.
	EntryConfChange EntryType = 2
)

func (t EntryType) valid() bool { return t == EntryNormal || t == EntryConfChange }

// String names the entry type.
func (t EntryType) String() string {
	switch t {
	case EntryNormal:
		return "Normal"
	case EntryConfChange:
		return "ConfChange"
	}
	return "EntryType(" + strconv.Itoa(int(t)) + ")"
}

// Entry is one record of the replicated log. Entries are immutable once
// created: slices handed out by the state machine must not be modified.
type Entry struct {
	Term  uint64
	Index uint64
	Type  EntryType
	Data  []byte
}

// HardState is the state a node must persist before sending any message
// that depends on it: the current term, the vote cast in it, and the commit
// index (which may lag on disk; it is only an optimisation on restart).
type HardState struct {
	Term   uint64
	Vote   ID
	Commit uint64
}

// IsEmpty reports whether hs is the zero HardState, which Ready uses for
// "unchanged".
func (hs HardState) IsEmpty() bool { return hs == HardState{} }

// SnapshotMeta describes the log prefix a snapshot replaces: its last
// index and term and the membership in effect at that index.
type SnapshotMeta struct {
	Index      uint64
	Term       uint64
	Membership Membership
}

// Snapshot is the application's state as of Meta.Index plus its metadata.
type Snapshot struct {
	Meta SnapshotMeta
	Data []byte
}

// MessageType distinguishes the messages nodes exchange.
type MessageType uint8

// Message types. Responses carry the responder's term.
const (
	// MsgAppend carries Entries following (Index, LogTerm) and the leader's
	// Commit. With no entries it probes or propagates the commit index.
	MsgAppend MessageType = iota + 1
	// MsgAppendResp accepts (Index = last index now matching the leader) or
	// rejects (Reject, Index = the rejected Index, RejectHint and LogTerm =
	// the conflict hint) an append.
	MsgAppendResp
	// MsgVote asks for a vote in Term; Index and LogTerm describe the
	// candidate's last entry; Transfer marks a leadership-transfer election.
	MsgVote
	// MsgVoteResp grants (Reject false) or refuses a vote.
	MsgVoteResp
	// MsgPreVote asks whether a vote in Term would be granted, without
	// changing anybody's term.
	MsgPreVote
	// MsgPreVoteResp answers a pre-vote; a grant carries the asked Term.
	MsgPreVoteResp
	// MsgHeartbeat asserts leadership and carries a Commit no higher than
	// the follower's known match; Context is a read-index round.
	MsgHeartbeat
	// MsgHeartbeatResp echoes the heartbeat's Context.
	MsgHeartbeatResp
	// MsgSnapshot is one chunk of a snapshot: Snapshot metadata,
	// ChunkOffset, ChunkData, SnapshotSize and ChunkLast.
	MsgSnapshot
	// MsgSnapshotResp acknowledges chunks: ChunkOffset is the next byte
	// the follower expects for the snapshot at (Index, LogTerm).
	MsgSnapshotResp
	// MsgTimeoutNow tells the target of a leadership transfer to start an
	// election at once, without pre-vote.
	MsgTimeoutNow
	// MsgReadIndex forwards a follower's read request (Context) to the leader.
	MsgReadIndex
	// MsgReadIndexResp answers a forwarded read with the read index (Index).
	MsgReadIndexResp
)

func (t MessageType) valid() bool { return t >= MsgAppend && t <= MsgReadIndexResp }

var messageTypeNames = [...]string{
	MsgAppend: "MsgAppend", MsgAppendResp: "MsgAppendResp", MsgVote: "MsgVote",
	MsgVoteResp: "MsgVoteResp", MsgPreVote: "MsgPreVote", MsgPreVoteResp: "MsgPreVoteResp",
	MsgHeartbeat: "MsgHeartbeat", MsgHeartbeatResp: "MsgHeartbeatResp", MsgSnapshot: "MsgSnapshot",
	MsgSnapshotResp: "MsgSnapshotResp", MsgTimeoutNow: "MsgTimeoutNow", MsgReadIndex: "MsgReadIndex",
	MsgReadIndexResp: "MsgReadIndexResp",
}

// String names the message type.
func (t MessageType) String() string {
	if int(t) < len(messageTypeNames) && messageTypeNames[t] != "" {
		return messageTypeNames[t]
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// Message is the one struct every exchange between nodes uses; which fields
// matter depends on Type (see the MessageType constants). Nodes only ever
// exchange Messages, so a transport needs nothing but Marshal/Unmarshal.
type Message struct {
	Type MessageType
	From ID
	To   ID
	Term uint64

	// LogTerm is the term at Index (append), the candidate's last term
	// (votes), the conflicting term of a rejection (0: log too short) or
	// the snapshot's term (snapshot responses).
	LogTerm uint64
	// Index is the entry preceding Entries (append), the candidate's last
	// index (votes), the accepted or rejected index (append responses),
	// the read index (read-index responses) or the snapshot index
	// (snapshot responses).
	Index uint64
	// Commit is the sender's commit index (append, heartbeat).
	Commit uint64
	// Entries follow Index in an append.
	Entries []Entry
	// Reject marks a refusal (append and vote responses).
	Reject bool
	// RejectHint is the follower's first index of the conflicting term, or
	// its last index when LogTerm is 0.
	RejectHint uint64
	// Transfer marks a vote request from a leadership-transfer election,
	// which followers grant even while they believe a leader is alive.
	Transfer bool
	// Context identifies a read-index request or heartbeat round.
	Context uint64

	// Snapshot describes the snapshot a MsgSnapshot chunk belongs to.
	Snapshot *SnapshotMeta
	// SnapshotSize is the total data size of that snapshot.
	SnapshotSize uint64
	// ChunkOffset is the byte offset of ChunkData (MsgSnapshot) or the next
	// expected byte (MsgSnapshotResp).
	ChunkOffset uint64
	// ChunkData is one slice of the snapshot data.
	ChunkData []byte
	// ChunkLast marks the final chunk.
	ChunkLast bool
}

// String renders the message compactly for traces and test failures.
func (m Message) String() string {
	s := fmt.Sprintf("%s %d->%d t%d i%d lt%d c%d", m.Type, m.From, m.To, m.Term, m.Index, m.LogTerm, m.Commit)
	if len(m.Entries) > 0 {
		s += fmt.Sprintf(" ents[%d..%d]", m.Entries[0].Index, m.Entries[len(m.Entries)-1].Index)
	}
	if m.Reject {
		s += fmt.Sprintf(" reject hint=%d", m.RejectHint)
	}
	if m.Transfer {
		s += " transfer"
	}
	if m.Context != 0 {
		s += fmt.Sprintf(" ctx=%d", m.Context)
	}
	if m.Type == MsgSnapshot || m.Type == MsgSnapshotResp {
		s += fmt.Sprintf(" off=%d len=%d size=%d last=%v", m.ChunkOffset, len(m.ChunkData), m.SnapshotSize, m.ChunkLast)
	}
	return s
}
