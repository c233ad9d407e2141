package raft

import (
	"errors"
	"fmt"
)

// SoftState is volatile state worth reporting but never persisted.
type SoftState struct {
	Lead ID
	Role Role
}

// Ready is everything the state machine wants done, handed out by
// RawNode.Ready and acknowledged by RawNode.Advance. Handle the fields in
// this order; the durability contract depends on it:
//
//  1. Persist Snapshot, then Entries, then HardState (sync when MustSync).
//  2. Only then send Messages.
//  3. Restore Snapshot into the application, then apply CommittedEntries.
//  4. Persist Compaction (whenever convenient), serve ReadStates once
//     applied, and call Advance.
type Ready struct {
	// SoftState is the new leader and role if they changed, else nil.
	// Informational; never persisted.
	SoftState *SoftState
	// HardState is the new term, vote and commit index, or the zero value
	// if unchanged. It must be persisted BEFORE Messages are sent: a vote
	// leaves in Messages, and a node that forgets its vote in a crash may
	// vote twice in one term. Write it after Entries (or atomically with
	// them): Restart refuses a Commit beyond the stored log.
	HardState HardState
	// Entries must be appended to the log BEFORE Messages are sent (an
	// append acknowledgement in Messages promises they are durable).
	// Stored entries at or after Entries[0].Index must be discarded first:
	// they were replaced by a new leader.
	Entries []Entry
	// Snapshot, if not nil, is a snapshot received from the leader. Persist
	// it (replacing the whole log, before appending Entries, which follow
	// it) BEFORE sending Messages, and restore the application's state
	// from it BEFORE applying CommittedEntries.
	Snapshot *Snapshot
	// CommittedEntries are to be applied to the application, in order,
	// after the persistence above. They may include entries from Entries.
	// EntryConfChange entries need no action (membership changed when they
	// were appended); they are here so the application can observe them.
	CommittedEntries []Entry
	// Messages are to be sent AFTER HardState, Entries and Snapshot are
	// persisted. Delivery may fail, be delayed, duplicated or reordered.
	Messages []Message
	// ReadStates answer ReadIndex calls: serve each read once the applied
	// index reaches its Index.
	ReadStates []ReadState
	// Compaction, if not nil, answers Compact: store it as the latest
	// snapshot (so Storage.Snapshot returns it) and drop log entries up to
	// its index. It may be persisted later than the rest, or dropped.
	Compaction *Snapshot
	// MustSync says HardState's term or vote, Entries or Snapshot changed,
	// so the writes above must be synced before sending. A commit index
	// change alone needs no sync.
	MustSync bool
}

// IsEmpty reports whether rd holds nothing to do.
func (rd Ready) IsEmpty() bool {
	return rd.SoftState == nil && rd.HardState.IsEmpty() && len(rd.Entries) == 0 && rd.Snapshot == nil &&
		len(rd.CommittedEntries) == 0 && len(rd.Messages) == 0 && len(rd.ReadStates) == 0 &&
		rd.Compaction == nil
}

// RawNode drives one node of a Raft group. It is single-threaded and does
// no I/O: the caller feeds it ticks, messages and proposals, and carries
// out what Ready returns. Every method may be called between Ready and
// Advance. After an unexpected Storage error the node stops: every
// method returns (or Err reports) that error and Ready is empty.
type RawNode struct {
	raft     *raft
	prevSoft SoftState
	prevHard HardState
	failed   error
}

// Start creates the first members of a new group on empty storage. Every
// initial member calls it with the same membership: each writes an
// identical first entry (index 1, term 1) holding the membership, already
// committed, and persists it through its first Ready. Later members join
// with Restart on empty storage and learn the membership from the leader.
func Start(cfg Config, initial Membership) (*RawNode, error) {
	if err := initial.Validate(); err != nil {
		return nil, err
	}
	if len(initial.Voters) == 0 {
		return nil, fmt.Errorf("%w: initial membership has no voters", ErrInvalidConfig)
	}
	rn, err := Restart(cfg)
	if err != nil {
		return nil, err
	}
	r := rn.raft
	if r.log.lastIndex() != 0 || r.term != 0 {
		return nil, fmt.Errorf("%w: Start needs empty storage", ErrInvalidConfig)
	}
	boot := Entry{Term: 1, Index: 1, Type: EntryConfChange,
		Data: EncodeConfChange(ConfChange{Op: ConfBootstrap}, initial)}
	r.becomeFollower(1, None)
	r.log.append(boot)
	r.log.commitTo(1)
	r.noteAppended([]Entry{boot})
	return rn, nil
}

// Restart rebuilds a node from what Storage holds: HardState, snapshot
// and log. A node joining an existing group uses it on empty storage.
func Restart(cfg Config) (*RawNode, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	hs, err := cfg.Storage.InitialState()
	if err != nil {
		return nil, errors.Join(ErrStorageFailed, err)
	}
	log, err := newLog(cfg.Storage, cfg.MaxApplyBytes)
	if err != nil {
		return nil, err
	}
	rn := &RawNode{raft: newRaft(cfg, log)}
	err = rn.restore(cfg, hs)
	if err != nil {
		return nil, err
	}
	return rn, nil
}

func (rn *RawNode) restore(cfg Config, hs HardState) (err error) {
	defer rn.guard(&err)
	r := rn.raft
	last, snapIndex := r.log.lastIndex(), r.log.firstIndex()-1
	if hs.Commit > last {
		return fmt.Errorf("%w: commit %d beyond last index %d", ErrCorruptState, hs.Commit, last)
	}
	r.log.commitTo(max(hs.Commit, snapIndex))
	switch {
	case cfg.Applied == 0:
	case cfg.Applied < snapIndex || cfg.Applied > r.log.committed:
		return fmt.Errorf("%w: Applied %d outside [%d, %d]", ErrInvalidConfig, cfg.Applied, snapIndex, r.log.committed)
	default:
		r.log.appliedTo(cfg.Applied)
	}
	r.term = hs.Term
	r.becomeFollower(hs.Term, None)
	r.vote = hs.Vote
	r.reloadMembership()
	r.checkInvariants()
	rn.prevHard = hs
	rn.prevSoft = r.softState()
	return nil
}

// guard turns a storage failure raised inside the state machine into an
// error and stops the node. Other panics are real bugs and propagate.
func (rn *RawNode) guard(err *error) {
	p := recover()
	if p == nil {
		return
	}
	sf, ok := p.(storageFailure)
	if !ok {
		panic(p)
	}
	rn.failed = sf.err
	if err != nil {
		*err = sf.err
	}
}

// Err returns the storage error that stopped the node, if any.
func (rn *RawNode) Err() error { return rn.failed }

// Tick advances the logical clock by one tick.
func (rn *RawNode) Tick() {
	if rn.failed != nil {
		return
	}
	defer rn.guard(nil)
	rn.raft.tick()
	rn.raft.checkInvariants()
}

// Step processes a message from another node. Malformed messages, or
// messages not addressed to this node, return ErrInvalidMessage and have
// no effect.
func (rn *RawNode) Step(m Message) (err error) {
	if rn.failed != nil {
		return rn.failed
	}
	defer rn.guard(&err)
	err = rn.raft.Step(m)
	rn.raft.checkInvariants()
	return err
}

// Campaign makes this node start an election now (with pre-vote if
// enabled), as if its election timeout had elapsed.
func (rn *RawNode) Campaign() (err error) {
	if rn.failed != nil {
		return rn.failed
	}
	defer rn.guard(&err)
	r := rn.raft
	if r.role == RoleLeader || !r.promotable() {
		return nil
	}
	if r.preVote {
		r.campaign(campaignPreElection)
	} else {
		r.campaign(campaignElection)
	}
	r.checkInvariants()
	return nil
}

// Propose appends data as a new entry on the leader and returns the index
// and term it will have if it commits: the caller learns the outcome by
// seeing (index, term) in CommittedEntries, or another entry at index. A
// follower returns a *NotLeaderError naming the leader it knows. The
// state machine keeps data; the caller must not modify it afterwards.
func (rn *RawNode) Propose(data []byte) (index, term uint64, err error) {
	if rn.failed != nil {
		return 0, 0, rn.failed
	}
	defer rn.guard(&err)
	r := rn.raft
	switch {
	case r.role != RoleLeader:
		return 0, 0, &NotLeaderError{Leader: r.lead}
	case r.leadTransferee != None:
		return 0, 0, ErrTransferInProgress
	case len(data) > EntryBytesMax:
		return 0, 0, ErrEntryTooLarge
	case len(data) > 0 && r.uncommittedBytes+uint64(len(data)) > UncommittedBytesMax:
		return 0, 0, ErrProposalDropped
	}
	r.uncommittedBytes += uint64(len(data))
	r.appendEntries(Entry{Type: EntryNormal, Data: data})
	r.checkInvariants()
	return r.log.lastIndex(), r.term, nil
}

// ProposeConfChange proposes a single-server membership change on the
// leader; it returns the entry's index and term. The change takes effect
// on each node as soon as it appends the entry. It fails with
// ErrConfChangePending while an earlier change is uncommitted.
func (rn *RawNode) ProposeConfChange(cc ConfChange) (index, term uint64, err error) {
	if rn.failed != nil {
		return 0, 0, rn.failed
	}
	defer rn.guard(&err)
	index, term, err = rn.raft.proposeConfChange(cc)
	rn.raft.checkInvariants()
	return index, term, err
}

// TransferLeader asks the leader to hand leadership to the voter to.
func (rn *RawNode) TransferLeader(to ID) (err error) {
	if rn.failed != nil {
		return rn.failed
	}
	defer rn.guard(&err)
	err = rn.raft.transferLeader(to)
	rn.raft.checkInvariants()
	return err
}

// ReadIndex requests a linearizable read identified by ctx (chosen by the
// caller). The answer arrives as a ReadState in a later Ready; requests
// may be lost (leader change, message loss), so callers retry after a
// timeout. A node with no known leader returns a *NotLeaderError.
func (rn *RawNode) ReadIndex(ctx uint64) (err error) {
	if rn.failed != nil {
		return rn.failed
	}
	defer rn.guard(&err)
	return rn.raft.readIndex(ctx)
}

// Compact asks to replace the log up to index (which must be applied)
// with data, the application's state at index. The request comes back as
// Ready.Compaction, with the metadata filled in, for the caller to store.
func (rn *RawNode) Compact(index uint64, data []byte) (err error) {
	if rn.failed != nil {
		return rn.failed
	}
	defer rn.guard(&err)
	return rn.raft.compact(index, data)
}
